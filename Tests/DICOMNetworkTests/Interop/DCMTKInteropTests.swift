import NIOCore
import TestSupport
import XCTest

@testable import DICOMNetwork

/// Interoperability with real peers on loopback: DCMTK 3.6.7 (`/usr/bin/...`) and pynetdicom.
final class DCMTKInteropTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
    }

    /// `echoscu` → our server: C-ECHO succeeds (exit status 0).
    func testEchoscuAgainstOurServer() async throws {
        let server = try await startEchoServer()
        let result = try ChildProcess.run(
            dcmtk("echoscu"), ["-aet", "ECHOSCU", "-aec", "DICOMLUA", "127.0.0.1", "\(server.port)"],
            timeout: 30)
        XCTAssertEqual(result.status, 0, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        await server.shutdown(gracePeriod: .seconds(5))
    }

    /// `echoscu` with the wrong called AE title: rejected, and DCMTK prints the reason we sent (1/1/7).
    func testEchoscuSeesTheRejectionReason() async throws {
        let server = try await startEchoServer()
        let result = try ChildProcess.run(
            dcmtk("echoscu"), ["-aet", "ECHOSCU", "-aec", "WRONG", "127.0.0.1", "\(server.port)"],
            timeout: 30)
        XCTAssertNotEqual(result.status, 0)
        let output = result.stdout + result.stderr
        XCTAssertTrue(output.contains("Called AE Title Not Recognized"), output)
        await server.shutdown(gracePeriod: .seconds(5))
    }

    /// Several `echoscu` runs in a row and at once each get their own association.
    func testConcurrentEchoscuRuns() async throws {
        let server = try await startEchoServer(maximumAssociations: 8)
        let processes = try (0..<4).map { _ in
            try ChildProcess(dcmtk("echoscu"), ["-aec", "DICOMLUA", "--repeat", "3", "127.0.0.1", "\(server.port)"])
        }
        for process in processes {
            XCTAssertEqual(process.wait(timeout: 30), 0, process.stdout + process.stderr)
        }
        await server.shutdown(gracePeriod: .seconds(5))
    }

    /// Our client → `storescp` (which answers C-ECHO): status 0, DCMTK's implementation identity seen.
    func testOurEchoAgainstStorescp() async throws {
        let port = freeTCPPort()
        let directory = try makeTemporaryDirectory("storescp")
        let storescp = try ChildProcess(dcmtk("storescp"), ["-aet", "STORESCP", "-od", directory.path, "\(port)"])
        defer { storescp.stop() }
        XCTAssertTrue(waitForPort(port), storescp.stderr)
        let association = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: port, callingAETitle: "DICOMLUA",
            calledAETitle: "STORESCP", contexts: [verificationContext])
        XCTAssertEqual(association.negotiated.peerImplementationClassUID?.hasPrefix("1.2.276.0.7230010.3"), true)
        XCTAssertEqual(association.negotiated.maximumPDULengthToSend, 16384)
        try await association.send(command: TestCommands.echoRQ(messageID: 1), contextID: 1)
        var iterator = association.messages.makeAsyncIterator()
        let response = try await iterator.next()
        XCTAssertEqual(response.flatMap { TestCommands.us(0x0900, in: $0.command) }, 0)
        try await association.release()
        let ended = await association.waitUntilEnded()
        XCTAssertNil(ended)
    }

    /// Our client → pynetdicom's echoscp: status 0.
    func testOurEchoAgainstPynetdicom() async throws {
        let port = freeTCPPort()
        let scp = try ChildProcess("/usr/bin/env", ["python3", "-m", "pynetdicom", "echoscp", "\(port)"])
        defer { scp.stop() }
        XCTAssertTrue(waitForPort(port, timeout: 30), scp.stderr)
        let association = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: port, callingAETitle: "DICOMLUA",
            calledAETitle: "ANY-SCP", contexts: [verificationContext])
        XCTAssertEqual(association.negotiated.peerImplementationVersionName?.hasPrefix("PYNETDICOM"), true)
        try await association.send(command: TestCommands.echoRQ(messageID: 3), contextID: 1)
        var iterator = association.messages.makeAsyncIterator()
        let response = try await iterator.next()
        XCTAssertEqual(response.flatMap { TestCommands.us(0x0900, in: $0.command) }, 0)
        XCTAssertEqual(response.flatMap { TestCommands.us(0x0120, in: $0.command) }, 3)
        try await association.release()
    }

    /// `storescp` refuses an unknown calling AE? No — it refuses an abstract syntax it does not support:
    /// our connect fails with the per-context reason instead of hanging.
    func testStorescpRejectingAllContextsFailsConnectCleanly() async throws {
        let port = freeTCPPort()
        let directory = try makeTemporaryDirectory("storescp")
        let storescp = try ChildProcess(dcmtk("storescp"), ["-od", directory.path, "\(port)"])
        defer { storescp.stop() }
        XCTAssertTrue(waitForPort(port), storescp.stderr)
        do {
            _ = try await DICOMAssociation.connect(
                host: "127.0.0.1", port: port, callingAETitle: "DICOMLUA", calledAETitle: "ANY-SCP",
                contexts: [
                    ProposedPresentationContext(
                        abstractSyntax: "1.2.840.10008.5.1.4.1.2.2.1",
                        transferSyntaxes: [TransferSyntaxUID.implicitVRLittleEndian])
                ])
            XCTFail("expected the connect to fail")
        } catch let error as AssociationError {
            XCTAssertTrue(error.description.contains("not-supported"), error.description)
        }
    }
}
