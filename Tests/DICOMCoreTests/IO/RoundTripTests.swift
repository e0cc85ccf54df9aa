import DICOMCore
import TestSupport
import XCTest

/// Writing and reading back every native transfer syntax, checked by our reader, by DCMTK's dcmdump and
/// through DCMTK's dcmconv conversions.
final class RoundTripTests: XCTestCase {
    static let nativeSyntaxes: [TransferSyntax] = [
        .implicitVRLittleEndian, .explicitVRLittleEndian, .deflatedExplicitVRLittleEndian, .explicitVRBigEndian,
    ]

    func testEachTransferSyntaxRoundTripsThroughOurReader() throws {
        let original = try Fixtures.sampleDataSet()
        for ts in Self.nativeSyntaxes {
            let bytes = try DICOMFile(dataSet: original, transferSyntax: ts).encoded()
            let back = try DICOMFile.decode(bytes)
            XCTAssertEqual(back.transferSyntax, ts)
            XCTAssertEqual(back.layout, .part10)
            assertSameContent(original, back.dataSet, ts.name)
            XCTAssertEqual(back.dataSet.string(Fixtures.tag("PatientName")), "Müller^Jürgen", ts.name)
            XCTAssertEqual(back.dataSet.doubles(Fixtures.tag("ImagePositionPatient")), [-125.5, 0, 33.25], ts.name)
            XCTAssertEqual(back.dataSet.int(Fixtures.tag("Rows")), 4, ts.name)
            XCTAssertEqual(back.dataSet.string(Fixtures.tag("PatientID")), "ID-1", ts.name)
            XCTAssertEqual(
                back.dataSet.items(Fixtures.tag("AnatomicRegionSequence"))?.first?
                    .items(Fixtures.tag("AnatomicRegionModifierSequence"))?.first?.string(Fixtures.tag("CodeMeaning")),
                "Tête", ts.name)
        }
    }

    func testMetaInformationIsCompleteAndItsGroupLengthIsRight() throws {
        let ds = try Fixtures.sampleDataSet()
        let bytes = try DICOMFile(
            dataSet: ds, transferSyntax: .explicitVRLittleEndian, sourceApplicationEntityTitle: "STORESCU"
        ).encoded()
        XCTAssertEqual(Array(bytes[0..<128]), [UInt8](repeating: 0, count: 128))
        XCTAssertEqual(Array(bytes[128..<132]), Array("DICM".utf8))
        let back = try DICOMFile.decode(bytes)
        let meta = back.meta
        XCTAssertEqual(meta.bytes(.fileMetaInformationVersion), [0x00, 0x01])
        XCTAssertEqual(meta.string(.mediaStorageSOPClassUID), Fixtures.ctImageStorage)
        XCTAssertEqual(meta.string(.mediaStorageSOPInstanceUID), "1.2.826.0.1.3680043.2.1125.1.42")
        XCTAssertEqual(meta.string(.transferSyntaxUID), TransferSyntax.explicitVRLittleEndian.uid)
        XCTAssertEqual(meta.string(.implementationClassUID), DICOMLuaImplementation.classUID)
        XCTAssertEqual(meta.string(.implementationVersionName), DICOMLuaImplementation.versionName)
        XCTAssertEqual(meta.string(.sourceApplicationEntityTitle), "STORESCU")
        // (0002,0000) counts the bytes from the end of its own element (offset 132 + 12) to the data set.
        let groupLength = try XCTUnwrap(meta.int(.fileMetaInformationGroupLength))
        let firstDataSetTag = Tag(
            UInt16(bytes[144 + groupLength]) | UInt16(bytes[145 + groupLength]) << 8,
            UInt16(bytes[146 + groupLength]) | UInt16(bytes[147 + groupLength]) << 8)
        XCTAssertEqual(firstDataSetTag, .specificCharacterSet)
    }

    func testDCMTKReadsWhatWeWriteInEveryTransferSyntax() throws {
        try Fixtures.requireDCMTK()
        let dir = try makeTemporaryDirectory("core-dcmdump")
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try Fixtures.sampleDataSet()
        for ts in Self.nativeSyntaxes {
            let path = dir.appendingPathComponent("ours-\(ts.uid).dcm").path
            try DICOMFile(dataSet: original, transferSyntax: ts, sourceApplicationEntityTitle: "OURAE").write(to: path)
            let dump = try Fixtures.runDCMTK("dcmdump", ["-dc", "+Ep", "+U8", path])
            XCTAssertFalse(dump.contains("E: "), "\(ts.name): DCMTK reported errors:\n\(dump)")
            XCTAssertFalse(dump.contains("W: "), "\(ts.name): DCMTK reported warnings:\n\(dump)")
            let dcmtkName = [
                TransferSyntax.implicitVRLittleEndian: "LittleEndianImplicit",
                .explicitVRLittleEndian: "LittleEndianExplicit",
                .deflatedExplicitVRLittleEndian: "DeflatedLittleEndianExplicit",
                .explicitVRBigEndian: "BigEndianExplicit",
            ][ts]!
            // dcmdump shows values with their padding; +U8 converts the Latin-1 text to UTF-8.
            for expected in [
                "(0002,0010) UI =\(dcmtkName)", "(0010,0020) LO [ID-1]", "(0010,0010) PN [Müller^Jürgen ]",
                "(0020,0013) IS [7 ]", "(0028,0010) US 4", "(0020,0032) DS [-125.5\\0\\33.25]",
                "(0008,0100) SH [T-D1100 ]", "(0008,0104) LO [Tête]", "(0002,0016) AE [OURAE ]",
                "(0028,0009) AT (0018,1063)", "(0002,0013) SH [DICOMLUA_0.1]", "01\\02\\03\\00",
                "(7fe0,0010) OW fed4\\ff38\\ff9c\\0000\\0064",
            ] {
                XCTAssertTrue(dump.contains(expected), "\(ts.name): no \"\(expected)\" in\n\(dump)")
            }
        }
    }

