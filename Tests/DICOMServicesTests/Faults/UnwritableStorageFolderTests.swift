import TestSupport
import XCTest

@testable import DICOMServices

/// A `StorScpDir` that cannot be written is reported when the service starts, naming the folder and the
/// system's reason (RELIABILITY.md, "Storage"), instead of failing every C-STORE later.
final class UnwritableStorageFolderTests: XCTestCase {
    private func assertStartFails(
        _ directory: String, mentions reason: String, file: StaticString = #filePath, line: UInt = #line
    ) async {
        do {
            let scp = try await StorageSCPUnderTest.start(directory: directory)
            await scp.stop()
            XCTFail("the service started on an unwritable folder \(directory)", file: file, line: line)
        } catch {
            let message = "\(error)"
            XCTAssertTrue(message.contains(directory), "names the folder: \(message)", file: file, line: line)
            XCTAssertTrue(message.contains(reason), "says why: \(message)", file: file, line: line)
            if let failure = error as? StoreFailure {
                XCTAssertEqual(failure.status >> 8, 0xA7, "an out-of-resources failure", file: file, line: line)
            }
        }
    }

    /// A read-only file system (a tmpfs mounted `ro`; root can write anywhere else): skipped when mounting
    /// is not permitted.
    func testReadOnlyFolderIsReportedAtStart() async throws {
        let mount: TmpfsMount
        switch TmpfsMount.mount(sizeKiB: 256, readOnly: true) {
        case .success(let m): mount = m
        case .failure(let why): throw XCTSkip("read-only folder test skipped: \(why)")
        }
        defer { mount.unmount() }
        await assertStartFails(mount.directory.path, mentions: "not writable: Read-only file system")
        await assertStartFails(
            mount.directory.appendingPathComponent("received").path, mentions: "cannot create folder")
    }

    /// A path through a regular file (works without privileges).
    func testFolderBelowARegularFileIsReportedAtStart() async throws {
        let folder = try makeTemporaryDirectory("notdir")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: file)
        await assertStartFails(file.appendingPathComponent("received").path, mentions: "cannot create folder")
    }

    /// Permission bits (only meaningful when not running as root, which bypasses them).
    func testFolderWithoutWritePermissionIsReportedAtStart() async throws {
        try XCTSkipIf(getuid() == 0, "root ignores permission bits; covered by the read-only mount test")
        let folder = try makeTemporaryDirectory("noperm")
        defer {
            chmod(folder.path, 0o755)
            try? FileManager.default.removeItem(at: folder)
        }
        chmod(folder.path, 0o555)
        await assertStartFails(folder.path, mentions: "not writable: Permission denied")
    }
}
