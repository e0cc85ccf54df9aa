import NIOCore
import TestSupport
import XCTest

@testable import DICOMNetwork

/// Broken peers against our `DICOMServer` (RELIABILITY.md, "Network"): each fault ends only the
/// association that caused it, streaming sinks are abandoned (never finished), and the server serves the
/// next association.
final class PeerFaultTests: XCTestCase {
    /// A peer that resets the connection half-way through a PDU: the association ends with an error, the
    /// connection is gone, and a well-behaved client is served next.
    func testResetMidPDUEndsOnlyThatAssociation() async throws {
        let ends = Recorder<String>()
        let sinks = SinkFactory()
        let server = try await startStreamingServer(
            sinks: sinks, onEnd: { ends.append($0.map { "\($0)" } ?? "released") })
        let peer = try XCTUnwrap(FaultyPeer(port: server.port))
        XCTAssertTrue(try FaultWire.establish(peer))
        let pdu = FaultWire.storeCommand()
        peer.send(Array(pdu.prefix(pdu.count / 2)))  // header says more is coming
        peer.reset()
        let ended = await eventually { ends.all.count == 1 }
        XCTAssertTrue(ended, "the server ends the association")
        XCTAssertNotEqual(ends.all.first, "released", "a reset is not a release")
        let closed = await eventually { server.openConnections == 0 }
        XCTAssertTrue(closed, "the connection is closed")
        let served = await echoSucceeds(port: server.port)
        XCTAssertTrue(served, "the next association is served")
        await server.shutdown(gracePeriod: .seconds(5))
    }

    /// A peer that resets in the middle of a data set: the sink that was receiving it is abandoned (the
    /// storage SCP deletes its partial file there) and never finished; the server serves the next one.
    func testResetMidDataSetAbandonsTheSink() async throws {
        let sinks = SinkFactory()
        let server = try await startStreamingServer(sinks: sinks)
        let peer = try XCTUnwrap(FaultyPeer(port: server.port))
        XCTAssertTrue(try FaultWire.establish(peer))
        peer.send(FaultWire.storeCommand())
        peer.send(FaultWire.pData(isCommand: false, isLast: false, [UInt8](repeating: 0x41, count: 4000)))
        let streaming = await eventually { sinks.sinks.first?.bytesWritten == 4000 }
        XCTAssertTrue(streaming, "the first fragment reached the sink")
        peer.reset()
        let abandoned = await eventually { sinks.sinks.first?.abandoned == true }
        XCTAssertTrue(abandoned, "the sink is abandoned when the connection resets")
        XCTAssertEqual(sinks.sinks.first?.finished, false, "a partial data set is never finished")
        let served = await echoSucceeds(port: server.port)
        XCTAssertTrue(served, "the next association is served")
        await server.shutdown(gracePeriod: .seconds(5))
    }

    /// A peer that stops sending in the middle of an instance (and keeps the socket open): with a DIMSE
    /// time-out the server aborts the association (A-ABORT, then close) and abandons the sink.
    func testPeerSilentMidInstanceIsAbortedByTheDIMSETimeout() async throws {
        let ends = Recorder<String>()
        let sinks = SinkFactory()
        let server = try await startStreamingServer(
            sinks: sinks, dimseTimeout: .milliseconds(500),
            onEnd: { ends.append($0.map { "\($0)" } ?? "released") })
        let peer = try XCTUnwrap(FaultyPeer(port: server.port, timeout: 20))
        XCTAssertTrue(try FaultWire.establish(peer))
        peer.send(FaultWire.storeCommand())
        peer.send(FaultWire.pData(isCommand: false, isLast: false, [UInt8](repeating: 0x41, count: 1000)))
        // ... and nothing more.
        let abort = peer.readPDU()
        XCTAssertEqual(abort?.type, 0x07, "the server sends A-ABORT")
        XCTAssertTrue(peer.waitForClose(), "and closes the connection")
        let abandoned = await eventually { sinks.sinks.first?.abandoned == true }
        XCTAssertTrue(abandoned, "the partial instance's sink is abandoned")
        XCTAssertEqual(sinks.sinks.first?.finished, false)
        let reported = await eventually { ends.all.first?.contains("time") ?? false }
        XCTAssertTrue(reported, "the service sees a time-out: \(ends.all)")
        await server.shutdown(gracePeriod: .seconds(5))
    }

