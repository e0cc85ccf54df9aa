import ArgumentParser
import DICOMDeidentify
import DICOMScripting
import DICOMServices
import Foundation
import Logging
import LuaBridge

/// `dicomlua storescp`: the storage SCP in the foreground (also what the storage SCP service runs).
/// Settings come from the system configuration (`--config PATH` to choose the file), each flag overriding
/// its key. The hooks file (`--hooks`, else `HooksFile`) runs in a Lua state on the main thread; its global
/// functions `on_association`, `on_stored`, `on_association_end` are called there. SIGINT/SIGTERM stop
/// accepting, let transfers in flight finish (up to 30 s), run the queued hooks for at most `HookDrainTimeout`
/// and exit 0; a second signal exits at once (docs/lua-api.md "Hooks under load"). The signals are handled here,
/// not by a swift-service-lifecycle `ServiceGroup`, because the hooks' run loop must keep the main thread.
struct StoreSCPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storescp", abstract: "The storage SCP in the foreground (also what the service runs).")

    @Option(
        help: "The system configuration file to read (default: $DICOMLUA_SYSTEM_CONFIG or /etc/dicomlua/config.json).")
    var config: String?
    @Option(help: "Our AE title (default: that of StorScpServiceAE).")
    var aet: String?
    @Option(help: "TCP port (0: a free one; default: that of StorScpServiceAE).")
    var port: Int?
    @Option(help: "Folder for received files (default: StorScpDir).")
    var dir: String?
    @Option(help: "File extension without the dot (default: FileExtension).")
    var ext: String?
    @Flag(inversion: .prefixedNo, help: "Accept any calling AE title (default: AcceptAny).")
    var acceptAny: Bool?
    @Option(help: "Address to listen on.")
    var host: String = "0.0.0.0"
    @Option(help: "Lua hooks file (default: HooksFile).")
    var hooks: String?
    @Option(help: "Folder for storscp1.log/storscp2.log (default: LogDir with --service, none otherwise).")
    var logDir: String?
    @Flag(help: "Run as the storage SCP service (log to LogDir, write the pid file).")
    var service = false
    @Option(help: .hidden)
    var statusFd: Int32?
    @OptionGroup var tls: TLSOptions
    @OptionGroup(title: "Logging") var logging: LoggingOptions
    @Flag(help: "De-identify every arrival before it lands (PS3.15 Annex E; docs/lua-api.md \"De-identification\").")
    var deidentify = false
    @OptionGroup(title: "De-identification (with --deidentify; as for `dicomlua deidentify`)")
    var deidentification: DeidentifyOptions

    /// Every option checked before anything starts (a usage error: `dicomlua: ...`, exit status 2).
    func validate() throws {
        if let port, !(0...65535).contains(port) {
            throw ValidationError("--port must be 1-65535 (0: a free one), got \(port)")
        }
        if let aet {
            do {
                _ = try ApplicationEntityValidation.checkAETitle(aet, method: "--aet")
            } catch let error as ConfigurationError {
                throw ValidationError("--aet: \(error.problem)")
            }
        }
        do {
            _ = try ApplicationEntityValidation.checkHostname(host, method: "--host")
        } catch let error as ConfigurationError {
            throw ValidationError("--host: \(error.problem)")
        }
        if let ext, !InstanceFileNaming.isValidExtension(ext) || ext.isEmpty {
            throw ValidationError(
                "--ext must be 1-16 characters of A-Z a-z 0-9 _ - (no dot, no path separator), got \"\(ext)\"")
        }
        for (name, value) in [("--dir", dir), ("--log-dir", logDir), ("--config", config), ("--hooks", hooks)] {
            guard let value else { continue }
            if value.isEmpty || value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                throw ValidationError("\(name) must be a path without control characters, got \"\(value)\"")
            }
        }
        // A missing --config file is created from the built-in defaults (docs/lua-api.md "Files"); a hooks file
        // must exist.
        for (name, value) in [("--hooks", hooks)] {
            guard let value else { continue }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: value, isDirectory: &isDirectory), !isDirectory.boolValue
            else { throw ValidationError("\(name): no such file \(value)") }
        }
        if deidentification.isGiven && !deidentify {
            throw ValidationError("--option, --map, --lookup, --quarantine and --allow-burned-in need --deidentify")
        }
        if let statusFd, statusFd < 0 {
            throw ValidationError("--status-fd must be a descriptor (>= 0), got \(statusFd)")
        }
    }
}

extension StoreSCPCommand {
    func run() throws {
        let status = StoreSCPRunner(command: self).run()
        if status != 0 { throw ExitCode(status) }
    }
}

/// The body of `dicomlua storescp`.
struct StoreSCPRunner {
    let command: StoreSCPCommand

