import Foundation
import NIOCore
import NIOSSL
import NIOTLS

/// Sits right behind the TLS handler: turns swift-nio-ssl's errors into `TransportFailure`s whose reason a
/// PACS administrator can act on (docs/lua-api.md "DICOM TLS"), and bounds the handshake. On a requestor it
/// runs its own timer (`handshakeTimeout`, the association's ARTIM); on a server's connection the
/// pending-connection time-out owns the whole time before the A-ASSOCIATE-RQ, TLS handshake included, and
/// asks this handler (`handshakeExpired`) whether the handshake is what is missing, so that one timer says
/// one precise thing (docs/protocol-notes.md "DICOM TLS: who reports what").
final class TLSFailureHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let diagnosis: VerificationDiagnosis
    private let side: TransportSecurity.Role
    private let firstByte: FirstInboundByte
    private let handshakeTimeout: TimeAmount?
    private let reporter: (@Sendable (String) -> Void)?
    private let verifyingPeer: Bool
    private var timer: Scheduled<Void>?
    private var context: ChannelHandlerContext?
    private(set) var handshakeDone = false
    private var failed = false

    /// `handshakeTimeout` nil: no timer of its own (a server's `PendingConnectionHandler` owns the time).
    init(
        diagnosis: VerificationDiagnosis, side: TransportSecurity.Role, firstByte: FirstInboundByte,
        handshakeTimeout: TimeAmount?, reporter: (@Sendable (String) -> Void)?, verifyingPeer: Bool
    ) {
        self.diagnosis = diagnosis
        self.side = side
        self.firstByte = firstByte
        self.handshakeTimeout = handshakeTimeout
        self.reporter = reporter
        self.verifyingPeer = verifyingPeer
    }

    /// Whether a failure is told to a reporter (a server's log) besides ending the association attempt.
    var reportsFailures: Bool { reporter != nil }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { startTimer(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        startTimer(context: context)
        context.fireChannelActive()
    }

    private func startTimer(context: ChannelHandlerContext) {
        guard timer == nil, !handshakeDone, let handshakeTimeout else { return }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: handshakeTimeout) {
            let handler = bound.value
            handler.timer = nil
            _ = handler.handshakeExpired(after: handshakeTimeout)
        }
    }

    /// The time for the handshake is over (called on the event loop): when the handshake has not completed,
    /// fails with "the TLS handshake did not complete within N s", closes the connection and returns true;
    /// false when the handshake is done (what is missing then is not TLS's).
    func handshakeExpired(after timeout: TimeAmount) -> Bool {
        guard !handshakeDone, let context else { return false }
        let seconds = Double(timeout.nanoseconds) / 1e9
        let text = seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
        let what: String
        switch (side, firstByte.value) {
        case (.acceptor, nil): what = " (the client sent nothing)"
        case (.acceptor, .some): what = " (the client stalled in the middle of its handshake)"
        case (.requestor, nil): what = " (the remote sent nothing)"
        case (.requestor, .some): what = " (the remote stalled in the middle of the handshake)"
        }
        fail(
            context: context,
            TransportFailure("the TLS handshake did not complete within \(text)\(what)", timedOut: true))
        context.close(promise: nil)
        return true
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
            let reason =
                firstByte.plainPeerReason(side: side, closedWithoutData: true)
                ?? "the peer closed the connection during the TLS handshake"
            fail(context: context, TransportFailure(reason))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if !handshakeDone, let reason = plainPeerReason(for: error) {
            fail(context: context, TransportFailure(reason))
            return
        }
        guard let reason = TLSFailureHandler.describe(error, diagnosis: diagnosis, handshakeDone: handshakeDone)
        else {
            context.fireErrorCaught(error)
            return
        }
        fail(context: context, TransportFailure(reason))
    }

    /// Before the handshake completed: the reason when the peer spoke plain DICOM, or closed or reset the
    /// connection without a byte of answer to a requestor's ClientHello (DCMTK's plain storescp does).
    private func plainPeerReason(for error: Error) -> String? {
        let closed: Bool
        switch error {
        case let error as IOError: closed = error.errnoCode == ECONNRESET || error.errnoCode == EPIPE
        case NIOSSLError.uncleanShutdown: closed = true
        default: closed = false
        }
        return firstByte.plainPeerReason(side: side, closedWithoutData: closed)
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
