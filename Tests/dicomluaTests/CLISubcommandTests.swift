import Foundation
import TestSupport
import XCTest

/// The one-shot subcommands (`echo`, `find`, `move`, `get`, `send`) as a user runs them, against DCMTK's
/// dcmqrscp (with its storescp as the move destination) and against `dicomlua qrscp` (docs/cli.md).
final class CLISubcommandTests: XCTestCase {
    private var directory: URL!
    private var environment: [String: String] = [:]

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built (run `swift build` first): \(dicomluaBinary)")
        }
        directory = try makeTemporaryDirectory("cli-sub")
        environment = [
            "DICOMLUA_CONFIG": directory.appendingPathComponent("user.json").path,
            "DICOMLUA_SYSTEM_CONFIG": directory.appendingPathComponent("system.json").path,
            "XDG_DATA_HOME": directory.path,
        ]
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    private func dicomlua(
        _ arguments: [String], timeout: TimeInterval = 60
    ) throws -> (
        status: Int32?, stdout: String, stderr: String
    ) {
        try ChildProcess.run(dicomluaBinary, arguments, environment: environment, timeout: timeout)
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Runs a Python snippet with `input` on standard input; returns its status and output.
    private func python(_ code: String, input: String) throws -> (status: Int32?, stdout: String, stderr: String) {
        let file = path("input-\(UUID().uuidString)")
        try input.write(toFile: file, atomically: true, encoding: .utf8)
        return try ChildProcess.run("/bin/sh", ["-c", "python3 -c \"$0\" < \"$1\"", code, file], timeout: 60)
    }

    func testUsageErrorsExitTwoInTheDicomluaStyle() throws {
        let cases: [([String], String)] = [
            (["--bogus"], "dicomlua: unrecognized option '--bogus'"),
            (["storescp", "--bogus"], "dicomlua: storescp: Unknown option '--bogus'"),
            (["echo"], "dicomlua: echo: Missing expected argument"),
            (["echo", "PACS@localhost"], "expected AET@HOST:PORT, the port is missing"),
            (["echo", "PACS@localhost:70000"], "the port must be a number from 1 to 65535, got '70000'"),
            (["echo", "NoSuchAE"], "'NoSuchAE' is neither AET@HOST:PORT nor an application entity of"),
            (["find", "PACS@localhost:104", "-k", "NoSuchKeyword=1"], "'NoSuchKeyword' is neither a DICOM keyword"),
            (["find", "PACS@localhost:104", "-k", "QueryRetrieveLevel=WARD"], "QueryRetrieveLevel must be PATIENT"),
            (["find", "PACS@localhost:104", "--csv", "--json"], "give at most one of --csv, --json"),
            (["move", "PACS@localhost:104"], "give at least one unique key"),
            (["send", "PACS@localhost:104", path("missing.dcm")], "no such file or folder"),
            (["echo", "PACS@localhost:104", "--log-format", "xml"], "--log-format"),
        ]
        for (arguments, expected) in cases {
            let result = try dicomlua(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.hasPrefix("dicomlua: "), "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(expected), "\(arguments): expected \(expected) in \(result.stderr)")
        }
        let help = try dicomlua(["find", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("Examples:"), help.stdout)
        XCTAssertTrue(help.stdout.contains("--log-format"), help.stdout)
    }

    func testEveryJobAgainstDcmqrscp() throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
        let peer = try QRTestPeer()
        defer { peer.stop() }
        let remote = "QRSCP@127.0.0.1:\(peer.qrPort)"

        let echo = try dicomlua(["echo", remote])
        XCTAssertEqual(echo.status, 0, echo.stderr)
        XCTAssertTrue(echo.stdout.hasPrefix("Echo Succeeded:"), echo.stdout)
        let closed = try dicomlua(["echo", "QRSCP@127.0.0.1:\(freeTCPPort())"])
        XCTAssertEqual(closed.status, 1, closed.stdout)
        XCTAssertTrue(closed.stdout.hasPrefix("Echo Failed:"), closed.stdout)

        // The table, the CSV and the DICOM JSON of one Patient Root PATIENT query.
        let table = try dicomlua(["find", remote, "-P", "-k", "QueryRetrieveLevel=PATIENT", "-k", "PatientID"])
        XCTAssertEqual(table.status, 0, table.stderr)
        let lines = table.stdout.split(separator: "\n")
        XCTAssertTrue(lines.first?.contains("PatientID") ?? false, table.stdout)
        XCTAssertTrue(table.stdout.contains("DOE^JOHN") && table.stdout.contains("SMITH^ANNA"), table.stdout)
        XCTAssertTrue(table.stderr.contains("2 matches"), table.stderr)

        let csv = try dicomlua(["find", remote, "-S", "-k", "PatientID=P1", "--csv"])
        XCTAssertEqual(csv.status, 0, csv.stderr)
        let parsed = try python(
            "import csv,sys; rows=list(csv.DictReader(sys.stdin)); print(len(rows), rows[0]['PatientID'], rows[0]['StudyDescription'])",
            input: csv.stdout)
        XCTAssertEqual(parsed.stdout, "1 P1 HEAD\n", parsed.stderr + csv.stdout)

        let json = try dicomlua([
            "find", remote, "-S", "-k", "QueryRetrieveLevel=SERIES", "-k",
            "StudyInstanceUID=1.2.826.0.1.3680043.2.1143.77.1", "--json",
        ])
        XCTAssertEqual(json.status, 0, json.stderr)
        let loaded = try python(
            """
            import json, sys
            from pydicom import Dataset
            sets = [Dataset.from_json(o) for o in json.load(sys.stdin)]
            print(len(sets), sorted(int(d.SeriesNumber) for d in sets), sets[0].Modality, sets[0].StudyInstanceUID)
            """, input: json.stdout)
        XCTAssertEqual(loaded.status, 0, loaded.stderr + json.stdout)
        XCTAssertEqual(loaded.stdout, "2 [1, 2] CT 1.2.826.0.1.3680043.2.1143.77.1\n", loaded.stderr)

        // C-MOVE to storescp (DESTAE, known to dcmqrscp): the summary counts what arrived.
        let move = try dicomlua(["move", remote, "-k", "PatientID=P2", "--dest", "DESTAE"])
        XCTAssertEqual(move.status, 0, move.stderr)
        XCTAssertTrue(move.stderr.contains("moved 2 instances"), move.stderr)
        XCTAssertEqual(peer.destinationFiles.count, 2)

        // C-MOVE to ourselves, an AE dcmqrscp does not know: status 1 with the archive's words.
        let unknown = try dicomlua(["move", remote, "-k", "PatientID=P2", "--dest", "NOBODY", "--dir", path("in")])
        XCTAssertEqual(unknown.status, 1, unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("dicomlua: move: "), unknown.stderr)

        // C-GET of one series into a folder.
        let get = try dicomlua([
            "get", remote, "-k", "StudyInstanceUID=1.2.826.0.1.3680043.2.1143.77.1",
            "-k", "SeriesInstanceUID=1.2.826.0.1.3680043.2.1143.77.1.1", "-k", "PatientID=P1", "--dir", path("got"),
        ])
        XCTAssertEqual(get.status, 0, get.stderr)
        XCTAssertTrue(get.stderr.contains("received 2 instances"), get.stderr)
        let got = try FileManager.default.contentsOfDirectory(atPath: path("got")).filter { $0.hasSuffix(".dcm") }
        XCTAssertEqual(got.count, 2, "\(got)")

        // C-STORE of a folder (recursively) to storescp, with JSON log lines.
        let nested = directory.appendingPathComponent("send/a/b")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        for file in peer.sourceFiles.prefix(3) {
            try FileManager.default.copyItem(
                atPath: file, toPath: nested.appendingPathComponent(URL(fileURLWithPath: file).lastPathComponent).path)
        }
        let before = peer.destinationFiles.count
        let send = try dicomlua([
            "send", "DESTAE@127.0.0.1:\(peer.destinationPort)", path("send"), "--log-level", "info",
            "--log-format", "json",
        ])
        XCTAssertEqual(send.status, 0, send.stderr)
        XCTAssertTrue(send.stderr.contains("sent 3 of 3 files"), send.stderr)
        XCTAssertEqual(peer.destinationFiles.count, before + 3)
        let logLines = send.stderr.split(separator: "\n").filter { $0.hasPrefix("{") }
        XCTAssertFalse(logLines.isEmpty, send.stderr)
        for line in logLines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            XCTAssertNotNil(object?["time"] as? String, String(line))
            XCTAssertEqual(object?["label"] as? String, "dicomlua.cli", String(line))
            XCTAssertEqual(object?["level"] as? String, "info", String(line))
            XCTAssertNotNil(object?["metadata"] as? [String: Any], String(line))
        }
    }

    func testFindMoveAndGetAgainstDicomluaQrscp() throws {
        let data = try dicomlua([
            "sample-data", path("pacs"), "--patients", "2", "--series", "1", "--instances", "2", "--rows", "16",
        ])
        XCTAssertEqual(data.status, 0, data.stderr)
        let (port, destinationPort) = (freeTCPPort(), freeTCPPort())
        let qrscp = try ChildProcess(
            dicomluaBinary,
            ["qrscp", "--dir", path("pacs"), "--port", "\(port)", "--dest", "CLI_IN=127.0.0.1:\(destinationPort)"],
            environment: environment)
        defer { qrscp.stop() }
        XCTAssertTrue(waitForPort(port), qrscp.stderr)
        let remote = "QRSCP@127.0.0.1:\(port)"

        let find = try dicomlua(["find", remote, "-S", "--json"])
        XCTAssertEqual(find.status, 0, find.stderr)
        let loaded = try python(
            "import json,sys; from pydicom import Dataset; print(sorted(str(Dataset.from_json(o).PatientID) for o in json.load(sys.stdin)))",
            input: find.stdout)
        XCTAssertEqual(loaded.stdout, "['PAT0001', 'PAT0002']\n", loaded.stderr + find.stdout)

        let move = try dicomlua([
            "move", remote, "-k", "PatientID=PAT0001", "--dest", "CLI_IN", "--dir", path("moved"),
            "--port", "\(destinationPort)",
        ])
        XCTAssertEqual(move.status, 0, move.stderr)
        XCTAssertTrue(move.stderr.contains("moved 2 instances"), move.stderr)
        let moved = try FileManager.default.contentsOfDirectory(atPath: path("moved")).filter { $0.hasSuffix(".dcm") }
        XCTAssertEqual(moved.count, 2)

        let get = try dicomlua(["get", remote, "-k", "PatientID=PAT0002", "--dir", path("got"), "--quiet"])
        XCTAssertEqual(get.status, 0, get.stderr)
        XCTAssertEqual(get.stderr, "", "--quiet prints no summary")
        let got = try FileManager.default.contentsOfDirectory(atPath: path("got")).filter { $0.hasSuffix(".dcm") }
        XCTAssertEqual(got.count, 2)

        let nothing = try dicomlua(["find", remote, "-k", "PatientID=NOBODY"])
        XCTAssertEqual(nothing.status, 0, nothing.stderr)
        XCTAssertEqual(nothing.stdout, "")
        XCTAssertTrue(nothing.stderr.contains("0 matches"), nothing.stderr)
    }

    /// On a terminal `send` draws the live line (`send 3/3`, redrawn with `\r`), then the summary; `--quiet`
    /// draws nothing.
    func testSendDrawsAProgressLineOnATerminalOnly() throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
        let data = try dicomlua([
            "sample-data", path("files"), "--patients", "1", "--series", "1", "--instances", "3", "--rows", "16",
        ])
        XCTAssertEqual(data.status, 0, data.stderr)
        let port = freeTCPPort()
        try FileManager.default.createDirectory(atPath: path("in"), withIntermediateDirectories: true)
        let storescp = try ChildProcess(dcmtk("storescp"), ["-aet", "IN", "-od", path("in"), "\(port)"])
        defer { storescp.stop() }
        XCTAssertTrue(waitForPort(port), storescp.stderr)
        let driver = """
            import os, pty, sys
            out = b""
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(sys.argv[1], sys.argv[1:])
            while True:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
            os.waitpid(pid, 0)
            sys.stdout.write(repr(out))
            """
        try driver.write(toFile: path("drive_tty.py"), atomically: true, encoding: .utf8)
        let terminal = try ChildProcess.run(
            "/usr/bin/env",
            ["python3", path("drive_tty.py"), dicomluaBinary, "send", "IN@127.0.0.1:\(port)", path("files")],
            environment: environment, timeout: 60)
        XCTAssertTrue(terminal.stdout.contains("\\r\\x1b[Ksend 3/3"), terminal.stdout + terminal.stderr)
        XCTAssertTrue(terminal.stdout.contains("sent 3 of 3 files"), terminal.stdout)
        let quiet = try ChildProcess.run(
            "/usr/bin/env",
            [
                "python3", path("drive_tty.py"), dicomluaBinary, "send", "IN@127.0.0.1:\(port)", path("files"),
                "--quiet",
            ],
            environment: environment, timeout: 60)
        XCTAssertEqual(quiet.stdout, "b''", quiet.stderr)
    }
}
