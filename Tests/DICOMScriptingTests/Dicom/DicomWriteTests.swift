import LuaBridge
import TestSupport
import XCTest

/// `ds:set`, `ds.X = v`, `dicom.new` and `dicom.write`: what a script writes is what other tools read.
final class DicomWriteTests: ScriptTestCase {
    /// Builds an instance the way a script would.
    private let buildInstance = """
        local ds = dicom.new{SOPClassUID = '1.2.840.10008.5.1.4.1.1.7', PatientID = 'P1'}
        ds.SOPInstanceUID = dicom.uid()
        ds:set('PatientName', 'Doe^Jane')
        ds.PixelSpacing = {0.5, 0.25}
        ds.ImageType = {'DERIVED', 'SECONDARY'}
        ds.Rows = 512
        ds['0020,0013'] = 3
        ds.ReferencedSeriesSequence = {{SeriesInstanceUID = '1.2.3'}, {SeriesInstanceUID = '1.2.4'}}
        ds:set('0009,0010', 'ACME 1.0', 'LO')
        ds:set('0009,1001', '\\1\\2\\254\\255', 'OB')
        ds.StudyDate = '20240102'
        ds.StudyDate = nil
        """

    func testRoundTripThroughAFile() throws {
        let file = path("built.dcm")
        let results = try run(
            """
            \(buildInstance)
            dicom.write('\(file)', ds)
            local back = dicom.read('\(file)')
            return back.PatientName, back.PixelSpacing[2], back.ImageType[2], back.Rows, back.InstanceNumber,
                   back.ReferencedSeriesSequence[2].SeriesInstanceUID, back['0009,1001'], back.StudyDate == nil,
                   back.SOPInstanceUID == ds.SOPInstanceUID, back:vr('0009,0010'), #back
            """)
        XCTAssertEqual(results[0].stringValue, "Doe^Jane")
        XCTAssertEqual(results[1].doubleValue, 0.25)
        XCTAssertEqual(results[2].stringValue, "SECONDARY")
        XCTAssertEqual(results[3].integerValue, 512)
        XCTAssertEqual(results[4].integerValue, 3)
        XCTAssertEqual(results[5].stringValue, "1.2.4")
        guard case .string(let bytes) = results[6] else { return XCTFail("OB should read as bytes: \(results[6])") }
        XCTAssertEqual(bytes.bytes, [1, 2, 254, 255])
        XCTAssertEqual(results[7].boolValue, true, "nil removes")
        XCTAssertEqual(results[8].boolValue, true)
        XCTAssertEqual(results[9].stringValue, "LO")
        XCTAssertEqual(results[10].integerValue, 11)
    }

    func testDcmdumpAndPydicomReadWhatWasWritten() throws {
        let file = path("dump.dcm")
        try run("\(buildInstance)\ndicom.write('\(file)', ds)")
        let dump = try ChildProcess.run(dcmtk("dcmdump"), [file])
        XCTAssertEqual(dump.status, 0, dump.stderr)
        XCTAssertTrue(dump.stdout.contains("(0010,0010) PN [Doe^Jane]"), dump.stdout)
        XCTAssertTrue(dump.stdout.contains("(0028,0030) DS [0.5\\0.25]"), dump.stdout)
        XCTAssertTrue(dump.stdout.contains("(0002,0010) UI =LittleEndianExplicit"), dump.stdout)
        XCTAssertTrue(dump.stdout.contains("(0020,000e) UI [1.2.4]"), dump.stdout)
        try python(
            """
            import pydicom
            ds = pydicom.dcmread(r'\(file)')
            assert ds.PatientName == 'Doe^Jane', ds.PatientName
            assert ds.Rows == 512
            assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
            assert len(ds.ReferencedSeriesSequence) == 2
            """)
    }

    func testTransferSyntaxOptionAndDefault() throws {
        let deflated = path("deflated.dcm"), copy = path("copy.dcm"), implicit = path("implicit.dcm")
        try run(
            """
            \(buildInstance)
            dicom.write('\(deflated)', ds, {transfer_syntax = '1.2.840.10008.1.2.1.99'})
            dicom.write('\(copy)', dicom.read('\(deflated)'))            -- default: the syntax it was read in
            dicom.write('\(implicit)', ds, {TRANSFER_SYNTAX = '1.2.840.10008.1.2'})
            """)
        for (file, syntax) in [
            (deflated, "DeflatedLittleEndianExplicit"), (copy, "DeflatedLittleEndianExplicit"),
            (implicit, "LittleEndianImplicit"),
        ] {
            let dump = try ChildProcess.run(dcmtk("dcmdump"), [file])
            XCTAssertEqual(dump.status, 0, dump.stderr)
            XCTAssertTrue(dump.stdout.contains("(0002,0010) UI =\(syntax)"), "\(file): \(dump.stdout)")
            XCTAssertTrue(dump.stdout.contains("(0010,0010) PN [Doe^Jane]"), "\(file): \(dump.stdout)")
        }
        assertRaises(
            "dicom.write('\(path("x.dcm"))', dicom.new(), {transfer_syntax = '1.2.3'})",
            "write: transfer_syntax must be one of")
        assertRaises("dicom.write('\(path("x.dcm"))', {})", "bad argument #2 to 'write' (dataset expected, got table)")
        assertRaises(
            "dicom.write('\(directory.path)/no/such/dir/x.dcm', dicom.new())",
            "write: \(directory.path)/no/such/dir/x.dcm: ")
    }

