import DICOMServices
import Foundation
import LuaBridge

/// The Lua hooks of a storage SCP (docs/lua-api.md `storage_scp` and "Hooks under load"): `on_association(a)`
/// (returning `false` refuses the association), `on_stored(f)`, `on_association_end(a)` (with `a.files`).
/// They run on the script's thread only, as hook jobs of its `ScriptRunLoop`: one at a time, never inside
/// one another (a blocking call made by a hook runs only its own callbacks), while the script sits in a
/// blocking call (`scp:serve()`, `dicom.sleep`, a retrieve), or in the `dicomlua storescp` main loop.
///
/// - `on_association` is an access decision: its job runs before every queued `on_stored`; without an answer
///   within `limits.associationTimeout` seconds the association is refused, and the refusal logged.
/// - `on_stored` calls wait in `backlog` (at most `limits.queueLimit`; the SCP reserves a place in it before
///   it reports a stored file, so a full backlog slows the senders down). Files whose hook never ran (the SCP
///   stopped first) are named by `abandonWaiting()`; a file stored while no `on_stored` is set has no call.
///
/// A hook that raises is reported to `onError` (the SCP's log) and otherwise ignored: the file stays stored;
/// a raising `on_association` refuses. Use from the script thread, except `gate`/`observe`/`backlog`,
/// which any thread may call.
public final class StorageSCPHooks: @unchecked Sendable {
    /// Weak: the state owns the userdata that owns these hooks.
    private weak var state: LuaState?
    let runLoop: ScriptRunLoop
    public let limits: StorageSCPHookLimits
    public let backlog: HookBacklog
    /// Hook errors and other notices (called on the script thread, or on a timer's thread for a gate that
    /// did not answer).
    let onError: @Sendable (String) -> Void
    private let lock = NSLock()
    private var onAssociation: LuaFunctionRef?
    private var onStored: LuaFunctionRef?
    private var onAssociationEnd: LuaFunctionRef?

    public init(
        state: LuaState, runLoop: ScriptRunLoop, limits: StorageSCPHookLimits = StorageSCPHookLimits(),
        onError: @escaping @Sendable (String) -> Void
    ) {
        self.state = state
        self.runLoop = runLoop
        self.limits = limits
        self.backlog = HookBacklog(limit: limits.queueLimit)
        self.onError = onError
    }

    public enum Kind: String, CaseIterable, Sendable {
        case onAssociation = "on_association", onStored = "on_stored", onAssociationEnd = "on_association_end"
    }

    /// Sets (or clears, with nil) a hook. Script thread.
    public func set(_ kind: Kind, _ function: LuaFunctionRef?) {
        lock.withLock {
            switch kind {
            case .onAssociation: onAssociation = function
            case .onStored: onStored = function
            case .onAssociationEnd: onAssociationEnd = function
            }
        }
    }

    /// Reads the global functions `on_association`, `on_stored`, `on_association_end` of the state (a
    /// hooks file). Script thread.
    public func adoptGlobals() throws {
        guard let state else { return }
        for kind in Kind.allCases {
            set(kind, try state.global(kind.rawValue).functionValue)
        }
    }

    private var hasGate: Bool { lock.withLock { onAssociation != nil } }

