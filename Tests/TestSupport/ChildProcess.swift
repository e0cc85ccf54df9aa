import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A peer process started by a test (DCMTK, pynetdicom, or our own `dicomlua`), with its output captured
/// to files and a guaranteed end: `stop()` sends SIGTERM, then SIGKILL after a grace period, and `deinit`
/// stops it too, so no test leaves a process behind.
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    public let stdoutURL: URL
    public let stderrURL: URL
    public let commandLine: String
    private let outputDirectory: URL

    /// Starts `executable` with `arguments`. `environment` entries are added to the current environment;
    /// `TCP_NODELAY=1` is always set (DCMTK otherwise stalls on Nagle's algorithm).
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:],
        currentDirectory: URL? = nil
    ) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dicomlua-proc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        outputDirectory = dir
        stdoutURL = dir.appendingPathComponent("stdout")
        stderrURL = dir.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        commandLine = ([executable] + arguments).joined(separator: " ")
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["TCP_NODELAY"] = "1"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: outputDirectory)
    }

    public var isRunning: Bool { process.isRunning }
    public var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// Waits until the process exits, at most `timeout` seconds; returns its exit status, or nil on time-out
    /// (the process is then stopped).
    @discardableResult
    public func wait(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            stop()
            return nil
        }
        return process.terminationStatus
    }

    /// SIGTERM, then SIGKILL if it is still running after `grace` seconds.
    public func stop(grace: TimeInterval = 3) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Runs a command to completion (bounded by `timeout`) and returns status and output.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:],
        timeout: TimeInterval = 60
    ) throws -> (status: Int32?, stdout: String, stderr: String) {
        let p = try ChildProcess(executable, arguments, environment: environment)
        let status = p.wait(timeout: timeout)
        return (status, p.stdout, p.stderr)
    }
}
