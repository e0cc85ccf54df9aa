import DICOMCore
import DICOMNetwork
import XCTest

@testable import DICOMServices

/// C-FIND and retrieve selection over a small hand-made index.
final class QueryEngineTests: XCTestCase {
    /// Two patients; PAT1 has a study with a CT series (2 images) and an MR series (1 image).
    let records: [InstanceRecord] = [
        record(
            "a", patient: ("PAT1", "Müller^Jürgen"), study: ("1.1", "20240105", "Chest"), series: ("1.1.1", "CT", "1"),
            sop: "1.1.1.1"),
        record(
            "b", patient: ("PAT1", "Müller^Jürgen"), study: ("1.1", "20240105", "Chest"), series: ("1.1.1", "CT", "1"),
            sop: "1.1.1.2"),
        record(
            "c", patient: ("PAT1", "Müller^Jürgen"), study: ("1.1", "20240105", "Chest"), series: ("1.1.2", "MR", "2"),
            sop: "1.1.2.1"),
        record(
            "d", patient: ("PAT2", "Dupré^Zoë"), study: ("2.1", "20230310", "Head"), series: ("2.1.1", "MR", "1"),
            sop: "2.1.1.1"),
    ]

    static func record(
        _ path: String, patient: (String, String), study: (String, String, String),
        series: (String, String, String), sop: String
    ) -> InstanceRecord {
        InstanceRecord(
            path: path, dataSetOffset: 0, dataSetLength: 0,
            transferSyntaxUID: TransferSyntax.explicitVRLittleEndian.uid,
            values: [
                QueryKeys.patientID.tag: patient.0, QueryKeys.patientName.tag: patient.1,
                QueryKeys.studyInstanceUID.tag: study.0, QueryKeys.studyDate.tag: study.1,
                QueryKeys.studyDescription.tag: study.2,
                QueryKeys.seriesInstanceUID.tag: series.0, QueryKeys.modality.tag: series.1,
                QueryKeys.seriesNumber.tag: series.2,
                QueryKeys.sopInstanceUID.tag: sop, QueryKeys.sopClassUID.tag: "1.2.840.10008.5.1.4.1.1.2",
            ])
    }

    func identifier(_ level: String, _ keys: [(QueryKey, String)]) -> DataSet {
        var ds = DataSet()
        ds.set(QueryKeys.queryRetrieveLevel, bytes: Array(level.utf8), vr: .CS)
        for (key, value) in keys { try! ds.set(key.tag, string: value, vr: key.vr) }
        return ds
    }

    func testPatientLevelReturnsOnePerPatientWithCounts() throws {
        let out = try QueryEngine.find(
            identifier(
                "PATIENT",
                [
                    (QueryKeys.patientID, ""), (QueryKeys.patientName, ""),
                    (QueryKeys.numberOfPatientRelatedInstances, ""),
                ]),
            model: .patientRoot, in: records)
        XCTAssertEqual(out.map { $0.string(QueryKeys.patientID.tag) }, ["PAT1", "PAT2"])
        XCTAssertEqual(out.first?.string(QueryKeys.patientName.tag), "Müller^Jürgen")
        XCTAssertEqual(
            out.first?.string(Tag.specificCharacterSet), "ISO_IR 100", "Latin-1 names come with their character set")
        XCTAssertEqual(out.map { $0.string(QueryKeys.numberOfPatientRelatedInstances.tag) }, ["3", "1"])
    }

    func testStudyLevelInStudyRootMatchesPatientKeysAndReturnsStudyAttributes() throws {
        let out = try QueryEngine.find(
            identifier(
                "STUDY",
                [
                    (QueryKeys.patientName, "mü*"), (QueryKeys.studyInstanceUID, ""),
                    (QueryKeys.modalitiesInStudy, ""), (QueryKeys.numberOfStudyRelatedSeries, ""),
                    (QueryKeys.numberOfStudyRelatedInstances, ""), (QueryKeys.studyDescription, ""),
                ]),
            model: .studyRoot, in: records)
        XCTAssertEqual(out.count, 1)
        XCTAssertEqual(out[0].string(QueryKeys.studyInstanceUID.tag), "1.1")
        XCTAssertEqual(out[0].strings(QueryKeys.modalitiesInStudy.tag), ["CT", "MR"])
        XCTAssertEqual(out[0].string(QueryKeys.numberOfStudyRelatedSeries.tag), "2")
        XCTAssertEqual(out[0].string(QueryKeys.numberOfStudyRelatedInstances.tag), "3")
        XCTAssertEqual(out[0].string(QueryKeys.studyDescription.tag), "Chest")
    }

    func testDateRangeAndModalitiesInStudyFilterStudies() throws {
        let byDate = try QueryEngine.find(
            identifier("STUDY", [(QueryKeys.studyDate, "20240101-"), (QueryKeys.studyInstanceUID, "")]),
            model: .studyRoot, in: records)
        XCTAssertEqual(byDate.map { $0.string(QueryKeys.studyInstanceUID.tag) }, ["1.1"])
        let byModality = try QueryEngine.find(
            identifier("STUDY", [(QueryKeys.modalitiesInStudy, "CT"), (QueryKeys.studyInstanceUID, "")]),
            model: .studyRoot, in: records)
        XCTAssertEqual(byModality.map { $0.string(QueryKeys.studyInstanceUID.tag) }, ["1.1"])
    }

