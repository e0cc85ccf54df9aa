import DICOMCore
import DICOMNetwork
import NIOCore
import TestSupport
import XCTest

@testable import DICOMServices

/// No SOP Instance UID or AE title from the network becomes a path outside the storage folder
/// (RELIABILITY.md, "Security"; docs/protocol-notes.md §5.2: DCMTK's storescp path traversal). Files are
/// named by `InstanceFileNaming`; the calling AE title only goes into the file meta.
final class StoragePathTraversalTests: XCTestCase {
    private static let escape = "/tmp/dicomlua-escape-\(UUID().uuidString)"
    /// UIDs a hostile peer may send.
    private let hostileUIDs = [
        "../../etc/x", "../../../../../../tmp/evil", escape, "..", ".", "1.2/../../3", "1.2\u{0}/../../x", "1.2\u{0}",
        String(repeating: "1.", count: 600) + "1", String(repeating: "9", count: 300), "1.2.3\\4", "~/x", "$(touch x)",
        "1.2.3 ", "%2e%2e%2fetc", "C:\\Windows\\x", "\u{202E}gpj.3.2.1", "1.2.840.10008.5.1.4.1.1.7.\u{1F600}",
    ]

    func testFileNamesStayInsideTheFolderForAnyUID() {
        for uid in hostileUIDs + ["1.2.3", "1.2.3\u{0}", "1.2.3 "] {
            let (name, _) = InstanceFileNaming.fileName(sopInstanceUID: uid, fileExtension: "dcm")
            XCTAssertFalse(name.contains("/"), "\(uid.debugDescription) → \(name)")
            XCTAssertFalse(name.contains("\u{0}"), "\(uid.debugDescription) → \(name)")
            XCTAssertFalse(name.hasPrefix("."), "\(uid.debugDescription) → \(name)")
            XCTAssertLessThanOrEqual(name.utf8.count, 255, "fits a file name: \(uid.debugDescription)")
            XCTAssertTrue(
                name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) },
                "\(uid.debugDescription) → \(name)")
        }
        XCTAssertEqual(
            InstanceFileNaming.fileName(sopInstanceUID: "1.2.3\u{0}", fileExtension: "dcm").name, "1.2.3.dcm",
            "a padded valid UID keeps its name")
    }

    /// Stores through the network path the storage SCP and C-GET use (`DICOMServer` streaming into
    /// `ReceivedInstanceStore`), with hostile UIDs and calling AE titles: every file lands directly in the
    /// folder, nothing appears next to it or at an absolute path.
    func testHostileUIDsAndAETitlesOverTheNetworkWriteOnlyInsideTheFolder() async throws {
        let root = try makeTemporaryDirectory("traversal")
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("a/b/store")
        let store = try ReceivedInstanceStore(directory: folder.path)
        try store.prepare()
        let sc = "1.2.840.10008.5.1.4.1.1.7"
        var configuration = AssociationConfiguration()
        configuration.dataSetSinkProvider = nil
        configuration.associationDataSetSinkProvider = { negotiated, contextID, _, message in
            guard case .cStoreRQ(let request) = message else { return nil }
            return negotiated.acceptedContexts[contextID].map {
                store.sink(for: request, context: $0, callingAETitle: negotiated.callingAETitle)
            }
        }
        let policy = AcceptancePolicy(supportedAbstractSyntaxes: [sc: TransferSyntaxUID.uncompressed])
        let server = try await DICOMServer.start(
            configuration: ServerConfiguration(policy: policy, association: configuration)
        ) { association in
            try? await association.serve(store: { incoming in
                ReceivedInstanceStore.status(
                    of: store.outcome(for: incoming, callingAETitle: association.negotiated.callingAETitle))
            })
        }
        var dataSet = DataSet()
        try dataSet.set(Tag(0x0008, 0x0016), string: sc)
        try dataSet.set(Tag(0x0010, 0x0020), string: "X")
        let bytes = ByteBuffer(bytes: try DataSetWriter.encode(dataSet, transferSyntax: .explicitVRLittleEndian))
        for calling in ["../../../../tmp", "/etc/passwd", "..", "A/B"] {
            let association = try await DICOMAssociation.connect(
                host: "127.0.0.1", port: server.port, callingAETitle: calling, calledAETitle: "ANY",
                contexts: [
                    ProposedPresentationContext(
                        abstractSyntax: sc, transferSyntaxes: [TransferSyntaxUID.explicitVRLittleEndian])
                ])
            for uid in hostileUIDs {
                let response = try await association.store(sopClassUID: sc, sopInstanceUID: uid, dataSet: bytes)
                XCTAssertEqual(response.status, .success, "\(uid.debugDescription) from \(calling)")
            }
            try await association.release()
        }
        await server.shutdown(gracePeriod: .seconds(5))

        XCTAssertFalse(FileManager.default.fileExists(atPath: Self.escape), "nothing at an absolute path")
        var outside: [String] = []
        let walker = FileManager.default.enumerator(atPath: root.path)
        while let relative = walker?.nextObject() as? String {
            if ["a", "a/b", "a/b/store", "a/b/store/depot"].contains(relative) { continue }
            let inFolder = relative.hasPrefix("a/b/store/") && !relative.dropFirst("a/b/store/".count).contains("/")
            if !inFolder { outside.append(relative) }
        }
        XCTAssertEqual(outside, [], "every file directly in the storage folder")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0 != "depot" }
        XCTAssertFalse(names.isEmpty)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: store.depotDirectory), [], "no partial file left")
        for name in names {
            XCTAssertTrue(name.hasSuffix(".dcm") && !name.hasPrefix("."), name)
            let file = try DICOMFile.read(path: folder.appendingPathComponent(name).path)
            XCTAssertEqual(file.dataSet.string(Tag(0x0010, 0x0020)), "X")
        }
    }
}
