import DICOMServices
import Foundation
import LuaBridge

/// One blocking call's callback plumbing (docs/lua-api.md "Callbacks"): events from the operation's task are
/// posted to the script's run loop and the Lua callback runs there, on the script's thread only; its answer
/// goes back to the operation. An error raised by the callback cancels the operation and is kept to be
/// raised again once the operation has ended.
///
/// Everything except `handler` is used on the script's thread only.
final class CallbackSession: @unchecked Sendable {
    /// Seconds of silence after which a retrieve's callback is called without a response (IDL: 3 s).
    static let silenceInterval: TimeInterval = 3
    /// How often the script thread checks for silence.
    static let heartbeatTick: TimeInterval = 0.5

    private let function: LuaFunctionRef?
    private let data: LuaValue
    private let arguments: LuaArguments
    private let runLoop: ScriptRunLoop
    /// The first error the callback raised.
    private(set) var error: Error?
    private var lastActivity = Date()
    private var lastCounts = SubOperationCounts()
    private var cancelled = false
    private let started = Date()
    /// The retrieve's story (DICOMServices): `info.files` of heartbeat calls comes from it.
    var retrieveSession: RetrieveSession?
    private var attempt: Int?

    /// `HookTimeLimit` of the user configuration (docs/lua-api.md "Hooks under load"): a callback that runs
    /// longer in Lua is stopped with an error, which cancels the operation as any callback error does.
    private let timeLimit: Double? = {
        guard let document = try? Configuration(scope: .user).current else { return 30 }
        return document.hookTimeLimit
    }()

    init(function: LuaFunctionRef?, data: LuaValue, arguments: LuaArguments, runLoop: ScriptRunLoop) {
        self.function = function
        self.data = data
        self.arguments = arguments
        self.runLoop = runLoop
    }

    var hasCallback: Bool { function != nil }

    /// The handler given to the DICOMServices operation (nil without a callback).
    var handler: OperationEventHandler? {
        guard function != nil else { return nil }
        let runLoop = self.runLoop
        return { [self] event in
            await withCheckedContinuation { continuation in
                runLoop.post { continuation.resume(returning: self.deliver(event)) }
            }
        }
    }

    /// The heartbeat of `ScriptRunLoop.await` for retrieve/get: after 3 s without a response, calls the
    /// callback with a "waiting" event; a cancel goes to `control`.
    func heartbeat(
        title: String, operation: String, control: OperationControl
    ) -> (interval: TimeInterval, action: () -> Void)? {
        guard function != nil else { return nil }
        return (
            Self.heartbeatTick,
            { [self] in
                let silence = Date().timeIntervalSince(lastActivity)
                guard silence >= Self.silenceInterval, !cancelled else { return }
                let elapsed = Date().timeIntervalSince(started)
                var event = OperationEvent(
                    operation: operation,
                    statusLines: StatusLines.retrieveWaiting(
                        title: title, silence: silence, counts: lastCounts, elapsed: elapsed),
                    status: nil, counts: lastCounts, elapsed: elapsed)
                event.attempt = attempt
                event.files = retrieveSession?.takeNewArrivals()
                if deliver(event) == .cancel { control.cancel() }
            }
        )
    }

    /// Calls the Lua callback with (status lines, callback data, info); returns its decision.
    func deliver(_ event: OperationEvent) -> OperationDecision {
        lastActivity = Date()
        if event.status != nil { lastCounts = event.counts }
        if let attempt = event.attempt { self.attempt = attempt }
        // The final response (CALLBACK_FINAL) is reported even after a cancel; its answer is ignored.
        guard let function, !cancelled || event.isFinal, error == nil else { return .cancel }
        do {
            let limit = timeLimit.map { StorageSCPHooks.seconds($0) } ?? ""
            let results = try function.call(
                [LuaValue(event.statusLines.map { LuaValue($0) }), data, try info(event)], timeLimit: timeLimit,
                exceeded: "the \(event.operation) callback exceeded HookTimeLimit (\(limit))")
            if Self.isCancel(results.first ?? .nil) {
                cancelled = true
                return .cancel
            }
            return .proceed
        } catch {
            self.error = error
            cancelled = true
            return .cancel
        }
    }

    /// IDL's 0 (and Lua's false) cancel; anything else continues.
    static func isCancel(_ value: LuaValue) -> Bool {
        switch value {
        case .boolean(let b): return !b
        case .integer(let i): return i == 0
        case .number(let d): return d == 0
        case .nil, .string, .table, .function, .reference: return false
        }
    }

    private func info(_ event: OperationEvent) throws -> LuaValue {
        var fields: [String: LuaValue] = [
            "operation": LuaValue(event.operation),
            "elapsed": .number(event.elapsed),
        ]
        if let status = event.status {
            fields["status"] = .integer(Int64(status.code))
            fields["category"] = LuaValue(status.category.rawValue)
        } else {
            fields["category"] = LuaValue(event.operation == "send" ? "failure" : "pending")
        }
        let counts = event.counts
        if let v = counts.remaining { fields["remaining"] = .integer(Int64(v)) }
        if let v = counts.completed { fields["completed"] = .integer(Int64(v)) }
        if let v = counts.failed { fields["failed"] = .integer(Int64(v)) }
        if let v = counts.warning { fields["warning"] = .integer(Int64(v)) }
        if let match = event.match { fields["match"] = try QueryBinding.record(match, arguments) }
        if let file = event.file { fields["file"] = LuaValue(file) }
        if let files = event.files {
            fields["files"] = try arguments.makeRecordList(files) { StorageSCPHooks.write($0, into: $1) }
        }
        if let attempt = event.attempt { fields["attempt"] = .integer(Int64(attempt)) }
        if event.isFinal {
            fields["final"] = .boolean(true)
            fields["failed_uids"] = LuaValue(event.failedUIDs.map { LuaValue($0) })
        }
        return try arguments.makeRecord(fields)
    }

    /// Raises the callback's error again, if it raised one.
    func rethrowCallbackError() throws {
        if let error { throw error }
    }
}
