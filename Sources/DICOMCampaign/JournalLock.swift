import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The lock that lets one process run a journal (docs/design.md "Durable state is a database, not a hand-made file"): an exclusive
/// `flock` on `JOURNAL.lock`, which the kernel releases when the process dies, however it dies. The file
/// holds the holder's pid, host and start time only to name it in the refusal; it is never used to decide
/// whether the lock is held.
public final class JournalLock: @unchecked Sendable {
    public let path: String
    private var descriptor: Int32

    /// Takes the lock of the journal at `journalPath`.
    /// - Throws: `CampaignError` naming the holder when another process runs the journal.
    public init(journalPath: String) throws {
        path = journalPath + ".lock"
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CampaignError("cannot open the lock file '\(path)': \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.holder(descriptor)
            close(descriptor)
            descriptor = -1
            throw CampaignError(
                "the journal '\(journalPath)' is being run by another process (\(holder)); "
                    + "wait for it to end, or stop it, before running it again")
        }
        let host = ProcessInfo.processInfo.hostName
        let started = ISO8601DateFormatter().string(from: Date())
        let text = "pid \(getpid()) on \(host), started \(started)\n"
        _ = ftruncate(descriptor, 0)
        _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        _ = fsync(descriptor)
    }

    deinit { release() }

    /// Releases the lock (also done by the kernel when the process ends).
    public func release() {
        guard descriptor >= 0 else { return }
        _ = ftruncate(descriptor, 0)
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    static func holder(_ descriptor: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = pread(descriptor, &buffer, buffer.count, 0)
        let text =
            n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
        return text.isEmpty ? "holder unknown" : text
    }
}

extension JournalLock {
    /// Who runs the journal at `journalPath` now (nil when no process holds its lock): for `status`.
    public static func currentHolder(journalPath: String) -> String? {
        let path = journalPath + ".lock"
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            _ = flock(descriptor, LOCK_UN)
            return nil
        }
        return holder(descriptor)
    }
}
