import DICOMNetwork
import NIOCore

/// Bytes from a hex string; spaces, newlines and `|` separators are ignored.
func hex(_ text: String) -> [UInt8] {
    let digits = text.filter { $0.isHexDigit }
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

/// ASCII bytes of a string.
func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Big-endian bytes.
func be16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
func be32(_ value: Int) -> [UInt8] {
    [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
}

/// Item: type, reserved 00, 2-byte length, body.
func item(_ type: UInt8, _ body: [UInt8]) -> [UInt8] { [type, 0] + be16(body.count) + body }

/// PDU: type, reserved 00, 4-byte length, body.
func pdu(_ type: UInt8, _ body: [UInt8]) -> [UInt8] { [type, 0] + be32(body.count) + body }

/// 16-byte space-padded AE title.
func aeTitle(_ text: String) -> [UInt8] { ascii(text) + Array(repeating: 0x20, count: 16 - text.utf8.count) }

func encode(_ value: PDU) -> [UInt8] {
    var buffer = ByteBuffer()
    buffer.writePDU(value)
    return Array(buffer.readableBytesView)
}
