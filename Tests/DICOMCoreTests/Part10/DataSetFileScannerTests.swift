import DICOMCore
import Foundation
import XCTest

/// `DataSetFileScanner` finds the same top-level elements as `DICOMFile.read` decodes, by their headers only,
/// in every layout and encoding, and says where a broken file breaks.
final class DataSetFileScannerTests: XCTestCase {
    private var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "scanner-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    /// A data set with a nested sequence of undefined length (as DataSetWriter writes it) and pixel data.
    private func sample(encapsulated: Bool) throws -> DataSet {
        var item = DataSet()
        try item.set(Tag(0x0008, 0x1150), string: "1.2.840.10008.5.1.4.1.1.2")
        var inner = DataSet()
        try inner.set(Tag(0x0008, 0x0100), string: "113100")
        item.set(Tag(0x0040, 0xA730), items: [inner])
        var d = DataSet()
        try d.set(.sopClassUID, string: "1.2.840.10008.5.1.4.1.1.2")
        try d.set(.sopInstanceUID, string: "1.2.3.4")
        d.set(Tag(0x0008, 0x1140), items: [item, DataSet()])
        try d.set(Tag(0x0010, 0x0010), string: "Doe^Jane")
        if encapsulated {
            let pixels = EncapsulatedPixelData(fragments: [[1, 2, 3, 4], Array(repeating: 7, count: 70_000)])
            d.insert(DataElement(tag: .pixelData, vr: .OB, value: .encapsulated(pixels)))
        } else {
            d.set(.pixelData, bytes: Array(repeating: 9, count: 100_000), vr: .OW)
        }
        return d
    }

    func testTopLevelElementsAreThoseTheReaderDecodesAndTileTheDataSet() throws {
        let syntaxes: [(TransferSyntax, Bool)] = [
            (.explicitVRLittleEndian, false), (.implicitVRLittleEndian, false), (.explicitVRBigEndian, false),
            (TransferSyntax.from(uid: "1.2.840.10008.1.2.4.50"), true),
        ]
        for (ts, encapsulated) in syntaxes {
            let path = folder + "/\(ts.uid).dcm"
            try DICOMFile(dataSet: try sample(encapsulated: encapsulated), transferSyntax: ts).write(to: path)
            let scanner = try DataSetFileScanner(path: path)
            let decoded = try DICOMFile.read(path: path)
            XCTAssertEqual(scanner.layout, .part10)
            XCTAssertEqual(scanner.transferSyntax, ts)
            let elements = try scanner.topLevelElements()
            XCTAssertEqual(elements.map(\.tag), decoded.dataSet.map(\.tag), ts.uid)
            XCTAssertEqual(elements.first?.range.lowerBound, scanner.header.dataSetOffset)
            XCTAssertEqual(elements.last?.range.upperBound, scanner.size)
            for (a, b) in zip(elements, elements.dropFirst()) {
                XCTAssertEqual(a.range.upperBound, b.range.lowerBound, "\(ts.uid): gap after \(a.tag)")
            }
            // Each element's bytes decode on their own to the reader's element.
            for element in elements {
                let bytes = try scanner.bytes(at: element.range.lowerBound, count: element.range.count)
                let alone = try DataSetReader.read(bytes, transferSyntax: ts)
                XCTAssertEqual(
                    alone[element.tag]?.value, decoded.dataSet[element.tag]?.value, "\(ts.uid) \(element.tag)")
            }
        }
    }

    func testABareDataSetIsSniffedAsDICOMFileSniffsIt() throws {
        let path = folder + "/bare.dcm"
        let bytes = try DataSetWriter.encode(try sample(encapsulated: false), transferSyntax: .implicitVRLittleEndian)
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let scanner = try DataSetFileScanner(path: path)
        XCTAssertEqual(scanner.layout, .dataSetOnly)
        XCTAssertEqual(scanner.transferSyntax, .implicitVRLittleEndian)
        XCTAssertEqual(try scanner.topLevelElements().count, try DICOMFile.read(path: path).dataSet.count)
    }

    func testATruncatedFileSaysWhichElementRunsPastItsEnd() throws {
        let path = folder + "/cut.dcm"
        try DICOMFile(dataSet: try sample(encapsulated: false)).write(to: path)
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        try whole.prefix(whole.count - 10).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try DataSetFileScanner(path: path).topLevelElements()) { error in
            let parse = error as? DICOMParseError
            XCTAssertEqual(parse?.kind, .lengthPastEnd)
            XCTAssertTrue(parse?.message.contains("(7FE0,0010)") == true, "\(error)")
        }
    }

    func testAShortFileWithoutMetaIsNotDICOM() throws {
        let path = folder + "/short.txt"
        FileManager.default.createFile(atPath: path, contents: Data("hello".utf8))
        XCTAssertThrowsError(try DataSetFileScanner(path: path)) { error in
            XCTAssertEqual((error as? DICOMParseError)?.kind, .invalidFile)
        }
    }
}