    func run() -> Int32 {
        command.logging.bootstrap()
        var locations = ConfigurationLocations.fromEnvironment()
        if let path = command.config { locations.systemFile = URL(fileURLWithPath: path) }
        let document: ConfigurationDocument
        var settings: StorageSCPSettings
        do {
            document = try Configuration(scope: .system, locations: locations).current
            settings = try StorageSCPSettings(configuration: document)
        } catch {
            return fail("\(error)", log: nil)
        }
        settings.host = command.host
        if let v = command.aet {
            settings.aeTitle = (try? ApplicationEntityValidation.checkAETitle(v, method: "")) ?? v
        }
        if let v = command.port { settings.port = v }
        if let v = command.dir { settings.directory = v }
        if let v = command.ext { settings.fileExtension = v }
        if let v = command.acceptAny { settings.allowedCallingAETitles = v ? nil : document.knownAETitles }
        do {
            if let tls = try command.tls.settings() { settings.tls = tls }
        } catch {
            return fail("\(error)", log: nil)
        }
        let logDirectory = command.logDir ?? (command.service ? document.logDirectory.path : nil)
        let log = logDirectory.map { StorageSCPLog(directory: $0) }
        let hooksPath = command.hooks ?? document.hooksFile?.path
        let limits = StorageSCPHookLimits(configuration: document)
        if command.service, let logDirectory {
            // Held until the process ends (the kernel releases it): `status` asks the lock, not the pid file.
            let lockFile = logDirectory + "/" + StorageServiceControl.lockFileName
            try? FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
            guard StorageServiceControl.acquireLock(lockFile) != nil else {
                return fail("the storage SCP service already runs (\(lockFile) is locked)", log: log)
            }
        }
        let state = LuaState(memoryLimit: limits.memoryLimit.map { $0 << 20 })
        let runLoop = ScriptRunLoop()

        defer { withExtendedLifetime(state) {} }
        var hooks: StorageSCPHooks?
        if let hooksPath {
            do {
                try ScriptEnvironment.install(in: state, runLoop: runLoop)
                try state.run(file: hooksPath)
                let h = StorageSCPHooks(state: state, runLoop: runLoop, limits: limits) { message in
                    log?.write(type: "error", message)
                    FileHandle.standardError.write(Data("dicomlua storescp: \(message)\n".utf8))
                }
                try h.adoptGlobals()
                hooks = h
            } catch {
                return fail("hooks file \(hooksPath): \(error)", log: log)
            }
        }

        let activeHooks = hooks
        let pidFile = logDirectory.map { $0 + "/" + StorageServiceControl.pidFileName }
        let isService = command.service
        let output = StorageSCPOutput(log: log, format: command.logging.logFormat)
        let stop = StopRequest(runLoop: runLoop)
        // A second SIGINT/SIGTERM: exit at once, naming the files whose hooks did not run.
        stop.onSecondRequest = {
            output.flush(timeout: 1)
            reportUnrunHooks(activeHooks, log: log)
            if isService, let pidFile { StorageServiceControl.removePIDFile(pidFile, ifOwnedBy: getpid()) }
            log?.write(type: "stop", "storage SCP stopped at once (second signal)")
            output.printLine("dicomlua storescp: stopped at once")
            output.flush(timeout: 1)
            _exit(1)
        }
        let signals = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.request() }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }

        // Called on the event loop that received the instance: its lines are written by a thread of their own.
        let observer: StorageSCP.Observer = { event in
            output.record(event)
            activeHooks?.observe(event)
        }
        let settingsToUse = settings
        let gate = activeHooks?.gate
        let deidentifier: Deidentifier?
        do {
            deidentifier = command.deidentify ? try command.deidentification.makeDeidentifier() : nil
        } catch {
            return fail("--deidentify: \(error)", log: log)
        }
        let quarantine = command.deidentification.quarantine
        let scp: StorageSCP
        do {
            scp = try runLoop.await {
                try await StorageSCP.start(
                    settings: settingsToUse, gate: gate, hookBacklog: activeHooks?.backlog,
                    deidentifier: deidentifier, quarantineDirectory: quarantine, observer: observer)
            }
        } catch let error as StorageSCPStartError {
            return fail("\(error)", log: log)
        } catch {
            return fail(
                "cannot start the storage SCP \(settings.aeTitle) on port \(settings.port) storing into \(settings.directory): \(error)",
                log: log)
        }
        if command.service, let pidFile {
            do {
                try StorageServiceControl.writePIDFile(pidFile)
            } catch {
                _ = try? runLoop.await { await scp.stop(gracePeriod: 1) }
                return fail("cannot write the pid file \(pidFile): \(error)", log: log)
            }
        }
        output.printLine(
            "dicomlua storescp: \(settings.aeTitle) listening on \(settings.host) port \(scp.port)\(settings.tls == nil ? "" : " with TLS"), storing into \(scp.store.directory)"
        )
        reportStatus("ok")

        runLoop.run(until: { stop.isRequested })
        output.printLine("dicomlua storescp: stopping (transfers in flight finish first)")
        stopAndDrain(
            scp, hooks: activeHooks, limits: limits, state: state, runLoop: runLoop, log: log,
            pidFile: command.service ? pidFile : nil, output: output)
        if command.service, let pidFile { StorageServiceControl.removePIDFile(pidFile, ifOwnedBy: getpid()) }
        log?.write(type: "stop", "storage SCP stopped")
        output.printLine("dicomlua storescp: stopped")
        // Standard output never read: end without it (returning would flush stdio, which waits on the writer).
        if !output.flush(timeout: 5) { _exit(0) }
        return 0
    }

    /// Stopping (docs/lua-api.md "Hooks under load"): no new association, transfers in flight finish (at most
    /// 30 s), queued hooks run for at most `HookDrainTimeout` seconds counted from here; a hook still running
    /// then is interrupted when it is back in Lua (a watchdog ends the process 5 s later if it is stuck in a C
    /// call), and every file whose hook did not run is named in the log.
    private func stopAndDrain(
        _ scp: StorageSCP, hooks: StorageSCPHooks?, limits: StorageSCPHookLimits, state: LuaState,
        runLoop: ScriptRunLoop, log: StorageSCPLog?, pidFile: String?, output: StorageSCPOutput
    ) {
        let deadline = Date().addingTimeInterval(limits.drainTimeout)
        let interrupter = state.interrupter
        let drained = DrainFlag()
        // The last resort: whatever a hook does (stuck in a C call), the process ends 30 s (transfers) +
        // HookDrainTimeout + 5 s after the stop request.
        let finalDeadline = DispatchTime.now() + 30 + limits.drainTimeout + 5
        let giveUp: @Sendable () -> Void = {
            guard !drained.isSet else { return }
            output.flush(timeout: 1)
            reportUnrunHooks(hooks, log: log)
            if let pidFile { StorageServiceControl.removePIDFile(pidFile, ifOwnedBy: getpid()) }
            log?.write(type: "stop", "storage SCP stopped (a hook did not return within HookDrainTimeout)")
            output.printLine("dicomlua storescp: stopped")
            output.flush(timeout: 1)
            _exit(1)
        }
        DispatchQueue.global().asyncAfter(deadline: finalDeadline, execute: giveUp)
        hooks?.backlog.release()  // transfers in flight finish even with the backlog full
        _ = try? runLoop.await { await scp.stop(gracePeriod: 30) }
        output.flush(timeout: 1)  // the SCP's last log lines before those of unrun hooks
        guard let hooks else { return }
        let remaining = deadline.timeIntervalSinceNow
        // At the deadline: interrupt the hook running now; 5 s later, if it is stuck in C, end the process.
        let at = DispatchTime.now() + max(0, remaining)
        DispatchQueue.global().asyncAfter(deadline: at) {
            guard !drained.isSet else { return }
            interrupter.interrupt()
            runLoop.interrupt()
        }
        DispatchQueue.global().asyncAfter(deadline: min(at + 5, finalDeadline), execute: giveUp)
        if remaining > 0 { runLoop.runHooks(timeout: remaining) }
        drained.set()
        reportUnrunHooks(hooks, log: log)
    }

    private func fail(_ message: String, log: StorageSCPLog?) -> Int32 {
        log?.write(type: "error", message)
        FileHandle.standardError.write(Data("dicomlua storescp: \(message)\n".utf8))
        reportStatus("failed: \(message)")
        return 1
    }

    /// Tells the controller that started the service (`--status-fd`) how the start went.
    private func reportStatus(_ text: String) {
        guard let fd = command.statusFd else { return }
        let bytes = Array((text + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
}

/// Logs (and prints to stderr) each file whose `on_stored` did not run because the SCP stopped.
private func reportUnrunHooks(_ hooks: StorageSCPHooks?, log: StorageSCPLog?) {
    guard let hooks else { return }
    for file in hooks.abandonWaiting() {
        let message = "on_stored did not run for \(file.path): the SCP stopped"
        log?.write(type: "error", message)
        FileHandle.standardError.write(Data("dicomlua storescp: \(message)\n".utf8))
    }
}

/// Set by SIGINT/SIGTERM; wakes the main loop. A second request runs `onSecondRequest` (exit at once).
final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var requests = 0
    private let runLoop: ScriptRunLoop
    var onSecondRequest: (@Sendable () -> Void)?
    init(runLoop: ScriptRunLoop) { self.runLoop = runLoop }
    func request() {
        let count = lock.withLock {
            requests += 1
            return requests
        }
        if count >= 2 { onSecondRequest?() }
        runLoop.wake()
    }
    var isRequested: Bool { lock.withLock { requests > 0 } }
}

/// Set once the drain has ended (the watchdogs then do nothing).
final class DrainFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
