import NIOCore

/// The first pipeline stage above the socket (or TLS): frames each read with `PDUFrameDecoder`, parses each
/// frame with `PDUParser` and passes the `PDU` on. The framer frames and the parser parses; this handler only
/// moves their results along.
///
/// Errors go on with `fireErrorCaught`, so that the association handler answers them with an A-ABORT (Evt19):
/// a parse error after which the following PDUs are still read (as the Upper Layer needs them to finish
/// aborting), and a frame error (a PDU-length over the maximum) after which nothing more of the stream is read,
/// as its framing is lost.
final class PDUDecodingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = PDU

    private var decoder: PDUFrameDecoder
    private var framingLost = false

    init(maximumPDULength: Int) {
        self.decoder = PDUFrameDecoder(maximumPDULength: maximumPDULength)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.framingLost else { return }
        var bytes = unwrapInboundIn(data)
        while true {
            let frame: PDUFrame
            do {
                guard let next = try self.decoder.nextFrame(from: &bytes) else { return }
                frame = next
            } catch {
                self.framingLost = true
                context.fireErrorCaught(error)
                return
            }
            do {
                context.fireChannelRead(wrapInboundOut(try PDUParser.parse(frame)))
            } catch {
                context.fireErrorCaught(error)
            }
        }
    }
}

@available(*, unavailable)
extension PDUDecodingHandler: Sendable {}
