import DICOMCore
import Foundation
import NIOCore
import TestSupport
import XCTest

@testable import DICOMNetwork
@testable import DICOMServices

final class ReceivedInstanceStoreTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try makeTemporaryDirectory("store")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: folder)
    }

    private func sampleDataSet(patientID: String = "PID1", instanceNumber: String? = nil) throws -> [UInt8] {
        var ds = DataSet()
        try ds.set(.sopClassUID, string: "1.2.840.10008.5.1.4.1.1.7")
        try ds.set(.sopInstanceUID, string: "1.2.3.4")
        try ds.set(Tag(0x0010, 0x0020), string: patientID)
        try ds.set(Tag(0x0020, 0x000D), string: "1.2.3")
        try ds.set(Tag(0x0020, 0x000E), string: "1.2.3.1")
        if let instanceNumber { try ds.set(Tag(0x0020, 0x0013), string: instanceNumber) }
        return try DataSetWriter.encode(ds, transferSyntax: .explicitVRLittleEndian)
    }

    private func request(_ uid: String, messageID: UInt16 = 1) -> CStoreRQ {
        CStoreRQ(messageID: messageID, affectedSOPClassUID: "1.2.840.10008.5.1.4.1.1.7", affectedSOPInstanceUID: uid)
    }

    /// The accepted context a C-STORE of `request(_:)` arrives on.
    private let context = AcceptedPresentationContext(
        id: 1, abstractSyntax: "1.2.840.10008.5.1.4.1.1.7",
        transferSyntax: "1.2.840.10008.1.2.1", requestorIsSCU: true,
        requestorIsSCP: false)

    /// Streams `bytes` in two fragments (cut at `split`, by default in the middle) and returns the outcome
    /// the SCP would answer.
    private func receive(
        _ store: ReceivedInstanceStore, uid: String, bytes: [UInt8], split: Int? = nil
    ) throws -> Result<StoredInstance, StoreFailure> {
        let rq = request(uid)
        let sink = store.sink(for: rq, context: context, callingAETitle: "SENDER")
        let half = split ?? bytes.count / 2
        try sink.write(ByteBuffer(bytes: bytes[..<half]))
        try sink.write(ByteBuffer(bytes: bytes[half...]))
        var failure: String?
        do { try sink.finish() } catch { failure = "\(error)" }
        let incoming = IncomingStore(
            request: rq, contextID: 1, transferSyntax: "1.2.840.10008.1.2.1",
            dataSet: .streamed(failure: failure), sink: sink)
        let outcome = store.outcome(for: incoming, callingAETitle: "SENDER")
        let answered = try XCTUnwrap(sink as? any AnsweringDataSetSink, "the store's sinks answer their C-STORE")
        XCTAssertEqual(
            answered.responseStatus, ReceivedInstanceStore.status(of: outcome),
            "the status sent on the event loop is the outcome the service reports")
        return outcome
    }

    func testStreamedInstanceIsRenamedWithMetaAndIdenticalDataSet() throws {
        let store = try ReceivedInstanceStore(directory: folder.path)
        try store.prepare()
        let bytes = try sampleDataSet()
        let stored = try receive(store, uid: "1.2.3.4", bytes: bytes).get()
        XCTAssertEqual(stored.path, folder.path + "/1.2.3.4.dcm")
        XCTAssertEqual(stored.patientID, "PID1")
        XCTAssertEqual(stored.studyInstanceUID, "1.2.3")
        XCTAssertEqual(stored.seriesInstanceUID, "1.2.3.1")
        let file = try DICOMFile.read(path: stored.path)
        XCTAssertEqual(file.meta.string(.sourceApplicationEntityTitle), "SENDER")
        XCTAssertEqual(file.meta.string(.mediaStorageSOPInstanceUID), "1.2.3.4")
        let raw = try [UInt8](Data(contentsOf: URL(fileURLWithPath: stored.path)))
        XCTAssertEqual(Array(raw.suffix(bytes.count)), bytes, "data set bytes are stored as received")
        XCTAssertEqual(stored.bytes, raw.count)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.depotDirectory), [])
    }

    /// The header fields come from the first fragment in place when it reaches past Series Instance UID,
    /// from a copied prefix otherwise: the same fields wherever the data set is cut.
    func testHeaderFieldsAreTheSameWhereverTheFirstFragmentEnds() throws {
        let store = try ReceivedInstanceStore(directory: folder.path)
        try store.prepare()
        let bytes = try sampleDataSet(instanceNumber: "7")
        for split in 0...bytes.count {
            let stored = try receive(store, uid: "1.2.3.\(split + 10)", bytes: bytes, split: split).get()
            XCTAssertEqual(
                [stored.patientID, stored.studyInstanceUID, stored.seriesInstanceUID], ["PID1", "1.2.3", "1.2.3.1"],
                "first fragment of \(split) bytes")
        }
    }

    func testAbandonedInstanceLeavesNothing() throws {
        let store = try ReceivedInstanceStore(directory: folder.path)
        try store.prepare()
        let sink = try XCTUnwrap(
            store.sink(for: request("1.2.3.4"), context: context, callingAETitle: "SENDER"))
        try sink.write(ByteBuffer(bytes: try sampleDataSet().prefix(10)))
        sink.abandon()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.depotDirectory), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path + "/1.2.3.4.dcm"))
    }

    func testCraftedUIDsStayInsideTheFolder() throws {
        let store = try ReceivedInstanceStore(directory: folder.path)
        try store.prepare()
        for uid in ["../../x", "1.2/../3", String(repeating: "1", count: 200), "1.2\u{0}.3", "..", "/etc/passwd"] {
            let stored = try receive(store, uid: uid, bytes: try sampleDataSet()).get()
            XCTAssertTrue(stored.nameWasDerived, uid)
            XCTAssertEqual(
                URL(fileURLWithPath: stored.path).deletingLastPathComponent().standardized.path,
                folder.standardized.path, uid)
            XCTAssertTrue(URL(fileURLWithPath: stored.path).lastPathComponent.hasPrefix("invalid-uid-"))
            XCTAssertTrue(FileManager.default.fileExists(atPath: stored.path))
        }
    }

    func testDuplicatePolicies() throws {
        let overwrite = try ReceivedInstanceStore(directory: folder.path, duplicatePolicy: .overwrite)
        try overwrite.prepare()
        _ = try receive(overwrite, uid: "1.2.3.4", bytes: try sampleDataSet(patientID: "FIRST")).get()
        let second = try receive(overwrite, uid: "1.2.3.4", bytes: try sampleDataSet(patientID: "SECOND")).get()
        XCTAssertEqual(try DICOMFile.read(path: second.path).dataSet.string(Tag(0x0010, 0x0020)), "SECOND")

        let keep = try ReceivedInstanceStore(directory: folder.path, duplicatePolicy: .keep)
        let third = try receive(keep, uid: "1.2.3.4", bytes: try sampleDataSet(patientID: "THIRD")).get()
        XCTAssertTrue(third.keptExistingCopy)
        XCTAssertEqual(try DICOMFile.read(path: third.path).dataSet.string(Tag(0x0010, 0x0020)), "SECOND")
        let fresh = try receive(keep, uid: "1.2.3.5", bytes: try sampleDataSet()).get()
        XCTAssertFalse(fresh.keptExistingCopy)
        XCTAssertTrue(FileManager.default.fileExists(atPath: fresh.path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: keep.depotDirectory), [])
    }

    func testUnwritableFolderAnswersOutOfResources() throws {
        let store = try ReceivedInstanceStore(directory: folder.path)
        try store.prepare()
        // A file where the depot folder should be: unwritable even for root (ENOTDIR).
        try FileManager.default.removeItem(atPath: store.depotDirectory)
        _ = FileManager.default.createFile(atPath: store.depotDirectory, contents: Data())
        let rq = request("1.2.3.4")
        let sink = store.sink(for: rq, context: context, callingAETitle: "SENDER")
        XCTAssertThrowsError(try sink.write(ByteBuffer(bytes: [0, 0])))
        let incoming = IncomingStore(
            request: rq, contextID: 1, transferSyntax: "1.2.840.10008.1.2.1",
            dataSet: .streamed(failure: "refused"), sink: sink)
        let outcome = store.outcome(for: incoming, callingAETitle: "SENDER")
        XCTAssertEqual(ReceivedInstanceStore.status(of: outcome).code, 0xA700)
        XCTAssertEqual((sink as? any AnsweringDataSetSink)?.responseStatus.code, 0xA700)
    }

    func testCStoreOfAnotherSOPClassThanItsContextIsRefusedWithoutAFile() throws {
        let store = try ReceivedInstanceStore(directory: folder.path)
        try store.prepare()
        let rq = CStoreRQ(
            messageID: 1, affectedSOPClassUID: "1.2.840.10008.5.1.4.1.1.2", affectedSOPInstanceUID: "1.2.3.4")
        let sink = store.sink(for: rq, context: context, callingAETitle: "SENDER")
        XCTAssertThrowsError(try sink.write(ByteBuffer(bytes: try sampleDataSet())))
        XCTAssertEqual((sink as? any AnsweringDataSetSink)?.responseStatus.code, 0x0122)
        let incoming = IncomingStore(
            request: rq, contextID: 1, transferSyntax: "1.2.840.10008.1.2.1",
            dataSet: .streamed(failure: "refused"), sink: sink)
        guard case .failure(let failure) = store.outcome(for: incoming, callingAETitle: "SENDER") else {
            return XCTFail("a C-STORE on the wrong context was stored")
        }
        XCTAssertEqual(failure.status, 0x0122)
        XCTAssertTrue(failure.message.contains("negotiated for 1.2.840.10008.5.1.4.1.1.7"), failure.message)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["depot"])
    }

    func testTwoSinksForTheSameInstanceAndMessageIDKeepTheirOwnOutcomes() throws {
        // Two associations from one AE sending the same instance with the same message ID: each
        // association's answer is its own sink's result, whatever order they finish in.
        let store = try ReceivedInstanceStore(directory: folder.path, duplicatePolicy: .keep)
        try store.prepare()
        let rq = request("1.2.3.4")
        let first = store.sink(for: rq, context: context, callingAETitle: "SENDER")
        let second = store.sink(for: rq, context: context, callingAETitle: "SENDER")
        try first.write(ByteBuffer(bytes: try sampleDataSet(patientID: "FIRST")))
        try second.write(ByteBuffer(bytes: try sampleDataSet(patientID: "SECOND")))
        try second.finish()
        try first.finish()
        func outcome(_ sink: any DataSetSink) throws -> StoredInstance {
            try store.outcome(
                for: IncomingStore(
                    request: rq, contextID: 1, transferSyntax: "1.2.840.10008.1.2.1",
                    dataSet: .streamed(failure: nil), sink: sink),
                callingAETitle: "SENDER"
            ).get()
        }
        XCTAssertTrue(try outcome(first).keptExistingCopy, "the first finished second: the file was already there")
        XCTAssertFalse(try outcome(second).keptExistingCopy)
        XCTAssertEqual(try outcome(second).patientID, "SECOND")
    }

    func testDepotLeftoversAreRemoved() throws {
        let store = try ReceivedInstanceStore(directory: folder.path)
        try store.prepare()
        _ = FileManager.default.createFile(atPath: store.depotDirectory + "/crashed.part", contents: Data([1, 2, 3]))
        XCTAssertEqual(store.removeDepotLeftovers(), 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.depotDirectory), [])
    }

    func testDepotFilesOfALiveSCPSharingTheFolderStayAndThoseOfDeadOnesGo() throws {
        let store = try ReceivedInstanceStore(directory: folder.path)
        try store.prepare()
        // A file another live process is writing (it holds its lock), and one whose name carries the pid of
        // a live process (pid 1) that holds no lock on it: a re-used pid, or a zombie's.
        let live = "7-\(UUID().uuidString).part"
        let stale = "1-\(UUID().uuidString).part"
        for name in [live, stale] {
            _ = FileManager.default.createFile(atPath: store.depotDirectory + "/" + name, contents: Data([1]))
        }
        let holder = try ChildProcess(
            "/usr/bin/flock", ["--no-fork", "--exclusive", store.depotDirectory + "/" + live, "/bin/sleep", "30"])
        defer { holder.stop() }
        let deadline = Date().addingTimeInterval(10)
        while !isLocked(store.depotDirectory + "/" + live) && Date() < deadline { usleep(10_000) }
        XCTAssertEqual(store.removeDepotLeftovers(), 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.depotDirectory), [live])
        // Once its writer is gone (killed: the kernel releases the lock), the file goes too.
        kill(holder.process.processIdentifier, SIGKILL)
        holder.process.waitUntilExit()
        XCTAssertEqual(store.removeDepotLeftovers(), 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.depotDirectory), [])
    }

    func testAnInstanceBeingWrittenIsNotRemovedByAnotherStoresCleanUp() throws {
        let store = try ReceivedInstanceStore(directory: folder.path)
        try store.prepare()
        let rq = CStoreRQ(
            messageID: 1, affectedSOPClassUID: "1.2.840.10008.5.1.4.1.1.7", affectedSOPInstanceUID: "1.2.3.4.99")
        let instance = try store.beginInstance(rq, transferSyntaxUID: "1.2.840.10008.1.2.1", callingAETitle: "A")
        let other = try ReceivedInstanceStore(directory: folder.path)
        XCTAssertEqual(other.removeDepotLeftovers(), 0, "the file being written was taken for a leftover")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.depotDirectory).count, 1)
        instance.abandon()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.depotDirectory), [])
    }

    /// The clean-up of another store may take a depot file in the instant between its creation and its lock
    /// (no folder lock serializes them, `DepotLock`): the writer notices — its lock refused while the clean-up
    /// holds the file, or its file gone once it let go — and writes into a new file, so nothing is written
    /// into a file without a name.
    func testADepotFileTheCleanUpTookBeforeItsLockIsReplacedByANewOne() throws {
        let depot = try makeTemporaryDirectory("depot").path
        defer { try? FileManager.default.removeItem(atPath: depot) }
        var created: [String] = []
        var discarded: [String] = []
        var cleanUpHolds: Int32 = -1
        // First file: removed by the clean-up before its writer locks it. Second: the clean-up holds its lock.
        let (path, lock) = try DepotLock.creating(
            {
                let path = depot + "/\(created.count).part"
                XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data([1])))
                created.append(path)
                if created.count == 1 { XCTAssertEqual(DepotLock.removeUnlocked(in: depot), 1) }
                if created.count == 2 {
                    cleanUpHolds = open(path, O_RDONLY)
                    XCTAssertEqual(flock(cleanUpHolds, LOCK_EX | LOCK_NB), 0)
                }
                return (path, path)
            }, discard: { discarded.append($0) })
        defer { close(lock) }
        close(cleanUpHolds)
        XCTAssertEqual(created.count, 3)
        XCTAssertEqual(discarded, [created[0], created[1]])
        XCTAssertEqual(path, created[2])
        XCTAssertGreaterThanOrEqual(lock, 0)
        XCTAssertTrue(isLocked(path), "the new file is locked by its writer")
        XCTAssertEqual(DepotLock.removeUnlocked(in: depot), 1, "only the abandoned second file goes")
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
    }

    /// True when some other open file description holds a `flock` on `path`.
    private func isLocked(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return flock(fd, LOCK_EX | LOCK_NB) != 0
    }

    func testInvalidExtensionIsRefused() {
        XCTAssertThrowsError(try ReceivedInstanceStore(directory: folder.path, fileExtension: "../x"))
    }

    /// The derived name is the first 16 hex digits of SHA-256 of the UID bytes (FIPS 180-4's "abc" vector).
    func testDerivedNameIsTheSHA256PrefixOfTheUID() {
        let named = InstanceFileNaming.fileName(sopInstanceUID: "abc", fileExtension: "dcm")
        XCTAssertEqual(named.name, "invalid-uid-ba7816bf8f01cfea.dcm")
        XCTAssertTrue(named.derived)
    }
}
