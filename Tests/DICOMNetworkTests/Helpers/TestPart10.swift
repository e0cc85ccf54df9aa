import Foundation
import NIOCore

/// A Part 10 file written by hand (PS3.10 §7.1): 128-byte preamble, "DICM", the file meta group in
/// Explicit VR Little Endian, then the data set (Implicit VR Little Endian here).
enum TestPart10 {
    static func file(
        sopClassUID: String, sopInstanceUID: String, dataSet: ByteBuffer
    ) -> (bytes: [UInt8], dataSetOffset: Int) {
        func element(_ element: UInt16, _ vr: String, _ value: [UInt8]) -> [UInt8] {
            var out: [UInt8] = [0x02, 0x00, UInt8(element & 0xFF), UInt8(element >> 8)] + Array(vr.utf8)
            if vr == "OB" {
                out += [0, 0] + withUnsafeBytes(of: UInt32(value.count).littleEndian, Array.init)
            } else {
                out += withUnsafeBytes(of: UInt16(value.count).littleEndian, Array.init)
            }
            return out + value
        }
        func uid(_ text: String) -> [UInt8] {
            var bytes = Array(text.utf8)
            if bytes.count % 2 == 1 { bytes.append(0) }
            return bytes
        }
        let rest =
            element(0x0001, "OB", [0x00, 0x01]) + element(0x0002, "UI", uid(sopClassUID))
            + element(0x0003, "UI", uid(sopInstanceUID)) + element(0x0010, "UI", uid("1.2.840.10008.1.2"))
            + element(0x0012, "UI", uid("1.2.3.4"))
        let groupLength = element(0x0000, "UL", withUnsafeBytes(of: UInt32(rest.count).littleEndian, Array.init))
        let header = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8) + groupLength + rest
        return (header + Array(dataSet.readableBytesView), header.count)
    }
}
