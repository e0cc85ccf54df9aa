// Fuzz target: the DIMSE command-set parser and the message assembler (PS3.7 §6.3, §9.3; PS3.8 Annex E).
//
// The first byte chooses the mode:
// - even: the rest is one command set: `CommandSet(decoding:)`, then `DIMSEMessage(commandSet:)` and every
//   typed accessor on every tag present;
// - odd: the rest is a sequence of PDVs, each `header(1) length(1) data(length)`: header bit 0 = command,
//   bit 1 = last fragment, bits 2-3 choose presentation context 1, 3, 5 or 7. They are fed to a
//   `DIMSEMessageAssembler` and to the association's `MessageAssembler` (every context accepted, data sets
//   held in memory up to 64 KiB) until one of them reports a protocol error (after which the association
//   would be aborted); every completed command is decoded as a DIMSE message.
import DICOMNetwork
import FuzzerDriver
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzDIMSE(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let input = UnsafeBufferPointer(start: data, count: size)
    let rest = UnsafeBufferPointer(rebasing: input.dropFirst())
    if input[0] % 2 == 0 {
        fuzzCommandSet(ByteBuffer(bytes: rest))
    } else {
        fuzzAssembly(rest)
    }
    return 0
}

func fuzzCommandSet(_ bytes: ByteBuffer) {
    let set: CommandSet
    do {
        set = try CommandSet(decoding: bytes)
    } catch {
        _ = "\(error)"
        return
    }
    exercise(set)
    // What we decoded must encode and decode to the same command set.
    do {
        let again = try CommandSet(decoding: set.encoded())
        if again != set { fail("command set changed in an encode/decode round trip: \(set) became \(again)") }
    } catch {
        fail("a decoded command set re-encoded to bytes that do not decode: \(set): \(error)")
    }
}

/// Every accessor a service might call on a received command set.
func exercise(_ set: CommandSet) {
    for tag in set.tags {
        _ = try? set.unsignedShort(tag)
        _ = try? set.unsignedLong(tag)
        _ = set.string(tag)
        _ = try? set.attributeTags(tag)
    }
    _ = set.hasDataSet
    do {
        let message = try DIMSEMessage(commandSet: set)
        _ = "\(message)"
    } catch {
        _ = "\(error)"
    }
}

func fuzzAssembly(_ input: UnsafeBufferPointer<UInt8>) {
    var assembler = DIMSEMessageAssembler(maxCommandSetLength: 4096)
    var accumulator = MessageAssembler(maximumInMemoryDataSetLength: 64 * 1024)
    let accepted = Dictionary(
        uniqueKeysWithValues: [UInt8(1), 3, 5, 7].map {
            (
                $0,
                AcceptedPresentationContext(
                    id: $0, abstractSyntax: "1.2.840.10008.1.1", transferSyntax: "1.2.840.10008.1.2")
            )
        })
    var assemblerFailed = false
    var accumulatorFailed = false
    var index = 0
    while index + 2 <= input.count, !(assemblerFailed && accumulatorFailed) {
        let header = input[index]
        let length = Int(input[index + 1])
        index += 2
        let end = min(index + length, input.count)
        let pdv = PresentationDataValue(
            contextID: 1 + 2 * ((header >> 2) & 0x03), isCommand: header & 0x01 != 0,
            isLastFragment: header & 0x02 != 0,
            data: ByteBuffer(bytes: UnsafeBufferPointer(rebasing: input[index..<end])))
        index = end
        if !assemblerFailed {
            do {
                for event in try assembler.receive(pdv) {
                    if case let .command(_, set) = event { exercise(set) }
                }
            } catch {
                _ = "\(error)"
                assemblerFailed = true
            }
        }
        if !accumulatorFailed {
            do {
                if let message = try accumulator.feed(pdv, acceptedContexts: accepted, sinkProvider: nil) {
                    exercise(message.command)
                }
            } catch {
                _ = "\(error)"
                accumulatorFailed = true
            }
        }
    }
}

/// Reports a broken invariant on stderr (release builds drop precondition messages) and crashes, so that
/// libFuzzer saves the input.
func fail(_ message: String) -> Never {
    fputs("FUZZ INVARIANT BROKEN: \(message)\n", stderr)
    abort()
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzDIMSE))
