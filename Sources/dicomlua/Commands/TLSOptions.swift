import ArgumentParser
import DICOMNetwork

/// The TLS flags of `dicomlua storescp` and `dicomlua qrscp` (docs/lua-api.md "DICOM TLS").
struct TLSOptions: ParsableArguments {
    @Option(name: .customLong("tls-cert"), help: "Listen with TLS presenting this PEM certificate (needs --tls-key).")
    var certificate: String?
    @Option(name: .customLong("tls-key"), help: "The PEM private key of --tls-cert (readable by its owner only).")
    var privateKey: String?
    @Option(name: .customLong("tls-ca"), help: "PEM file of the CAs whose certificates peers may present.")
    var ca: String?
    @Option(name: .customLong("tls-profile"), help: "bcp195-nd (default), bcp195 or bcp195-ex.")
    var profile: String?
    @Flag(
        name: .customLong("tls-verify-peer"), inversion: .prefixedNo,
        help: "Require and verify the peer's certificate against --tls-ca (default: on with --tls-ca).")
    var verifyPeer: Bool?

    /// The settings the flags give, checked (files, key permissions, profile); nil without `--tls-cert`.
    func settings() throws -> TLSSettings? {
        guard certificate != nil || privateKey != nil || ca != nil || profile != nil || verifyPeer != nil else {
            return nil
        }
        guard let certificate, let privateKey else {
            throw ValidationError("--tls-cert and --tls-key go together (and the other --tls flags need them)")
        }
        let settings = TLSSettings(
            certificate: certificate, privateKey: privateKey, ca: ca,
            profile: try profile.map(TLSSettingsValidation.profile(named:)) ?? .bcp195NonDowngrading,
            verifyPeer: verifyPeer)
        try TLSSettingsValidation.check(settings, requireCertificate: true)
        return settings
    }
}
