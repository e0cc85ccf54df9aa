import Foundation

/// The `on_stored` calls of a storage SCP that wait for their hook (docs/lua-api.md "Hooks under load"):
/// at most `limit` at once. The association that stored a file reserves a place (`reserve()`, suspending
/// while the backlog is full: its C-STORE-RSP waits, so the peer sends nothing more and the connection stops
/// being read) before the file is queued, so memory stays bounded whatever the hooks do. Each queued file
/// is either taken by its hook (`take`) or, when the SCP stops before its turn, abandoned and named
/// (`abandonAll`): no hook call is lost silently. Safe from any thread.
public final class HookBacklog: @unchecked Sendable {
    public let limit: Int
    private let lock = NSLock()
    private var reserved = 0  // guarded by lock
    private var waiting: [Int: StoredInstance] = [:]  // guarded by lock
    private var nextToken = 0  // guarded by lock
    private var suspended: [CheckedContinuation<Void, Never>] = []  // guarded by lock
    private var closed = false  // guarded by lock: after `abandonAll`, nobody waits

    public init(limit: Int) { self.limit = max(1, limit) }

    /// Stops the back-pressure (the SCP is stopping: transfers in flight must finish, and the hooks may not run
    /// meanwhile): `reserve` no longer waits, and the associations waiting now go on. Files stay queued.
    public func release() {
        let toResume: [CheckedContinuation<Void, Never>] = lock.withLock {
            closed = true
            let s = suspended
            suspended = []
            return s
        }
        toResume.forEach { $0.resume() }
    }

    /// Makes `reserve` wait for room again after `abandonAll` (an SCP started again).
    public func reopen() { lock.withLock { closed = false } }

    /// Files queued or reserved now.
    public var count: Int { lock.withLock { reserved + waiting.count } }

    /// Waits until there is room, then holds a place for the next `enqueue`.
    public func reserve() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now: Bool = lock.withLock {
                if closed { return true }
                if reserved + waiting.count < limit && suspended.isEmpty {
                    reserved += 1
                    return true
                }
                suspended.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Holds a place for the next `enqueue` if there is room now (or the backlog is released); false when
    /// `reserve` would wait.
    public func tryReserve() -> Bool {
        lock.withLock {
            if closed { return true }
            guard reserved + waiting.count < limit && suspended.isEmpty else { return false }
            reserved += 1
            return true
        }
    }

    /// Gives back a place reserved for a file that will not be queued (no `on_stored` hook is set).
    public func cancelReservation() {
        let toResume: CheckedContinuation<Void, Never>? = lock.withLock {
            if reserved > 0 { reserved -= 1 }
            guard !suspended.isEmpty, reserved + waiting.count < limit else { return nil }
            reserved += 1
            return suspended.removeFirst()
        }
        toResume?.resume()
    }

    /// Queues `file` (in a place reserved before, if any); returns its token for `take`.
    public func enqueue(_ file: StoredInstance) -> Int {
        lock.withLock {
            if reserved > 0 { reserved -= 1 }
            nextToken += 1
            waiting[nextToken] = file
            return nextToken
        }
    }

    /// Removes the file of `token` as its hook starts: false when it was abandoned (do not run the hook).
    public func take(_ token: Int) -> Bool {
        let (found, toResume): (Bool, CheckedContinuation<Void, Never>?) = lock.withLock {
            guard waiting.removeValue(forKey: token) != nil else { return (false, nil) }
            guard !suspended.isEmpty, reserved + waiting.count < limit else { return (true, nil) }
            reserved += 1
            return (true, suspended.removeFirst())
        }
        toResume?.resume()
        return found
    }

    /// Empties the backlog: returns the files whose hooks will not run (in the order they arrived) and lets
    /// every suspended association go on.
    public func abandonAll() -> [StoredInstance] {
        let (files, toResume): ([StoredInstance], [CheckedContinuation<Void, Never>]) = lock.withLock {
            let files = waiting.sorted { $0.key < $1.key }.map(\.value)
            waiting = [:]
            closed = true
            reserved = 0
            let s = suspended
            suspended = []
            return (files, s)
        }
        toResume.forEach { $0.resume() }
        return files
    }
}
