import DICOMCore
import TestSupport
import XCTest

/// Reads pydicom's bundled test files (made by many toolkits) and checks every top-level value against
/// what pydicom itself reads: same tags, same lengths, same bytes (Adler-32 of each value).
final class PydicomFixtureTests: XCTestCase {
    /// pydicom's view of a file: "TTTTTTTT LENGTH ADLER32" per top-level element with a defined length.
    private func pydicomDigest(_ path: String) throws -> [Tag: (length: Int, adler: UInt32)] {
        let script = """
            import sys, zlib, pydicom
            from pydicom.dataelem import RawDataElement
            ds = pydicom.dcmread(sys.argv[1], force=True)
            for tag in sorted(ds._dict):
                raw = ds._dict[tag]
                if isinstance(raw, RawDataElement) and raw.length != 0xFFFFFFFF and raw.VR != 'SQ':
                    print('%08X %d %d' % (int(tag), raw.length, zlib.adler32(raw.value or b'')))
            """
        let r = try ChildProcess.run("/usr/bin/env", ["python3", "-c", script, path], timeout: 120)
        guard r.status == 0 else { throw XCTSkip("pydicom could not read \(path): \(r.stderr)") }
        var out: [Tag: (Int, UInt32)] = [:]
        for line in r.stdout.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count == 3, let t = Tag(parsing: String(f[0])), let n = Int(f[1]), let a = UInt32(f[2]) else {
                continue
            }
            out[t] = (n, a)
        }
        return out
    }

    private func assertMatchesPydicom(
        _ name: String, expectsDefinedLengthElements: Bool = true,
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> DICOMFile {
        let path = try Fixtures.pydicomFile(name)
        let dicom = try DICOMFile.read(path: path)
        let expected = try pydicomDigest(path)
        if expectsDefinedLengthElements {
            XCTAssertFalse(expected.isEmpty, "pydicom listed nothing for \(name)", file: file, line: line)
        }
        for (tag, want) in expected {
            guard let element = dicom.dataSet[tag] else {
                XCTFail("\(name): \(tag) missing", file: file, line: line)
                continue
            }
            guard let bytes = element.bytes else { continue }  // we parsed it as a sequence (UN/SQ)
            XCTAssertEqual(bytes.count, want.length, "\(name): length of \(tag)", file: file, line: line)
            XCTAssertEqual(adler32(bytes), want.adler, "\(name): value of \(tag)", file: file, line: line)
        }
        return dicom
    }

    func testExplicitLittleEndianCT() throws {
        let f = try assertMatchesPydicom("CT_small.dcm")
        XCTAssertEqual(f.transferSyntax, .explicitVRLittleEndian)
        XCTAssertEqual(f.layout, .part10)
        XCTAssertEqual(f.dataSet.string(Fixtures.tag("PatientName")), "CompressedSamples^CT1")
        XCTAssertEqual(f.dataSet.int(Fixtures.tag("Rows")), 128)
    }

    func testImplicitLittleEndianMR() throws {
        let f = try assertMatchesPydicom("MR_small_implicit.dcm")
        XCTAssertEqual(f.transferSyntax, .implicitVRLittleEndian)
        XCTAssertEqual(f.dataSet.int(Fixtures.tag("Rows")), 64)
    }

    func testExplicitBigEndianMR() throws {
        let f = try assertMatchesPydicom("MR_small_bigendian.dcm")
        XCTAssertEqual(f.transferSyntax, .explicitVRBigEndian)
        XCTAssertEqual(f.dataSet.int(Fixtures.tag("Rows")), 64)
        XCTAssertEqual(f.dataSet.int(Fixtures.tag("Columns")), 64)
    }

    func testDeflated() throws {
        let path = try Fixtures.pydicomFile("image_dfl.dcm")
        let f = try DICOMFile.read(path: path)
        XCTAssertEqual(f.transferSyntax, .deflatedExplicitVRLittleEndian)
        XCTAssertNotNil(f.dataSet[.pixelData])
        XCTAssertEqual(f.dataSet.string(.sopClassUID)?.isEmpty, false)
    }

    func testFilesWithoutPreambleOrMeta() throws {
        let little = try assertMatchesPydicom("ExplVR_LitEndNoMeta.dcm")
        XCTAssertEqual(little.transferSyntax, .explicitVRLittleEndian)
        let big = try assertMatchesPydicom("ExplVR_BigEndNoMeta.dcm")
        XCTAssertEqual(big.transferSyntax, .explicitVRBigEndian)
        _ = try assertMatchesPydicom("no_meta_group_length.dcm")
        _ = try assertMatchesPydicom("meta_missing_tsyntax.dcm")
    }

    func testNestedSequences() throws {
        let plan = try assertMatchesPydicom("rtplan.dcm")
        let beams = try XCTUnwrap(plan.dataSet.items(Fixtures.tag("BeamSequence")))
        XCTAssertFalse(beams.isEmpty)
        let controlPoints = try XCTUnwrap(beams[0].items(Fixtures.tag("ControlPointSequence")))
        XCTAssertFalse(controlPoints.isEmpty)
        _ = try assertMatchesPydicom("rtstruct.dcm")
        _ = try assertMatchesPydicom("nested_priv_SQ.dcm")
        _ = try assertMatchesPydicom("priv_SQ.dcm")
    }

    func testUndefinedLengthUNIsReadAsASequence() throws {
        let f = try assertMatchesPydicom("UN_sequence.dcm", expectsDefinedLengthElements: false)
        let element = try XCTUnwrap(f.dataSet[Tag(0x4453, 0x100C)])
        XCTAssertEqual(element.vr, .SQ, "the UN of undefined length became a sequence")
        XCTAssertFalse(try XCTUnwrap(element.items).isEmpty)
    }

    func testEncapsulatedPixelData() throws {
        for name in ["JPEG2000.dcm", "JPEG-lossy.dcm", "MR_small_RLE.dcm", "SC_rgb_jpeg_dcmtk.dcm"] {
            let f = try assertMatchesPydicom(name)
            XCTAssertTrue(f.transferSyntax.isEncapsulated, name)
            let pixels = try XCTUnwrap(f.dataSet[.pixelData]?.encapsulated, name)
            XCTAssertFalse(pixels.fragments.isEmpty, name)
        }
    }

    func testTruncatedFilesFailWithAnOffset() throws {
        for name in ["MR_truncated.dcm", "rtplan_truncated.dcm"] {
            let path = try Fixtures.pydicomFile(name)
            XCTAssertThrowsError(try DICOMFile.read(path: path), name) { error in
                guard let e = error as? DICOMParseError else { return XCTFail("\(error)") }
                XCTAssertTrue(e.description.contains("byte offset"), e.description)
            }
        }
    }
}

/// Adler-32 (RFC 1950 §8), as Python's zlib.adler32 computes it.
func adler32(_ bytes: [UInt8]) -> UInt32 {
    var a: UInt32 = 1, b: UInt32 = 0
    for x in bytes {
        a = (a + UInt32(x)) % 65521
        b = (b + a) % 65521
    }
    return b << 16 | a
}
