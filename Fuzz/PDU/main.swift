// Fuzz target: the Upper Layer PDU frame decoder and PDU parser (PS3.8 §9.3).
//
// The input is a byte stream as a peer would send it. The first byte chooses how it is cut into the reads
// the decoder sees (1...64 bytes per read), so incremental framing is exercised like on a real socket.
// Every frame is parsed; a parsed PDU is re-encoded and parsed again, and must come back equal.
import DICOMNetwork
import FuzzerDriver
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// A small PDU maximum so that oversize headers are exercised too (real associations use 16 KiB...1 MiB).
let maximumPDULength = 64 * 1024

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzPDU(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let input = UnsafeBufferPointer(start: data, count: size)
    let chunk = Int(input[0] % 64) + 1
    let stream = input.dropFirst()

    var decoder = PDUFrameDecoder(maximumPDULength: maximumPDULength)
    var index = stream.startIndex
    do {
        while index < stream.endIndex {
            let end = min(index + chunk, stream.endIndex)
            var read = ByteBuffer(bytes: UnsafeBufferPointer(rebasing: stream[index..<end]))
            index = end
            while let frame = try decoder.nextFrame(from: &read) { check(frame) }
            if read.readableBytes != 0 { fail("the frame decoder left \(read.readableBytes) bytes of a read unused") }
        }
        try decoder.finish()
    } catch {
        _ = "\(error)"  // error descriptions are built from untrusted values: they must not trap either
    }
    return 0
}

/// Parses one frame; a PDU that parses must survive an encode/parse round trip unchanged.
func check(_ frame: PDUFrame) {
    let pdu: PDU
    do {
        pdu = try PDUParser.parse(frame)
    } catch {
        _ = "\(error)"
        return
    }
    var encoded = ByteBuffer()
    encoded.writePDU(pdu)
    let bytes = Array(encoded.readableBytesView)
    do {
        let again = try PDUParser.parse(bytes: bytes)
        if normalized(again) != normalized(pdu) {
            fail("PDU changed in an encode/parse round trip: \(pdu) became \(again)")
        }
    } catch {
        fail("a parsed PDU re-encoded to bytes that do not parse: \(pdu): \(error)")
    }
}

/// The one representation difference the encoder makes on purpose: a context result without a
/// transfer-syntax sub-item is written with an empty one (PS3.8 §9.3.3.2: the sub-item is always present,
/// and not tested when the context is rejected), which parses back as "" instead of nil.
func normalized(_ pdu: PDU) -> PDU {
    guard case var .associateAC(ac) = pdu else { return pdu }
    for index in ac.presentationContexts.indices where ac.presentationContexts[index].transferSyntax == nil {
        ac.presentationContexts[index].transferSyntax = ""
    }
    return .associateAC(ac)
}

/// Reports a broken invariant on stderr (release builds drop precondition messages) and crashes, so that
/// libFuzzer saves the input.
func fail(_ message: String) -> Never {
    fputs("FUZZ INVARIANT BROKEN: \(message)\n", stderr)
    abort()
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzPDU))
