import Foundation
import NIOCore

/// Hand-encoded Implicit VR Little Endian data sets (PS3.5 §7.1.3), so network tests need no DICOMCore.
enum TestDataSets {
    static let secondaryCapture = "1.2.840.10008.5.1.4.1.1.7"
    static let studyRootFind = "1.2.840.10008.5.1.4.1.2.2.1"
    static let studyRootMove = "1.2.840.10008.5.1.4.1.2.2.2"
    static let studyRootGet = "1.2.840.10008.5.1.4.1.2.2.3"

    /// Elements (group, element, value); values padded to even length (UI with NUL, text with space).
    static func encode(_ elements: [(UInt16, UInt16, String, isUID: Bool)]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for (group, element, value, isUID) in elements.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
            var bytes = Array(value.utf8)
            if bytes.count % 2 == 1 { bytes.append(isUID ? 0 : 0x20) }
            buffer.writeInteger(group, endianness: .little)
            buffer.writeInteger(element, endianness: .little)
            buffer.writeInteger(UInt32(bytes.count), endianness: .little)
            buffer.writeBytes(bytes)
        }
        return buffer
    }

    /// A minimal Secondary Capture instance with the Q/R keys dcmqrscp indexes.
    static func instance(
        patientID: String, studyUID: String, seriesUID: String, sopInstanceUID: String,
        instanceNumber: Int = 1
    ) -> ByteBuffer {
        encode([
            (0x0008, 0x0016, secondaryCapture, true), (0x0008, 0x0018, sopInstanceUID, true),
            (0x0008, 0x0020, "20260101", false), (0x0008, 0x0030, "120000", false),
            (0x0008, 0x0050, "ACC1", false), (0x0008, 0x0060, "OT", false),
            (0x0008, 0x0064, "WSD", false),
            (0x0010, 0x0010, "Test^Patient", false), (0x0010, 0x0020, patientID, false),
            (0x0010, 0x0030, "19700101", false), (0x0010, 0x0040, "O", false),
            (0x0020, 0x000D, studyUID, true), (0x0020, 0x000E, seriesUID, true),
            (0x0020, 0x0010, "1", false), (0x0020, 0x0011, "1", false), (0x0020, 0x0013, "\(instanceNumber)", false),
        ])
    }

    /// A STUDY-level identifier asking for the study UID and patient ID of `studyUID` (empty: all).
    static func studyIdentifier(studyUID: String = "") -> ByteBuffer {
        encode([(0x0008, 0x0052, "STUDY", false), (0x0010, 0x0020, "", false), (0x0020, 0x000D, studyUID, true)])
    }

    /// The text value of (group,element) in an Implicit VR LE data set, trimmed of padding.
    static func value(_ group: UInt16, _ element: UInt16, in dataSet: ByteBuffer) -> String? {
        var buffer = dataSet
        while buffer.readableBytes >= 8 {
            let g = buffer.readInteger(endianness: .little, as: UInt16.self)!
            let e = buffer.readInteger(endianness: .little, as: UInt16.self)!
            let length = Int(buffer.readInteger(endianness: .little, as: UInt32.self)!)
            guard length <= buffer.readableBytes else { return nil }
            let bytes = buffer.readBytes(length: length)!
            if g == group && e == element {
                return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: " \0"))
            }
        }
        return nil
    }
}
