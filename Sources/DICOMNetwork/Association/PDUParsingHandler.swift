import NIOCore

/// Second pipeline stage: parses each `PDUFrame` with `PDUParser` and passes the `PDU` on. A parse error
/// is forwarded with `fireErrorCaught` so that the association handler answers it with an A-ABORT (Evt19).
final class PDUParsingHandler: ChannelInboundHandler {
    typealias InboundIn = PDUFrame
    typealias InboundOut = PDU

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        do {
            context.fireChannelRead(wrapInboundOut(try PDUParser.parse(frame)))
        } catch {
            context.fireErrorCaught(error)
        }
    }
}

@available(*, unavailable)
extension PDUParsingHandler: Sendable {}
