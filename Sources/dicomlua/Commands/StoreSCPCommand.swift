import ArgumentParser
import DICOMScripting
import DICOMServices
import Foundation
import Logging
import LuaBridge
import ServiceLifecycle

/// `dicomlua storescp`: the storage SCP in the foreground (also what the storage SCP service runs).
/// Settings come from the system configuration (`--config PATH` to choose the file), each flag overriding
/// its key. The hooks file (`--hooks`, else `HooksFile`) runs in a Lua state on the main thread; its global
/// functions `on_association`, `on_stored`, `on_association_end` are called there. SIGINT/SIGTERM are a
/// graceful shutdown (swift-service-lifecycle `ServiceGroup`): stop accepting, let transfers in flight finish
/// (up to 30 s) and exit 0.
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
        for (name, value) in [("--config", config), ("--hooks", hooks)] {
            guard let value else { continue }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: value, isDirectory: &isDirectory), !isDirectory.boolValue
            else { throw ValidationError("\(name): no such file \(value)") }
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
        let logDirectory = command.logDir ?? (command.service ? document.logDirectory.path : nil)
        let log = logDirectory.map { StorageSCPLog(directory: $0) }
        let hooksPath = command.hooks ?? document.hooksFile?.path

        let state = LuaState()
        let runLoop = ScriptRunLoop()
        defer { withExtendedLifetime(state) {} }
        var hooks: StorageSCPHooks?
        if let hooksPath {
            do {
                try ScriptEnvironment.install(in: state, runLoop: runLoop)
                try state.run(file: hooksPath)
                let h = StorageSCPHooks(state: state, runLoop: runLoop) { message in
                    log?.write(type: "error", message)
                    FileHandle.standardError.write(Data("dicomlua storescp: \(message)\n".utf8))
                }
                try h.adoptGlobals()
                hooks = h
            } catch {
                return fail("hooks file \(hooksPath): \(error)", log: log)
            }
        }

        // SIGINT/SIGTERM before the service group below traps them: remembered, then handed to it.
        let early = StopRequest(runLoop: runLoop)
        let signals = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { early.request() }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }

        let activeHooks = hooks
        let observer: StorageSCP.Observer = { event in
            log?.record(event)
            activeHooks?.observe(event)
            if case .instanceStored(let file, _) = event { printLine("stored \(file.path)") }
        }
        let settingsToUse = settings
        let gate = activeHooks?.gate
        let scp: StorageSCP
        do {
            scp = try runLoop.await {
                try await StorageSCP.start(settings: settingsToUse, gate: gate, observer: observer)
            }
        } catch let error as StorageSCPStartError {
            return fail("\(error)", log: log)
        } catch {
            return fail(
                "cannot start the storage SCP \(settings.aeTitle) on port \(settings.port) storing into \(settings.directory): \(error)",
                log: log)
        }
        let pidFile = logDirectory.map { $0 + "/" + StorageServiceControl.pidFileName }
        if command.service, let pidFile {
            do {
                try StorageServiceControl.writePIDFile(pidFile)
            } catch {
                _ = try? runLoop.await { await scp.stop(gracePeriod: 1) }
                return fail("cannot write the pid file \(pidFile): \(error)", log: log)
            }
        }
        // Graceful shutdown through swift-service-lifecycle: on SIGTERM/SIGINT the group stops its services in
        // reverse order, the announcement first, then the SCP (no new connection, transfers in flight finish,
        // 30 s at most). The main thread runs the hooks' run loop meanwhile.
        let running = StopRequest(runLoop: runLoop)
        let finished = StopRequest(runLoop: runLoop)
        let announcement = ClosureService {
            running.request()
            try? await gracefulShutdown()
            printLine("dicomlua storescp: stopping (transfers in flight finish first)")
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [scp, announcement], gracefulShutdownSignals: [.sigterm, .sigint],
                logger: Logger(label: "dicomlua.storescp", factory: { _ in SwiftLogNoOpLogHandler() })))
        Task {
            try? await group.run()
            finished.request()
        }
        runLoop.run(until: { running.isRequested || finished.isRequested })
        if early.isRequested { Task { await group.triggerGracefulShutdown() } }
        printLine(
            "dicomlua storescp: \(settings.aeTitle) listening on \(settings.host) port \(scp.port), storing into \(scp.store.directory)"
        )
        reportStatus("ok")

        runLoop.run(until: { finished.isRequested })
        runLoop.drain()
        if command.service, let pidFile { StorageServiceControl.removePIDFile(pidFile, ifOwnedBy: getpid()) }
        printLine("dicomlua storescp: stopped")
        return 0
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

private func printLine(_ text: String) {
    print(text)
    fflush(stdout)
}

/// Set by SIGINT/SIGTERM; wakes the main loop.
final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false
    private let runLoop: ScriptRunLoop
    init(runLoop: ScriptRunLoop) { self.runLoop = runLoop }
    func request() {
        lock.withLock { requested = true }
        runLoop.wake()
    }
    var isRequested: Bool { lock.withLock { requested } }
}
