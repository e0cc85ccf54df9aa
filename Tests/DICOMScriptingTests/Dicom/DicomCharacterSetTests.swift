import LuaBridge
import TestSupport
import XCTest

/// docs/lua-api.md "Character sets": `dicom.read` gives UTF-8 whatever (0008,0005) says, `ds:set` encodes in
/// the data set's set, and `dicom.write` of an unchanged data set keeps every byte.
final class DicomCharacterSetTests: ScriptTestCase {
    /// pydicom's character set examples (PS3.5 Annexes H, I, J, K and one file per single-byte script), with
    /// the Patient's Name pydicom and DCMTK show.
    private let examples: [(file: String, name: String)] = [
        ("chrArab.dcm", "قباني^لنزار"), ("chrFren.dcm", "Buc^Jérôme"), ("chrFrenMulti.dcm", "Buc^Jérôme"),
        ("chrGerm.dcm", "Äneas^Rüdiger"), ("chrGreek.dcm", "Διονυσιος"),
        ("chrH31.dcm", "Yamada^Tarou=山田^太郎=やまだ^たろう"), ("chrH32.dcm", "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう"),
        ("chrHbrw.dcm", "שרון^דבורה"), ("chrI2.dcm", "Hong^Gildong=洪^吉洞=홍^길동"), ("chrJapMulti.dcm", "やまだ^たろう"),
        ("chrJapMultiExplicitIR6.dcm", "やまだ^たろう"), ("chrKoreanMulti.dcm", "김희중"), ("chrRuss.dcm", "Люкceмбypг"),
        ("chrX1.dcm", "Wang^XiaoDong=王^小東"), ("chrX2.dcm", "Wang^XiaoDong=王^小东"),
    ]

    /// pydicom's folder of character set test files.
    private func pydicomCharsetFolder() throws -> String {
        let located = try ChildProcess.run(
            "/usr/bin/env", ["python3", "-c", "import pydicom, os; print(os.path.dirname(pydicom.__file__))"],
            timeout: 60)
        guard located.status == 0 else { throw XCTSkip("pydicom is not installed") }
        return located.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + "/data/charset_files/"
    }

    func testNamesReadAsUTF8AndWritingBackKeepsEveryByte() throws {
        let folder = try pydicomCharsetFolder()
        let sources = examples.map { folder + $0.file }
        for source in sources where !FileManager.default.fileExists(atPath: source) {
            throw XCTSkip("pydicom has no \(source)")
        }
        let copies = examples.map { path("copy-" + $0.file) }
        let list = { (paths: [String]) in paths.map { "'\($0)'" }.joined(separator: ", ") }
        let results = try run(
            """
            local sources, copies, names = {\(list(sources))}, {\(list(copies))}, {}
            for i, source in ipairs(sources) do
                local ds = dicom.read(source)
                dicom.write(copies[i], ds)
                names[i] = ds.PatientName
            end
            return table.unpack(names)
            """)
        for (index, example) in examples.enumerated() {
            XCTAssertEqual(results[index].stringValue, example.name, example.file)
        }
        // Every value (nested ones included, group lengths aside) has the same bytes in both files.
        try python(
            """
            import pydicom
            from pydicom.dataelem import RawDataElement
            def values(ds):
                out = []
                for tag in sorted(ds._dict):
                    if tag.element == 0:
                        continue  # group lengths are recomputed (PS3.5 §7.2)
                    raw = ds._dict[tag]
                    if raw.VR == 'SQ' or (isinstance(raw, RawDataElement) and raw.length == 0xFFFFFFFF):
                        out.append((int(tag), [values(item) for item in ds[tag].value]))
                    elif isinstance(raw, RawDataElement):
                        out.append((int(tag), raw.value))
                    else:
                        out.append((int(tag), repr(raw.value)))
                return out
            for source, copy in zip([\(list(sources))], [\(list(copies))]):
                a = values(pydicom.dcmread(source))
                b = values(pydicom.dcmread(copy))
                assert a == b, (source, [x for x in zip(a, b) if x[0] != x[1]][:3])
            """)
    }

