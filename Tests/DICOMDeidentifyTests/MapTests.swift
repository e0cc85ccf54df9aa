import DICOMCore
import Foundation
import TestSupport
import XCTest

@testable import DICOMDeidentify

/// The map: the same input gives the same output across runs, patients never share a pseudonym, dates of
/// one patient keep their intervals, a patient_id that contradicts the map raises.
final class MapTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("deid-map-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    static func instance(patient: String, study: String, sop: String, date: String = "20200102") throws -> DataSet {
        var ds = DataSet()
        try ds.set(Tag(0x0008, 0x0016), string: "1.2.840.10008.5.1.4.1.1.2")
        try ds.set(Tag(0x0008, 0x0018), string: sop)
        try ds.set(Tag(0x0008, 0x0020), string: date)
        try ds.set(Tag(0x0008, 0x0022), string: date)
        try ds.set(Tag(0x0008, 0x0030), string: "101500")
        try ds.set(Tag(0x0010, 0x0010), string: "Name^\(patient)")
        try ds.set(Tag(0x0010, 0x0020), string: patient)
        try ds.set(Tag(0x0010, 0x0030), string: "19500101")
        try ds.set(Tag(0x0020, 0x000D), string: study)
        try ds.set(Tag(0x0020, 0x000E), string: study + ".1")
        try ds.set(Tag(0x0009, 0x0010), string: "ACME private", vr: .LO)
        try ds.set(Tag(0x0009, 0x1001), string: "secret", vr: .LO)
        return ds
    }

    func testSameStudyInTwoRunsOfOneMapGivesTheSameUIDsAndPseudonym() throws {
        let path = directory.appendingPathComponent("cohort.db").path
        let input = try Self.instance(patient: "P1", study: "1.2.3.4", sop: "1.2.3.4.1.1")
        let first = try Deidentifier(settings: DeidentificationSettings(), map: DeidentificationMap(path: path))
            .deidentify(input)
        let second = try Deidentifier(settings: DeidentificationSettings(), map: DeidentificationMap(path: path))
            .deidentify(input)
        XCTAssertEqual(first.sopInstanceUID, second.sopInstanceUID)
        XCTAssertEqual(first.dataSet.string(Tag(0x0020, 0x000D)), second.dataSet.string(Tag(0x0020, 0x000D)))
        XCTAssertEqual(first.pseudonym, second.pseudonym)
        XCTAssertNotEqual(first.sopInstanceUID, "1.2.3.4.1.1")
        XCTAssertTrue(first.sopInstanceUID.hasPrefix("2.25."))
        XCTAssertLessThanOrEqual(first.sopInstanceUID.count, 64)
        // Another map: other UIDs and another pseudonym.
        let other = try Deidentifier(
            settings: DeidentificationSettings(),
            map: DeidentificationMap(path: directory.appendingPathComponent("other.db").path)
        ).deidentify(input)
        XCTAssertNotEqual(other.sopInstanceUID, first.sopInstanceUID)
    }

    /// Several processes opening one new map at the same moment (two `dicomlua deidentify --map` at once): SQLite
    /// answers a connection that switches the file to WAL while another does "database is locked" at once, without
    /// waiting for the busy timeout. Every opener must still get the map (failed before, now and then: a full test
    /// run's two-process CLI test hit it).
    func testManyConnectionsOpeningOneNewMapAtOnceAllSucceed() throws {
        for round in 0..<20 {
            let path = directory.appendingPathComponent("race-\(round).db").path
            XCTAssertEqual(
                failuresOfConcurrentRuns(8) { _ = try DeidentificationMap(path: path) }, [], "round \(round)")
        }
    }

    func testWithoutAMapOneRunIsConsistent() throws {
        let deidentifier = try Deidentifier(settings: DeidentificationSettings())
        let a = try deidentifier.deidentify(Self.instance(patient: "P1", study: "1.2.3", sop: "1.2.3.1"))
        let b = try deidentifier.deidentify(Self.instance(patient: "P1", study: "1.2.3", sop: "1.2.3.2"))
        XCTAssertEqual(a.pseudonym, b.pseudonym)
        XCTAssertEqual(a.dataSet.string(Tag(0x0020, 0x000D)), b.dataSet.string(Tag(0x0020, 0x000D)))
        XCTAssertNotEqual(a.sopInstanceUID, b.sopInstanceUID)
    }

    func testTwoPatientsNeverShareAPseudonym() throws {
        let map = try DeidentificationMap(path: directory.appendingPathComponent("cohort.db").path)
        let deidentifier = try Deidentifier(settings: DeidentificationSettings(), map: map)
        var pseudonyms = Set<String>()
        for n in 0..<300 {
            let result = try deidentifier.deidentify(
                Self.instance(patient: "P\(n)", study: "1.2.\(n)", sop: "1.2.\(n).1"))
            pseudonyms.insert(result.pseudonym)
        }
        XCTAssertEqual(pseudonyms.count, 300)
        XCTAssertEqual(try map.patientCount(), 300)
    }

    func testDatesOfOnePatientKeepTheirIntervals() throws {
        let deidentifier = Deidentifier(
            settings: try DeidentificationSettings(optionNames: ["retain_longitudinal_modified_dates"]),
            map: try DeidentificationMap(path: directory.appendingPathComponent("cohort.db").path))
        let a = try deidentifier.deidentify(Self.instance(patient: "P1", study: "1.1", sop: "1.1.1", date: "20200101"))
        let b = try deidentifier.deidentify(Self.instance(patient: "P1", study: "1.2", sop: "1.2.1", date: "20200315"))
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        let da = try XCTUnwrap(a.dataSet.string(Tag(0x0008, 0x0022)).flatMap(formatter.date(from:)))
        let db = try XCTUnwrap(b.dataSet.string(Tag(0x0008, 0x0022)).flatMap(formatter.date(from:)))
        XCTAssertEqual(db.timeIntervalSince(da) / 86400, 74)
        XCTAssertNotEqual(a.dataSet.string(Tag(0x0008, 0x0022)), "20200101")
        XCTAssertEqual(a.dataSet.string(Tag(0x0028, 0x0303)), "MODIFIED")
    }

    func testPatientIDThatContradictsTheMapRaises() throws {
        let path = directory.appendingPathComponent("cohort.db").path
        let input = try Self.instance(patient: "P1", study: "1.2.3", sop: "1.2.3.1")
        let first = try Deidentifier(
            settings: DeidentificationSettings(patientID: "SUBJ-0001"), map: DeidentificationMap(path: path)
        ).deidentify(input)
        XCTAssertEqual(first.pseudonym, "SUBJ-0001")
        XCTAssertEqual(first.dataSet.string(Tag(0x0010, 0x0020)), "SUBJ-0001")
        XCTAssertThrowsError(
            try Deidentifier(
                settings: DeidentificationSettings(patientID: "SUBJ-0002"), map: DeidentificationMap(path: path)
            ).deidentify(input)
        ) { error in XCTAssertTrue("\(error)".contains("contradicts the map"), "\(error)") }
        // Another patient cannot take SUBJ-0001.
        XCTAssertThrowsError(
            try Deidentifier(
                settings: DeidentificationSettings(patientID: "SUBJ-0001"), map: DeidentificationMap(path: path)
            ).deidentify(Self.instance(patient: "P2", study: "1.2.4", sop: "1.2.4.1")))
    }

    func testLookupCSVGivesThePseudonym() throws {
        let csv = directory.appendingPathComponent("lookup.csv")
        try "patient_id,pseudonym\nP7,SUBJ-0007\n".write(to: csv, atomically: true, encoding: .utf8)
        let settings = try DeidentificationSettings(lookup: DeidentificationSettings.readLookup(path: csv.path))
        let result = try Deidentifier(settings: settings).deidentify(
            Self.instance(patient: "P7", study: "1.9", sop: "1.9.1"))
        XCTAssertEqual(result.pseudonym, "SUBJ-0007")
    }

    func testPrivateAttributesRemovedAndMethodRecorded() throws {
        let settings = try DeidentificationSettings(optionNames: ["clean_descriptors", "retain_device_identity"])
        let out = try Deidentifier(settings: settings).deidentify(
            Self.instance(patient: "P1", study: "1.2", sop: "1.2.1")
        )
        .dataSet
        XCTAssertNil(out[Tag(0x0009, 0x0010)])
        XCTAssertNil(out[Tag(0x0009, 0x1001)])
        XCTAssertEqual(out.string(Tag(0x0012, 0x0062)), "YES")
        let codes = try XCTUnwrap(out.items(Tag(0x0012, 0x0064))).map { $0.string(Tag(0x0008, 0x0100)) ?? "" }
        XCTAssertEqual(Set(codes), ["113100", "113105", "113109"])
        XCTAssertTrue(out.items(Tag(0x0012, 0x0064))!.allSatisfy { $0.string(Tag(0x0008, 0x0102)) == "DCM" })
        XCTAssertEqual(out.string(Tag(0x0028, 0x0303)), "REMOVED")
        XCTAssertEqual(out.string(Tag(0x0008, 0x0020)), "")  // Study Date: Z
        XCTAssertNil(out[Tag(0x0010, 0x0030)].flatMap { $0.bytes?.isEmpty == false ? $0 : nil })  // birth date gone
    }

    func testRetainSafePrivateIsNotSupportedAndUnknownOptionsAreNamed() {
        XCTAssertThrowsError(try DeidentificationSettings(optionNames: ["retain_safe_private"])) { error in
            XCTAssertTrue("\(error)".contains("not supported"), "\(error)")
        }
        XCTAssertThrowsError(try DeidentificationSettings(optionNames: ["retain_everything"])) { error in
            XCTAssertTrue("\(error)".contains("clean_descriptors"), "\(error)")
        }
    }

    func testCleanDescriptorsScrubsThePatientsIdentifiers() throws {
        var input = try Self.instance(patient: "P12345", study: "1.2", sop: "1.2.1")
        try input.set(Tag(0x0008, 0x1030), string: "CT head for Name P12345", vr: .LO)  // Study Description
        let out = try Deidentifier(settings: DeidentificationSettings(optionNames: ["clean_descriptors"]))
            .deidentify(input).dataSet
        XCTAssertEqual(out.string(Tag(0x0008, 0x1030)), "CT head for XXXX XXXXXX")
    }

    func testUIDDecimalIsRight() {
        XCTAssertEqual(DeidentificationMap.decimal([0x01, 0x00]), "256")
        XCTAssertEqual(
            DeidentificationMap.decimal([UInt8](repeating: 0xFF, count: 16)), "340282366920938463463374607431768211455")
    }
}
