import Foundation
import NIOCore
import NIOPosix
import TestSupport
import XCTest

@testable import DICOMNetwork

/// DICOM TLS in the one pipeline (docs/lua-api.md "DICOM TLS"): our requestor against our acceptor, the
/// refusals with their reasons on both sides, and a stalled handshake that never blocks the listener.
final class TLSAssociationTests: XCTestCase {
    private func cert(_ name: String) throws -> String { try TestCertificates.path(name) }

    /// A TLS echo server that requires client certificates from `ca.pem`; `failures` collects its reports.
    private func startTLSServer(
        failures: Recorder<String>, artim: TimeAmount = .seconds(5), verifyPeer: Bool = true,
        pendingConnectionTimeout: TimeAmount? = nil
    ) async throws -> DICOMServer {
        var association = AssociationConfiguration(artimTimeout: artim)
        var security = try TransportSecurity(
            settings: TLSSettings(
                certificate: cert("server.pem"), privateKey: cert("server.key"), ca: cert("ca.pem"),
                verifyPeer: verifyPeer),
            role: .acceptor)
        security.failureReporter = { failures.append($0) }
        association.transportSecurity = security
        return try await startEchoServer(association: association, pendingConnectionTimeout: pendingConnectionTimeout)
    }

    private func clientConfiguration(
        certificate: String?, key: String?, ca: String? = "ca.pem"
    ) throws
        -> AssociationConfiguration
    {
        var association = AssociationConfiguration(connectTimeout: .seconds(5), artimTimeout: .seconds(5))
        association.transportSecurity = try TransportSecurity(
            settings: TLSSettings(
                certificate: try certificate.map(cert), privateKey: try key.map(cert), ca: try ca.map(cert)),
            role: .requestor)
        return association
    }