    func testSeriesAndImageLevels() throws {
        let series = try QueryEngine.find(
            identifier(
                "SERIES",
                [
                    (QueryKeys.studyInstanceUID, "1.1"), (QueryKeys.seriesInstanceUID, ""),
                    (QueryKeys.modality, ""), (QueryKeys.numberOfSeriesRelatedInstances, ""),
                ]),
            model: .studyRoot, in: records)
        XCTAssertEqual(series.map { $0.string(QueryKeys.modality.tag) }, ["CT", "MR"])
        XCTAssertEqual(series.map { $0.string(QueryKeys.numberOfSeriesRelatedInstances.tag) }, ["2", "1"])
        let images = try QueryEngine.find(
            identifier("IMAGE", [(QueryKeys.seriesInstanceUID, "1.1.1"), (QueryKeys.sopInstanceUID, "")]),
            model: .patientRoot, in: records)
        XCTAssertEqual(images.map { $0.string(QueryKeys.sopInstanceUID.tag) }, ["1.1.1.1", "1.1.1.2"])
    }

    func testKeysBelowTheLevelAreIgnoredAndReturnedEmpty() throws {
        let out = try QueryEngine.find(
            identifier("PATIENT", [(QueryKeys.patientID, "PAT2"), (QueryKeys.modality, "CT")]),
            model: .patientRoot, in: records)
        XCTAssertEqual(out.count, 1)
        XCTAssertEqual(out[0][QueryKeys.modality.tag]?.bytes, [])
    }

    func testLevelOutsideTheModelIsA900() {
        XCTAssertThrowsError(try QueryEngine.find(identifier("PATIENT", []), model: .studyRoot, in: records)) { error in
            XCTAssertEqual((error as? QueryFailure)?.status, .identifierDoesNotMatchSOPClass)
        }
        XCTAssertThrowsError(try QueryEngine.find(identifier("SERIES", []), model: .patientStudyOnly, in: records))
        XCTAssertThrowsError(try QueryEngine.find(DataSet(), model: .patientRoot, in: records))
    }

    func testRetrieveSelectionNeedsTheUniqueKeyAndAcceptsUIDLists() throws {
        let study = try RetrieveSelection.instances(
            for: identifier("STUDY", [(QueryKeys.studyInstanceUID, "1.1\\2.1")]),
            model: .studyRoot, in: records)
        XCTAssertEqual(study.count, 4)
        let patient = try RetrieveSelection.instances(
            for: identifier("PATIENT", [(QueryKeys.patientID, "PAT1")]),
            model: .patientRoot, in: records)
        XCTAssertEqual(patient.map(\.sopInstanceUID), ["1.1.1.1", "1.1.1.2", "1.1.2.1"])
        XCTAssertThrowsError(
            try RetrieveSelection.instances(
                for: identifier("SERIES", [(QueryKeys.studyInstanceUID, "1.1")]),
                model: .studyRoot, in: records)
        ) { error in
            XCTAssertEqual((error as? QueryFailure)?.status, .identifierDoesNotMatchSOPClass)
        }
    }
}

/// Final status rules of C-MOVE/C-GET (PS3.4 C.4.2.1.5).
final class SubOperationTallyTests: XCTestCase {
    func testAllSucceededIsSuccessWithoutFailedList() {
        var tally = SubOperationTally(total: 2)
        tally.record(.success, sopInstanceUID: "1")
        tally.record(.success, sopInstanceUID: "2")
        XCTAssertEqual(tally.finalStatus, .success)
        XCTAssertFalse(tally.needsFailedList)
        XCTAssertNil(tally.finalCounts.remaining)
    }

    func testSomeFailedIsWarningWithTheFailedUIDs() {
        var tally = SubOperationTally(total: 2)
        tally.record(.success, sopInstanceUID: "1")
        tally.record(.outOfResources, sopInstanceUID: "2")
        XCTAssertEqual(tally.finalStatus, .warningB000)
        XCTAssertEqual(tally.failedSOPInstanceUIDs, ["2"])
    }

    func testAllFailedIsA702() {
        var tally = SubOperationTally(total: 1)
        tally.recordFailure(sopInstanceUID: "1")
        XCTAssertEqual(tally.finalStatus, .outOfResourcesSubOperations)
    }

    func testCancelReportsTheSubOperationsNotStarted() {
        var tally = SubOperationTally(total: 5)
        tally.record(.success, sopInstanceUID: "1")
        XCTAssertEqual(tally.pendingCounts.remaining, 4)
        tally.cancel()
        XCTAssertEqual(tally.finalStatus, .cancel)
        XCTAssertEqual(tally.finalCounts.remaining, 4)
        XCTAssertEqual(tally.finalCounts.completed, 1)
    }

    func testNothingMatchedIsSuccess() {
        XCTAssertEqual(SubOperationTally(total: 0).finalStatus, .success)
    }
}
