import LuaBridge
import TestSupport
import XCTest

/// `dicom.read` on files written by pydicom: what a script reads is what the file holds.
final class DicomReadTests: ScriptTestCase {
    /// A Latin-1 CT-like instance with multi-valued DS, a nested sequence, binary values and a private tag.
    private func writeFixture(
        _ name: String = "fixture.dcm", transferSyntax: String = "ExplicitVRLittleEndian"
    ) throws -> String {
        let target = path(name)
        try python(
            """
            import pydicom
            from pydicom.dataset import Dataset, FileMetaDataset
            from pydicom.sequence import Sequence
            from pydicom.uid import \(transferSyntax)
            meta = FileMetaDataset()
            meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.2'
            meta.MediaStorageSOPInstanceUID = '1.2.3.4.5'
            meta.TransferSyntaxUID = \(transferSyntax)
            ds = Dataset()
            ds.file_meta = meta
            ds.SpecificCharacterSet = 'ISO_IR 100'
            ds.SOPClassUID = '1.2.840.10008.5.1.4.1.1.2'
            ds.SOPInstanceUID = '1.2.3.4.5'
            ds.PatientName = 'Müller^Jürgen'
            ds.PatientID = 'ID42'
            ds.PixelSpacing = ['0.5', '0.25']
            ds.ImageType = ['ORIGINAL', 'PRIMARY', 'AXIAL']
            ds.InstanceNumber = '7'
            ds.Rows = 2
            ds.Columns = 2
            ds.BitsAllocated = 16
            item = Dataset()
            item.CodeValue = 'T-D1100'
            item.CodeMeaning = 'Schädel'
            inner = Dataset()
            inner.ReferencedSOPInstanceUID = '9.8.7'
            item.ReferencedSOPSequence = Sequence([inner])
            second = Dataset()
            second.CodeValue = 'X'
            ds.AnatomicRegionSequence = Sequence([item, second])
            ds.add_new(0x00090010, 'LO', 'ACME 1.0')
            ds.add_new(0x00091011, 'OB', b'\\x00\\x01\\xfe\\xff')
            ds.PixelData = bytes([1, 0, 2, 0, 3, 0, 4, 0])
            ds['PixelData'].VR = 'OW'
            ds.save_as(r'\(target)', enforce_file_format=True)
            """)
        return target
    }

    func testValuesReadAsAUserExpects() throws {
        let file = try writeFixture()
        let results = try run(
            """
            local ds = dicom.read('\(file)')
            local spacing = ds.PixelSpacing
            local types = ds['0008,0008']
            return ds.PatientName, ds.PatientID, type(spacing), spacing[1], spacing[2], #types, types[3],
                   ds.InstanceNumber, math.type(ds.InstanceNumber), ds.Rows, ds:get('(0028,0011)'),
                   ds['00091011'], ds.PixelData, ds.patientname, #ds
            """)
        XCTAssertEqual(results[0].stringValue, "Müller^Jürgen")
        XCTAssertEqual(results[1].stringValue, "ID42")
        XCTAssertEqual(results[2].stringValue, "table")
        XCTAssertEqual(results[3].doubleValue, 0.5)
        XCTAssertEqual(results[4].doubleValue, 0.25)
        XCTAssertEqual(results[5].integerValue, 3)
        XCTAssertEqual(results[6].stringValue, "AXIAL")
        XCTAssertEqual(results[7].integerValue, 7)
        XCTAssertEqual(results[8].stringValue, "integer")
        XCTAssertEqual(results[9].integerValue, 2)
        XCTAssertEqual(results[10].integerValue, 2)
        guard case .string(let privateBytes) = results[11], case .string(let pixels) = results[12] else {
            return XCTFail("binary values should be byte strings: \(results[11]) \(results[12])")
        }
        XCTAssertEqual(privateBytes.bytes, [0x00, 0x01, 0xFE, 0xFF])
        XCTAssertEqual(pixels.bytes, [1, 0, 2, 0, 3, 0, 4, 0])
        XCTAssertEqual(results[13].stringValue, "Müller^Jürgen", "keywords in any case")
        XCTAssertEqual(results[14].integerValue, 15, "#ds counts the elements of the data set (no meta group)")
    }

    func testSequencesAreArraysOfDataSets() throws {
        let file = try writeFixture()
        let results = try run(
            """
            local ds = dicom.read('\(file)')
            local items = ds.AnatomicRegionSequence
            return #items, items[1].CodeValue, items[1].CodeMeaning, items[1].ReferencedSOPSequence[1].ReferencedSOPInstanceUID,
                   items[2].CodeValue, tostring(items[1])
            """)
        XCTAssertEqual(results[0].integerValue, 2)
        XCTAssertEqual(results[1].stringValue, "T-D1100")
        XCTAssertEqual(results[2].stringValue, "Schädel", "items inherit the Specific Character Set")
        XCTAssertEqual(results[3].stringValue, "9.8.7")
        XCTAssertEqual(results[4].stringValue, "X")
        XCTAssertEqual(results[5].stringValue?.hasPrefix("dataset (sequence item): "), true, "\(results[5])")
    }

