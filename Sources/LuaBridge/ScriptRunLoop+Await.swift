import Foundation

/// Thrown by `ScriptRunLoop.await` when the wait was interrupted (Ctrl-C) before the operation ended; the
/// operation's task has been cancelled and has finished by then.
public struct ScriptWaitInterrupted: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "interrupted!" }
}

/// The result of an operation, filled in by its task and read by the script thread.
private final class OperationOutcome<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<T, Error>?
    func set(_ value: Result<T, Error>) {
        lock.lock()
        result = value
        lock.unlock()
    }
    var value: Result<T, Error>? {
        lock.lock()
        defer { lock.unlock() }
        return result
    }
}

extension ScriptRunLoop {
    /// Runs `operation` as a Swift concurrency task and blocks the script's thread until it ends, running the
    /// jobs other threads post meanwhile (hooks, callbacks) on this thread. This is how every blocking call of
    /// the scripting API (`q:retrieve`, `c:echo`, `scp:serve`) waits: the event loops never wait for Lua.
    ///
    /// - Parameters:
    ///   - heartbeat: when given, `action` runs on the script's thread each time `interval` seconds pass
    ///     without the operation ending (IDL calls a retrieve callback every 3 seconds of silence).
    /// - Throws: what `operation` throws; `ScriptWaitInterrupted` after `interrupt()` (the task is cancelled
    ///   and awaited first, so nothing outlives the call).
    public func await<T: Sendable>(
        heartbeat: (interval: TimeInterval, action: () -> Void)? = nil,
        _ operation: @escaping @Sendable () async throws -> T
    ) throws -> T {
        let outcome = OperationOutcome<T>()
        let task = Task {
            do { outcome.set(.success(try await operation())) } catch { outcome.set(.failure(error)) }
            self.wake()
        }
        var interrupted = false
        while outcome.value == nil {
            let ended = run(until: { outcome.value != nil }, timeout: heartbeat?.interval)
            if ended { break }
            if lastRunWasInterrupted {
                interrupted = true
                task.cancel()
                continue  // wait for the cancelled task to finish
            }
            if !interrupted { heartbeat?.action() }
        }
        if interrupted { throw ScriptWaitInterrupted() }
        switch outcome.value! {
        case .success(let value): return value
        case .failure(let error): throw error
        }
    }
}

extension ScriptRunLoop {
    /// Runs a blocking, synchronous `operation` (waiting for a child process, sleeping) on a thread of its own,
    /// never on the Swift concurrency pool whose few threads the network tasks need, and waits for it as
    /// `await` does: posted jobs run meanwhile on the script's thread.
    public func awaitBlocking<T: Sendable>(_ operation: @escaping @Sendable () throws -> T) throws -> T {
        try self.await {
            try await withCheckedThrowingContinuation { continuation in
                Thread.detachNewThread { continuation.resume(with: Result { try operation() }) }
            }
        }
    }
}
