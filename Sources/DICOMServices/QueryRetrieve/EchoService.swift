import Foundation

/// `IDLffDicomExCfg::Echo`: a C-ECHO (Verification SOP Class, PS3.4 Annex A) to an application entity of a
/// configuration, answered with IDL's lines (idl-dicomex-api.md §1.8): 8 on success, 4 on failure.
///
/// Interface agreed between the scripting and query/retrieve work; the `qr` work fills in the body.
public enum EchoService {
    /// Echoes the AE named `applicationEntityName`; the calling AE title is that of `EchoScuServiceAE`.
    /// Throws only for misuse (unknown AE name); network failures are the 4-line answer.
    public static func echo(applicationEntityName: String, configuration: ConfigurationDocument) async throws -> [String] {
        ["Echo Failed:", "AE Name: (\(applicationEntityName))", "AE Title: ()", "Not implemented yet"]
    }
}
