import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `IDLffDicomExCfg::StorageScpService` and `storage_scp.start/stop/status` (docs/lua-api.md): controls the storage
/// SCP service, a detached `dicomlua storescp` process configured from the system configuration, and answers
/// with IDL's UNIX strings verbatim (docs/idl-reference.md §4.2).
///
/// Control channel: signals, not IDL's `StorScpCtrlPort` TCP port (which any local user or, bound to all
/// interfaces, any host could reach). The service writes `<LogDir>/storscp.pid` once it listens; `stop` sends
/// SIGTERM to that pid only after checking that the process is a `dicomlua storescp` (`/proc/<pid>/cmdline`)
/// whose real uid is ours — or that we are root; the kernel refuses signals to another user's process anyway.
/// A pid file whose process is gone (crash, `kill -9`) or is not a storescp is stale: removed and reported as
/// not running. `start` spawns `setsid -f <dicomlua> storescp --config <file> --service` (stdin/stdout/stderr
/// to /dev/null, its own session, not our child) and waits (at most `startTimeout` seconds) for the service
/// to report through a pipe that it listens, or why it failed (that reason is in its log, `storscp1.log`).
public enum StorageServiceControl {
    /// The pid file's name inside `LogDir`.
    public static let pidFileName = "storscp.pid"
    /// The lock file's name inside `LogDir`: the service holds an exclusive `flock` on it from before it
    /// listens until it exits; the kernel releases it when the process ends however it ends, so "is it
    /// running" never depends on a file that a crash left behind.
    public static let lockFileName = "storscp.lock"
    /// How long `start` waits for the service to listen.
    public static let startTimeout: Double = 20
    /// How long `stop` waits for the service to exit beyond its own bound (transfers in flight 30 s, then
    /// `HookDrainTimeout`, then a 5 s watchdog): `stop` answers only once the process is gone.
    public static let stopMargin: Double = 45

    /// `command` is `start`, `stop` or `status` in any case; anything else throws (misuse).
    /// `systemConfigurationPath` is the system configuration file the service reads.
    public static func perform(_ command: String, systemConfigurationPath: String) throws -> String {
        switch command.lowercased() {
        case "start": return start(systemConfigurationPath)
        case "stop": return stop(systemConfigurationPath)
        case "status": return isRunning(systemConfigurationPath) ? "service running" : "service not running"
        default:
            throw ConfigurationError("storage_scp_service", "expected 'start', 'stop' or 'status', got '\(command)'")
        }
    }

    /// The pid file of the service configured by `systemConfigurationPath` (nil when the file cannot be read).
    public static func pidFilePath(systemConfigurationPath: String) -> String? {
        var locations = ConfigurationLocations.fromEnvironment()
        locations.systemFile = URL(fileURLWithPath: systemConfigurationPath)
        guard let document = try? Configuration(scope: .system, locations: locations).current else { return nil }
        return document.logDirectory.path + "/" + pidFileName
    }

    // MARK: - start / stop

