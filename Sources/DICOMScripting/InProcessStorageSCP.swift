import DICOMDeidentify
import DICOMServices
import Foundation
import LuaBridge

/// A storage SCP running inside a script (`storage_scp.new`, docs/lua-api.md): started and stopped from the
/// script's thread; its hooks run on that thread while the script is in a blocking call.
///
/// Every stored instance is reported to `arrivals` (DICOMServices' `ArrivalsTracker`) before its C-STORE-RSP
/// is sent; a retrieve of the same script whose destination is this SCP finds it with
/// `InProcessStorageSCP.running(aeTitle:runLoop:)` (the SCPs of one script, not of the process) and attributes
/// the instances through the tracker (docs/lua-api.md "Retrieve reports, verification and retry").
public final class InProcessStorageSCP: @unchecked Sendable {
    public let settings: StorageSCPSettings
    public let hooks: StorageSCPHooks
    let runLoop: ScriptRunLoop
    private let lock = NSLock()
    private var scp: StorageSCP?
    private let stopSignal = StopSignal()
    /// `deidentify = opts` of `storage_scp.new` (docs/lua-api.md "De-identification"); set before `start`.
    public var deidentifier: Deidentifier?
    public var quarantineDirectory: String?
    /// Where this SCP reports what it stored, for the retrieves of the script.
    public let arrivals = ArrivalsTracker()

    public init(settings: StorageSCPSettings, hooks: StorageSCPHooks, runLoop: ScriptRunLoop) {
        self.settings = settings
        self.hooks = hooks
        self.runLoop = runLoop
    }

    /// The bound port while running (the real one when `port = 0` was asked), else nil.
    public var port: Int? { lock.withLock { scp?.port } }
    public var isRunning: Bool { lock.withLock { scp != nil } }

    /// Starts listening (script thread; blocks while binding). Starting a running SCP does nothing.
    public func start() throws {
        guard !isRunning else { return }
        let settings = self.settings
        let hooks = self.hooks
        let gate = hooks.gate
        hooks.backlog.reopen()
        let (deidentifier, quarantine) = (self.deidentifier, self.quarantineDirectory)
        // The tracker hears of a file before its C-STORE-RSP is sent (so before the C-MOVE-RSP that counts
        // it); the Lua hooks through the SCP's events, after.
        let arrivals = self.arrivals
        let storedBeforeAnswer: @Sendable (StoredInstance) -> Void = { file in arrivals.record(file) }
        let started = try runLoop.await {
            try await StorageSCP.start(
                settings: settings, gate: gate, storedBeforeAnswer: storedBeforeAnswer,
                hookBacklog: hooks.backlog, deidentifier: deidentifier, quarantineDirectory: quarantine,
                observer: { event in
                    if case .associationRefused(let info) = event {
                        hooks.onError(
                            "association #\(info.id) from \(info.callingAETitle) (\(info.peer)) refused by on_association"
                        )
                    }
                    hooks.observe(event)
                })
        }
        lock.withLock { scp = started }
        stopSignal.reset()
        ScriptSCPs.add(self)
    }

    /// Takes the running SCP out of this object and of the script's list; nil when it was not running.
    private func detach() -> StorageSCP? {
        let running = lock.withLock { () -> StorageSCP? in
            let s = scp
            scp = nil
            return s
        }
        if running != nil { ScriptSCPs.remove(self) }
        return running
    }

    /// Stops accepting, lets transfers in flight finish (up to `gracePeriod` s), runs the pending hooks.
    public func stop(gracePeriod: Double = 10) throws {
        guard let running = detach() else { return }
        hooks.backlog.release()  // a full backlog must not hold transfers in flight (e.g. stop() in a hook)
        try runLoop.await { await running.stop(gracePeriod: gracePeriod) }
        stopSignal.signal()
        // Queued hooks run now, for at most HookDrainTimeout — unless this is a hook itself (scp:stop() in
        // on_stored): hooks never nest, the queued ones run after it (docs/lua-api.md "Hooks under load").
        guard !runLoop.isRunningHook else { return }
        drainHooks()
    }

    /// Runs the queued hooks for at most `HookDrainTimeout` seconds; names each file whose hook did not run.
    private func drainHooks() {
        if !runLoop.runHooks(timeout: hooks.limits.drainTimeout) {
            for file in hooks.abandonWaiting() {
                hooks.onError("on_stored did not run for \(file.path): the SCP stopped")
            }
        }
    }

    /// Starts if needed, then blocks (running hooks) until `stop()` (e.g. from a hook) or an interrupt.
    public func serve() throws {
        try start()
        let signal = stopSignal
        try runLoop.await { await signal.wait() }
        if !isRunning { drainHooks() }
    }

    /// Stops without running Lua (garbage collection, state closing): bounded wait on another thread.
    func stopDetached() {
        guard let running = detach() else { return }
        hooks.backlog.release()  // no hook will run: nothing may wait for room
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await running.stop(gracePeriod: 2)
            done.signal()
        }
        _ = done.wait(timeout: .now() + 10)
        stopSignal.signal()
    }

    /// A started in-process SCP of the script that waits on `runLoop`, with AE title `aeTitle`, if any.
    public static func running(aeTitle: String, runLoop: ScriptRunLoop) -> InProcessStorageSCP? {
        ScriptSCPs.find(aeTitle: aeTitle, runLoop: runLoop)
    }
}

/// The started in-process SCPs of each script (by its run loop), so that a retrieve finds the SCP of its own
/// script that is its destination, never one of another script of the process.
enum ScriptSCPs {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var entries: [ObjectIdentifier: WeakSCP] = [:]
    private struct WeakSCP { weak var scp: InProcessStorageSCP? }

    static func add(_ scp: InProcessStorageSCP) { lock.withLock { entries[ObjectIdentifier(scp)] = WeakSCP(scp: scp) } }
    static func remove(_ scp: InProcessStorageSCP) {
        lock.withLock { _ = entries.removeValue(forKey: ObjectIdentifier(scp)) }
    }
    static func find(aeTitle: String, runLoop: ScriptRunLoop) -> InProcessStorageSCP? {
        lock.withLock {
            entries.values.compactMap(\.scp).first { $0.runLoop === runLoop && $0.settings.aeTitle == aeTitle }
        }
    }
}

/// Wakes `serve()` when the SCP is stopped.
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var signalled = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func reset() { lock.withLock { signalled = false } }

    func signal() {
        let toResume: [CheckedContinuation<Void, Never>] = lock.withLock {
            signalled = true
            let w = waiters
            waiters = []
            return w
        }
        toResume.forEach { $0.resume() }
    }

    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = lock.withLock {
                    if signalled || Task.isCancelled { return true }
                    waiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            // Interrupted (Ctrl-C): wake every waiter; the SCP keeps running until stopped or collected.
            let toResume: [CheckedContinuation<Void, Never>] = lock.withLock {
                let w = waiters
                waiters = []
                return w
            }
            toResume.forEach { $0.resume() }
        }
    }
}