    func testItemsWriteThroughToTheirDataSet() throws {
        let results = try run(
            """
            local ds = dicom.new{ReferencedSeriesSequence = {{SeriesInstanceUID = '1.1'}}}
            local item = ds.ReferencedSeriesSequence[1]
            item.SeriesInstanceUID = '2.2'
            item.ReferencedInstanceSequence = {{ReferencedSOPInstanceUID = '3.3'}}
            item.ReferencedInstanceSequence[1].ReferencedSOPClassUID = '4.4'
            local again = ds.ReferencedSeriesSequence[1]
            ds.ReferencedSeriesSequence = {again, {SeriesInstanceUID = '5.5'}}
            return ds.ReferencedSeriesSequence[1].SeriesInstanceUID,
                   ds.ReferencedSeriesSequence[1].ReferencedInstanceSequence[1].ReferencedSOPClassUID,
                   #ds.ReferencedSeriesSequence, ds.ReferencedSeriesSequence[2].SeriesInstanceUID
            """)
        XCTAssertEqual(results[0].stringValue, "2.2")
        XCTAssertEqual(results[1].stringValue, "4.4")
        XCTAssertEqual(results[2].integerValue, 2)
        XCTAssertEqual(results[3].stringValue, "5.5")
    }

    func testCharacterSetIsUsedForText() throws {
        let file = path("latin1.dcm")
        try run(
            """
            local ds = dicom.new{SpecificCharacterSet = 'ISO_IR 100', PatientName = 'Müller^Jürgen', SOPClassUID = '1.2', SOPInstanceUID = '1.3'}
            dicom.write('\(file)', ds)
            """)
        try python(
            """
            import pydicom
            ds = pydicom.dcmread(r'\(file)')
            assert ds.PatientName == 'Müller^Jürgen', ds.PatientName
            raw = ds['PatientName'].value
            """)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        XCTAssertNotNil(bytes.range(of: Data([0x4D, 0xFC, 0x6C])), "Latin-1 ü (0xFC) in the file")
    }

    func testMisuseRaisesWithTheElementNamed() throws {
        assertRaises("local ds = dicom.new(); ds.Rows = 70000", "Rows: (0028,0010) (US) accepts 0...65535, got 70000")
        assertRaises(
            "local ds = dicom.new(); ds.Rows = true", "Rows expects a string, a number, an array or items, got boolean")
        assertRaises(
            "local ds = dicom.new(); ds.ReferencedSeriesSequence = 'x'", "ReferencedSeriesSequence is a sequence (SQ)")
        assertRaises("local ds = dicom.new(); ds.PatientName = {{PatientID = '1'}}", "PatientName has VR PN, not SQ")
        assertRaises("local ds = dicom.new(); ds.PatientNmae = 'x'", "unknown DICOM keyword or tag 'PatientNmae'")
        assertRaises("local ds = dicom.new(); ds:set('PatientName', 'x', 'QQ')", "set: expected a VR such as 'LO'")
        assertRaises("dicom.new{Bogus = 1}", "new: unknown DICOM keyword or tag 'Bogus'")
        assertRaises(
            "local ds = dicom.new(); ds.ImageType = {'A', {}}", "expects an array of strings/numbers or of items")
    }

    func testTostringAndLength() throws {
        let results = try run(
            """
            local ds = dicom.new{SOPInstanceUID = '1.2.3', PatientID = 'x'}
            return tostring(ds), #ds, select(2, ds:tags()), ds:tags()[1]
            """)
        XCTAssertEqual(results[0].stringValue, "dataset: 2 elements, SOP Instance UID 1.2.3")
        XCTAssertEqual(results[1].integerValue, 2)
        XCTAssertEqual(results[2].integerValue, 2)
        XCTAssertEqual(results[3].stringValue, "(0008,0018)")
    }
}
