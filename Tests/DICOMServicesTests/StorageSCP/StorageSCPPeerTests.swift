import DICOMCore
import DICOMNetwork
import DICOMServices
import Foundation
import NIOCore
import TestSupport
import XCTest

/// Collects SCP events from any thread.
final class EventRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [StorageSCPEvent] = []
    func record(_ event: StorageSCPEvent) { lock.withLock { list.append(event) } }
    var events: [StorageSCPEvent] { lock.withLock { list } }
    var stored: [StoredInstance] {
        events.compactMap { if case .instanceStored(let f, _) = $0 { return f } else { return nil } }
    }
}

final class StorageSCPPeerTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK not installed")
        root = try makeTemporaryDirectory("scp")
    }

    override func tearDown() {
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    private func startSCP(
        _ configure: (inout StorageSCPSettings) -> Void = { _ in },
        recorder: EventRecorder
    ) async throws -> StorageSCP {
        var settings = StorageSCPSettings(
            aeTitle: "OUR_SCP", host: "127.0.0.1", port: 0,
            directory: root.appendingPathComponent("incoming").path)
        configure(&settings)
        return try await StorageSCP.start(settings: settings, observer: { recorder.record($0) })
    }

    private func storescu(
        _ port: Int, _ files: [String], calling: String = "SENDER", called: String = "OUR_SCP",
        options: [String] = []
    ) throws -> (status: Int32?, stdout: String, stderr: String) {
        try ChildProcess.run(
            dcmtk("storescu"), options + ["-aet", calling, "-aec", called, "127.0.0.1", "\(port)"] + files,
            timeout: 120)
    }

    private func assertStoredIdentically(
        _ sources: [(uid: String, path: String)], in folder: String,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        for source in sources {
            let stored = folder + "/" + source.uid + ".dcm"
            XCTAssertTrue(FileManager.default.fileExists(atPath: stored), "missing \(stored)", file: file, line: line)
            XCTAssertEqual(
                try StorageTestFiles.dataSetBytes(ofFile: stored),
                try StorageTestFiles.dataSetBytes(ofFile: source.path),
                "data set of \(source.uid) differs from its source", file: file, line: line)
        }
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: folder + "/depot"), [], file: file, line: line)
    }

    func testDCMTKStorescuInstancesArriveByteIdentical() async throws {
        let recorder = EventRecorder()
        let scp = try await startSCP(recorder: recorder)
        let sources = try StorageTestFiles.make(count: 100, in: root.appendingPathComponent("src"), pixelBytes: 4096)
        let result = try storescu(scp.port, sources.map(\.path))
        await scp.stop()
        XCTAssertEqual(result.status, 0, result.stderr)
        try assertStoredIdentically(sources, in: scp.store.directory)
        let stored = recorder.stored
        XCTAssertEqual(stored.count, 100)
        XCTAssertEqual(stored.first?.callingAETitle, "SENDER")
        XCTAssertEqual(stored.first?.patientID, "PAT1")
        XCTAssertEqual(stored.first?.studyInstanceUID, "1.2.826.0.1.3680043.2.1143.1")
        let meta = try DICOMFile.read(path: stored[0].path).meta
        XCTAssertEqual(meta.string(.sourceApplicationEntityTitle), "SENDER")
        XCTAssertTrue(
            recorder.events.contains {
                if case .associationEnded(_, let files, nil) = $0 { return files.count == 100 } else { return false }
            })
    }

    func testPynetdicomStorescuInstancesArriveByteIdentical() async throws {
        let recorder = EventRecorder()
        let scp = try await startSCP(recorder: recorder)
        let sources = try StorageTestFiles.make(count: 100, in: root.appendingPathComponent("src"))
        let result = try ChildProcess.run(
            "/usr/bin/env",
            [
                "python3", "-m", "pynetdicom", "storescu", "127.0.0.1", "\(scp.port)",
                "-aet", "PYSENDER", "-aec", "OUR_SCP",
            ] + sources.map(\.path),
            timeout: 120)
        await scp.stop()
        XCTAssertEqual(result.status, 0, result.stderr)
        try assertStoredIdentically(sources, in: scp.store.directory)
        XCTAssertEqual(Set(recorder.stored.map(\.callingAETitle)), ["PYSENDER"])
    }

    func testConcurrentSendersLoseNothing() async throws {
        let recorder = EventRecorder()
        let scp = try await startSCP(recorder: recorder)
        var senders: [ChildProcess] = []
        var all: [(uid: String, path: String)] = []
        for index in 0..<10 {
            let sources = try StorageTestFiles.make(count: 50, in: root.appendingPathComponent("src\(index)"))
            all += sources
            senders.append(
                try ChildProcess(
                    dcmtk("storescu"),
                    [
                        "-aet", "SENDER\(index)", "-aec", "OUR_SCP", "127.0.0.1",
                        "\(scp.port)",
                    ] + sources.map(\.path)))
        }
        for sender in senders { XCTAssertEqual(sender.wait(timeout: 180), 0, sender.stderr) }
        await scp.stop()
        try assertStoredIdentically(all, in: scp.store.directory)
        XCTAssertEqual(recorder.stored.count, 500)
    }

    func testAcceptAnyNoRejectsUnknownCallingAETitle() async throws {
        let recorder = EventRecorder()
        let scp = try await startSCP({ $0.allowedCallingAETitles = ["KNOWN"] }, recorder: recorder)
        let sources = try StorageTestFiles.make(count: 1, in: root.appendingPathComponent("src"))
        let refused = try storescu(scp.port, sources.map(\.path), calling: "STRANGER")
        let accepted = try storescu(scp.port, sources.map(\.path), calling: "KNOWN")
        await scp.stop()
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue((refused.stdout + refused.stderr).contains("Calling AE Title Not Recognized"), refused.stderr)
        XCTAssertEqual(accepted.status, 0, accepted.stderr)
        XCTAssertEqual(recorder.stored.count, 1)
    }

    func testCalledAETitleMismatchIsRejectedUnlessUnchecked() async throws {
        let recorder = EventRecorder()
        let scp = try await startSCP(recorder: recorder)
        let sources = try StorageTestFiles.make(count: 1, in: root.appendingPathComponent("src"))
        let refused = try storescu(scp.port, sources.map(\.path), called: "SOMEONE_ELSE")
        await scp.stop()
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue((refused.stdout + refused.stderr).contains("Called AE Title Not Recognized"), refused.stderr)

        let lenient = try await startSCP({ $0.checkCalledAETitle = false }, recorder: recorder)
        let accepted = try storescu(lenient.port, sources.map(\.path), called: "SOMEONE_ELSE")
        await lenient.stop()
        XCTAssertEqual(accepted.status, 0, accepted.stderr)
    }

    func testUnwritableFolderAnswersOutOfResources() async throws {
        let recorder = EventRecorder()
        let scp = try await startSCP(recorder: recorder)
        // A file where the depot should be: unwritable even for root.
        try FileManager.default.removeItem(atPath: scp.store.depotDirectory)
        _ = FileManager.default.createFile(atPath: scp.store.depotDirectory, contents: Data())
        let sources = try StorageTestFiles.make(count: 1, in: root.appendingPathComponent("src"))
        let result = try storescu(scp.port, sources.map(\.path), options: ["-v"])
        await scp.stop()
        let output = (result.stdout + result.stderr).lowercased()
        XCTAssertTrue(output.contains("refused: outofresources"), result.stdout + result.stderr)
        XCTAssertTrue(
            recorder.events.contains {
                if case .storeFailed(_, 0xA700, _, _) = $0 { return true } else { return false }
            })
    }

    func testCraftedSOPInstanceUIDsStayInsideTheFolder() async throws {
        let recorder = EventRecorder()
        let scp = try await startSCP(recorder: recorder)
        let association = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: scp.port, callingAETitle: "SENDER", calledAETitle: "OUR_SCP",
            contexts: [
                ProposedPresentationContext(
                    abstractSyntax: "1.2.840.10008.5.1.4.1.1.7",
                    transferSyntaxes: ["1.2.840.10008.1.2.1"])
            ])
        let crafted = ["../../x", "1.2/../3", String(repeating: "9", count: 200), "1.2\u{0}.3"]
        for (index, uid) in crafted.enumerated() {
            var buffer = ByteBuffer()
            buffer.writeBytes([0x10, 0x00, 0x20, 0x00, 0x4C, 0x4F, 0x04, 0x00] + Array("P\(index)  ".utf8.prefix(4)))
            let response = try await association.store(
                sopClassUID: "1.2.840.10008.5.1.4.1.1.7", sopInstanceUID: uid,
                dataSet: buffer, moveOriginator: ("MOVER", UInt16(index + 7)))
            XCTAssertEqual(response.status.code, 0x0000, uid)
        }
        try await association.release()
        await scp.stop()
        let folder = URL(fileURLWithPath: scp.store.directory).standardized.path
        XCTAssertEqual(recorder.stored.count, crafted.count)
        XCTAssertEqual(recorder.stored.map(\.moveOriginatorMessageID), [7, 8, 9, 10])
        XCTAssertEqual(Set(recorder.stored.compactMap(\.moveOriginatorAETitle)), ["MOVER"])
        for stored in recorder.stored {
            XCTAssertTrue(stored.nameWasDerived)
            XCTAssertEqual(URL(fileURLWithPath: stored.path).deletingLastPathComponent().standardized.path, folder)
            XCTAssertTrue(FileManager.default.fileExists(atPath: stored.path))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("x").path))
    }

    /// `storedBeforeAnswer` hears of every file before the sender gets its C-STORE-RSP (what `info.files`
    /// of a C-MOVE relies on: the remote counts the instance in its next C-MOVE-RSP only after that answer).
    func testStoredBeforeAnswerRunsBeforeTheSenderIsAnswered() async throws {
        let early = Recorder<String>()
        var settings = StorageSCPSettings(
            aeTitle: "OUR_SCP", host: "127.0.0.1", port: 0,
            directory: root.appendingPathComponent("incoming").path)
        settings.checkCalledAETitle = false
        let scp = try await StorageSCP.start(
            settings: settings, storedBeforeAnswer: { early.append($0.sopInstanceUID) })
        let sc = "1.2.840.10008.5.1.4.1.1.7"
        let association = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: scp.port, callingAETitle: "SENDER", calledAETitle: "OUR_SCP",
            contexts: [ProposedPresentationContext(abstractSyntax: sc, transferSyntaxes: ["1.2.840.10008.1.2.1"])],
            configuration: AssociationConfiguration(dimseTimeout: .seconds(20)))
        for index in 1...20 {
            var dataSet = DataSet()
            try dataSet.set(.sopClassUID, string: sc)
            try dataSet.set(.sopInstanceUID, string: "1.2.3.5.\(index)")
            let bytes = ByteBuffer(bytes: try DataSetWriter.encode(dataSet, transferSyntax: .explicitVRLittleEndian))
            let response = try await association.store(
                sopClassUID: sc, sopInstanceUID: "1.2.3.5.\(index)", dataSet: bytes)
            XCTAssertEqual(response.status, .success)
            XCTAssertEqual(early.all.last, "1.2.3.5.\(index)", "known before the answer, not after")
        }
        try await association.release()
        await scp.stop()
    }

    /// A C-STORE whose Affected SOP Class UID is not the abstract syntax of the context it arrives on is
    /// refused with 0x0122 (the context carries one abstract syntax, PS3.8 §7.1.1.13): nothing is written, the failure is reported, and the
    /// association goes on to store a proper instance.
    func testCStoreOnAContextOfAnotherSOPClassIsRefused() async throws {
        let recorder = EventRecorder()
        let scp = try await startSCP(recorder: recorder)
        let secondaryCapture = "1.2.840.10008.5.1.4.1.1.7"
        let association = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: scp.port, callingAETitle: "SENDER", calledAETitle: "OUR_SCP",
            contexts: [
                ProposedPresentationContext(abstractSyntax: secondaryCapture, transferSyntaxes: ["1.2.840.10008.1.2.1"])
            ],
            configuration: AssociationConfiguration(dimseTimeout: .seconds(20)))
        let contextID = try XCTUnwrap(association.negotiated.acceptedContexts.keys.first)
        var dataSet = DataSet()
        try dataSet.set(.sopClassUID, string: "1.2.840.10008.5.1.4.1.1.2")
        try dataSet.set(.sopInstanceUID, string: "1.2.3.77")
        let bytes = ByteBuffer(bytes: try DataSetWriter.encode(dataSet, transferSyntax: .explicitVRLittleEndian))
        let wrong = CStoreRQ(
            messageID: 7, affectedSOPClassUID: "1.2.840.10008.5.1.4.1.1.2", affectedSOPInstanceUID: "1.2.3.77")
        try await association.send(wrong, dataSet: bytes, contextID: contextID)
        var messages = association.messages.makeAsyncIterator()
        let next = try await messages.next()
        let answer = try XCTUnwrap(next)
        guard case .cStoreRSP(let response) = try answer.dimse() else { return XCTFail("expected a C-STORE-RSP") }
        XCTAssertEqual(response.messageIDBeingRespondedTo, 7)
        XCTAssertEqual(response.status.code, 0x0122)
        let right = try await association.store(
            sopClassUID: secondaryCapture, sopInstanceUID: "1.2.3.78", dataSet: bytes)
        XCTAssertEqual(right.status, .success)
        try await association.release()
        XCTAssertTrue(StorageTestFiles.waitUntil { recorder.stored.count == 1 })
        await scp.stop()
        XCTAssertFalse(FileManager.default.fileExists(atPath: scp.store.directory + "/1.2.3.77.dcm"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: scp.store.directory + "/1.2.3.78.dcm"))
        let failures = recorder.events.compactMap { event -> (UInt16, String)? in
            if case .storeFailed(_, let status, let message, _) = event { return (status, message) } else { return nil }
        }
        XCTAssertEqual(failures.map(\.0), [0x0122])
        XCTAssertTrue(failures.first?.1.contains("negotiated for \(secondaryCapture)") == true, "\(failures)")
    }

    func testAbortMidInstanceLeavesNothing() async throws {
        let recorder = EventRecorder()
        let scp = try await startSCP(recorder: recorder)
        let depot = scp.store.depotDirectory
        let association = try await DICOMAssociation.connect(
            host: "127.0.0.1", port: scp.port, callingAETitle: "SENDER", calledAETitle: "OUR_SCP",
            contexts: [
                ProposedPresentationContext(
                    abstractSyntax: "1.2.840.10008.5.1.4.1.1.7",
                    transferSyntaxes: ["1.2.840.10008.1.2.1"])
            ])
        let request = CStoreRQ(
            messageID: 1, affectedSOPClassUID: "1.2.840.10008.5.1.4.1.1.7", affectedSOPInstanceUID: "1.2.3.99")
        let contextID = try XCTUnwrap(association.negotiated.acceptedContexts.keys.first)
        // The first MiB goes out; the second read waits until the depot file exists, then fails: A-ABORT.
        let source = HalfDataSetSource(depot: depot)
        do {
            try await association.send(command: request.encodedCommandSet(), dataSet: source, contextID: contextID)
            XCTFail("the send should have failed")
        } catch {}
        XCTAssertTrue(source.sawDepotFile, "the first fragment never reached the depot")
        XCTAssertTrue(
            StorageTestFiles.waitUntil {
                recorder.events.contains { if case .associationEnded = $0 { return true } else { return false } }
            })
        await scp.stop()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: depot), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: scp.store.directory + "/1.2.3.99.dcm"))
        XCTAssertTrue(recorder.stored.isEmpty)
    }
}

/// 3 MiB of data set of which only the first MiB can be read.
final class HalfDataSetSource: DataSetSource, @unchecked Sendable {
    let depot: String
    private(set) var sawDepotFile = false
    init(depot: String) { self.depot = depot }
    var length: Int { 3 << 20 }
    func read(offset: Int, length: Int) async throws -> ByteBuffer {
        if offset == 0 {
            // A valid start: (0008,0016) UI, then an OB element covering the rest.
            var buffer = ByteBuffer()
            buffer.writeBytes([0x08, 0x00, 0x16, 0x00, 0x55, 0x49, 0x02, 0x00, 0x31, 0x00])
            buffer.writeBytes([0xE0, 0x7F, 0x10, 0x00, 0x4F, 0x42, 0, 0])
            buffer.writeInteger(UInt32(self.length - 22), endianness: .little)
            buffer.writeBytes([UInt8](repeating: 7, count: length - 22))
            return buffer
        }
        sawDepotFile = StorageTestFiles.waitUntil {
            ((try? FileManager.default.contentsOfDirectory(atPath: depot)) ?? []).isEmpty == false
        }
        throw CocoaError(.fileReadUnknown)
    }
}
