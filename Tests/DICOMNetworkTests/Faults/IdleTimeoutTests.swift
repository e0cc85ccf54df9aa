import NIOCore
import TestSupport
import XCTest

@testable import DICOMNetwork

/// `AssociationConfiguration.idleTimeout`: an established association whose peer sends nothing between
/// messages is aborted, so a forgotten or stuck sender does not hold a server slot forever; a peer that
/// keeps talking is never cut off.
final class IdleTimeoutTests: XCTestCase {
    func testSilentEstablishedAssociationIsAbortedAfterTheIdleTimeout() async throws {
        let ends = Recorder<String>()
        var settings = AssociationConfiguration()
        settings.idleTimeout = .milliseconds(500)
        let server = try await startEchoServer(
            maximumAssociations: 1, association: settings,
            onEnd: { ends.append($0.map { "\($0)" } ?? "released") })
        let association = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: server.port, callingAETitle: "SCU",
            calledAETitle: "DICOMLUA", contexts: [verificationContext])
        // Bounded: if the server never aborts, we abort after 10 s and the check below fails.
        let watchdog = Task {
            try await Task.sleep(nanoseconds: 10_000_000_000)
            await association.abort()
        }
        let ended = await association.waitUntilEnded()
        watchdog.cancel()
        guard case .aborted(_, byPeer: true, _)? = ended else {
            return XCTFail("expected an A-ABORT, got \(String(describing: ended))")
        }
        let reported = await eventually { !ends.all.isEmpty }
        XCTAssertTrue(reported)
        XCTAssertTrue(
            ends.all.first?.contains("association idle: the peer sent nothing for 500 ms between messages") == true,
            "\(ends.all)")
        // The slot is free again: a new association (limit 1) is served.
        let next = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: server.port, callingAETitle: "SCU",
            calledAETitle: "DICOMLUA", contexts: [verificationContext])
        let status = try await next.echo()
        XCTAssertEqual(status, .success)
        try await next.release()
        await server.shutdown(gracePeriod: .seconds(5))
    }

    func testAPeerThatKeepsTalkingIsNotCutOff() async throws {
        var settings = AssociationConfiguration()
        settings.idleTimeout = .milliseconds(600)
        let server = try await startEchoServer(association: settings)
        let association = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: server.port, callingAETitle: "SCU",
            calledAETitle: "DICOMLUA", contexts: [verificationContext])
        // 2 s of echoes 0.25 s apart: well past the idle time-out in total, never idle that long.
        for _ in 0..<8 {
            let status = try await association.echo()
            XCTAssertEqual(status, .success)
            try await Task.sleep(nanoseconds: 250_000_000)
        }
        try await association.release()
        await server.shutdown(gracePeriod: .seconds(5))
    }

    func testWithoutAnIdleTimeoutASilentAssociationStays() async throws {
        let server = try await startEchoServer()
        let association = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: server.port, callingAETitle: "SCU",
            calledAETitle: "DICOMLUA", contexts: [verificationContext])
        try await Task.sleep(nanoseconds: 700_000_000)
        let status = try await association.echo()
        XCTAssertEqual(status, .success, "no idle time-out unless configured")
        try await association.release()
        await server.shutdown(gracePeriod: .seconds(5))
    }
}
