import TestSupport
import XCTest

/// No shell is ever used, so nothing from the network (AE titles, UIDs, file names, patient data) can
/// reach a command line (RELIABILITY.md, "Security"). A source scan: every file under `Sources/` is read,
/// and shell or process-spawning constructs fail the test unless the file is in the allow-list below with
/// the reason it is safe.
final class NoShellTests: XCTestCase {
    /// Constructs that run a shell or a command line.
    private let forbidden = [
        "/bin/sh", "/bin/bash", "/usr/bin/env", "system(", "popen(", "execl(", "execlp(", "execle(",
        "execvp(", "wordexp(", "\"-c\"", "os.execute", "io.popen", "NSTask",
    ]
    /// Constructs that start a process without a shell: allowed only where listed.
    private let spawning = ["posix_spawn(", "posix_spawnp(", "Process()", "execv(", "execve(", "fork("]
    /// Files allowed to spawn, and why that is safe.
    private let spawnAllowList: [String: String] = [
        // Starts the detached storage SCP service: our own executable by absolute path, a fixed argument
        // list (no network input), posix_spawn (no shell).
        "Sources/DICOMServices/StorageSCP/StorageServiceControl.swift": "spawns the dicomlua executable itself"
    ]

    private func sourceFiles() throws -> [(path: String, text: String)] {
        let root = packageRoot.appendingPathComponent("Sources")
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        var files: [(String, String)] = []
        for case let url as URL in walker where ["swift", "c", "h"].contains(url.pathExtension) {
            let relative = "Sources/" + url.path.dropFirst(root.path.count + 1)
            files.append((relative, try String(contentsOf: url, encoding: .utf8)))
        }
        return files
    }

    func testNoShellAnywhereInSources() throws {
        let files = try sourceFiles()
        XCTAssertGreaterThan(files.count, 50, "the scan must see the sources")
        for (path, text) in files {
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                if code.hasPrefix("//") || code.hasPrefix("///") || code.hasPrefix("*") { continue }
                for pattern in forbidden where line.contains(pattern) {
                    XCTFail("\(path):\(number + 1) uses \(pattern): \(code)")
                }
            }
        }
    }

    func testProcessesAreSpawnedOnlyFromTheAllowList() throws {
        for (path, text) in try sourceFiles() where spawnAllowList[path] == nil {
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                if code.hasPrefix("//") { continue }
                for pattern in spawning where line.contains(pattern) {
                    XCTFail("\(path):\(number + 1) starts a process (\(pattern)) outside the allow-list: \(code)")
                }
            }
        }
    }
}