    func testPairsGoInTagOrderAndToTableIsPlain() throws {
        let file = try writeFixture()
        let results = try run(
            """
            local ds = dicom.read('\(file)')
            local keys = {}
            for k, v in pairs(ds) do keys[#keys + 1] = k end
            local t = ds:to_table()
            return table.concat(keys, ' '), t.PatientName, type(t.AnatomicRegionSequence[1]),
                   t.AnatomicRegionSequence[1].ReferencedSOPSequence[1].ReferencedSOPInstanceUID, getmetatable(t) == nil,
                   t['(0009,1011)'] == ds['0009,1011']
            """)
        XCTAssertEqual(
            results[0].stringValue,
            "SpecificCharacterSet ImageType SOPClassUID SOPInstanceUID AnatomicRegionSequence (0009,0010) (0009,1011) "
                + "PatientName PatientID InstanceNumber Rows Columns PixelSpacing BitsAllocated PixelData")
        XCTAssertEqual(results[1].stringValue, "Müller^Jürgen")
        XCTAssertEqual(results[2].stringValue, "table")
        XCTAssertEqual(results[3].stringValue, "9.8.7")
        XCTAssertEqual(results[4].boolValue, true)
        XCTAssertEqual(results[5].boolValue, true)
    }

    func testStopBeforePixelsLeavesPixelDataOut() throws {
        let file = try writeFixture()
        let results = try run(
            """
            local ds = dicom.read('\(file)', {stop_before_pixels = true})
            return ds.PixelData == nil, ds.BitsAllocated
            """)
        XCTAssertEqual(results[0].boolValue, true)
        XCTAssertEqual(results[1].integerValue, 16)
    }

    func testReadErrorsNameThePathAndTheProblem() throws {
        let garbage = path("garbage.dcm")
        var bytes = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8)
        bytes += [0x02, 0x00, 0x10, 0x00, 0x55, 0x49, 0xFF, 0x7F]  // (0002,0010) UI, length 32767: truncated
        _ = FileManager.default.createFile(atPath: garbage, contents: Data(bytes))
        assertRaises("dicom.read('\(garbage)')", "read: \(garbage): ")
        assertRaises("dicom.read('\(garbage)')", "offset")
        assertRaises("dicom.read('\(path("missing.dcm"))')", "read: \(path("missing.dcm")): ")
        assertRaises("dicom.read()", "bad argument #1 to 'read'")
        assertRaises("dicom.read('\(garbage)', {stop_before = true})", "read: unknown keyword 'stop_before'")
    }

    func testUnknownKeywordRaisesNamingIt() throws {
        let file = try writeFixture()
        assertRaises(
            "local ds = dicom.read('\(file)'); return ds.PatientNmae", "unknown DICOM keyword or tag 'PatientNmae'")
        assertRaises(
            "local ds = dicom.read('\(file)'); return ds:get('0010,00ZZ')",
            "get: unknown DICOM keyword or tag '0010,00ZZ'")
        XCTAssertEqual(
            try run("local ds = dicom.read('\(file)'); return ds.StudyDate == nil").first?.boolValue, true,
            "a known keyword that is absent reads as nil")
    }

    /// Encapsulated pixel data (PS3.5 §A.4) reads as fragments and is written back in its transfer syntax.
    func testEncapsulatedPixelDataKeepsItsFragments() throws {
        let source = path("rle.dcm"), copy = path("rle-copy.dcm")
        try python(
            """
            import pydicom
            from pydicom.dataset import Dataset, FileMetaDataset
            from pydicom.encaps import encapsulate
            from pydicom.uid import RLELossless
            meta = FileMetaDataset()
            meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.7'
            meta.MediaStorageSOPInstanceUID = '1.2.3'
            meta.TransferSyntaxUID = RLELossless
            ds = Dataset()
            ds.file_meta = meta
            ds.SOPClassUID = '1.2.840.10008.5.1.4.1.1.7'
            ds.SOPInstanceUID = '1.2.3'
            ds.PixelData = encapsulate([b'\\x01\\x02\\x03\\x04', b'\\x05\\x06'])
            ds['PixelData'].VR = 'OB'
            ds.save_as(r'\(source)', enforce_file_format=True)
            """)
        let results = try run(
            """
            local ds = dicom.read('\(source)')
            local pixels = ds.PixelData
            ds.PixelData = {fragments = {pixels.fragments[1], pixels.fragments[2], '\\7\\8'}}
            dicom.write('\(copy)', ds)
            local back = dicom.read('\(copy)').PixelData
            return #pixels.fragments, pixels.fragments[2], #back.fragments, back.fragments[3]
            """)
        XCTAssertEqual(results[0].integerValue, 2)
        XCTAssertEqual(results[1].stringValue, "\u{05}\u{06}")
        XCTAssertEqual(results[2].integerValue, 3)
        XCTAssertEqual(results[3].stringValue, "\u{07}\u{08}")
        let dump = try ChildProcess.run(dcmtk("dcmdump"), [copy])
        XCTAssertEqual(dump.status, 0, dump.stderr)
        XCTAssertTrue(dump.stdout.contains("=RLELossless"), dump.stdout)
        XCTAssertTrue(dump.stdout.contains("PixelSequence"), dump.stdout)
    }
}
