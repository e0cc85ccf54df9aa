import DICOMCore
import TestSupport
import XCTest

@testable import DICOMServices

/// The storage folder fills up during a store (RELIABILITY.md, "Storage"): a 2 MiB tmpfs receives a
/// 2 MiB image from `/usr/bin/storescu`. The C-STORE is answered 0xA700 (Refused: out of resources), no
/// partial file is left (in the folder or its depot), and the space is free again for the next instance.
final class DiskFullTests: XCTestCase {
    private var mount: TmpfsMount?

    override func setUpWithError() throws {
        try XCTSkipUnless(dcmtkAvailable, "DCMTK is not installed")
        switch TmpfsMount.mount(sizeKiB: 2048) {
        case .success(let m): mount = m
        case .failure(let why): throw XCTSkip("disk-full test skipped: \(why)")
        }
    }

    override func tearDown() {
        mount?.unmount()
        mount = nil
    }

    func testStoreThatFillsTheDiskIsRefusedA700WithNoPartialFile() async throws {
        let tmpfs = try XCTUnwrap(mount).directory
        let sources = try makeTemporaryDirectory("diskfull-src")
        defer { try? FileManager.default.removeItem(at: sources) }
        _ = try SampleDataGenerator.generate(
            into: sources.appendingPathComponent("big").path,
            options: SampleDataOptions(patients: 1, studies: 1, series: 1, instances: 1, rows: 1024))
        _ = try SampleDataGenerator.generate(
            into: sources.appendingPathComponent("small").path,
            options: SampleDataOptions(patients: 1, studies: 1, series: 1, instances: 1, rows: 64))
        let big = try XCTUnwrap(files(in: sources.appendingPathComponent("big")).first)
        let small = try XCTUnwrap(files(in: sources.appendingPathComponent("small")).first)
        let folder = tmpfs.appendingPathComponent("received")
        let scp = try await StorageSCPUnderTest.start(directory: folder.path)

        let full = try ChildProcess.run(
            dcmtk("storescu"), ["-v", "-aec", StorageSCPUnderTest.aeTitle, "127.0.0.1", "\(scp.port)", big],
            timeout: 60)
        let output = full.stdout + full.stderr
        XCTAssertTrue(
            output.contains("Received Store Response (Refused: OutOfResources)"),
            "storescu reports the 0xA7xx status: \(output)")
        XCTAssertEqual(full.status, 0xA7, "storescu exits with the status' high byte (0xA7)")
        XCTAssertEqual(try names(in: folder), ["depot"], "no file for the refused instance")
        XCTAssertEqual(try names(in: folder.appendingPathComponent("depot")), [], "no partial file in the depot")

        let next = try ChildProcess.run(
            dcmtk("storescu"), ["-v", "-aec", StorageSCPUnderTest.aeTitle, "127.0.0.1", "\(scp.port)", small],
            timeout: 60)
        XCTAssertEqual(next.status, 0, next.stdout + next.stderr)
        XCTAssertEqual(try names(in: folder).count, 2, "the space was freed: the next instance is stored")
        await scp.stop()
    }

    private func files(in directory: URL) throws -> [String] {
        let walker = FileManager.default.enumerator(atPath: directory.path)
        var result: [String] = []
        while let relative = walker?.nextObject() as? String {
            let path = directory.appendingPathComponent(relative).path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                result.append(path)
            }
        }
        return result
    }

    private func names(in directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }
}
