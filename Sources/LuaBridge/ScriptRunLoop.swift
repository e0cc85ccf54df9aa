import Foundation

/// The script thread's queue (docs/design.md, "One Lua thread"): other threads (NIO event loops) `post` jobs; the
/// script's thread runs them while it waits inside a blocking call (`run(until:timeout:)`). Lua code runs
/// only in those jobs, on the script's thread; an event loop never waits for Lua.
///
/// Waiting uses a condition variable: no polling. Jobs run in the order they were posted, with two
/// exceptions for hooks (docs/lua-api.md "Hooks under load"): a job posted with `post(lane: .hook)` never
/// runs inside another hook job (a blocking call made by a hook runs only ordinary jobs: its own callbacks),
/// and `.decision` jobs (access decisions) run before any waiting hook job.
public final class ScriptRunLoop: @unchecked Sendable {
    /// Which queue a job waits in.
    public enum Lane: Sendable {
        /// Callbacks of the blocking call in progress and other work: runs in any wait.
        case ordinary
        /// A storage SCP hook: runs one at a time, never inside another hook or decision.
        case hook
        /// An access decision (`on_association`): like `.hook`, but before every waiting hook.
        case decision
    }

    private struct Job {
        let sequence: Int
        let body: @Sendable () -> Void
    }

    private let condition = NSCondition()
    private var ordinary = JobQueue()  // guarded by condition
    private var hooks = JobQueue()  // guarded by condition
    private var decisions = JobQueue()  // guarded by condition
    private var nextSequence = 0  // guarded by condition
    /// Hook or decision jobs running now (nested waits inside them take ordinary jobs only).
    private var hookDepth = 0  // guarded by condition
    private var wakeups = 0  // guarded by condition
    private var interrupted = false  // guarded by condition
    private var lastRunInterrupted = false  // guarded by condition

    /// True when the latest `run(until:timeout:)` returned because of `interrupt()` (not a time-out).
    public var lastRunWasInterrupted: Bool {
        condition.lock()
        defer { condition.unlock() }
        return lastRunInterrupted
    }

    public init() {}

    /// Queues `job` to run on the script's thread. Safe from any thread.
    public func post(_ job: @escaping @Sendable () -> Void) {
        post(lane: .ordinary, job)
    }

    /// Queues `job` in `lane` to run on the script's thread. Safe from any thread.
    public func post(lane: Lane, _ job: @escaping @Sendable () -> Void) {
        condition.lock()
        let entry = Job(sequence: nextSequence, body: job)
        nextSequence += 1
        switch lane {
        case .ordinary: ordinary.append(entry)
        case .hook: hooks.append(entry)
        case .decision: decisions.append(entry)
        }
        condition.signal()
        condition.unlock()
    }

    /// True while a hook or decision job runs (on the script's thread).
    public var isRunningHook: Bool {
        condition.lock()
        defer { condition.unlock() }
        return hookDepth > 0
    }

    /// Wakes a `run(until:)` so that it checks its condition again (after another thread changed it).
    public func wake() {
        condition.lock()
        wakeups += 1
        condition.signal()
        condition.unlock()
    }

    /// Makes the current (or next) `run(until:timeout:)` return early, once, e.g. on Ctrl-C together with
    /// `LuaInterrupter.interrupt()`. Safe from any thread.
    public func interrupt() {
        condition.lock()
        interrupted = true
        condition.signal()
        condition.unlock()
    }

