import NIOCore
import NIOSSL
import NIOTLS

/// Sits right behind the TLS handler: bounds the handshake by the association's ARTIM time (so a peer that
/// stalls after its ClientHello is dropped like one that never sends an A-ASSOCIATE-RQ), and turns
/// swift-nio-ssl's errors into `TransportFailure`s whose reason a PACS administrator can act on
/// (docs/lua-api.md "DICOM TLS").
final class TLSFailureHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let diagnosis: VerificationDiagnosis
    private let handshakeTimeout: TimeAmount
    private let reporter: (@Sendable (String) -> Void)?
    private let verifyingPeer: Bool
    private var timer: Scheduled<Void>?
    private var handshakeDone = false
    private var failed = false

    init(
        diagnosis: VerificationDiagnosis, handshakeTimeout: TimeAmount, reporter: (@Sendable (String) -> Void)?,
        verifyingPeer: Bool
    ) {
        self.diagnosis = diagnosis
        self.handshakeTimeout = handshakeTimeout
        self.reporter = reporter
        self.verifyingPeer = verifyingPeer
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startTimer(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        startTimer(context: context)
        context.fireChannelActive()
    }

    private func startTimer(context: ChannelHandlerContext) {
        guard timer == nil, !handshakeDone else { return }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: handshakeTimeout) {
            let (handler, context) = bound.value
            handler.timer = nil
            guard !handler.handshakeDone else { return }
            let seconds = Double(handler.handshakeTimeout.nanoseconds) / 1e9
            let text = seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
            handler.fail(
                context: context, TransportFailure("the TLS handshake did not complete within \(text)", timedOut: true))
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent {
            handshakeDone = true
            timer?.cancel()
            timer = nil
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        if !handshakeDone && !failed {
            fail(context: context, TransportFailure("the peer closed the connection during the TLS handshake"))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard let reason = TLSFailureHandler.describe(error, diagnosis: diagnosis, handshakeDone: handshakeDone)
        else {
            context.fireErrorCaught(error)
            return
        }
        fail(context: context, TransportFailure(reason))
    }

    private func fail(context: ChannelHandlerContext, _ failure: TransportFailure) {
        guard !failed else { return }
        failed = true
        if let reporter {
            let peer = context.channel.remoteAddress.map { "\($0)" } ?? "?"
            reporter("TLS with \(peer) failed: \(failure.reason)")
        }
        context.fireErrorCaught(failure)
    }

    /// The reason in words for a swift-nio-ssl error, or nil for an error that is not TLS's.
    static func describe(_ error: Error, diagnosis: VerificationDiagnosis, handshakeDone: Bool) -> String? {
        let stack: String
        switch error {
        case let error as NIOSSLError:
            switch error {
            case .handshakeFailed(let boring): stack = "\(boring)"
            case .uncleanShutdown:
                // After the handshake it is an ordinary lost connection (many peers skip close_notify).
                return handshakeDone ? nil : "the peer closed the connection during the TLS handshake"
            case .writeDuringTLSShutdown, .unableToAllocateBoringSSLObject, .noSuchFilesystemObject,
                .failedToLoadCertificate, .failedToLoadPrivateKey, .shutdownFailed, .cannotMatchULabel,
                .noCertificateToValidate, .unableToValidateCertificate, .cannotFindPeerIP,
                .readInInvalidTLSState:
                return "TLS failed: \(error)"
            @unknown default:
                return "TLS failed: \(error)"
            }
        case let error as BoringSSLError:
            stack = "\(error)"
        case let error as NIOSSLExtraError:
            if error == .failedToValidateHostname {
                return "certificate verify failed: the peer's certificate does not name the host"
            }
            return "TLS failed: \(error)"
        default:
            return nil
        }
        return reason(fromErrorStack: stack, diagnosis: diagnosis)
    }

    /// BoringSSL reason codes (as they appear in its error strings) and what they mean to a user.
    static func reason(fromErrorStack stack: String, diagnosis: VerificationDiagnosis) -> String {
        let upper = stack.uppercased()
        func has(_ code: String) -> Bool { upper.contains(code) }
        if has("CERTIFICATE_VERIFY_FAILED") {
            return "certificate verify failed: \(diagnosis.reason ?? "the peer's certificate is not trusted")"
        }
        if has("PEER_DID_NOT_RETURN_A_CERTIFICATE") { return "peer did not return a certificate" }
        if has("CERTIFICATE_REQUIRED") {
            return "the peer requires a client certificate and we have none (alert: certificate required)"
        }
        if has("ALERT_UNKNOWN_CA") {
            return "the peer does not trust our certificate: it does not know our CA (alert: unknown CA)"
        }
        if has("ALERT_CERTIFICATE_EXPIRED") {
            return "the peer refused our certificate as expired (alert: certificate expired)"
        }
        if has("ALERT_BAD_CERTIFICATE") || has("ALERT_CERTIFICATE_UNKNOWN") || has("ALERT_UNSUPPORTED_CERTIFICATE") {
            return "the peer refused our certificate (alert: bad certificate)"
        }
        if has("WRONG_VERSION_NUMBER") || has("HTTP_REQUEST") || has("HTTPS_PROXY_REQUEST")
            || has("UNEXPECTED_RECORD") || has("RECORD_TOO_LARGE") || has("PACKET_LENGTH_TOO_LONG")
            || has("UNKNOWN_PROTOCOL") || has("DECODE_ERROR") || has("EXCESSIVE_MESSAGE_SIZE")
        {
            return "the peer is not speaking TLS"
        }
        if has("EOF DURING HANDSHAKE") { return "the peer closed the connection during the TLS handshake" }
        if has("NO_SHARED_CIPHER") || has("NO_SHARED_GROUP") || has("HANDSHAKE_FAILURE_ON_CLIENT_HELLO") {
            return "no cipher suite in common with the peer (TLS profile)"
        }
        if has("ALERT_HANDSHAKE_FAILURE") {
            return "the peer refused the TLS handshake (alert: handshake failure: no cipher suite in common, "
                + "or it requires a client certificate we do not have)"
        }
        if has("UNSUPPORTED_PROTOCOL") || has("ALERT_PROTOCOL_VERSION") {
            return "no TLS version in common with the peer (TLS profile)"
        }
        return "TLS handshake failed: \(stack)"
    }
}

@available(*, unavailable)
extension TLSFailureHandler: Sendable {}
