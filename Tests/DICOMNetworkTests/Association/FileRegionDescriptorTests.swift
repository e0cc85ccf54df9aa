import Foundation
import NIOCore
import TestSupport
import XCTest

@testable import DICOMNetwork

/// A file sent by `FileRegionDataSetSource` is opened once per instance and closed when its C-STORE is
/// over — sent, failed or aborted: a long send of many instances (a C-MOVE or C-GET of a large study) never
/// runs the process out of file descriptors (docs/design.md "The send path changes thread only for the
/// disk").
final class FileRegionDescriptorTests: XCTestCase {
    let sc = TestDataSets.secondaryCapture

    /// A server whose C-STOREs go into a sink that only counts bytes.
    private func startServer() async throws -> (DICOMServer, CountingSink) {
        let sink = CountingSink()
        var configuration = AssociationConfiguration(maximumPDULength: 16384)
        configuration.dataSetSinkProvider = { _, _, message in
            if case .cStoreRQ = message { sink } else { nil }
        }
        let policy = AcceptancePolicy(supportedAbstractSyntaxes: [sc: TransferSyntaxUID.uncompressed])
        let server = try await DICOMServer.start(
            configuration: ServerConfiguration(policy: policy, association: configuration)
        ) {
            try? await $0.serve(store: { _ in .success })
        }
        return (server, sink)
    }

    private func connect(_ server: DICOMServer) async throws -> DICOMAssociation {
        try await DICOMAssociation.connect(
            host: "127.0.0.1", port: server.port, callingAETitle: "SCU", calledAETitle: "ANY",
            contexts: [
                ProposedPresentationContext(
                    abstractSyntax: sc, transferSyntaxes: [TransferSyntaxUID.implicitVRLittleEndian])
            ])
    }

    private func write(_ count: Int, bytes: Int, into directory: URL) throws -> [URL] {
        try (0..<count).map { index in
            let file = directory.appendingPathComponent("instance-\(bytes)-\(index).bin")
            try Data((0..<bytes).map { UInt8(truncatingIfNeeded: $0 &+ index) }).write(to: file)
            return file
        }
    }

    /// What each open descriptor of the process refers to (a file's path, `socket:[inode]`, …).
    private func describeDescriptors() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return names.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)") }
            .sorted()
    }

    /// The open descriptors that are files or sockets: the event loops' and thread pools' own descriptors
    /// (epoll, eventfd, timerfd), which NIO may create lazily while the test runs, are not counted.
    private func openDescriptors() throws -> Int {
        describeDescriptors().filter { $0.hasPrefix("/") || $0.hasPrefix("socket:") }.count
    }

    /// Waits (at most 10 s) until the count of open descriptors is `expected`; returns the last count.
    private func descriptors(settlingAt expected: Int) async throws -> Int {
        let deadline = Date().addingTimeInterval(10)
        var count = try openDescriptors()
        while count != expected, Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
            count = try openDescriptors()
        }
        return count
    }

    func testTwoHundredInstancesSentLeaveTheOpenDescriptorsWhereTheyWere() async throws {
        let (server, sink) = try await startServer()
        let directory = try makeTemporaryDirectory("fd")
        defer { try? FileManager.default.removeItem(at: directory) }
        // 200 small instances (one chunk each) and 3 of 2.5 MiB (three chunks each, two page-cache reads
        // and a short last one).
        let files = try write(200, bytes: 4_000, into: directory) + write(3, bytes: 2_621_440, into: directory)
        let association = try await connect(server)
        let before = try openDescriptors()
        for (index, file) in files.enumerated() {
            let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int)
            let response = try await association.store(
                sopClassUID: sc, sopInstanceUID: "1.2.3.\(index + 1)",
                dataSet: FileRegionDataSetSource(path: file.path, offset: 0, length: size))
            XCTAssertEqual(response.status, .success)
        }
        let after = try await descriptors(settlingAt: before)
        XCTAssertEqual(after, before, "every file sent was closed again")
        XCTAssertEqual(sink.bytes, 200 * 4_000 + 3 * 2_621_440, "every byte arrived")
        try await association.release()
        await server.shutdown(gracePeriod: .seconds(5))
    }

    /// A file shorter than announced, a missing one, and an association aborted while a large file is being
    /// sent: each send fails, and no descriptor stays open.
    func testFailedAndAbortedSendsCloseTheirFile() async throws {
        let (server, _) = try await startServer()
        let directory = try makeTemporaryDirectory("fd-fail")
        defer { try? FileManager.default.removeItem(at: directory) }
        let small = try write(1, bytes: 1_000, into: directory)[0]
        let large = try write(1, bytes: 24 << 20, into: directory)[0]
        let before = try openDescriptors()
        let listedBefore = describeDescriptors()

        let first = try await connect(server)
        do {
            _ = try await first.store(
                sopClassUID: sc, sopInstanceUID: "1.2.3.1",
                dataSet: FileRegionDataSetSource(path: small.path, offset: 0, length: 2_000))
            XCTFail("a file shorter than its announced length must fail the send")
        } catch {
            XCTAssertTrue("\(error)".contains("returned 1000 bytes at offset 0, expected 2000"), "\(error)")
        }
        _ = await first.waitUntilEnded()

        let second = try await connect(server)
        do {
            _ = try await second.store(
                sopClassUID: sc, sopInstanceUID: "1.2.3.2",
                dataSet: FileRegionDataSetSource(path: small.path + ".gone", offset: 0, length: 10))
            XCTFail("a missing file must fail the send")
        } catch let error as FileRegionReadError {
            XCTAssertTrue(error.description.contains("cannot read \(small.path).gone at byte 0"), error.description)
        }
        _ = await second.waitUntilEnded()

        let third = try await connect(server)
        let sc = self.sc
        let largePath = large.path
        let sending = Task {
            try await third.store(
                sopClassUID: sc, sopInstanceUID: "1.2.3.3",
                dataSet: FileRegionDataSetSource(path: largePath, offset: 0, length: 24 << 20))
        }
        await third.abort()
        _ = try? await sending.value  // sent before the abort, or failed by it: either way the file is closed
        _ = await third.waitUntilEnded()

        let after = try await descriptors(settlingAt: before)
        XCTAssertEqual(
            after, before,
            "no file and no socket left open; new: \(describeDescriptors().filter { !listedBefore.contains($0) })")
        await server.shutdown(gracePeriod: .seconds(5))
    }
}

/// A sink that counts the bytes it receives.
final class CountingSink: DataSetSink, @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func write(_ fragment: ByteBuffer) throws { lock.withLock { count += fragment.readableBytes } }
    func finish() throws {}
    func abandon() {}
    var bytes: Int { lock.withLock { count } }
}
