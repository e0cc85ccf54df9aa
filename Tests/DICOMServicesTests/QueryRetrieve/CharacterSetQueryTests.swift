import DICOMCore
import Foundation
import TestSupport
import XCTest

@testable import DICOMServices

/// docs/lua-api.md "Character sets": C-FIND results from real archives holding Greek (ISO_IR 126), Japanese
/// (ISO 2022 IR 13 with IR 87, PS3.5 Example H.3-2) and Korean (ISO 2022 IR 149, Example I.2-1) patients
/// come back as UTF-8, and non-ASCII keys find their patients in the test Q/R SCP.
final class CharacterSetQueryTests: XCTestCase {
    /// pydicom's copies of the standard's examples (complete Secondary Capture instances).
    private let files = ["chrGreek.dcm", "chrH32.dcm", "chrI2.dcm"]
    private let names: Set<String> = [
        "Διονυσιος", "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう", "Hong^Gildong=洪^吉洞=홍^길동",
    ]

    private func exampleFiles() throws -> [String] {
        let located = try ChildProcess.run(
            "/usr/bin/env", ["python3", "-c", "import pydicom, os; print(os.path.dirname(pydicom.__file__))"],
            timeout: 60)
        guard located.status == 0 else { throw XCTSkip("pydicom is not installed") }
        let folder = located.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + "/data/charset_files/"
        let paths = files.map { folder + $0 }
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            throw XCTSkip("pydicom has no \(path)")
        }
        return paths
    }

    private func patientNames(
        port: Int, aeTitle: String, values: [QueryField: String] = [:]
    ) async throws
        -> Set<String>
    {
        let configuration = try QRTestConfiguration.make(peer: nil) { c in
            try c.setApplicationEntity(
                name: "remote_qr", aeTitle: aeTitle, hostname: "127.0.0.1", port: port,
                serviceList: .querySCP, serviceType: .querySCP)
        }
        let outcome = try await QueryService.query(
            QueryParameters(model: .patientRoot, level: .patient, values: values), queryAE: "remote_qr",
            configuration: configuration)
        XCTAssertNil(outcome.failure)
        return Set(outcome.results.map { $0["patient_name"] })
    }

    func testDcmqrscpResultsComeBackAsUTF8() async throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
        let examples = try exampleFiles()
        let peer = try QRTestPeer()
        defer { peer.stop() }
        let german = (examples[0] as NSString).deletingLastPathComponent + "/chrGerm.dcm"  // ISO_IR 100
        let load = try ChildProcess.run(
            dcmtk("storescu"), ["-aec", "QRSCP", "127.0.0.1", "\(peer.qrPort)"] + examples + [german], timeout: 60)
        XCTAssertEqual(load.status, 0, load.stderr)
        let found = try await patientNames(port: peer.qrPort, aeTitle: "QRSCP")
        XCTAssertTrue(names.union(["Äneas^Rüdiger"]).isSubset(of: found), "\(found)")
        // dcmqrscp matches bytes: the key goes out in ISO_IR 100, as the name is stored.
        let latin = try await patientNames(port: peer.qrPort, aeTitle: "QRSCP", values: [.patientName: "Äneas*"])
        XCTAssertEqual(latin, ["Äneas^Rüdiger"])
    }

    func testPynetdicomQRSCPNamesArriveAsItSendsThem() async throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
        let probe = try ChildProcess.run(
            "/usr/bin/env", ["python3", "-c", "import pynetdicom, sqlalchemy"], timeout: 30)
        try XCTSkipUnless(probe.status == 0, "pynetdicom's qrscp needs sqlalchemy (scripts/setup installs it)")
        let examples = try exampleFiles()
        let directory = try makeTemporaryDirectory("charset-pyqr")
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = freeTCPPort()
        let ini = directory.appendingPathComponent("qrscp.ini")
        try """
        [DEFAULT]
            ae_title: PYQRSCP
            port: \(port)
            max_pdu: 16382
            acse_timeout: 30
            dimse_timeout: 30
            network_timeout: 30
            bind_address: 127.0.0.1
            instance_location: \(directory.appendingPathComponent("instances").path)
            database_location: \(directory.appendingPathComponent("instances.sqlite").path)
            log_identifier: False
        """.write(to: ini, atomically: true, encoding: .utf8)
        let qrscp = try ChildProcess(
            "/usr/bin/env", ["python3", "-m", "pynetdicom", "qrscp", "-c", ini.path], currentDirectory: directory)
        defer { qrscp.stop() }
        XCTAssertTrue(waitForPort(port, timeout: 30), qrscp.stderr)
        let load = try ChildProcess.run(
            dcmtk("storescu"), ["-aec", "PYQRSCP", "127.0.0.1", "\(port)"] + examples, timeout: 60)
        XCTAssertEqual(load.status, 0, load.stderr)
        let found = try await patientNames(port: port, aeTitle: "PYQRSCP")
        // pynetdicom's qrscp app writes its responses without (0008,0005), so pydicom replaces every
        // non-ASCII character by '?' before it sends: what arrives is that, read as such.
        XCTAssertEqual(found, ["?????????", "????^???=??^??=???^???", "Hong^Gildong=?^??=?^??"], qrscp.stderr)
    }

    /// A pynetdicom C-FIND SCP that answers with the examples' own (0008,0005) and names (pydicom encodes them).
    func testPynetdicomFindSCPWithTheExamplesCharacterSetsComesBackAsUTF8() async throws {
        let examples = try exampleFiles()
        let directory = try makeTemporaryDirectory("charset-pyfind")
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = freeTCPPort()
        let script = directory.appendingPathComponent("find_scp.py")
        try """
        import sys
        from pydicom import dcmread
        from pydicom.dataset import Dataset
        from pynetdicom import AE, evt
        from pynetdicom.sop_class import PatientRootQueryRetrieveInformationModelFind
        files = sys.argv[2:]
        def on_find(event):
            for path in files:
                stored = dcmread(path)
                match = Dataset()
                match.SpecificCharacterSet = stored.SpecificCharacterSet
                match.QueryRetrieveLevel = 'PATIENT'
                match.PatientName = stored.PatientName
                match.PatientID = stored.PatientID
                yield 0xFF00, match
        ae = AE(ae_title='PYFIND')
        ae.add_supported_context(PatientRootQueryRetrieveInformationModelFind)
        ae.start_server(('127.0.0.1', int(sys.argv[1])), evt_handlers=[(evt.EVT_C_FIND, on_find)])
        """.write(to: script, atomically: true, encoding: .utf8)
        let scp = try ChildProcess("/usr/bin/env", ["python3", script.path, "\(port)"] + examples)
        defer { scp.stop() }
        try XCTSkipUnless(waitForPort(port, timeout: 30), "pynetdicom did not start: \(scp.stderr)")
        let found = try await patientNames(port: port, aeTitle: "PYFIND")
        XCTAssertEqual(found, names, scp.stderr)
    }

    func testNonASCIINamesFindTheirPatientsInTheTestQRSCP() async throws {
        let examples = try exampleFiles()
        let directory = try makeTemporaryDirectory("charset-qrscp")
        defer { try? FileManager.default.removeItem(at: directory) }
        for path in examples {
            try FileManager.default.copyItem(
                atPath: path, toPath: directory.appendingPathComponent((path as NSString).lastPathComponent).path)
        }
        let scp = try await QRSCP.start(QRSCPConfiguration(directory: directory.path, port: 0, destinations: [:]))
        do {
            let all = try await patientNames(port: scp.port, aeTitle: "QRSCP")
            XCTAssertEqual(all, names)
            let greek = try await patientNames(port: scp.port, aeTitle: "QRSCP", values: [.patientName: "διονυσιος"])
            XCTAssertEqual(greek, ["Διονυσιος"], "ISO_IR 126 stored, ISO_IR 192 asked, case-insensitive")
            let kanji = try await patientNames(port: scp.port, aeTitle: "QRSCP", values: [.patientName: "山田*"])
            XCTAssertEqual(kanji, ["ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう"], "a component group matches")
            let hangul = try await patientNames(port: scp.port, aeTitle: "QRSCP", values: [.patientName: "홍^길동"])
            XCTAssertEqual(hangul, ["Hong^Gildong=洪^吉洞=홍^길동"])
        } catch {
            await scp.shutdown(gracePeriod: 1)
            throw error
        }
        await scp.shutdown(gracePeriod: 1)
    }
}