    func testACharacterTheSetLacksRaises() {
        assertRaises(
            """
            local ds = dicom.new{SpecificCharacterSet = 'ISO_IR 100', PatientName = 'Müller'}
            ds:set('PatientName', 'Ω')
            """, "set: 'Ω' cannot be encoded in ISO_IR 100 (0010,0010)")
    }

    func testNonASCIITextMakesANewDataSetUTF8AndGreekIsWrittenInISOIR126() throws {
        let greek = path("greek.dcm")
        let results = try run(
            """
            local plain = dicom.new{PatientName = 'Διονυσιος'}
            local ds = dicom.new{SpecificCharacterSet = 'ISO_IR 126', PatientName = 'Διονυσιος',
                                 SOPClassUID = '1.2.840.10008.5.1.4.1.1.7', SOPInstanceUID = '1.2.3'}
            dicom.write('\(greek)', ds)
            return plain.SpecificCharacterSet, dicom.read('\(greek)').PatientName
            """)
        XCTAssertEqual(results[0].stringValue, "ISO_IR 192")
        XCTAssertEqual(results[1].stringValue, "Διονυσιος")
        try python(
            """
            import pydicom
            ds = pydicom.dcmread(r'\(greek)')
            assert ds._dict[0x00100010].value == bytes.fromhex('C4E9EFEDF5F3E9EFF220'), ds._dict[0x00100010].value
            assert str(ds.PatientName) == 'Διονυσιος', ds.PatientName
            """)
    }

    /// CP-246: a private sequence of undefined length that arrives as UN in Implicit VR Little Endian.
    func testAPrivateSequenceOfUndefinedLengthWritesBackUnchanged() throws {
        let source = path("cp246.dcm")
        let copy = path("cp246-copy.dcm")
        try python(
            """
            from pydicom.dataset import Dataset, FileMetaDataset
            from pydicom.sequence import Sequence
            from pydicom.uid import ImplicitVRLittleEndian
            ds = Dataset()
            ds.SOPClassUID = '1.2.840.10008.5.1.4.1.1.7'
            ds.SOPInstanceUID = '1.2.3.4'
            ds.add_new(0x00090010, 'LO', 'ACME')
            item = Dataset()
            item.add_new(0x00091010, 'LO', 'abc')
            item.add_new(0x00091011, 'US', 513)
            item.add_new(0x00091012, 'DS', '1.5')
            item.add_new(0x00100010, 'PN', 'Inner^Name')
            ds.add_new(0x00091001, 'SQ', Sequence([item]))
            ds[0x00091001].is_undefined_length = True
            item.is_undefined_length_sequence_item = True
            ds.PatientName = 'Doe^John'
            meta = FileMetaDataset()
            meta.TransferSyntaxUID = ImplicitVRLittleEndian
            meta.MediaStorageSOPClassUID = ds.SOPClassUID
            meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            ds.file_meta = meta
            ds.save_as(r'\(source)', enforce_file_format=True)
            """)
        try run("dicom.write('\(copy)', dicom.read('\(source)'))")
        let original = try Data(contentsOf: URL(fileURLWithPath: source))
        let written = try Data(contentsOf: URL(fileURLWithPath: copy))
        // Compare the data sets after the File Meta Information (whose implementation UID differs).
        func dataSet(_ data: Data) -> Data {
            let start = data.range(of: Data([0x08, 0x00, 0x16, 0x00]))?.lowerBound ?? data.startIndex
            return data[start...]
        }
        XCTAssertEqual(
            dataSet(written).map { String(format: "%02X", $0) }.joined(),
            dataSet(original).map { String(format: "%02X", $0) }.joined())
    }

