import LuaBridge
import TestSupport
import XCTest

/// `dicom.deidentify` and `dicom.deidentify_file` (docs/lua-api.md "De-identification").
final class DicomDeidentifyTests: ScriptTestCase {
    private let makeInstance = """
        local dir = ...
        local ds = dicom.new{SOPClassUID = '1.2.840.10008.5.1.4.1.1.2', SOPInstanceUID = '1.2.3.4.5',
          StudyInstanceUID = '1.2.3', SeriesInstanceUID = '1.2.3.4', PatientName = 'Doe^John', PatientID = 'P1',
          PatientBirthDate = '19500101', StudyDate = '20200101', AcquisitionDate = '20200102'}
        """

    func testDeidentifyReturnsANewDataSetAndLeavesTheOriginal() throws {
        let r = try run(
            makeInstance + """

                local clean = dicom.deidentify(ds, {options = {'retain_longitudinal_modified_dates'},
                  map = dir .. '/cohort.db', patient_id = 'SUBJ-0001'})
                local again = dicom.deidentify(ds, {map = dir .. '/cohort.db'})
                return ds.PatientName, clean.PatientName, clean.PatientID, clean.PatientIdentityRemoved,
                  clean.SOPInstanceUID ~= '1.2.3.4.5', clean.StudyInstanceUID == again.StudyInstanceUID,
                  clean.AcquisitionDate ~= '20200102', again.PatientID
                """)
        XCTAssertEqual(r[0].stringValue, "Doe^John")
        XCTAssertEqual(r[1].stringValue, "SUBJ-0001")
        XCTAssertEqual(r[2].stringValue, "SUBJ-0001")
        XCTAssertEqual(r[3].stringValue, "YES")
        XCTAssertEqual(r[4].boolValue, true)
        XCTAssertEqual(r[5].boolValue, true)
        XCTAssertEqual(r[6].boolValue, true)
        XCTAssertEqual(r[7].stringValue, "SUBJ-0001")
    }

    func testDeidentifyFileWritesUnderTheNewUIDAndReportsBoth() throws {
        let r = try run(
            makeInstance + """

                dicom.write(dir .. '/in.dcm', ds)
                local f = dicom.deidentify_file(dir .. '/in.dcm', dir .. '/out')
                local back = dicom.read(f.path)
                return f.path == dir .. '/out/' .. f.sop_instance_uid .. '.dcm', f.original_sop_instance_uid,
                  back.SOPInstanceUID == f.sop_instance_uid, f.quarantined, back.PatientName == f.pseudonym
                """)
        XCTAssertEqual(r[0].boolValue, true)
        XCTAssertEqual(r[1].stringValue, "1.2.3.4.5")
        XCTAssertEqual(r[2].boolValue, true)
        XCTAssertEqual(r[3].boolValue, false)
        XCTAssertEqual(r[4].boolValue, true)
    }

    func testContradictionsAndUnsupportedOptionsRaise() throws {
        try run(
            makeInstance + "\ndicom.deidentify(ds, {map = dir .. '/cohort.db', patient_id = 'SUBJ-0001'})")
        assertRaises(
            makeInstance + "\ndicom.deidentify(ds, {map = dir .. '/cohort.db', patient_id = 'SUBJ-0002'})",
            "contradicts the map")
        assertRaises(makeInstance + "\ndicom.deidentify(ds, {options = {'retain_safe_private'}})", "not supported")
        assertRaises(makeInstance + "\ndicom.deidentify(ds, {profile = 'extreme'})", "expected 'basic'")
    }
}
