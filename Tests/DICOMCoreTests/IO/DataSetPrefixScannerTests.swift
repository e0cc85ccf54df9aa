import DICOMCore
import XCTest

/// `DataSetPrefixScanner` finds a few top-level values in the first bytes of a data set, in every encoding,
/// and stops quietly where the prefix ends or the bytes go wrong.
final class DataSetPrefixScannerTests: XCTestCase {
    private let patientID = Tag(0x0010, 0x0020)
    private let studyUID = Tag(0x0020, 0x000D)
    private let seriesUID = Tag(0x0020, 0x000E)
    private var wanted: Set<Tag> { [patientID, studyUID, seriesUID] }

    /// Patient ID, then a sequence of undefined length (as `DataSetWriter` writes it), then the UIDs.
    private func sample() throws -> DataSet {
        var inner = DataSet()
        try inner.set(Tag(0x0010, 0x0020), string: "OTHER")
        var d = DataSet()
        try d.set(.sopClassUID, string: "1.2.840.10008.5.1.4.1.1.7")
        try d.set(patientID, string: "PID1")
        try d.set(Tag(0x0010, 0x0030), string: "19700101")
        d.set(Tag(0x0010, 0x1002), items: [inner, DataSet()])
        try d.set(studyUID, string: "1.2.3")
        try d.set(seriesUID, string: "1.2.3.1")
        try d.set(Tag(0x0020, 0x0013), string: "7")
        return d
    }

    func testFindsTheValuesTrimmedInEveryEncoding() throws {
        let expected = [patientID: "PID1", studyUID: "1.2.3", seriesUID: "1.2.3.1"]
        for syntax in [TransferSyntax.explicitVRLittleEndian, .implicitVRLittleEndian, .explicitVRBigEndian] {
            let bytes = try DataSetWriter.encode(sample(), transferSyntax: syntax)
            XCTAssertEqual(
                DataSetPrefixScanner.strings(of: wanted, in: bytes, transferSyntax: syntax), expected, "\(syntax)")
        }
    }

    func testTrimsLeadingAndTrailingSpacesAndNULs() {
        // (0010,0020) LO " P1 \0\0", explicit VR little endian.
        let bytes: [UInt8] = [0x10, 0, 0x20, 0, 0x4C, 0x4F, 6, 0, 0x20, 0x50, 0x31, 0x20, 0, 0]
        XCTAssertEqual(
            DataSetPrefixScanner.strings(of: [patientID], in: bytes, transferSyntax: .explicitVRLittleEndian),
            [patientID: "P1"])
    }

    func testADeflatedDataSetYieldsNothing() throws {
        let bytes = try DataSetWriter.encode(sample(), transferSyntax: .explicitVRLittleEndian)
        XCTAssertEqual(
            DataSetPrefixScanner.strings(of: wanted, in: bytes, transferSyntax: .deflatedExplicitVRLittleEndian), [:])
    }

    /// A prefix cut in the middle of the undefined-length sequence before Study Instance UID gives Patient ID
    /// only; no cut anywhere gives a wrong value or a crash.
    func testAPrefixCutInsideAnUndefinedLengthSequenceGivesWhatCameBefore() throws {
        let bytes = try DataSetWriter.encode(sample(), transferSyntax: .explicitVRLittleEndian)
        let sequence = try XCTUnwrap(offset(of: [0x10, 0x00, 0x02, 0x10, 0x53, 0x51], in: bytes))
        let study = try XCTUnwrap(offset(of: [0x20, 0x00, 0x0D, 0x00], in: bytes))
        let cut = Array(bytes[0..<((sequence + study) / 2)])
        XCTAssertEqual(
            DataSetPrefixScanner.strings(of: wanted, in: cut, transferSyntax: .explicitVRLittleEndian),
            [patientID: "PID1"])
        let full = DataSetPrefixScanner.strings(of: wanted, in: bytes, transferSyntax: .explicitVRLittleEndian)
        for n in 0...bytes.count {
            let found = DataSetPrefixScanner.strings(
                of: wanted, in: Array(bytes[0..<n]), transferSyntax: .explicitVRLittleEndian)
            for (tag, value) in found { XCTAssertEqual(value, full[tag], "prefix of \(n) bytes, \(tag)") }
        }
    }

