import DICOMNetwork
import NIOCore

/// Hand-built DIMSE command sets (Implicit VR Little Endian, group 0000 with group length first, PS3.7
/// §6.3), so that Upper Layer tests do not depend on the DIMSE module.
enum TestCommands {
    static let verification = "1.2.840.10008.1.1"

    static func echoRQ(messageID: UInt16) -> ByteBuffer {
        command([
            (0x0002, .uid(verification)), (0x0100, .us(0x0030)), (0x0110, .us(messageID)),
            (0x0800, .us(0x0101)),
        ])
    }

    static func echoRSP(respondingTo messageID: UInt16, status: UInt16 = 0) -> ByteBuffer {
        command([
            (0x0002, .uid(verification)), (0x0100, .us(0x8030)), (0x0120, .us(messageID)),
            (0x0800, .us(0x0101)), (0x0900, .us(status)),
        ])
    }

    static func storeRQ(messageID: UInt16, sopClass: String, sopInstance: String) -> ByteBuffer {
        command([
            (0x0002, .uid(sopClass)), (0x0100, .us(0x0001)), (0x0110, .us(messageID)), (0x0700, .us(0)),
            (0x0800, .us(0x0001)), (0x1000, .uid(sopInstance)),
        ])
    }

    enum Value { case us(UInt16), uid(String) }

    static func command(_ elements: [(UInt16, Value)]) -> ByteBuffer {
        var body = ByteBuffer()
        for (element, value) in elements {
            body.writeInteger(UInt16(0), endianness: .little)
            body.writeInteger(element, endianness: .little)
            switch value {
            case .us(let v):
                body.writeInteger(UInt32(2), endianness: .little)
                body.writeInteger(v, endianness: .little)
            case .uid(let s):
                var bytes = Array(s.utf8)
                if bytes.count % 2 == 1 { bytes.append(0) }
                body.writeInteger(UInt32(bytes.count), endianness: .little)
                body.writeBytes(bytes)
            }
        }
        var out = ByteBuffer()
        out.writeInteger(UInt32(0), endianness: .little)  // (0000,0000)
        out.writeInteger(UInt32(4), endianness: .little)
        out.writeInteger(UInt32(body.readableBytes), endianness: .little)
        out.writeBuffer(&body)
        return out
    }

    /// Reads a US element from a command set.
    static func us(_ element: UInt16, in command: CommandSet) -> UInt16? {
        (try? command.unsignedShort(CommandTag(element))) ?? nil
    }
}
