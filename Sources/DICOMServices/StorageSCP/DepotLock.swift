import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who still writes a depot file (docs/protocol-notes.md §5), decided by a lock that the kernel releases with
/// the process: a pid test such as `kill(pid, 0)` is fooled by a zombie and by a re-used pid. Each writer holds an
/// advisory `flock` (exclusive) on its own depot file, through a descriptor opened with `O_CLOEXEC` so that a
/// hook's child process never inherits it; the clean-up removes every depot file that no open descriptor locks.
///
/// A file is created before it is locked, so the clean-up may take one in that instant: it locks it and removes
/// it. The writer then finds its own lock refused (the clean-up holds it) or its file without a name
/// (`st_nlink` 0 once the clean-up let go) and starts again with a new file, as a lock file's owner checks that
/// the lock is on the file its name still leads to. No lock on the depot folder is needed, so writers pay one
/// `open`, one `flock` and one `fstat` per file and never wait for each other.
enum DepotLock {
    /// The clean-up removed the depot file before it could be locked, every time it was created.
    struct Lost: Error, CustomStringConvertible {
        var path: String
        var description: String { "the depot file \(path) was removed by a concurrent clean-up of the depot" }
    }

    /// Runs `create` (which creates a depot file and names it) and locks the file it names; when the clean-up
    /// took the file first, `discard`s it and creates another (at most `attempts` in all). Returns the
    /// result and the descriptor holding the file's lock (close it to release the lock; -1 when the file could
    /// not be locked for another reason, which leaves it unprotected but usable, as it always was).
    static func creating<T>(
        attempts: Int = 3, _ create: () throws -> (T, path: String), discard: (T) -> Void
    ) throws -> (T, lock: Int32) {
        var attempt = 0
        while true {
            attempt += 1
            let (value, path) = try create()
            let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            // Not openable for any reason but a missing name (no descriptor left, …): no lock, as before.
            if fd < 0 && errno != ENOENT { return (value, -1) }
            if fd >= 0 {
                if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                    let refused = errno
                    close(fd)
                    // Any reason but another holder (the clean-up): no lock, as before.
                    if refused != EWOULDBLOCK { return (value, -1) }
                } else {
                    var status = stat()
                    if fstat(fd, &status) != 0 || status.st_nlink > 0 { return (value, fd) }
                    close(fd)
                }
            }
            discard(value)
            guard attempt < attempts else { throw Lost(path: path) }
        }
    }

    /// Removes the depot files that no live descriptor locks (their writer is gone, even when it is a zombie
    /// or its pid was re-used). Returns how many were removed.
    static func removeUnlocked(in depot: String) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: depot) else { return 0 }
        var removed = 0
        for name in names {
            let path = depot + "/" + name
            let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
            if fd < 0 {
                // Not openable (a symbolic link, a fifo without writer, no permission): not ours to keep.
                if unlink(path) == 0 { removed += 1 }
                continue
            }
            if flock(fd, LOCK_EX | LOCK_NB) == 0, unlink(path) == 0 { removed += 1 }
            close(fd)
        }
        return removed
    }
}
