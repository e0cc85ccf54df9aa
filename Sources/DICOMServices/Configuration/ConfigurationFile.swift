import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File operations of a configuration file: bounded reads, an exclusive lock shared by every process
/// (`flock` on `<file>.lock` beside it), and atomic replacement (temporary file in the same folder, `fsync`,
/// `rename`, `fsync` of the folder), so a reader sees the old file or the new one, never a mix.
struct ConfigurationFile {
    /// A configuration file larger than this is refused rather than read (a real one is a few KB).
    static let maximumFileSize = 4 * 1024 * 1024

    let url: URL
    var path: String { url.path }
    var lockPath: String { path + ".lock" }

    /// Errors of the operating system, with the call and the path.
    struct SystemError: Error {
        var message: String
        var isPermissionDenied: Bool
    }

    /// The file's bytes, or nil when it does not exist.
    func read() throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }  // missing (or a parent is not a folder)
            throw systemError("open \(path) for reading")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw systemError("stat \(path)") }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw SystemError(message: "\(path) is not a regular file", isPermissionDenied: false)
        }
        guard Int(info.st_size) <= Self.maximumFileSize else {
            throw SystemError(
                message: "\(path) is \(info.st_size) bytes, more than the \(Self.maximumFileSize) allowed",
                isPermissionDenied: false)
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw systemError("read \(path)")
            }
            if count == 0 { return bytes }
            guard bytes.count + count <= Self.maximumFileSize else {
                throw SystemError(
                    message: "\(path) grew beyond the \(Self.maximumFileSize) bytes allowed", isPermissionDenied: false)
            }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// Runs `body` while holding an exclusive `flock` on `<file>.lock`, creating the folder and the lock file
    /// if needed. Blocks until the lock is free; other processes and other descriptors of this process wait.
    func withExclusiveLock<T>(_ body: () throws -> T) throws -> T {
        try createParentDirectory()
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw systemError("create lock file \(lockPath)") }
        defer { close(fd) }  // closing the descriptor releases the lock
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw systemError("lock \(lockPath)") }
        }
        return try body()
    }

    /// Replaces the file with `text` atomically (mode 0644).
    func writeAtomically(_ text: String) throws {
        try createParentDirectory()
        let folder = url.deletingLastPathComponent().path
        var template = Array((folder + "/." + url.lastPathComponent + ".tmp-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw systemError("create a temporary file in \(folder)") }
        let temporaryPath = String(cString: template)
        var renamed = false
        defer { if !renamed { unlink(temporaryPath) } }
        do {
            defer { close(fd) }
            let bytes = Array(text.utf8)
            var written = 0
            while written < bytes.count {
                let count = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw systemError("write \(temporaryPath)")
                }
                written += count
            }
            guard fchmod(fd, 0o644) == 0 else { throw systemError("chmod \(temporaryPath)") }
            guard fsync(fd) == 0 else { throw systemError("fsync \(temporaryPath)") }
        }
        guard rename(temporaryPath, path) == 0 else { throw systemError("rename \(temporaryPath) to \(path)") }
        renamed = true
        let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderFD >= 0 {
            _ = fsync(folderFD)  // best effort: makes the rename durable
            close(folderFD)
        }
    }

    private func createParentDirectory() throws {
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            let denied =
                (error as NSError).code == CocoaError.fileWriteNoPermission.rawValue
                || access(existingAncestor(of: folder.path), W_OK) != 0
            throw SystemError(
                message: "cannot create folder \(folder.path): \(error.localizedDescription)",
                isPermissionDenied: denied)
        }
    }

    private func existingAncestor(of path: String) -> String {
        var candidate = URL(fileURLWithPath: path)
        while !FileManager.default.fileExists(atPath: candidate.path) && candidate.path != "/" {
            candidate.deleteLastPathComponent()
        }
        return candidate.path
    }

    private func systemError(_ what: String) -> SystemError {
        let code = errno
        return SystemError(
            message: "cannot \(what): \(String(cString: strerror(code)))",
            isPermissionDenied: code == EACCES || code == EPERM || code == EROFS)
    }
}
