// Fuzz target: the data set reader and the Part 10 file reader (PS3.5 §7, PS3.10 §7), every transfer syntax
// including Deflated Explicit VR Little Endian.
//
// The first byte chooses the mode (value % 5): 0 = the rest is a file for `DICOMFile.decode` (with or without
// preamble and meta); 1...4 = the rest is a bare data set for `DataSetReader.read` in Implicit VR LE,
// Explicit VR LE, Explicit VR BE or Deflated Explicit VR LE. The non-deflated syntaxes are read straight
// from libFuzzer's buffer, so AddressSanitizer sees any read past its end. Whatever decodes is then walked
// with every typed accessor and encoded again.
import DICOMCore
import FuzzerDriver

#if canImport(Glibc)
import Glibc
#endif

let bareSyntaxes: [TransferSyntax] = [
    .implicitVRLittleEndian, .explicitVRLittleEndian, .explicitVRBigEndian, .deflatedExplicitVRLittleEndian,
]

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzDataSet(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let input = UnsafeBufferPointer(start: data, count: size)
    let rest = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: input.dropFirst()))
    let mode = Int(input[0] % 5)
    do {
        if mode == 0 {
            let file = try DICOMFile.decode(Array(rest))
            walk(file.meta)
            walk(file.dataSet)
            _ = try? file.encoded()
        } else {
            let syntax = bareSyntaxes[mode - 1]
            let dataSet =
                syntax.isDeflated
                ? try DataSetReader.read(Array(rest), transferSyntax: syntax)
                : try DataSetReader.read(rest, transferSyntax: syntax)
            walk(dataSet)
            _ = try? DataSetWriter.encode(dataSet, transferSyntax: syntax)
        }
    } catch {
        _ = "\(error)"  // messages are built from untrusted values: they must not trap either
    }
    return 0
}

/// Calls every typed accessor on every element, recursing into sequence items.
func walk(_ dataSet: DataSet) {
    _ = dataSet.specificCharacterSet
    for element in dataSet {
        let tag = element.tag
        if let text = dataSet.string(tag), element.vr.usesSpecificCharacterSet {
            _ = try? dataSet.specificCharacterSet.encode(text, vr: element.vr)  // the codec both ways
        }
        _ = dataSet.strings(tag)
        _ = dataSet.ints(tag)
        _ = dataSet.doubles(tag)
        _ = dataSet.tags(tag)
        _ = dataSet.bytes(tag)
        _ = element.keyword
        _ = element.encapsulated
        for item in dataSet.items(tag) ?? [] { walk(item) }
    }
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzDataSet))
