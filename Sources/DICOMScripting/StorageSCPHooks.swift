import DICOMServices
import Foundation
import LuaBridge

/// The Lua hooks of a storage SCP (docs/lua-api.md `storage_scp`): `on_association(a)` (returning `false`
/// refuses the association), `on_stored(f)`, `on_association_end(a)` (with `a.files`). They run on the
/// script's thread only, as jobs posted to its `ScriptRunLoop` — while the script sits in a blocking call
/// (`scp:serve()`, `dicom.sleep`, a retrieve), or in the `dicomlua storescp` main loop. The network side
/// never waits for them, except the association gate, which waits at most `gateTimeout` seconds and then
/// accepts (so a script that is not in a blocking call cannot hold a peer forever).
///
/// A hook that raises is reported to `onError` (the SCP's log) and otherwise ignored: the file stays stored,
/// a raising `on_association` accepts. Use from the script thread, except `gate`/`observe`, which any
/// thread may call.
public final class StorageSCPHooks: @unchecked Sendable {
    public static let gateTimeout: Double = 30

    /// Weak: the state owns the userdata that owns these hooks.
    private weak var state: LuaState?
    let runLoop: ScriptRunLoop
    /// Hook errors and other notices (called on the script thread).
    let onError: (String) -> Void
    private let lock = NSLock()
    private var onAssociation: LuaFunctionRef?
    private var onStored: LuaFunctionRef?
    private var onAssociationEnd: LuaFunctionRef?

    public init(state: LuaState, runLoop: ScriptRunLoop, onError: @escaping (String) -> Void) {
        self.state = state
        self.runLoop = runLoop
        self.onError = onError
    }

    public enum Kind: String, CaseIterable {
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

    /// The SCP's gate: nil-equivalent (accepts at once) without `on_association`.
    public var gate: StorageSCP.Gate {
        { [self] info in
            guard hasGate else { return true }
            return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let once = ResumeOnce(continuation)
                runLoop.post { [self] in once.resume(self.runGate(info)) }
                DispatchQueue.global().asyncAfter(deadline: .now() + Self.gateTimeout) { [self] in
                    if once.resume(true) {
                        runLoop.post {
                            self.onError(
                                "on_association did not answer within \(Int(Self.gateTimeout)) s: association #\(info.id) from \(info.callingAETitle) accepted"
                            )
                        }
                    }
                }
            }
        }
    }

    /// The SCP's observer: posts the hook calls (never waits).
    public func observe(_ event: StorageSCPEvent) {
        switch event {
        case let .instanceStored(file, _):
            runLoop.post { [self] in self.call(.onStored) { [try self.record(for: file)] } }
        case let .associationEnded(info, files, _):
            runLoop.post { [self] in
                self.call(.onAssociationEnd) {
                    let list = try files.map { try self.record(for: $0) }
                    return [try self.record(for: info, extra: ["files": .table(LuaTable(array: list))])]
                }
            }
        case .started, .associationAccepted, .associationRefused, .storeFailed, .error, .stopped:
            break
        }
    }

    private func runGate(_ info: StorageAssociationInfo) -> Bool {
        guard let function = lock.withLock({ onAssociation }) else { return true }
        do {
            let results = try function.call([try record(for: info, extra: [:])])
            if case .boolean(false)? = results.first { return false }
            return true
        } catch {
            onError("on_association raised (association accepted): \(error)")
            return true
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
            try function.call(try arguments())
        } catch {
            onError("\(kind.rawValue) raised: \(error)")
        }
    }

    /// The `f` record of docs/lua-api.md.
    func record(for file: StoredInstance) throws -> LuaValue {
        try makeRecord(Self.fields(for: file))
    }

    /// The fields of an `f` record (also `info.files` of a retrieve callback).
    static func fields(for file: StoredInstance) -> [String: LuaValue] {
        var fields: [String: LuaValue] = [
            "path": LuaValue(file.path), "sop_class_uid": LuaValue(file.sopClassUID),
            "sop_instance_uid": LuaValue(file.sopInstanceUID), "calling_aet": LuaValue(file.callingAETitle),
            "bytes": .integer(Int64(file.bytes)), "transfer_syntax": LuaValue(file.transferSyntaxUID),
        ]
        if let v = file.studyInstanceUID { fields["study_instance_uid"] = LuaValue(v) }
        if let v = file.seriesInstanceUID { fields["series_instance_uid"] = LuaValue(v) }
        if let v = file.patientID { fields["patient_id"] = LuaValue(v) }
        if let v = file.moveOriginatorAETitle { fields["move_originator_aet"] = LuaValue(v) }
        if let v = file.moveOriginatorMessageID { fields["move_originator_message_id"] = .integer(Int64(v)) }
        if let v = file.originalSOPInstanceUID { fields["original_sop_instance_uid"] = LuaValue(v) }
        if file.quarantined { fields["quarantined"] = .boolean(true) }
        return fields
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
