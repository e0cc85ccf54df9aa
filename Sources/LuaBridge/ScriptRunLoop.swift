import Foundation

/// The script thread's queue (DESIGN.md, "One Lua thread"): other threads (NIO event loops) `post` jobs; the
/// script's thread runs them while it waits inside a blocking call (`run(until:timeout:)`). Lua code runs
/// only in those jobs, on the script's thread; an event loop never waits for Lua.
///
/// Waiting uses a condition variable: no polling. Jobs run in the order they were posted.
public final class ScriptRunLoop: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []  // guarded by condition
    private var wakeups = 0  // guarded by condition

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

    /// Runs posted jobs on the calling thread (the script's) until `condition()` is true or `timeout` seconds
    /// have passed (nil: no limit). `condition` is checked before waiting and after every job or `wake()`.
    /// - Returns: true when the condition became true, false on time-out.
    @discardableResult
    public func run(until done: () -> Bool, timeout: TimeInterval? = nil) -> Bool {
        let deadline = timeout.map { Date().addingTimeInterval(max(0, $0)) }
        while true {
            if done() { return true }
            condition.lock()
            while jobs.isEmpty && wakeups == 0 {
                if let deadline {
                    if !condition.wait(until: deadline) && jobs.isEmpty && wakeups == 0 {
                        condition.unlock()
                        return done()
                    }
                } else {
                    condition.wait()
                }
            }
            let batch = jobs
            jobs.removeAll()
            wakeups = 0
            condition.unlock()
            for (i, job) in batch.enumerated() {
                job()
                let isLast = i == batch.count - 1
                if !isLast && (done() || (deadline.map { Date() >= $0 } ?? false)) {
                    requeue(Array(batch[(i + 1)...]))
                    return done()
                }
            }
            // A steady stream of jobs must not stretch the wait beyond its time-out.
            if let deadline, Date() >= deadline { return done() }
        }
    }

    /// Runs the jobs posted so far without waiting; returns how many ran.
    @discardableResult
    public func drain() -> Int {
        condition.lock()
        let batch = jobs
        jobs.removeAll()
        condition.unlock()
        for job in batch { job() }
        return batch.count
    }

    /// Number of jobs waiting.
    public var pendingCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return jobs.count
    }

    private func requeue(_ remaining: [@Sendable () -> Void]) {
        condition.lock()
        jobs.insert(contentsOf: remaining, at: 0)
        condition.unlock()
    }
}