    private func echo(port: Int, _ configuration: AssociationConfiguration) async throws {
        let association = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: port, callingAETitle: "TLSSCU", calledAETitle: "DICOMLUA",
            contexts: [verificationContext], configuration: configuration)
        let status = try await association.echo()
        XCTAssertTrue(status.isSuccess)
        try await association.release()
    }

    /// Connects and expects a failure; returns its description.
    private func failedConnect(port: Int, _ configuration: AssociationConfiguration) async -> String {
        do {
            let association = try await DICOMAssociation.connect(
                host: "127.0.0.1", port: port, callingAETitle: "TLSSCU", calledAETitle: "DICOMLUA",
                contexts: [verificationContext], configuration: configuration)
            // TLS 1.3: the server judges our certificate after our side finished; the refusal ends the
            // association on its first use.
            do {
                _ = try await association.echo()
                await association.abort()
                return "unexpectedly succeeded"
            } catch {
                return "\(error)"
            }
        } catch {
            return "\(error)"
        }
    }

    func testEchoOverTLSWithClientCertificates() async throws {
        let failures = Recorder<String>()
        let server = try await startTLSServer(failures: failures)
        try await echo(port: server.port, clientConfiguration(certificate: "client.pem", key: "client.key"))
        XCTAssertEqual(failures.all, [])
        await server.shutdown(gracePeriod: .seconds(2))
    }

    func testClientCertificateOfAnotherCAIsRefusedAndTheServerKeepsServing() async throws {
        let failures = Recorder<String>()
        let server = try await startTLSServer(failures: failures)
        let message = await failedConnect(
            port: server.port, try clientConfiguration(certificate: "other-client.pem", key: "other-client.key"))
        XCTAssertTrue(message.contains("unknown CA"), message)
        let reported = await eventually(timeout: 5) { !failures.all.isEmpty }
        XCTAssertTrue(reported)
        XCTAssertTrue(
            failures.all.first?.contains("certificate verify failed: unable to get local issuer certificate") == true,
            "\(failures.all)")
        try await echo(port: server.port, clientConfiguration(certificate: "client.pem", key: "client.key"))
        await server.shutdown(gracePeriod: .seconds(2))
    }

    func testExpiredClientCertificateIsRefused() async throws {
        let failures = Recorder<String>()
        let server = try await startTLSServer(failures: failures)
        let message = await failedConnect(
            port: server.port, try clientConfiguration(certificate: "expired.pem", key: "expired.key"))
        XCTAssertTrue(message.contains("expired"), message)
        let reported = await eventually(timeout: 5) { !failures.all.isEmpty }
        XCTAssertTrue(reported)
        XCTAssertTrue(
            failures.all.first?.contains("certificate verify failed: certificate has expired") == true,
            "\(failures.all)")
        await server.shutdown(gracePeriod: .seconds(2))
    }

    func testMissingClientCertificateIsRefusedWhenVerifyingThePeer() async throws {
        let failures = Recorder<String>()
        let server = try await startTLSServer(failures: failures)
        let message = await failedConnect(port: server.port, try clientConfiguration(certificate: nil, key: nil))
        XCTAssertTrue(message.contains("certificate"), message)
        let reported = await eventually(timeout: 5) { !failures.all.isEmpty }
        XCTAssertTrue(reported)
        XCTAssertTrue(failures.all.first?.contains("peer did not return a certificate") == true, "\(failures.all)")
        await server.shutdown(gracePeriod: .seconds(2))
    }

    func testServerCertificateOfAnUnknownCAIsRefusedByTheClient() async throws {
        let failures = Recorder<String>()
        let server = try await startTLSServer(failures: failures)
        let message = await failedConnect(
            port: server.port, try clientConfiguration(certificate: "client.pem", key: "client.key", ca: "other-ca.pem")
        )
        XCTAssertTrue(
            message.contains("certificate verify failed: unable to get local issuer certificate"), message)
        await server.shutdown(gracePeriod: .seconds(2))
    }

    func testPlainClientOnTheTLSPort() async throws {
        let failures = Recorder<String>()
        let server = try await startTLSServer(failures: failures)
        let message = await failedConnect(port: server.port, AssociationConfiguration(artimTimeout: .seconds(5)))
        XCTAssertFalse(message.contains("unexpectedly"), message)
        let reported = await eventually(timeout: 5) { !failures.all.isEmpty }
        XCTAssertTrue(reported)
        XCTAssertEqual(failures.all.count, 1, "\(failures.all)")
        XCTAssertTrue(
            failures.all.first?.contains(
                "a client spoke plain DICOM to this TLS port (an A-ASSOCIATE-RQ, PDU type 01H, arrived where a TLS "
                    + "ClientHello, 16H, was expected)") == true, "\(failures.all)")
        let freed = await eventually(timeout: 5) { server.pendingConnections == 0 && server.openConnections == 0 }
        XCTAssertTrue(freed, "the plain client's connection still holds a slot")
        try await echo(port: server.port, clientConfiguration(certificate: "client.pem", key: "client.key"))
        await server.shutdown(gracePeriod: .seconds(2))
    }

    /// Our plain SCP answers the ClientHello's first byte (16H, no PDU type) with an A-ABORT (PS3.8 §9.3.1,
    /// Evt19): the requestor names it instead of a TLS library code.
    func testTLSClientOnAPlainPort() async throws {
        let server = try await startEchoServer()
        let started = Date()
        let message = await failedConnect(
            port: server.port, try clientConfiguration(certificate: "client.pem", key: "client.key"))
        XCTAssertTrue(
            message.contains(
                "the remote answered without TLS (a DICOM A-ABORT, PDU type 07H, arrived where a TLS ServerHello, "
                    + "16H, was expected): its port speaks plain DICOM")
                || message.contains("the remote closed the connection without answering our TLS ClientHello"),
            message)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        await server.shutdown(gracePeriod: .seconds(2))
    }

    /// A peer that sends the start of a ClientHello and stalls is dropped when the pending-connection time-out
    /// fires — the one timer of a connection before its A-ASSOCIATE-RQ, TLS handshake included
    /// (docs/protocol-notes.md "DICOM TLS: who reports what") — with one message naming the handshake, its
    /// pending slot is freed, and other peers are served meanwhile. ARTIM (10 s) is longer than the pending
    /// time-out (2 s) to show which of the two owns the handshake.
    func testStalledHandshakeIsDroppedByThePendingTimeOutWithOneMessage() async throws {
        let failures = Recorder<String>()
        let server = try await startTLSServer(
            failures: failures, artim: .seconds(10), pendingConnectionTimeout: .seconds(4))
        let staller = try XCTUnwrap(RawTCPClient(port: server.port, timeout: 8))
        // A TLS handshake record header announcing 512 bytes, then a few of them.
        staller.send([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03])
        let pending = await eventually(timeout: 5) { server.pendingConnections == 1 }
        XCTAssertTrue(pending, "the staller does not count as a pending connection")
        let started = Date()
        try await echo(port: server.port, clientConfiguration(certificate: "client.pem", key: "client.key"))
        XCTAssertLessThan(Date().timeIntervalSince(started), 4, "the stalled handshake held up another peer")
        XCTAssertTrue(staller.waitForClose())
        XCTAssertLessThan(Date().timeIntervalSince(started), 9, "closed by ARTIM (10 s), not the pending time-out")
        let reported = await eventually(timeout: 5) { !failures.all.isEmpty }
        XCTAssertTrue(reported)
        XCTAssertEqual(failures.all.count, 1, "one timer, one message: \(failures.all)")
        XCTAssertTrue(
            failures.all.first?.hasSuffix(
                "failed: the TLS handshake did not complete within 4 s (the client stalled in the middle of its "
                    + "handshake)") == true, "\(failures.all)")
        let freed = await eventually(timeout: 5) { server.pendingConnections == 0 }
        XCTAssertTrue(freed, "the staller's pending slot was not freed")
        try await echo(port: server.port, clientConfiguration(certificate: "client.pem", key: "client.key"))
        await server.shutdown(gracePeriod: .seconds(2))
    }

    /// A client that connects to the TLS port and sends nothing is told apart from one that stalls mid-way.
    func testSilentClientOnTheTLSPortIsDroppedNamingTheHandshake() async throws {
        let failures = Recorder<String>()
        let server = try await startTLSServer(failures: failures, artim: .seconds(1))
        let silent = try XCTUnwrap(RawTCPClient(port: server.port, timeout: 8))
        XCTAssertTrue(silent.waitForClose())
        let reported = await eventually(timeout: 5) { !failures.all.isEmpty }
        XCTAssertTrue(reported)
        XCTAssertEqual(failures.all.count, 1, "\(failures.all)")
        XCTAssertTrue(
            failures.all.first?.hasSuffix("the TLS handshake did not complete within 1 s (the client sent nothing)")
                == true, "\(failures.all)")
        let freed = await eventually(timeout: 5) { server.pendingConnections == 0 }
        XCTAssertTrue(freed)
        await server.shutdown(gracePeriod: .seconds(2))
    }

    /// A client that completes its TLS handshake and then sends no A-ASSOCIATE-RQ is closed by the same pending
    /// time-out, and the TLS failure reporter says nothing: the handshake was not what was missing.
    func testCompletedHandshakeWithoutARequestIsClosedByThePendingTimeOutNotReportedAsTLS() async throws {
        let failures = Recorder<String>()
        let server = try await startTLSServer(
            failures: failures, artim: .seconds(10), pendingConnectionTimeout: .seconds(2))
        let security = try XCTUnwrap(
            try clientConfiguration(certificate: "client.pem", key: "client.key").transportSecurity)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        security.makeHandlers(
                            side: .requestor, serverHostname: "127.0.0.1", handshakeTimeout: .seconds(10)))
                }
            }
            .connect(host: "127.0.0.1", port: server.port).get()
        let started = Date()
        var done = false
        while !done && Date().timeIntervalSince(started) < 5 {
            done = try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.handler(type: TLSFailureHandler.self).handshakeDone
            }.get()
            if !done { try await Task.sleep(nanoseconds: 20_000_000) }
        }
        XCTAssertTrue(done, "the TLS handshake did not complete")
        defer { channel.close(promise: nil) }
        let closed = await eventually(timeout: 15) { !channel.isActive }
        XCTAssertTrue(closed, "the server never closed the connection")
        XCTAssertLessThan(Date().timeIntervalSince(started), 9, "closed by ARTIM (10 s), not the pending time-out")
        let freed = await eventually(timeout: 5) { server.pendingConnections == 0 }
        XCTAssertTrue(freed)
        XCTAssertEqual(failures.all, [], "the TLS reporter claimed a connection whose handshake completed")
        await server.shutdown(gracePeriod: .seconds(2))
    }

    func testWorldReadablePrivateKeyIsRefusedNamingTheFile() throws {
        let dir = try makeTemporaryDirectory("tls-key")
        let key = dir.appendingPathComponent("open.key").path
        try FileManager.default.copyItem(atPath: try cert("client.key"), toPath: key)
        chmod(key, 0o644)
        XCTAssertThrowsError(
            try TLSSettingsValidation.check(TLSSettings(certificate: try cert("client.pem"), privateKey: key))
        ) { error in
            XCTAssertTrue("\(error)".contains("private key file \(key)"), "\(error)")
            XCTAssertTrue("\(error)".contains("other users"), "\(error)")
        }
        XCTAssertThrowsError(try TLSSettingsValidation.profile(named: "tls-any")) { error in
            XCTAssertTrue("\(error)".contains("bcp195-nd"), "\(error)")
        }
        XCTAssertThrowsError(
            try TLSSettingsValidation.check(
                TLSSettings(certificate: dir.appendingPathComponent("none.pem").path, privateKey: key))
        ) { error in
            XCTAssertTrue("\(error)".contains("none.pem"), "\(error)")
        }
    }
}
