import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who still writes a depot file (docs/protocol-notes.md §5), decided by a lock that the kernel releases with
/// the process: a pid test such as `kill(pid, 0)` is fooled by a zombie and by a re-used pid. Each writer holds an advisory `flock` (exclusive) on its own depot file, through a
/// descriptor opened with `O_CLOEXEC` so that a hook's child process never inherits it; the clean-up
/// removes every depot file that no open descriptor locks.
///
/// Creation and clean-up are serialized through a `flock` on the depot folder itself: a writer holds it
/// shared from creating its file until the file is locked, the clean-up holds it exclusively, so the
/// clean-up never sees a file in the instant between its creation and its lock. The depot holds nothing
/// but the files of transfers in flight.
enum DepotLock {
    /// Runs `body` (which creates a depot file) and then locks the file it names, with the depot folder
    /// locked shared. Returns the body's result and the descriptor holding the file's lock (close it to
    /// release the lock; -1 when the file could not be locked, which leaves it unprotected but usable).
    static func creating<T>(in depot: String, _ body: () throws -> (T, path: String)) rethrows -> (T, lock: Int32) {
        let folder = open(depot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 { flock(folder, LOCK_SH) }
        defer { if folder >= 0 { close(folder) } }  // closing releases the folder lock
        let (value, path) = try body()
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return (value, -1) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return (value, -1)
        }
        return (value, fd)
    }

    /// Removes the depot files that no live descriptor locks (their writer is gone, even when it is a zombie
    /// or its pid was re-used), with the depot folder locked exclusively. Returns how many were removed.
    static func removeUnlocked(in depot: String) -> Int {
        let folder = open(depot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folder >= 0 else { return 0 }
        defer { close(folder) }
        flock(folder, LOCK_EX)
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