/// The request identifier's character set (IdentifierCharacterSet.request).
final class IdentifierCharacterSetTests: XCTestCase {
    private let patientName = Tag(0x0010, 0x0010)

    func testASCIIKeysAskForTheCharacterSetAsAReturnKey() throws {
        let request = try IdentifierCharacterSet.request(
            QueryParameters(values: [.patientName: "DOE*"]).findIdentifier(), queryCharacterSet: nil)
        XCTAssertEqual(request[Tag.specificCharacterSet]?.bytes, [], "(0008,0005) always asked for")
        XCTAssertEqual(request.bytes(patientName), Array("DOE*".utf8))
    }

    func testNonASCIIKeysUseTheSmallestStandardSet() throws {
        let latin = try IdentifierCharacterSet.request(
            QueryParameters(values: [.patientName: "Müller*"]).findIdentifier(), queryCharacterSet: nil)
        XCTAssertEqual(latin.string(Tag.specificCharacterSet), "ISO_IR 100")
        XCTAssertEqual(latin.bytes(patientName), [0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72, 0x2A])
        let kanji = try IdentifierCharacterSet.request(
            QueryParameters(values: [.patientName: "山田*"]).findIdentifier(), queryCharacterSet: nil)
        XCTAssertEqual(kanji.string(Tag.specificCharacterSet), "ISO_IR 192")
        XCTAssertEqual(kanji.bytes(patientName), Array("山田*".utf8))
    }

    func testQueryCharacterSetIsUsedWhenSet() throws {
        let japanese = try IdentifierCharacterSet.request(
            QueryParameters(values: [.patientName: "山田*"]).findIdentifier(), queryCharacterSet: "\\ISO 2022 IR 87")
        XCTAssertEqual(japanese.string(Tag.specificCharacterSet), "\\ISO 2022 IR 87")
        XCTAssertEqual(japanese.bytes(patientName), [0x1B, 0x24, 0x42, 0x3B, 0x33, 0x45, 0x44, 0x1B, 0x28, 0x42, 0x2A])
        XCTAssertThrowsError(
            try IdentifierCharacterSet.request(
                QueryParameters(values: [.patientName: "山田*"]).findIdentifier(), queryCharacterSet: "ISO_IR 100"))
    }

    func testAResponseWithoutItsOwnCharacterSetIsReadInTheRequests() throws {
        var request = DataSet()
        try request.set(Tag.specificCharacterSet, string: "ISO_IR 100")
        var response = DataSet()
        response.set(patientName, bytes: [0x4D, 0xFC], vr: .PN)
        XCTAssertEqual(IdentifierCharacterSet.response(response, request: request).string(patientName), "Mü")
    }
}
