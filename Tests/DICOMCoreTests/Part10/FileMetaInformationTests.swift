import DICOMCore
import XCTest

/// `FileMetaInformation.fileHeader()` writes the group by hand (it runs once per received instance); its
/// bytes must be exactly those of the general writer, for odd and even value lengths, with and without
/// a source AE title.
final class FileMetaInformationTests: XCTestCase {
    func testHandWrittenHeaderEqualsTheGeneralWriter() throws {
        let cases: [(String, String, String, String?)] = [
            ("1.2.840.10008.5.1.4.1.1.2", "1.2.3.4", "1.2.840.10008.1.2.1", "STORESCU"),
            ("1.2.840.10008.5.1.4.1.1.7", "1.2.3.45", "1.2.840.10008.1.2", nil),
            ("1.2.840.10008.5.1.4.1.1.7\0", "1.2.3.456\0", "1.2.840.10008.1.2.4.50", "ODD"),
            ("1.2", "9", "1.2.840.10008.1.2.1", "  PADDED AE  "),
            ("1.2", "9", "1.2.840.10008.1.2.1", "   "),
            ("1.2", "9", "1.2.840.10008.1.2.1", "\0ÄRZTE é\0 "),
            (" 1.2 \0", "  9 ", "1.2.840.10008.1.2.1 \0", "AE"),  // padding on both sides, and NUL then space
            ("\0", " ", "1.2.840.10008.1.2.1", "AE"),
        ]
        for (sopClass, instance, ts, ae) in cases {
            let meta = FileMetaInformation(
                mediaStorageSOPClassUID: sopClass, mediaStorageSOPInstanceUID: instance,
                transferSyntaxUID: ts, sourceApplicationEntityTitle: ae)
            let expected =
                [UInt8](repeating: 0, count: 128) + Array("DICM".utf8)
                + (try DataSetWriter.encode(meta.dataSet, transferSyntax: .explicitVRLittleEndian))
            XCTAssertEqual(meta.fileHeader(), expected, "\(instance) \(ae ?? "nil")")
            XCTAssertEqual(meta.encoded(), Array(expected.dropFirst(132)))
        }
    }

    func testHeaderReadsBackWithItsGroupLength() throws {
        let meta = FileMetaInformation(
            mediaStorageSOPClassUID: "1.2.840.10008.5.1.4.1.1.2", mediaStorageSOPInstanceUID: "1.2.3",
            transferSyntaxUID: "1.2.840.10008.1.2.1", sourceApplicationEntityTitle: "SENDER")
        let header = meta.fileHeader()
        let groupLength =
            UInt32(header[140]) | UInt32(header[141]) << 8 | UInt32(header[142]) << 16 | UInt32(header[143]) << 24
        XCTAssertEqual(Int(groupLength), header.count - 144, "(0002,0000) counts every byte after itself")
    }
}