    /// The SCP's gate: accepts at once without `on_association`; else waits for it (as a decision job) at
    /// most `limits.associationTimeout` seconds, then refuses.
    public var gate: StorageSCP.Gate {
        { [self] info in
            guard hasGate else { return true }
            let timeout = limits.associationTimeout
            return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let once = ResumeOnce(continuation)
                runLoop.post(lane: .decision) { [self] in
                    // Answered already (timed out): the peer is gone, do not ask the hook.
                    guard !once.isDone else { return }
                    once.resume(self.runGate(info))
                }
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [self] in
                    if once.resume(false) {
                        self.onError(
                            "on_association did not answer within \(Self.seconds(timeout)): association #\(info.id) from \(info.callingAETitle) (\(info.peer)) refused"
                        )
                    }
                }
            }
        }
    }

    /// Empties the backlog: the files whose `on_stored` will not run (the SCP is stopping).
    public func abandonWaiting() -> [StoredInstance] { backlog.abandonAll() }

    /// The SCP's observer: posts the hook calls (never waits).
    public func observe(_ event: StorageSCPEvent) {
        switch event {
        case let .instanceStored(file, _):
            // A file stored while no `on_stored` is set has no hook to wait for (and wakes no script thread).
            guard lock.withLock({ onStored != nil }) else {
                backlog.cancelReservation()
                return
            }
            let token = backlog.enqueue(file)
            runLoop.post(lane: .hook) { [self] in
                guard self.backlog.take(token) else { return }
                self.call(.onStored) { [try self.record(for: file)] }
            }
        case let .associationEnded(info, files, _):
            runLoop.post(lane: .hook) { [self] in
                self.call(.onAssociationEnd) {
                    let list = try files.map { try self.record(for: $0) }
                    return [try self.record(for: info, extra: ["files": .table(LuaTable(array: list))])]
                }
            }
        case let .associationRefused(info):
            runLoop.post(lane: .hook) { [self] in
                self.call(.onAssociationEnd) {
                    [try self.record(for: info, extra: ["files": .table(LuaTable()), "refused": .boolean(true)])]
                }
            }
        case .started, .associationAccepted, .storeFailed, .error, .stopped:
            break
        }
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    private func runGate(_ info: StorageAssociationInfo) -> Bool {
        guard let function = lock.withLock({ onAssociation }) else { return true }
        do {
            let results = try function.call(
                [try record(for: info, extra: [:])], timeLimit: limits.timeLimit,
                exceeded: exceededMessage(.onAssociation))
            if case .boolean(false)? = results.first { return false }
            return true
        } catch {
            onError(
                "on_association raised (association #\(info.id) from \(info.callingAETitle) refused): \(describe(error, of: .onAssociation))"
            )
            return false
        }
    }

    private func call(_ kind: Kind, arguments: () throws -> [LuaValue]) {
        let function: LuaFunctionRef? = lock.withLock {
            switch kind {
            case .onAssociation: return onAssociation
            case .onStored: return onStored
            case .onAssociationEnd: return onAssociationEnd
            }
        }
        guard let function else { return }
        do {
            try function.call(try arguments(), timeLimit: limits.timeLimit, exceeded: exceededMessage(kind))
        } catch {
            onError("\(kind.rawValue) raised: \(describe(error, of: kind))")
        }
    }

    /// The error a hook over `HookTimeLimit` raises.
    private func exceededMessage(_ kind: Kind) -> String {
        "\(kind.rawValue) exceeded HookTimeLimit (\(Self.seconds(limits.timeLimit ?? 0)))"
    }

    /// A hook's error, naming `LuaMemoryLimit` when the state ran out of it.
    private func describe(_ error: Error, of kind: Kind) -> String {
        if let error = error as? LuaError, error.kind == .memory, let limit = limits.memoryLimit {
            return "\(kind.rawValue) exceeded LuaMemoryLimit (\(limit) MiB): \(error)"
        }
        return "\(error)"
    }

    /// The `f` record of docs/lua-api.md.
    func record(for file: StoredInstance) throws -> LuaValue {
        guard let state else { throw LuaError(kind: .runtime, message: "the Lua state is closed") }
        return try state.makeRecord { Self.write(file, into: $0) }
    }

    /// The fields of an `f` record (also `info.files` of a retrieve callback and a report's `arrived`).
    static func write(_ file: StoredInstance, into record: LuaRecordWriter) {
        record.set("path", file.path)
        record.set("sop_class_uid", file.sopClassUID)
        record.set("sop_instance_uid", file.sopInstanceUID)
        record.set("calling_aet", file.callingAETitle)
        record.set("bytes", file.bytes)
        record.set("transfer_syntax", file.transferSyntaxUID)
        record.set("study_instance_uid", file.studyInstanceUID)
        record.set("series_instance_uid", file.seriesInstanceUID)
        record.set("patient_id", file.patientID)
        record.set("move_originator_aet", file.moveOriginatorAETitle)
        record.set("move_originator_message_id", file.moveOriginatorMessageID.map(Int.init))
        record.set("original_sop_instance_uid", file.originalSOPInstanceUID)
        if file.quarantined { record.set("quarantined", true) }
    }

    /// The `a` record of docs/lua-api.md.
    func record(for info: StorageAssociationInfo, extra: [String: LuaValue]) throws -> LuaValue {
        var fields: [String: LuaValue] = [
            "calling_aet": LuaValue(info.callingAETitle), "called_aet": LuaValue(info.calledAETitle),
            "peer": LuaValue(info.peer), "id": .integer(Int64(info.id)),
        ]
        for (k, v) in extra { fields[k] = v }
        return try makeRecord(fields)
    }

    private func makeRecord(_ fields: [String: LuaValue]) throws -> LuaValue {
        guard let state else { throw LuaError(kind: .runtime, message: "the Lua state is closed") }
        return try state.makeRecord(fields)
    }
}

/// Resumes a continuation once (the gate's answer or its time-out, whichever comes first).
final class ResumeOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Bool, Never>?
    init(_ continuation: CheckedContinuation<Bool, Never>) { self.continuation = continuation }
    var isDone: Bool { lock.withLock { continuation == nil } }
    @discardableResult
    func resume(_ value: Bool) -> Bool {
        let c: CheckedContinuation<Bool, Never>? = lock.withLock {
            let c = continuation
            continuation = nil
            return c
        }
        c?.resume(returning: value)
        return c != nil
    }
}
