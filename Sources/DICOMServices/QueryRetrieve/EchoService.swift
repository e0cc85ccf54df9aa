import DICOMNetwork
import Foundation

/// `IDLffDicomExCfg::Echo`: a C-ECHO (Verification SOP Class, PS3.4 Annex A) to an application entity of a
/// configuration, answered with IDL's lines (docs/idl-reference.md §1.8): 8 on success, 4 on failure.
///
/// Success: `Echo Succeeded:`, `AE Name: (n)`, `AE Title: (t)`, `Host Name: (h)`, `IP Address: (ip)` (the
/// address actually connected to), `TCP/IP Port: (p)`, `Implementation Version: (v)` and
/// `Implementation Class UID: (uid)` from the peer's A-ASSOCIATE-AC. Failure: `Echo Failed:`, name, title,
/// and the reason (`Open Association Failed (…)` or `C-ECHO failed (status …)`).
public enum EchoService {
    /// Echoes the AE named `applicationEntityName`; the calling AE title is that of `EchoScuServiceAE`.
    /// Throws only for misuse (unknown AE name); network failures are the 4-line answer.
    public static func echo(
        applicationEntityName: String, configuration: ConfigurationDocument
    ) async throws -> [String] {
        guard let remote = configuration.applicationEntity(named: applicationEntityName) else {
            throw ConfigurationError(
                "echo", "'\(applicationEntityName)' is not an application entity of \(configuration.filePath)")
        }
        let head = ["AE Name: (\(remote.name))", "AE Title: (\(remote.aeTitle))"]
        let association: DICOMAssociation
        do {
            association = try await connect(to: remote, configuration: configuration)
        } catch {
            let reason = (error as? AssociationError)?.description ?? String(describing: error)
            return ["Echo Failed:"] + head + ["Open Association Failed (\(reason))"]
        }
        let status: DIMSEStatus
        do {
            status = try await association.echo()
        } catch {
            await association.abort()
            return ["Echo Failed:"] + head + [
                "C-ECHO failed (\((error as? AssociationError)?.description ?? "\(error)"))"
            ]
        }
        try? await association.release()
        guard status.isSuccess else {
            return ["Echo Failed:"] + head + ["C-ECHO failed (status \(status.description(for: .echo)))"]
        }
        let ip = association.remoteAddress?.ipAddress ?? remote.hostname
        return ["Echo Succeeded:"] + head + [
            "Host Name: (\(remote.hostname))",
            "IP Address: (\(ip))",
            "TCP/IP Port: (\(remote.port))",
            "Implementation Version: (\(association.negotiated.peerImplementationVersionName ?? ""))",
            "Implementation Class UID: (\(association.negotiated.peerImplementationClassUID ?? ""))",
        ]
    }

    /// An association from `EchoScuServiceAE` to `remote` proposing the Verification SOP Class in Implicit VR
    /// Little Endian (PS3.4 Annex A): the echo's, and the probe's.
    static func connect(
        to remote: ApplicationEntity, configuration: ConfigurationDocument
    ) async throws
        -> DICOMAssociation
    {
        try await SCUConnection.connect(
            calling: configuration.echoSCU, remote: remote,
            contexts: [
                ProposedPresentationContext(
                    abstractSyntax: verificationSOPClassUID,
                    transferSyntaxes: [TransferSyntaxUID.implicitVRLittleEndian])
            ],
            configuration: configuration)
    }
}
