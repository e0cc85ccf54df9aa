import NIOCore

/// Sits in front of the TLS handler and notes the first byte the peer sends, then leaves the pipeline. A TLS
/// peer starts with a handshake record (content type 16H, RFC 8446 §5.1); a plain DICOM peer starts with a
/// PDU type, 01H–07H (PS3.8 §9.3.1). With it, `TLSFailureHandler` says "a client spoke plain DICOM to this TLS
/// port" or "the remote answered without TLS" instead of a generic TLS error (docs/protocol-notes.md "DICOM
/// TLS: who reports what").
final class TLSFirstByteObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let record: FirstInboundByte

    init(record: FirstInboundByte) { self.record = record }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) {
            record.value = first
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        } else {
            context.fireChannelRead(data)
        }
    }
}

@available(*, unavailable)
extension TLSFirstByteObserver: Sendable {}

/// The first byte received on a TLS connection (nil while none arrived), shared by the observer in front of
/// the TLS handler and the failure handler behind it; both run on the channel's event loop.
final class FirstInboundByte: @unchecked Sendable {
    var value: UInt8?

    /// The DICOM PDU the first byte announces, when it is one (a peer speaking plain DICOM).
    var plainDICOMPDU: PDUType? { value.flatMap(PDUType.init(rawValue:)) }

    /// Why the handshake failed in words, when the peer spoke plain DICOM or never answered a requestor's
    /// ClientHello; nil otherwise (then the TLS library's reason stands).
    func plainPeerReason(side: TransportSecurity.Role, closedWithoutData: Bool) -> String? {
        if let pdu = plainDICOMPDU {
            let byte = "\(String(pdu.rawValue, radix: 16, uppercase: true).leftPadded(2))H"
            switch side {
            case .acceptor:
                return "a client spoke plain DICOM to this TLS port (an \(pdu), PDU type \(byte), arrived where "
                    + "a TLS ClientHello, 16H, was expected): configure the client for TLS, or send it to a plain port"
            case .requestor:
                return "the remote answered without TLS (a DICOM \(pdu), PDU type \(byte), arrived where a TLS "
                    + "ServerHello, 16H, was expected): its port speaks plain DICOM"
            }
        }
        guard closedWithoutData, value == nil else { return nil }
        switch side {
        case .acceptor:
            // A port probe (connect, close) looks the same.
            return "the client closed the connection without sending a byte (no TLS ClientHello)"
        case .requestor:
            return "the remote closed the connection without answering our TLS ClientHello: its port probably "
                + "speaks plain DICOM, not TLS"
        }
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
