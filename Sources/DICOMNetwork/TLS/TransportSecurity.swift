import Foundation
import NIOCore
import NIOSSL

/// TLS for the associations of one side (requestor or acceptor), made from `TLSSettings`: a loaded
/// NIOSSL context and what the pipeline builder needs to put a TLS handler at the front of the pipeline
/// (`ChannelPipeline.SynchronousOperations.addPipeline`). The association code above it does not know it
/// runs over TLS; failures reach it as `TransportFailure` (docs/lua-api.md "DICOM TLS").
public struct TransportSecurity: Sendable {
    public enum Role: Sendable { case requestor, acceptor }

    public let settings: TLSSettings
    public let role: Role
    let context: NIOSSLContext
    /// Told (from the event loop) of each failed handshake with the reason in words, e.g. for a server's
    /// log; the failure also ends the association attempt with `.connectionFailed` / `.timedOut`.
    public var failureReporter: (@Sendable (String) -> Void)?

    /// Checks the settings (`TLSSettingsValidation`) and loads certificate, key and CA.
    /// - Throws: `TLSSettingsError` naming the file or the field.
    public init(settings: TLSSettings, role: Role) throws {
        try TLSSettingsValidation.check(settings, requireCertificate: role == .acceptor)
        // Every field that differs between a client and a server configuration is set below.
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch settings.profile {
        case .bcp195: configuration.minimumTLSVersion = .tlsv1
        case .bcp195NonDowngrading, .bcp195Extended: configuration.minimumTLSVersion = .tlsv12
        }
        configuration.maximumTLSVersion = .tlsv13
        configuration.cipherSuites = settings.profile.cipherSuites
        if let certificate = settings.certificate, let key = settings.privateKey {
            let chain = try TransportSecurity.certificates(in: certificate, what: "certificate")
            configuration.certificateChain = chain.map { .certificate($0) }
            do {
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            } catch {
                throw TLSSettingsError(
                    "private key file \(key) holds no PEM private key without a pass phrase (\(error))")
            }
        } else {
            configuration.certificateChain = []
            configuration.privateKey = nil
        }
        if let ca = settings.ca {
            configuration.trustRoots = .certificates(try TransportSecurity.certificates(in: ca, what: "ca"))
        }
        if settings.verifyPeer {
            configuration.certificateVerification =
                role == .requestor && settings.verifyHostname ? .fullVerification : .noHostnameVerification
        } else {
            configuration.certificateVerification = .none
        }
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSSettingsError(
                "cannot use certificate \(settings.certificate ?? "-") with private key \(settings.privateKey ?? "-"): \(error)"
            )
        }
        self.settings = settings
        self.role = role
    }

    /// The handlers to put first in a new channel's pipeline: the observer of the peer's first byte (plain
    /// DICOM or TLS), the TLS handler of our role, then the one that turns its failures into words and, with
    /// a `handshakeTimeout`, bounds the handshake (ARTIM). Without one the caller owns the handshake's time
    /// (a server's pending-connection time-out, which asks `TLSFailureHandler.handshakeExpired`).
    func makeHandlers(side: Role, serverHostname: String?, handshakeTimeout: TimeAmount?) throws -> [ChannelHandler] {
        let diagnosis = VerificationDiagnosis()
        let observe: NIOSSLVerificationCallback = { result, certificate in
            diagnosis.note(result, certificate)
            return result
        }
        let tls: ChannelHandler
        switch side {
        case .requestor:
            let sni = serverHostname.flatMap { TransportSecurity.isIPAddress($0) ? nil : $0 }
            tls = try NIOSSLClientHandler.make(context: context, serverHostname: sni, callback: observe)
        case .acceptor:
            tls = try NIOSSLServerHandler.make(context: context, callback: observe)
        }
        let firstByte = FirstInboundByte()
        return [
            TLSFirstByteObserver(record: firstByte),
            tls,
            TLSFailureHandler(
                diagnosis: diagnosis, side: side, firstByte: firstByte, handshakeTimeout: handshakeTimeout,
                reporter: failureReporter, verifyingPeer: settings.verifyPeer),
        ]
    }

    /// The PEM certificates in `path`; none, or a file that is not PEM, is an error naming the file.
    static func certificates(in path: String, what: String) throws -> [NIOSSLCertificate] {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw TLSSettingsError("\(what) file \(path) holds no PEM certificate (\(error))")
        }
        guard !certificates.isEmpty else { throw TLSSettingsError("\(what) file \(path) holds no PEM certificate") }
        return certificates
    }

    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}

/// Remembers why BoringSSL's own certificate verification failed, from its per-certificate callback,
/// which only observes (it returns BoringSSL's result unchanged): the verification stays BoringSSL's.
final class VerificationDiagnosis: @unchecked Sendable {
    private(set) var reason: String?

    func note(_ result: NIOSSLVerificationResult, _ certificate: NIOSSLCertificate) {
        guard case .failed = result, reason == nil else { return }
        let now = time(nil)
        if certificate.notValidAfter < now {
            reason = "certificate has expired"
        } else if certificate.notValidBefore > now {
            reason = "certificate is not yet valid"
        } else {
            reason = "unable to get local issuer certificate"
        }
    }
}

// NIOSSL's per-certificate verification callback lives on in initialisers marked deprecated (in favour of
// callbacks that replace the verification); reached through these protocols, they are used only to observe.
protocol ObservedClientHandler {
    init(context: NIOSSLContext, serverHostname: String?, verificationCallback: NIOSSLVerificationCallback?) throws
}
extension ObservedClientHandler where Self: ChannelHandler {
    static func make(
        context: NIOSSLContext, serverHostname: String?, callback: @escaping NIOSSLVerificationCallback
    )
        throws -> ChannelHandler
    {
        try Self(context: context, serverHostname: serverHostname, verificationCallback: callback)
    }
}
extension NIOSSLClientHandler: ObservedClientHandler {}

protocol ObservedServerHandler {
    init(context: NIOSSLContext, verificationCallback: NIOSSLVerificationCallback?) throws
}
extension ObservedServerHandler where Self: ChannelHandler {
    static func make(context: NIOSSLContext, callback: @escaping NIOSSLVerificationCallback) throws -> ChannelHandler {
        try Self(context: context, verificationCallback: callback)
    }
}
extension NIOSSLServerHandler: ObservedServerHandler {}
