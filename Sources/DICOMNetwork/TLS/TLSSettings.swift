/// DICOM TLS settings of one application entity (PS3.15 Annex B; docs/lua-api.md "DICOM TLS"): the files
/// to present and trust, the security profile and how strictly the peer is checked. A value only names
/// files; `TLSSettingsValidation.check` checks them and `TransportSecurity` loads them.
public struct TLSSettings: Equatable, Hashable, Sendable {
    /// PEM certificate (chain) we present. Optional for a requestor whose peers do not ask for one; an
    /// acceptor needs it.
    public var certificate: String?
    /// PEM private key of `certificate`; must not be readable by group or others.
    public var privateKey: String?
    /// PEM file of the certification authorities we trust for the peer's certificate.
    public var ca: String?
    public var profile: TLSProfile
    /// Check the peer's certificate chain against `ca` (an acceptor then requires a client certificate).
    /// Default: true when `ca` is given.
    public var verifyPeer: Bool
    /// Also check the peer certificate's names against the AE's host name (requestor only). Default false:
    /// hospital PKIs rarely name hosts.
    public var verifyHostname: Bool

    public init(
        certificate: String? = nil, privateKey: String? = nil, ca: String? = nil,
        profile: TLSProfile = .bcp195NonDowngrading,
        verifyPeer: Bool? = nil, verifyHostname: Bool = false
    ) {
        self.certificate = certificate
        self.privateKey = privateKey
        self.ca = ca
        self.profile = profile
        self.verifyPeer = verifyPeer ?? (ca != nil)
        self.verifyHostname = verifyHostname
    }
}

/// The DICOM TLS security profiles as DCMTK names them (PS3.15 B.9–B.11), mapped to the protocol versions
/// they allow and the nearest cipher suites BoringSSL (swift-nio-ssl) offers; BoringSSL has no DHE suites,
/// and its TLS 1.3 suites (AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305) cannot be narrowed.
public enum TLSProfile: String, CaseIterable, Hashable, Sendable {
    /// PS3.15 B.9 BCP 195 TLS Secure Transport Connection Profile: TLS 1.2 and 1.3 preferred, down to TLS 1.0
    /// with a peer that has nothing newer.
    case bcp195 = "bcp195"
    /// PS3.15 B.10 Non-downgrading BCP 195 TLS Secure Transport Connection Profile: TLS 1.2 and 1.3 only
    /// (the default).
    case bcp195NonDowngrading = "bcp195-nd"
    /// PS3.15 B.11 Extended BCP 195 TLS Profile: TLS 1.2 and 1.3 only, ECDHE with AES-256-GCM only in TLS 1.2.
    case bcp195Extended = "bcp195-ex"

    /// The profile names, in the order they are documented.
    public static var names: [String] { allCases.map(\.rawValue) }

    /// The OpenSSL cipher string for TLS 1.2 and below.
    var cipherSuites: String {
        switch self {
        case .bcp195:
            return "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
                + "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:"
                + "ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA"
        case .bcp195NonDowngrading:
            return "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
                + "ECDHE-RSA-AES256-GCM-SHA384"
        case .bcp195Extended:
            return "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384"
        }
    }
}