    /// Same, stopping half-way through a PDU of the data set.
    func testPeerSilentMidPDUOfADataSetIsAbortedByTheDIMSETimeout() async throws {
        let sinks = SinkFactory()
        let server = try await startStreamingServer(sinks: sinks, dimseTimeout: .milliseconds(500))
        let peer = try XCTUnwrap(FaultyPeer(port: server.port, timeout: 20))
        XCTAssertTrue(try FaultWire.establish(peer))
        peer.send(FaultWire.storeCommand())
        peer.send(FaultWire.pData(isCommand: false, isLast: false, [UInt8](repeating: 0x41, count: 1000)))
        let next = FaultWire.pData(isCommand: false, isLast: true, [UInt8](repeating: 0x42, count: 1000))
        peer.send(Array(next.prefix(300)))
        XCTAssertEqual(peer.readPDU()?.type, 0x07, "the server sends A-ABORT")
        XCTAssertTrue(peer.waitForClose())
        let abandoned = await eventually { sinks.sinks.first?.abandoned == true }
        XCTAssertTrue(abandoned)
        await server.shutdown(gracePeriod: .seconds(5))
    }

    /// A connection that sends nothing at all is closed when ARTIM expires, and frees its slot: with
    /// `maximumAssociations` 1, a real association is served afterwards.
    /// (The bare close is also covered by `LoopbackAssociationTests.testSilentPeerIsClosedByARTIM`.)
    func testSilentConnectionIsClosedByARTIMAndFreesItsSlot() async throws {
        let sinks = SinkFactory()
        let server = try await startStreamingServer(sinks: sinks, maximumAssociations: 1, artim: .milliseconds(400))
        let silent = try XCTUnwrap(FaultyPeer(port: server.port, timeout: 20))
        XCTAssertTrue(silent.waitForClose(), "closed by ARTIM")
        let freed = await eventually { server.openConnections == 0 }
        XCTAssertTrue(freed)
        let served = await echoSucceeds(port: server.port)
        XCTAssertTrue(served, "the slot is free again")
        await server.shutdown(gracePeriod: .seconds(5))
    }

    /// Eight peers at once against a limit of two: at most two are accepted, every other one gets
    /// A-ASSOCIATE-RJ 2/3/2 (rejected-transient, service-provider (presentation), local-limit-exceeded), and
    /// the accepted ones are still served; once they release, new associations are accepted again.
    func testMoreConnectionsThanTheMaximumAreRejected232AndRealOnesStillServed() async throws {
        let sinks = SinkFactory()
        let server = try await startStreamingServer(sinks: sinks, maximumAssociations: 2)
        let first = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: server.port, callingAETitle: "SCU",
            calledAETitle: "DICOMLUA", contexts: [verificationContext])
        let peers = (0..<8).compactMap { _ in FaultyPeer(port: server.port) }
        XCTAssertEqual(peers.count, 8)
        for peer in peers { peer.send(try FaultWire.associateRQ()) }
        var accepted: [FaultyPeer] = []
        var rejections = 0
        for peer in peers {
            guard let answer = peer.readPDU() else { return XCTFail("no answer to an A-ASSOCIATE-RQ") }
            if answer.type == 0x02 {
                accepted.append(peer)
            } else {
                XCTAssertEqual(answer.type, 0x03)
                XCTAssertEqual(answer.body, [0x00, 0x02, 0x03, 0x02], "A-ASSOCIATE-RJ 2/3/2")
                XCTAssertTrue(peer.waitForClose())
                rejections += 1
            }
        }
        XCTAssertLessThanOrEqual(accepted.count, 1, "the limit counts our own association too")
        XCTAssertEqual(rejections, 8 - accepted.count)
        // The real association is still served.
        try await first.send(command: TestCommands.echoRQ(messageID: 9), contextID: 1)
        var iterator = first.messages.makeAsyncIterator()
        let response = try await iterator.next()
        XCTAssertEqual(response.flatMap { TestCommands.us(0x0900, in: $0.command) }, 0)
        try await first.release()
        for peer in accepted {
            peer.send(FaultWire.releaseRQ)
            XCTAssertEqual(peer.readPDU()?.type, 0x06)
        }
        accepted.removeAll()
        let drained = await eventually { server.openConnections == 0 }
        XCTAssertTrue(drained)
        let served = await echoSucceeds(port: server.port)
        XCTAssertTrue(served, "accepted again once the others are gone")
        await server.shutdown(gracePeriod: .seconds(5))
    }
}
