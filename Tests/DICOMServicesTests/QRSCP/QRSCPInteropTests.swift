import DICOMCore
import DICOMNetwork
import Foundation
import TestSupport
import XCTest

@testable import DICOMServices

/// The test Q/R SCP (in process, over sample data) against DCMTK's findscu/movescu/getscu/storescp and
/// pynetdicom scripts.
final class QRSCPInteropTests: XCTestCase {
    private var directory: URL!
    private var scp: QRSCP!
    private var storescp: ChildProcess?
    private var destinationPort = 0
    private var slowDestinationPort = 0
    private var received: URL!

    override func setUp() async throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
        directory = try makeTemporaryDirectory("qrscp")
        let pacs = directory.appendingPathComponent("pacs")
        _ = try SampleDataGenerator.generate(
            into: pacs.path,
            options: SampleDataOptions(patients: 2, studies: 1, series: 2, instances: 3, rows: 16))
        received = directory.appendingPathComponent("received")
        try FileManager.default.createDirectory(at: received, withIntermediateDirectories: true)
        destinationPort = freeTCPPort()
        slowDestinationPort = freeTCPPort()
        storescp = try ChildProcess(dcmtk("storescp"), ["-aet", "DEST", "-od", received.path, "\(destinationPort)"])
        XCTAssertTrue(waitForPort(destinationPort), storescp?.stderr ?? "")
        scp = try await QRSCP.start(
            QRSCPConfiguration(
                directory: pacs.path, port: 0,
                destinations: [
                    "DEST": MoveDestination(host: "127.0.0.1", port: destinationPort),
                    "SLOW": MoveDestination(host: "127.0.0.1", port: slowDestinationPort),
                    "DOWN": MoveDestination(host: "127.0.0.1", port: freeTCPPort()),
                ]))
    }

    override func tearDown() async throws {
        await scp?.shutdown(gracePeriod: 2)
        storescp?.stop()
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    /// Runs DCMTK findscu and returns the values of `tag` (e.g. "(0010,0020)") in the responses.
    private func findscu(_ model: String, _ keys: [String], tag: String) throws -> [String] {
        let arguments = [model, "-aec", "QRSCP"] + keys.flatMap { ["-k", $0] } + ["127.0.0.1", "\(scp.port)"]
        let result = try runLatin1(dcmtk("findscu"), arguments)
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.stderr.split(separator: "\n").filter { $0.contains(tag) }.compactMap { line in
            guard let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]") else { return nil }
            return String(line[line.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
        }
    }

    /// Runs a tool whose output holds Latin-1 patient names (not UTF-8), decoding it as Latin-1.
    private func runLatin1(
        _ tool: String, _ arguments: [String]
    ) throws -> (status: Int32?, stdout: String, stderr: String) {
        let process = try ChildProcess(tool, arguments)
        let status = process.wait(timeout: 60)
        func read(_ url: URL) -> String {
            String(data: (try? Data(contentsOf: url)) ?? Data(), encoding: .isoLatin1) ?? ""
        }
        return (status, read(process.stdoutURL), read(process.stderrURL))
    }

    func testFindscuEveryLevelAndModel() throws {
        XCTAssertEqual(
            try findscu("-P", ["QueryRetrieveLevel=PATIENT", "PatientID"], tag: "(0010,0020)"), ["PAT0001", "PAT0002"])
        XCTAssertEqual(
            try findscu("-O", ["QueryRetrieveLevel=PATIENT", "PatientID=PAT0002"], tag: "(0010,0020)"), ["PAT0002"])
        let studies = try findscu(
            "-S", ["QueryRetrieveLevel=STUDY", "StudyInstanceUID", "NumberOfStudyRelatedInstances"],
            tag: "(0020,1208)")
        XCTAssertEqual(studies, ["6", "6"])
        XCTAssertEqual(
            try findscu("-O", ["QueryRetrieveLevel=STUDY", "PatientID=PAT0001", "StudyID"], tag: "(0020,0010)"), ["1"])
        XCTAssertEqual(
            try findscu(
                "-P",
                [
                    "QueryRetrieveLevel=SERIES", "PatientID=PAT0001", "Modality",
                    "NumberOfSeriesRelatedInstances",
                ], tag: "(0008,0060)"), ["CT", "MR"])
        XCTAssertEqual(
            try findscu(
                "-S", ["QueryRetrieveLevel=IMAGE", "Modality=CT", "PatientID=PAT0002", "InstanceNumber"],
                tag: "(0020,0013)"
            ).count, 3)
    }

    func testPynetdicomFindscuSeesEveryPatientWithLatin1Names() throws {
        let result = try ChildProcess.run(
            "/usr/bin/env",
            [
                "python3", "-m", "pynetdicom", "findscu", "127.0.0.1", "\(scp.port)",
                "-aec", "QRSCP", "-P", "-k", "QueryRetrieveLevel=PATIENT",
                "-k", "PatientID=PAT*", "-k", "PatientName=",
            ], timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderr)
        let log = result.stdout + result.stderr  // pynetdicom's apps log to stderr
        let ids = log.split(separator: "\n").filter { $0.contains("# 1 PatientID") }.compactMap { line -> String? in
            guard let open = line.firstIndex(of: "["), let close = line.firstIndex(of: "]") else { return nil }
            return String(line[line.index(after: open)..<close])
        }
        XCTAssertEqual(
            ids.filter { $0 != "PAT*" }, ["PAT0001", "PAT0002"], "the request's own key is logged too: \(log)")
        XCTAssertTrue(log.contains("Müller^Jürgen"), "ISO_IR 100 names decoded by pynetdicom: \(log)")
        XCTAssertTrue(log.contains("Find SCP Result: 0x0000 (Success)"), log)
    }

    func testFindscuMatchingTypes() throws {
        // wildcard on PN (case-insensitive), date range, universal, UID list
        XCTAssertEqual(
            try findscu("-S", ["QueryRetrieveLevel=STUDY", "PatientName=m*", "PatientID"], tag: "(0010,0020)"),
            ["PAT0001"])
        XCTAssertEqual(
            try findscu("-S", ["QueryRetrieveLevel=STUDY", "StudyDate=20240101-", "PatientID"], tag: "(0010,0020)")
                .count, 2)
        XCTAssertEqual(
            try findscu("-S", ["QueryRetrieveLevel=STUDY", "StudyDate=-20000101", "PatientID"], tag: "(0010,0020)"), [])
        XCTAssertEqual(
            try findscu(
                "-S", ["QueryRetrieveLevel=STUDY", "PatientID=PAT000?", "StudyDescription"],
                tag: "(0008,1030)"
            ).count, 2)
        let uids = try findscu("-S", ["QueryRetrieveLevel=STUDY", "StudyInstanceUID"], tag: "(0020,000d)")
        XCTAssertEqual(uids.count, 2)
        XCTAssertEqual(
            try findscu(
                "-S", ["QueryRetrieveLevel=STUDY", "StudyInstanceUID=\(uids[1])\\1.2.3", "PatientID"],
                tag: "(0010,0020)"
            ).count, 1)
        XCTAssertEqual(
            try findscu(
                "-S", ["QueryRetrieveLevel=STUDY", "ModalitiesInStudy=MR", "ModalitiesInStudy"],
                tag: "(0008,0061)"), ["CT\\MR", "CT\\MR"])
    }

    func testMovescuToStorescpDeliversEveryInstanceOfThePatient() throws {
        let result = try ChildProcess.run(
            dcmtk("movescu"),
            [
                "-P", "-aec", "QRSCP", "-aem", "DEST", "-k", "QueryRetrieveLevel=PATIENT",
                "-k", "PatientID=PAT0001", "127.0.0.1", "\(scp.port)",
            ], timeout: 120)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(result.stderr.contains("W: Move response with error"), result.stderr)
        let files = try FileManager.default.contentsOfDirectory(atPath: received.path)
        XCTAssertEqual(files.count, 6, "\(files)")
        let dump = try runLatin1(dcmtk("dcmdump"), [received.appendingPathComponent(files[0]).path])
        XCTAssertTrue(dump.stdout.contains("PAT0001"), dump.stdout)
    }

    func testGetscuRetrievesIntoAFolder() throws {
        let output = directory.appendingPathComponent("get")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let result = try ChildProcess.run(
            dcmtk("getscu"),
            [
                "-S", "-aec", "QRSCP", "-od", output.path, "-k", "QueryRetrieveLevel=STUDY",
                "-k", "StudyInstanceUID=\(try studyUID("PAT0002"))", "127.0.0.1", "\(scp.port)",
            ],
            timeout: 120)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: output.path).count, 6, result.stderr)
    }

    func testStorescuIntoTheQRSCPLandsInReceivedAndIsIndexed() throws {
        let pacs = directory.appendingPathComponent("pacs")
        let source = try XCTUnwrap(
            FileManager.default.enumerator(atPath: pacs.path)?.compactMap { $0 as? String }
                .first { $0.hasSuffix(".dcm") })
        let original = try DICOMFile.read(path: pacs.appendingPathComponent(source).path)
        let uid = try XCTUnwrap(original.dataSet.string(.sopInstanceUID))
        let result = try ChildProcess.run(
            dcmtk("storescu"), ["-aec", "QRSCP", "127.0.0.1", "\(scp.port)", pacs.appendingPathComponent(source).path],
            timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderr)
        let stored = pacs.appendingPathComponent("received").appendingPathComponent("\(uid).dcm").path
        XCTAssertEqual(try DICOMFile.read(path: stored).dataSet, original.dataSet)
        XCTAssertEqual(scp.index.snapshot().first { $0.sopInstanceUID == uid }?.path, stored)
        let depot = pacs.appendingPathComponent("received/depot").path
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: depot)) ?? [], [], "nothing left behind")
    }

    private func studyUID(_ patientID: String) throws -> String {
        let uids = try findscu(
            "-P", ["QueryRetrieveLevel=STUDY", "PatientID=\(patientID)", "StudyInstanceUID"], tag: "(0020,000d)")
        return try XCTUnwrap(uids.first)
    }

    /// pynetdicom: statuses of a C-MOVE to `destination`, cancelling after `cancelAfter` responses (-1: never).
    private func pynetdicomMove(destination: String, patientID: String, cancelAfter: Int) throws -> [String] {
        let script = """
            import sys
            from pydicom.dataset import Dataset
            from pynetdicom import AE
            from pynetdicom.sop_class import PatientRootQueryRetrieveInformationModelMove as MOVE
            ae = AE(ae_title='PYND')
            ae.add_requested_context(MOVE)
            assoc = ae.associate('127.0.0.1', \(scp.port), ae_title='QRSCP')
            assert assoc.is_established
            ds = Dataset(); ds.QueryRetrieveLevel = 'PATIENT'; ds.PatientID = '\(patientID)'
            n = 0
            for status, identifier in assoc.send_c_move(ds, '\(destination)', MOVE, msg_id=7):
                n += 1
                counts = [status.get(k, None) for k in ('NumberOfRemainingSuboperations', 'NumberOfCompletedSuboperations', 'NumberOfFailedSuboperations')]
                failed = list(getattr(identifier, 'FailedSOPInstanceUIDList', []) or []) if identifier is not None else []
                failed = [failed] if isinstance(failed, str) else failed
                print('0x%04X %s %d' % (status.Status, counts, len(failed)), flush=True)
                if n == \(cancelAfter):
                    assoc.send_c_cancel(7, query_model=MOVE)
            assoc.release()
            """
        let file = directory.appendingPathComponent("move.py")
        try script.write(to: file, atomically: true, encoding: .utf8)
        let result = try ChildProcess.run("/usr/bin/env", ["python3", file.path], timeout: 120)
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.stdout.split(separator: "\n").map(String.init)
    }

    func testUnknownDestinationIsA801() throws {
        let lines = try pynetdicomMove(destination: "NOBODY", patientID: "PAT0001", cancelAfter: -1)
        XCTAssertEqual(lines.count, 1, "\(lines)")
        XCTAssertTrue(lines.first?.hasPrefix("0xA801") == true, "\(lines)")
    }

    func testOnePendingResponsePerSubOperationThenSuccess() throws {
        let lines = try pynetdicomMove(destination: "DEST", patientID: "PAT0002", cancelAfter: -1)
        XCTAssertEqual(lines.count, 7, "\(lines)")
        XCTAssertEqual(lines.filter { $0.hasPrefix("0xFF00") }.count, 6, "\(lines)")
        XCTAssertEqual(lines.last, "0x0000 [None, 6, 0] 0", "\(lines)")
    }

    func testCancelMidMoveIsAnsweredFE00() throws {
        // A destination that takes 0.3 s per instance, so the cancel surely arrives while sub-operations remain.
        let slowSCP = """
            import sys, time
            from pynetdicom import AE, evt, AllStoragePresentationContexts
            def handle(event):
                time.sleep(0.3)
                return 0x0000
            ae = AE(ae_title='SLOW')
            ae.supported_contexts = AllStoragePresentationContexts
            ae.start_server(('127.0.0.1', int(sys.argv[1])), evt_handlers=[(evt.EVT_C_STORE, handle)])
            """
        let slow = try ChildProcess("/usr/bin/env", ["python3", "-c", slowSCP, "\(slowDestinationPort)"])
        defer { slow.stop() }
        XCTAssertTrue(waitForPort(slowDestinationPort, timeout: 20), slow.stderr)
        let lines = try pynetdicomMove(destination: "SLOW", patientID: "PAT0001", cancelAfter: 2)
        let final = try XCTUnwrap(lines.last)
        XCTAssertTrue(final.hasPrefix("0xFE00"), "\(lines)")
        XCTAssertLessThan(lines.count, 7, "sub-operations stopped after the cancel: \(lines)")
    }

    func testUnreachableDestinationFailsEverySubOperationWithTheFailedList() throws {
        let lines = try pynetdicomMove(destination: "DOWN", patientID: "PAT0001", cancelAfter: -1)
        XCTAssertEqual(lines.last, "0xA702 [None, 0, 6] 6", "\(lines)")
    }

    func testSampleDataIsReadByDcmdumpWithoutWarnings() throws {
        let files = FileManager.default.enumerator(atPath: directory.appendingPathComponent("pacs").path)!
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".dcm") }
        XCTAssertEqual(files.count, 12)
        for file in files.prefix(4) {
            let result = try ChildProcess.run(
                dcmtk("dcmdump"), ["-q", directory.appendingPathComponent("pacs").appendingPathComponent(file).path],
                timeout: 30)
            XCTAssertEqual(result.status, 0)
            XCTAssertEqual(result.stderr, "", "dcmdump complained about \(file)")
        }
    }
}
