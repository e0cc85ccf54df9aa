import NIOCore

/// The first pipeline stage above the socket (or TLS): frames each read with `PDUFrameDecoder`, parses each
/// frame with `PDUParser` and passes the `PDU` on. The framer frames and the parser parses; this handler only
/// moves their results along.
///
/// Errors go on with `fireErrorCaught`, so that the association handler answers them with an A-ABORT (Evt19).
/// After a parse error the following PDUs are still read (the Upper Layer needs them to finish aborting). After a
/// frame error (a PDU-length over the maximum) the stream's framing is lost: the rest of that read is dropped
/// and a later read (one already waiting its turn included) closes the connection, as NIO's `ByteToMessageHandler`
/// did from its error state. When the connection closes inside a PDU, `truncatedPDU` goes on before the close.
///
/// A read that arrives while PDUs of an earlier one are being passed on (a handler up the pipeline reading
/// synchronously) waits its turn, so bytes are always framed in the order they came.
final class PDUDecodingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = PDU

    private var decoder: PDUFrameDecoder
    private var framingLost = false
    private var isDecoding = false
    private var waitingReads: [ByteBuffer] = []

    init(maximumPDULength: Int) {
        self.decoder = PDUFrameDecoder(maximumPDULength: maximumPDULength)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        guard !self.framingLost else {
            context.close(promise: nil)
            return
        }
        guard !self.isDecoding else {
            self.waitingReads.append(bytes)
            return
        }
        self.isDecoding = true
        defer { self.isDecoding = false }
        self.decode(bytes, context: context)
        while !self.waitingReads.isEmpty, !self.framingLost {
            self.decode(self.waitingReads.removeFirst(), context: context)
        }
        if !self.waitingReads.isEmpty {
            // A read that came after the one that lost the framing: the same as the guard above.
            self.waitingReads.removeAll()
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !self.framingLost {
            do {
                try self.decoder.finish()
            } catch {
                context.fireErrorCaught(error)
            }
        }
        context.fireChannelInactive()
    }

    /// Frames and parses every PDU `bytes` completes, passing each on; keeps the rest in the decoder.
    private func decode(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        var bytes = bytes
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
