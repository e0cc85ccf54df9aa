import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The storage SCP's log (docs/idl-reference.md §4: `storscp1.log` / `storscp2.log` in `LogDir`): one line per
/// event, `<ISO 8601 UTC time> <type> <details>`, type `start`, `association`, `write` or `error` (and
/// `stop`). Ping-pong: when the current file would exceed `maximumFileSize` (250 KB), the other file is
/// truncated and becomes the current one. At start the more recently modified file is continued.
/// Thread-safe; a log that cannot be written is silently skipped (the SCP keeps storing).
public final class StorageSCPLog: @unchecked Sendable {
    public static let maximumFileSize = 250 * 1024
    public let directory: String
    public var paths: [String] { [directory + "/storscp1.log", directory + "/storscp2.log"] }

    private let lock = NSLock()
    private var current: Int
    private let maximumSize: Int

    public init(directory: String, maximumFileSize: Int = StorageSCPLog.maximumFileSize) {
        self.directory = directory
        self.maximumSize = maximumFileSize
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let dates = [directory + "/storscp1.log", directory + "/storscp2.log"].map { path -> Date in
            ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? .distantPast
        }
        current = dates[1] > dates[0] ? 1 : 0
    }

    /// Appends one line.
    public func write(type: String, _ details: String) {
        let clean = details.replacingOccurrences(of: "\n", with: " ")
        let line = "\(Self.timestamp()) \(type) \(clean)\n"
        let bytes = Array(line.utf8)
        lock.withLock {
            var path = paths[current]
            if fileSize(path) + bytes.count > maximumSize {
                current = 1 - current
                path = paths[current]
                truncate(path, 0)
            }
            let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard fd >= 0 else { return }
            _ = bytes.withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
    }

    /// Writes the line for an SCP event.
    public func record(_ event: StorageSCPEvent) {
        switch event {
        case let .started(aeTitle, port, directory):
            write(type: "start", "storage SCP \(aeTitle) listening on port \(port), storing into \(directory)")
        case .associationAccepted(let a):
            write(
                type: "association",
                "#\(a.id) accepted: calling \(a.callingAETitle), called \(a.calledAETitle), peer \(a.peer)")
        case .associationRefused(let a):
            write(
                type: "association",
                "#\(a.id) refused by the on_association hook: calling \(a.callingAETitle), peer \(a.peer)")
        case let .instanceStored(f, a):
            var details =
                "#\(a.id) \(f.path) sop_class \(f.sopClassUID) bytes \(f.bytes) ts \(f.transferSyntaxUID) from \(f.callingAETitle)"
            if f.keptExistingCopy { details += " (duplicate: existing copy kept)" }
            if f.nameWasDerived { details += " (invalid SOP Instance UID '\(f.sopInstanceUID)': derived name)" }
            write(type: "write", details)
        case let .storeFailed(uid, status, message, a):
            write(
                type: "error",
                "#\(a.id) C-STORE of \(uid) answered 0x\(String(status, radix: 16, uppercase: true)): \(message)")
        case let .associationEnded(a, files, failure):
            write(
                type: "association",
                "#\(a.id) ended (\(failure.map { "aborted: \($0)" } ?? "released")), \(files.count) file(s) stored")
        case .error(let message):
            write(type: "error", message)
        case .stopped:
            write(type: "stop", "storage SCP stopped")
        }
    }

    private func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    private static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}

@inline(__always)
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}
