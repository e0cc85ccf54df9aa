import Foundation

/// The script thread's queue (docs/design.md, "One Lua thread"): other threads (NIO event loops) `post` jobs; the
/// script's thread runs them while it waits inside a blocking call (`run(until:timeout:)`). Lua code runs
/// only in those jobs, on the script's thread; an event loop never waits for Lua.
///
/// Waiting uses a condition variable: no polling. Jobs run in the order they were posted.
public final class ScriptRunLoop: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []  // guarded by condition; jobs[head...] are waiting
    private var head = 0  // guarded by condition
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
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
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
            while head == jobs.count && wakeups == 0 && !interrupted {
                if let deadline {
                    if !condition.wait(until: deadline) && head == jobs.count && wakeups == 0 && !interrupted {
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

    /// The oldest waiting job (the lock must be held).
    private func takeLocked() -> (@Sendable () -> Void)? {
        guard head < jobs.count else { return nil }
        let job = jobs[head]
        head += 1
        if head == jobs.count {
            jobs.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 && head * 2 >= jobs.count {
            jobs.removeFirst(head)
            head = 0
        }
        return job
    }

    /// Number of jobs waiting.
    public var pendingCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return jobs.count - head
    }
}