    /// Runs posted jobs on the calling thread (the script's) until `condition()` is true or `timeout` seconds
    /// have passed (nil: no limit). `condition` is checked before waiting and after every job or `wake()`.
    /// Jobs are taken one at a time, so a job that waits again (a nested `run`) keeps the posting order.
    /// - Returns: true when the condition became true, false on time-out or `interrupt()`.
    @discardableResult
    public func run(until done: () -> Bool, timeout: TimeInterval? = nil) -> Bool {
        let deadline = timeout.map { Date().addingTimeInterval(max(0, $0)) }
        condition.lock()
        lastRunInterrupted = false
        condition.unlock()
        while true {
            if done() { return true }
            // A steady stream of jobs must not stretch the wait beyond its time-out.
            if let deadline, Date() >= deadline { return false }
            condition.lock()
            if interrupted {
                interrupted = false
                lastRunInterrupted = true
                condition.unlock()
                return done()
            }
            while !hasRunnableLocked && wakeups == 0 && !interrupted {
                if let deadline {
                    if !condition.wait(until: deadline) && !hasRunnableLocked && wakeups == 0 && !interrupted {
                        condition.unlock()
                        return done()
                    }
                } else {
                    condition.wait()
                }
            }
            let job = takeLocked()
            if job == nil { wakeups = 0 }
            condition.unlock()
            job?()
        }
    }

    /// Runs jobs (as `run`) until no hook or decision job waits, or `timeout` seconds have passed.
    /// - Returns: true when none waits.
    @discardableResult
    public func runHooks(timeout: TimeInterval?) -> Bool {
        run(until: { self.waitingHookCount == 0 }, timeout: timeout)
    }

    /// Hook and decision jobs waiting.
    public var waitingHookCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return hooks.count + decisions.count
    }

    /// Runs the jobs posted before this call without waiting (not those they post); returns how many ran.
    @discardableResult
    public func drain() -> Int {
        var remaining = pendingCount
        var count = 0
        while remaining > 0 {
            condition.lock()
            let job = takeLocked()
            condition.unlock()
            guard let job else { break }
            job()
            count += 1
            remaining -= 1
        }
        return count
    }

    /// Whether `takeLocked` would return a job (the lock must be held).
    private var hasRunnableLocked: Bool {
        !ordinary.isEmpty || (hookDepth == 0 && (!hooks.isEmpty || !decisions.isEmpty))
    }

    /// The next job to run (the lock must be held): a decision first, then the oldest ordinary or hook job
    /// — hook and decision jobs only when none is running.
    private func takeLocked() -> (@Sendable () -> Void)? {
        if hookDepth == 0, let decision = decisions.removeFirst() { return exclusive(decision.body) }
        let hookAllowed = hookDepth == 0
        switch (ordinary.first, hookAllowed ? hooks.first : nil) {
        case (nil, nil): return nil
        case (let job?, nil): return ordinary.removeFirst().map { _ in job.body }
        case (nil, .some): return hooks.removeFirst().map { exclusive($0.body) }
        case (let job?, let hook?):
            if job.sequence < hook.sequence { return ordinary.removeFirst().map { _ in job.body } }
            return hooks.removeFirst().map { exclusive($0.body) }
        }
    }

    /// `body` counted as a running hook while it runs (the lock is taken inside, not held by the caller).
    private func exclusive(_ body: @escaping @Sendable () -> Void) -> @Sendable () -> Void {
        { [self] in
            condition.lock()
            hookDepth += 1
            condition.unlock()
            defer {
                condition.lock()
                hookDepth -= 1
                condition.unlock()
            }
            body()
        }
    }

    /// Number of jobs waiting.
    public var pendingCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return ordinary.count + hooks.count + decisions.count
    }

    /// A FIFO of jobs that does not move its elements on every removal.
    private struct JobQueue {
        private var items: [Job] = []
        private var head = 0
        var isEmpty: Bool { head == items.count }
        var count: Int { items.count - head }
        var first: Job? { isEmpty ? nil : items[head] }
        mutating func append(_ job: Job) { items.append(job) }
        mutating func removeFirst() -> Job? {
            guard head < items.count else { return nil }
            let job = items[head]
            head += 1
            if head == items.count {
                items.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024 && head * 2 >= items.count {
                items.removeFirst(head)
                head = 0
            }
            return job
        }
    }
}