    func testBytesThatDoNotDecodeReadAsReplacementAndWriteBackUnchanged() throws {
        let source = path("invalid.dcm")
        let copy = path("invalid-copy.dcm")
        try python(
            """
            from pydicom.dataset import Dataset, FileMetaDataset
            from pydicom.uid import ExplicitVRLittleEndian
            ds = Dataset()
            ds.SpecificCharacterSet = 'ISO_IR 192'
            ds.SOPClassUID = '1.2.840.10008.5.1.4.1.1.7'
            ds.SOPInstanceUID = '1.2.3.5'
            ds.add_new(0x00081030, 'LO', b'A\\xffB ')
            meta = FileMetaDataset()
            meta.TransferSyntaxUID = ExplicitVRLittleEndian
            meta.MediaStorageSOPClassUID = ds.SOPClassUID
            meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            ds.file_meta = meta
            ds.save_as(r'\(source)', enforce_file_format=True)
            """)
        let results = try run(
            """
            local ds = dicom.read('\(source)')
            dicom.write('\(copy)', ds)
            return ds.StudyDescription
            """)
        XCTAssertEqual(results[0].stringValue, "A\u{FFFD}B")
        try python(
            """
            import pydicom
            raw = pydicom.dcmread(r'\(copy)')._dict[0x00081030].value
            assert raw == b'A\\xffB ', raw
            """)
    }

    /// CP-246 in Explicit VR: a UN of undefined length holds Implicit VR items; it is read as a sequence and
    /// its nested values keep their bytes when written back.
    func testAnUndefinedLengthUNSequenceKeepsItsNestedValues() throws {
        let source = path("cp246-explicit.dcm")
        let copy = path("cp246-explicit-copy.dcm")
        try python(
            """
            import io, struct
            from pydicom.dataset import FileMetaDataset
            from pydicom.filewriter import write_file_meta_info
            from pydicom.uid import ExplicitVRLittleEndian
            meta = FileMetaDataset()
            meta.TransferSyntaxUID = ExplicitVRLittleEndian
            meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.7'
            meta.MediaStorageSOPInstanceUID = '1.2.3.6'
            out = io.BytesIO()
            out.write(b'\\0' * 128 + b'DICM')
            write_file_meta_info(out, meta)
            def explicit(group, element, vr, value):
                return struct.pack('<HH', group, element) + vr.encode() + struct.pack('<H', len(value)) + value
            def implicit(group, element, value):
                return struct.pack('<HHI', group, element, len(value)) + value
            body = explicit(8, 0x16, 'UI', b'1.2.840.10008.5.1.4.1.1.7\\0') + explicit(8, 0x18, 'UI', b'1.2.3.6\\0')
            body += explicit(9, 0x10, 'LO', b'ACME')
            item = implicit(9, 0x1010, b'abc ') + implicit(9, 0x1011, b'\\x01\\x02') + implicit(0x10, 0x10, b'Inner^Name')
            body += struct.pack('<HH', 9, 0x1001) + b'UN\\0\\0' + struct.pack('<I', 0xFFFFFFFF)
            body += struct.pack('<HHI', 0xFFFE, 0xE000, 0xFFFFFFFF) + item + struct.pack('<HHI', 0xFFFE, 0xE00D, 0)
            body += struct.pack('<HHI', 0xFFFE, 0xE0DD, 0)
            body += explicit(0x10, 0x10, 'PN', b'Doe^John')
            open(r'\(source)', 'wb').write(out.getvalue() + body)
            """)
        let results = try run(
            """
            local ds = dicom.read('\(source)')
            dicom.write('\(copy)', ds)
            return ds['0009,1001'][1].PatientName
            """)
        XCTAssertEqual(results[0].stringValue, "Inner^Name")
        try python(
            """
            import pydicom
            def nested(path):
                item = pydicom.dcmread(path)[0x00091001].value[0]
                return [(int(tag), item._dict[tag].value) for tag in sorted(item._dict)]
            a, b = nested(r'\(source)'), nested(r'\(copy)')
            assert a == b, (a, b)
            """)
    }
}