    private static func start(_ configPath: String) -> String {
        guard let pidFile = pidFilePath(systemConfigurationPath: configPath) else { return "start failed" }
        if isRunning(configPath) { return "service already running" }
        guard let executable = dicomluaExecutable() else { return "start failed" }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return "start failed" }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        defer { close(readEnd) }
        let arguments = [
            "/usr/bin/setsid", "-f", executable, "storescp", "--config", configPath, "--service", "--status-fd", "3",
        ]
        let spawned = spawn(arguments, statusPipe: writeEnd)
        close(writeEnd)
        guard let setsidPID = spawned else { return "start failed" }
        var status: Int32 = 0
        waitpid(setsidPID, &status, 0)  // setsid -f forks and exits at once
        let answer = readLine(readEnd, timeout: startTimeout)
        guard answer == "ok", readPID(pidFile) != nil else {
            // A service that failed is exiting: answer once it is gone, so `status` agrees right after.
            let deadline = Date().addingTimeInterval(10)
            while isRunning(configPath) && Date() < deadline { usleep(20_000) }
            return "start failed"
        }
        return "start request issued"
    }

    /// Sends SIGTERM and waits until the process has exited (its lock released): `stop request issued` then,
    /// else `failed to send shutdown messages`.
    private static func stop(_ configPath: String) -> String {
        guard let pid = runningPID(configPath) else {
            return isRunning(configPath) ? "failed to send shutdown messages" : "service not running"
        }
        guard isOwnedByUs(pid), kill(pid, SIGTERM) == 0 else { return "failed to send shutdown messages" }
        var locations = ConfigurationLocations.fromEnvironment()
        locations.systemFile = URL(fileURLWithPath: configPath)
        let drain = (try? Configuration(scope: .system, locations: locations).current.hookDrainTimeout) ?? 30
        let deadline = Date().addingTimeInterval(30 + drain + stopMargin)
        while (isStoreSCPProcess(pid) || isRunning(configPath)) && Date() < deadline { usleep(20_000) }
        return isStoreSCPProcess(pid) || isRunning(configPath)
            ? "failed to send shutdown messages" : "stop request issued"
    }

    /// Whether the service runs: its lock file is locked (by a live process; the kernel drops the lock of a
    /// dead one). A pid file left without a lock is stale and removed.
    static func isRunning(_ configPath: String) -> Bool {
        guard let pidFile = pidFilePath(systemConfigurationPath: configPath) else { return false }
        let lockFile = (pidFile as NSString).deletingLastPathComponent + "/" + lockFileName
        if isLocked(lockFile) { return true }
        if readPID(pidFile) != nil { unlink(pidFile) }  // stale: the process is gone (crash, kill -9)
        return false
    }

    /// The pid of the running service, nil when not running or when the pid file cannot be trusted: it must
    /// belong to us (or root), and name a live `dicomlua storescp --service` whose executable is `dicomlua`.
    static func runningPID(_ configPath: String) -> pid_t? {
        guard let pidFile = pidFilePath(systemConfigurationPath: configPath), isRunning(configPath),
            isTrustedFile(pidFile), let pid = readPID(pidFile)
        else { return nil }
        return isStoreSCPProcess(pid) ? pid : nil
    }

    // MARK: - lock file (held by `dicomlua storescp --service` while it runs)

    /// Takes the service's lock (`flock`, exclusive, not waiting); returns the descriptor to keep open for
    /// the process's life, or nil when another process holds it (the service already runs).
    public static func acquireLock(_ path: String) -> Int32? {
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    /// True when a process holds the lock of `path`.
    static func isLocked(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }

    /// A regular file (not a link) owned by us or by root.
    static func isTrustedFile(_ path: String) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        return info.st_uid == getuid() || info.st_uid == 0
    }

    // MARK: - pid file (used by `dicomlua storescp --service`)

    /// Writes our pid to `path` atomically (temporary file, then rename).
    public static func writePIDFile(_ path: String) throws {
        let temporary = path + ".\(getpid()).tmp"
        try "\(getpid())\n".write(toFile: temporary, atomically: false, encoding: .utf8)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw ConfigurationError("storage_scp_service", "cannot write \(path): \(String(cString: strerror(code)))")
        }
    }

    /// Removes the pid file if it still names `pid`.
    public static func removePIDFile(_ path: String, ifOwnedBy pid: pid_t) {
        if readPID(path) == pid { unlink(path) }
    }

    static func readPID(_ path: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1
        else { return nil }
        return pid
    }

    // MARK: - processes

    /// True when `pid` is alive (not a zombie) and runs `dicomlua storescp`.
    static func isStoreSCPProcess(_ pid: pid_t) -> Bool {
        guard let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")"),
            stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
        {
            return false
        }
        let words = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        guard words.contains("storescp") && words.contains("--service") else { return false }
        // The executable itself is dicomlua (another program could carry the same words in its arguments).
        // Unreadable (another user's process without root): the uid check decides.
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe") else {
            return true
        }
        let name = (exe.hasSuffix(" (deleted)") ? String(exe.dropLast(10)) : exe) as NSString
        return name.lastPathComponent == "dicomlua" || exe == dicomluaExecutable()
    }

    /// Real uid of `pid` equals ours, or we are root.
    static func isOwnedByUs(_ pid: pid_t) -> Bool {
        if getuid() == 0 { return true }
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") }),
            let real = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first,
            let uid = uid_t(real)
        else { return false }
        return uid == getuid()
    }

    /// `$DICOMLUA_EXECUTABLE`, else this process's executable when it is `dicomlua`, else `dicomlua` beside it.
    static func dicomluaExecutable() -> String? {
        if let path = ProcessInfo.processInfo.environment["DICOMLUA_EXECUTABLE"], !path.isEmpty { return path }
        guard let own = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        if own.hasSuffix("/dicomlua") { return own }
        let beside = URL(fileURLWithPath: own).deletingLastPathComponent().appendingPathComponent("dicomlua").path
        return FileManager.default.isExecutableFile(atPath: beside) ? beside : nil
    }

    /// posix_spawn with stdin/stdout/stderr on /dev/null and `statusPipe` as fd 3.
    private static func spawn(_ arguments: [String], statusPipe: Int32) -> pid_t? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, statusPipe, 3)
        // Nothing else of ours leaks into the service (a parent waiting for EOF on an inherited pipe —
        // e.g. Foundation's Process — would otherwise wait for the service to end).
        let open = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap {
            Int32($0)
        }
        for fd in open where fd > 3 { posix_spawn_file_actions_addclose(&actions, fd) }
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let result = posix_spawn(&pid, arguments[0], &actions, nil, argv, environ)
        return result == 0 ? pid : nil
    }

    /// Reads one line from `fd`, waiting at most `timeout` seconds in all; nil on time-out or end of file.
    private static func readLine(_ fd: Int32, timeout: Double) -> String? {
        var collected: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(max(1, deadline.timeIntervalSinceNow * 1000)))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return nil }
            var buffer = [UInt8](repeating: 0, count: 512)
            let count = read(fd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            collected += buffer[0..<count]
            if collected.contains(UInt8(ascii: "\n")) { break }
        }
        guard let newline = collected.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        return String(decoding: collected[..<newline], as: UTF8.self)
    }
}
