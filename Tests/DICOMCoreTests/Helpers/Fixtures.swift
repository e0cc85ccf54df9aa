import DICOMCore
import Foundation
import TestSupport
import XCTest

/// Data sets and files the tests build, and the pydicom test files when pydicom is installed.
enum Fixtures {
    static let ctImageStorage = "1.2.840.10008.5.1.4.1.1.2"

    /// A small CT-like data set exercising text, numbers, AT, nested sequences, private data and pixels.
    static func sampleDataSet(characterSet: String? = "ISO_IR 100") throws -> DataSet {
        var ds = DataSet()
        if let cs = characterSet { try ds.set(.specificCharacterSet, string: cs) }
        try ds.set(.sopClassUID, string: ctImageStorage)
        try ds.set(.sopInstanceUID, string: "1.2.826.0.1.3680043.2.1125.1.42")
        try ds.set(tag("StudyDate"), string: "20240229")
        try ds.set(tag("Modality"), string: "CT")
        try ds.set(tag("PatientName"), string: "Müller^Jürgen")
        try ds.set(tag("PatientID"), string: "ID-1")  // odd length: padded on write
        try ds.set(tag("ImageType"), strings: ["ORIGINAL", "PRIMARY", "AXIAL"])
        try ds.set(tag("SliceThickness"), double: 1.25)
        try ds.set(tag("InstanceNumber"), int: 7)
        try ds.set(tag("Rows"), int: 4)
        try ds.set(tag("Columns"), int: 4)
        try ds.set(tag("BitsAllocated"), int: 16)
        try ds.set(tag("BitsStored"), int: 16)
        try ds.set(tag("HighBit"), int: 15)
        try ds.set(tag("PixelRepresentation"), int: 1)
        try ds.set(tag("SamplesPerPixel"), int: 1)
        try ds.set(tag("PhotometricInterpretation"), string: "MONOCHROME2")
        try ds.set(tag("ImagePositionPatient"), doubles: [-125.5, 0, 33.25])
        try ds.set(tag("SmallestImagePixelValue"), int: 3)
        try ds.set(tag("RescaleSlope"), double: 1)
        ds.set(tag("FrameIncrementPointer"), tags: [Tag(0x0018, 0x1063)])

        // Items inherit the data set's character set (PS3.5 §7.5.1): "Tête" is coded in it.
        var code = DataSet(inheritedCharacterSet: ds.specificCharacterSet)
        try code.set(tag("CodeValue"), string: "T-D1100")
        try code.set(tag("CodingSchemeDesignator"), string: "SRT")
        try code.set(tag("CodeMeaning"), string: "Tête")
        var region = DataSet(inheritedCharacterSet: ds.specificCharacterSet)
        try region.set(tag("CodeValue"), string: "R-1")
        region.set(tag("AnatomicRegionModifierSequence"), items: [code])
        ds.set(tag("AnatomicRegionSequence"), items: [region, code])

        // Private block: creator + an odd-length private value kept as bytes.
        try ds.set(Tag(0x0009, 0x0010), string: "DICOMLUA TEST")
        ds.set(Tag(0x0009, 0x1001), bytes: [1, 2, 3], vr: .OB)

        var pixels: [UInt8] = []
        for i in 0..<16 {
            let v = Int16(i * 100 - 300)
            withUnsafeBytes(of: v.littleEndian) { pixels += $0 }
        }
        ds.set(.pixelData, bytes: pixels, vr: .OW)
        return ds
    }

    static func tag(_ keyword: String) -> Tag {
        guard let t = DataDictionary.tag(forKeyword: keyword) else { fatalError("no keyword \(keyword)") }
        return t
    }

    /// pydicom's bundled test files folder, nil when pydicom is not installed.
    static let pydicomTestFiles: URL? = {
        guard
            let r = try? ChildProcess.run(
                "/usr/bin/env",
                [
                    "python3", "-c",
                    "import pydicom, os; print(os.path.join(os.path.dirname(pydicom.__file__), 'data', 'test_files'))",
                ],
                timeout: 60), r.status == 0
        else { return nil }
        let path = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return FileManager.default.fileExists(atPath: path) ? URL(fileURLWithPath: path) : nil
    }()

    static func pydicomFile(_ name: String) throws -> String {
        guard let dir = pydicomTestFiles else { throw XCTSkip("pydicom is not installed") }
        let path = dir.appendingPathComponent(name).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("pydicom test file \(name) is missing")
        }
        return path
    }

    static func requireDCMTK() throws {
        guard dcmtkAvailable else { throw XCTSkip("DCMTK is not installed") }
    }

    /// Runs a DCMTK tool by absolute path; fails the test on a non-zero exit.
    @discardableResult
    static func runDCMTK(
        _ tool: String, _ args: [String], file: StaticString = #filePath, line: UInt = #line
    ) throws -> String {
        let p = try ChildProcess(dcmtk(tool), args)
        let status = p.wait(timeout: 60)
        // Decoded leniently: DCMTK prints values in their own character set (Latin-1 unless +U8).
        let output = [p.stdoutURL, p.stderrURL]
            .map { String(decoding: (try? Data(contentsOf: $0)) ?? Data(), as: UTF8.self) }.joined()
        XCTAssertEqual(status, 0, "\(tool) \(args.joined(separator: " ")) failed: \(output)", file: file, line: line)
        return output
    }
}