    func testWeReadWhatDCMTKConvertsToEveryTransferSyntax() throws {
        try Fixtures.requireDCMTK()
        let dir = try makeTemporaryDirectory("core-dcmconv")
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try Fixtures.sampleDataSet()
        let source = dir.appendingPathComponent("source.dcm").path
        try DICOMFile(dataSet: original, transferSyntax: .explicitVRLittleEndian).write(to: source)
        let conversions: [(String, TransferSyntax)] = [
            ("+ti", .implicitVRLittleEndian), ("+te", .explicitVRLittleEndian),
            ("+tb", .explicitVRBigEndian), ("+td", .deflatedExplicitVRLittleEndian),
        ]
        for (option, ts) in conversions {
            let out = dir.appendingPathComponent("conv\(option).dcm").path
            try Fixtures.runDCMTK("dcmconv", [option, source, out])
            let back = try DICOMFile.read(path: out)
            XCTAssertEqual(back.transferSyntax, ts, option)
            assertSameContent(original, back.dataSet, "dcmconv \(option)")
        }
    }

    func testEncapsulatedPixelDataRoundTrips() throws {
        let source = try Fixtures.pydicomFile("JPEG2000.dcm")
        let original = try DICOMFile.read(path: source)
        let dir = try makeTemporaryDirectory("core-encaps")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("j2k.dcm").path
        try original.write(to: path)
        let back = try DICOMFile.read(path: path)
        XCTAssertEqual(back.transferSyntax, original.transferSyntax)
        XCTAssertEqual(back.dataSet[.pixelData]?.encapsulated, original.dataSet[.pixelData]?.encapsulated)
        assertSameContent(original.dataSet, back.dataSet, "JPEG 2000")
        if dcmtkAvailable {
            let dump = try Fixtures.runDCMTK("dcmdump", ["-dc", path])
            XCTAssertTrue(dump.contains("(fffe,e000) pi"), dump)
            XCTAssertFalse(dump.contains("E: "), dump)
        }
        XCTAssertThrowsError(try original.encoded(transferSyntax: .explicitVRLittleEndian)) { error in
            XCTAssertTrue("\(error)".contains("encapsulated"), "\(error)")
        }
    }

    func testAtomicWriteReplacesTheFileAndLeavesNoTemporaryFile() throws {
        let dir = try makeTemporaryDirectory("core-atomic")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("x.dcm").path
        var ds = try Fixtures.sampleDataSet()
        try DICOMFile(dataSet: ds).write(to: path)
        try ds.set(Fixtures.tag("PatientID"), string: "SECOND")
        try DICOMFile(dataSet: ds).write(to: path, fsync: true)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["x.dcm"])
        XCTAssertEqual(try DICOMFile.read(path: path).dataSet.string(Fixtures.tag("PatientID")), "SECOND")
        XCTAssertThrowsError(try DICOMFile(dataSet: ds).write(to: dir.appendingPathComponent("missing/x.dcm").path)) {
            error in
            XCTAssertTrue("\(error)".contains("No such file or directory"), "\(error)")
        }
    }

    func testOddValuesArePaddedAsTheirVRRequires() throws {
        var ds = DataSet()
        try ds.set(.sopInstanceUID, string: "1.2.3")
        try ds.set(Fixtures.tag("PatientID"), string: "ABC")
        ds.set(Tag(0x0009, 0x1001), bytes: [7], vr: .OB)
        let bytes = try DataSetWriter.encode(ds, transferSyntax: .explicitVRLittleEndian)
        XCTAssertEqual(
            bytes,
            [0x08, 0x00, 0x18, 0x00] + Array("UI".utf8) + [6, 0] + Array("1.2.3".utf8) + [0]
                + [0x09, 0x00, 0x01, 0x10] + Array("OB".utf8) + [0, 0, 2, 0, 0, 0, 7, 0]
                + [0x10, 0x00, 0x20, 0x00] + Array("LO".utf8) + [4, 0] + Array("ABC ".utf8))
    }

    func testGroupLengthsInTheDataSetAreRecomputed() throws {
        var ds = try Fixtures.sampleDataSet()
        ds.set(Tag(0x0010, 0x0000), bytes: [0xFF, 0xFF, 0, 0], vr: .UL)  // a lying group length
        let bytes = try DataSetWriter.encode(ds, transferSyntax: .implicitVRLittleEndian)
        let back = try DataSetReader.read(bytes, transferSyntax: .implicitVRLittleEndian)
        // Group 0010 holds PatientName (8 + 14) and PatientID (8 + 4).
        XCTAssertEqual(back.int(Tag(0x0010, 0x0000)), 34)
    }

    func testDataSetWithoutMetaIsSniffed() throws {
        let ds = try Fixtures.sampleDataSet()
        for ts in [TransferSyntax.implicitVRLittleEndian, .explicitVRLittleEndian, .explicitVRBigEndian] {
            let bytes = try DataSetWriter.encode(ds, transferSyntax: ts)
            let back = try DICOMFile.decode(bytes)
            XCTAssertEqual(back.layout, .dataSetOnly)
            XCTAssertEqual(back.transferSyntax, ts)
            assertSameContent(ds, back.dataSet, "no meta \(ts.name)")
        }
    }
}
