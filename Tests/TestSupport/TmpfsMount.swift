import Foundation

/// A small tmpfs mounted on a fresh temporary folder (fault tests: a full disk, a read-only folder), via
/// `/usr/bin/mount`. Mounting needs privileges: `mount(...)` returns nil with the reason when the machine
/// does not allow it, so the test can skip with a clear message. Unmount with `unmount()` (tearDown);
/// deinit unmounts too.
public final class TmpfsMount {
    public let directory: URL
    private var mounted = true

    private init(directory: URL) { self.directory = directory }

    /// Mounts a tmpfs of `sizeKiB` KiB (read-only when asked). Returns the mount, or the reason it failed.
    public static func mount(sizeKiB: Int, readOnly: Bool = false) -> Result<TmpfsMount, MountUnavailable> {
        guard let directory = try? makeTemporaryDirectory("tmpfs") else {
            return .failure(MountUnavailable(reason: "cannot create a temporary folder"))
        }
        let options = "size=\(sizeKiB)k,mode=0755" + (readOnly ? ",ro" : "")
        guard
            let result = try? ChildProcess.run(
                "/usr/bin/mount", ["-t", "tmpfs", "-o", options, "tmpfs", directory.path],
                timeout: 20),
            result.status == 0
        else {
            try? FileManager.default.removeItem(at: directory)
            return .failure(
                MountUnavailable(reason: "mounting a tmpfs is not permitted here (needs root or CAP_SYS_ADMIN)"))
        }
        return .success(TmpfsMount(directory: directory))
    }

    public func unmount() {
        guard mounted else { return }
        mounted = false
        _ = try? ChildProcess.run("/usr/bin/umount", [directory.path], timeout: 20)
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { unmount() }

    public struct MountUnavailable: Error, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }
}