    /// The storage SCP reads the fields from a received fragment in place when the walk passed Series
    /// Instance UID (`isComplete`), and copies the prefix otherwise: complete exactly from the prefix that
    /// holds the element after it, and then with every value.
    func testAPrefixIsCompleteOnceItHoldsTheElementAfterTheLastWantedOne() throws {
        let bytes = try DataSetWriter.encode(sample(), transferSyntax: .explicitVRLittleEndian)
        let after = try XCTUnwrap(offset(of: [0x20, 0x00, 0x13, 0x00], in: bytes))  // (0020,0013), 8 + 2 bytes
        let full = [patientID: "PID1", studyUID: "1.2.3", seriesUID: "1.2.3.1"]
        for n in 0...bytes.count {
            let found = Array(bytes[0..<n]).withUnsafeBytes {
                DataSetPrefixScanner.scan(for: wanted, in: $0, transferSyntax: .explicitVRLittleEndian)
            }
            XCTAssertEqual(found.isComplete, n >= after + 10, "prefix of \(n) bytes")
            if found.isComplete { XCTAssertEqual(found.strings, full, "prefix of \(n) bytes") }
        }
    }

    func testAMalformedExplicitVRAfterPatientIDStopsTheScan() throws {
        var bytes = try DataSetWriter.encode(sample(), transferSyntax: .explicitVRLittleEndian)
        let birthDate = try XCTUnwrap(offset(of: [0x10, 0x00, 0x30, 0x00, 0x44, 0x41], in: bytes))
        bytes[birthDate + 4] = 0x3F  // "?A": no VR of PS3.5 Table 6.2-1
        bytes[birthDate + 5] = 0x3F
        XCTAssertEqual(
            DataSetPrefixScanner.strings(of: wanted, in: bytes, transferSyntax: .explicitVRLittleEndian),
            [patientID: "PID1"])
    }

    /// PS3.5 §6.2.2: a UN of undefined length holds implicit VR little endian, which the walk skips as such.
    func testAnUndefinedLengthUNIsWalkedAsImplicitVR() {
        var bytes: [UInt8] = [0x19, 0, 0x01, 0x10, 0x55, 0x4E, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]  // (0019,1001) UN
        bytes += [0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]  // Item, undefined length
        bytes += [0x08, 0, 0x00, 0x01, 2, 0, 0, 0, 0x41, 0x42]  // (0008,0100) implicit, "AB"
        bytes += [0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0, 0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]  // delimiters
        bytes += [0x20, 0, 0x0D, 0, 0x55, 0x49, 4, 0, 0x31, 0x2E, 0x32, 0]  // (0020,000D) UI "1.2\0"
        XCTAssertEqual(
            DataSetPrefixScanner.strings(of: wanted, in: bytes, transferSyntax: .explicitVRLittleEndian),
            [studyUID: "1.2"])
    }

    func testNestingPastTheBoundStopsQuietly() {
        let depth = DataSetReader.maximumSequenceDepth + 1
        var bytes: [UInt8] = []
        for _ in 0..<depth {
            bytes += [0x08, 0, 0x15, 0x11, 0x53, 0x51, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]  // (0008,1115) SQ
            bytes += [0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]  // Item, undefined length
        }
        for _ in 0..<depth {
            bytes += [0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0, 0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]
        }
        bytes += [0x10, 0, 0x20, 0, 0x4C, 0x4F, 2, 0, 0x50, 0x31]  // (0010,0020) LO "P1"
        XCTAssertEqual(
            DataSetPrefixScanner.strings(of: wanted, in: bytes, transferSyntax: .explicitVRLittleEndian), [:])
    }

    private func offset(of pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        return (0...(bytes.count - pattern.count)).first { Array(bytes[$0..<($0 + pattern.count)]) == pattern }
    }
}
