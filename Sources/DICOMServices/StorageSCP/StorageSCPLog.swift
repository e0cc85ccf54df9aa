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
/// `dicomlua storescp` writes it from a thread of its own (`StorageSCPOutput`), never from an event loop.
public final class StorageSCPLog: @unchecked Sendable {
    public static let maximumFileSize = 250 * 1024
    public let directory: String
    public var paths: [String] { [directory + "/storscp1.log", directory + "/storscp2.log"] }

    private let lock = NSLock()
    private let formatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
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

    /// Appends one line, timed `date`.
    public func write(type: String, _ details: String, at date: Date = Date()) {
        append([line(type: type, details, at: date)])
    }

    /// Appends the lines of several events at once (one `open` for all of them), each timed when it happened.
    public func record(_ events: [(event: StorageSCPEvent, date: Date)]) {
        append(
            events.compactMap { entry in
                Self.line(for: entry.event).map { line(type: $0.type, $0.details, at: entry.date) }
            })
    }

    /// Writes the line for an SCP event.
    public func record(_ event: StorageSCPEvent, at date: Date = Date()) {
        record([(event, date)])
    }

    /// The type and details of an event's line.
    private static func line(for event: StorageSCPEvent) -> (type: String, details: String)? {
        switch event {
        case let .started(aeTitle, port, directory):
            return ("start", "storage SCP \(aeTitle) listening on port \(port), storing into \(directory)")
        case .associationAccepted(let a):
            return (
                "association",
                "#\(a.id) accepted: calling \(a.callingAETitle), called \(a.calledAETitle), peer \(a.peer)"
            )
        case .associationRefused(let a):
            return (
                "association",
                "#\(a.id) refused by the on_association hook: calling \(a.callingAETitle), peer \(a.peer)"
            )
        case let .instanceStored(f, a):
            var details =
                "#\(a.id) \(f.path) sop_class \(f.sopClassUID) bytes \(f.bytes) ts \(f.transferSyntaxUID) from \(f.callingAETitle)"
            if f.keptExistingCopy { details += " (duplicate: existing copy kept)" }
            if f.nameWasDerived { details += " (invalid SOP Instance UID '\(f.sopInstanceUID)': derived name)" }
            return ("write", details)
        case let .storeFailed(uid, status, message, a):
            return (
                "error",
                "#\(a.id) C-STORE of \(uid) answered 0x\(String(status, radix: 16, uppercase: true)): \(message)"
            )
        case let .associationEnded(a, files, failure):
            return (
                "association",
                "#\(a.id) ended (\(failure.map { "aborted: \($0)" } ?? "released")), \(files.count) file(s) stored"
            )
        case .error(let message):
            return ("error", message)
        case .stopped:
            return ("stop", "storage SCP stopped")
        }
    }

    /// `<time> <type> <details>\n`; the formatter is used under the lock (it is not thread-safe).
    private func line(type: String, _ details: String, at date: Date) -> [UInt8] {
        let clean = details.replacingOccurrences(of: "\n", with: " ")
        let time = lock.withLock { formatter.string(from: date) }
        return Array("\(time) \(type) \(clean)\n".utf8)
    }

    /// Appends `lines` to the current file, switching files (ping-pong) whenever the next line would pass the size.
    private func append(_ lines: [[UInt8]]) {
        guard !lines.isEmpty else { return }
        lock.withLock {
            var fd = open(paths[current], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard fd >= 0 else { return }
            defer { close(fd) }
            var info = stat()
            var size = fstat(fd, &info) == 0 ? Int(info.st_size) : 0
            var pending: [UInt8] = []
            for line in lines {
                if size + line.count > maximumSize {
                    _ = pending.withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
                    pending.removeAll(keepingCapacity: true)
                    close(fd)
                    current = 1 - current
                    fd = open(paths[current], O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
                    guard fd >= 0 else { return }
                    size = 0
                }
                pending += line
                size += line.count
            }
            _ = pending.withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
        }
    }
}

@inline(__always)
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}
