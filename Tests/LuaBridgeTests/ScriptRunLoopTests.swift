import Foundation
import LuaBridge
import XCTest

final class ScriptRunLoopTests: XCTestCase {
    /// Jobs posted from several threads all run, on the thread that waits, in each poster's order.
    func testJobsPostedFromManyThreadsRunOnTheWaitingThread() {
        let runLoop = ScriptRunLoop()
        let waitingThread = pthread_self()
        let threads = 4, perThread = 250
        final class Log: @unchecked Sendable {
            var entries: [(thread: Int, index: Int, onWaitingThread: Bool)] = []
        }
        let log = Log()  // only touched by jobs, which run on the waiting thread
        let group = DispatchGroup()
        for t in 0..<threads {
            group.enter()
            Thread.detachNewThread {
                for i in 0..<perThread {
                    runLoop.post { log.entries.append((t, i, pthread_equal(pthread_self(), waitingThread) != 0)) }
                }
                group.leave()
            }
        }
        let finished = runLoop.run(until: { log.entries.count == threads * perThread }, timeout: 60)
        group.wait()
        XCTAssertTrue(finished)
        XCTAssertEqual(log.entries.count, threads * perThread)
        XCTAssertTrue(log.entries.allSatisfy(\.onWaitingThread))
        for t in 0..<threads {
            XCTAssertEqual(log.entries.filter { $0.thread == t }.map(\.index), Array(0..<perThread))
        }
    }

    func testRunReturnsFalseOnTimeoutWithNothingPosted() {
        XCTAssertFalse(ScriptRunLoop().run(until: { false }, timeout: 0.05))
    }

    func testWakeLetsTheWaiterSeeAConditionChangedElsewhere() {
        let runLoop = ScriptRunLoop()
        final class Flag: @unchecked Sendable {
            private let lock = NSLock()
            private var value = false
            func set() {
                lock.lock()
                value = true
                lock.unlock()
            }
            var isSet: Bool {
                lock.lock()
                defer { lock.unlock() }
                return value
            }
        }
        let flag = Flag()
        Thread.detachNewThread {
            flag.set()
            runLoop.wake()
        }
        XCTAssertTrue(runLoop.run(until: { flag.isSet }, timeout: 60))
    }

    func testJobsLeftAfterConditionBecomesTrueStayQueued() {
        let runLoop = ScriptRunLoop()
        final class Box: @unchecked Sendable { var count = 0 }
        let box = Box()
        for _ in 0..<3 { runLoop.post { box.count += 1 } }
        XCTAssertTrue(runLoop.run(until: { box.count >= 1 }, timeout: 10))
        XCTAssertEqual(box.count, 1)
        XCTAssertEqual(runLoop.pendingCount, 2)
        XCTAssertEqual(runLoop.drain(), 2)
        XCTAssertEqual(box.count, 3)
    }

    /// The one-Lua-thread rule in practice: another thread posts work that calls a Lua callback.
    func testLuaCallbackCalledFromJobsPostedByAnotherThread() throws {
        let state = LuaState()
        let runLoop = ScriptRunLoop()
        final class Done: @unchecked Sendable { var value = false }
        let done = Done()
        state.register(global: "wait_for_events") { args in
            guard let callback = args[0].functionValue else { throw LuaScriptError("expected a function") }
            final class Unchecked: @unchecked Sendable {
                let callback: LuaFunctionRef
                init(_ c: LuaFunctionRef) { callback = c }
            }
            let box = Unchecked(callback)
            Thread.detachNewThread {
                for i in 1...5 { runLoop.post { _ = try? box.callback.call(.integer(Int64(i))) } }
                runLoop.post { done.value = true }
            }
            runLoop.run(until: { done.value }, timeout: 60)
            return []
        }
        let results = try state.run("local sum = 0 wait_for_events(function(i) sum = sum + i end) return sum")
        XCTAssertEqual(results.first?.integerValue, 15)
    }

    /// A poster that never stops must not keep `run(until:timeout:)` from returning.
    func testSteadyStreamOfJobsDoesNotStretchTheTimeout() {
        let runLoop = ScriptRunLoop()
        final class Flag: @unchecked Sendable {
            private let lock = NSLock()
            private var value = false
            func set() {
                lock.lock()
                value = true
                lock.unlock()
            }
            var isSet: Bool {
                lock.lock()
                defer { lock.unlock() }
                return value
            }
        }
        let stop = Flag(), stopped = Flag()
        Thread.detachNewThread {
            while !stop.isSet {
                runLoop.post {}
                usleep(100)
            }
            stopped.set()
        }
        XCTAssertFalse(runLoop.run(until: { false }, timeout: 0.2))
        stop.set()
        while !stopped.isSet { usleep(1000) }
        runLoop.drain()
    }

    /// A job that waits again (a hook calling `dicom.sleep`) still sees the other jobs in posting order.
    func testNestedRunKeepsPostingOrder() {
        let runLoop = ScriptRunLoop()
        final class Log: @unchecked Sendable { var entries: [String] = [] }
        let log = Log()
        runLoop.post {
            log.entries.append("A")
            runLoop.post { log.entries.append("C") }
            runLoop.run(until: { log.entries.contains("C") }, timeout: 10)
        }
        runLoop.post { log.entries.append("B") }
        XCTAssertTrue(runLoop.run(until: { log.entries.count == 3 }, timeout: 10))
        XCTAssertEqual(log.entries, ["A", "B", "C"])
    }

    func testInterruptEndsAWaitWithoutLimit() {
        let runLoop = ScriptRunLoop()
        Thread.detachNewThread { runLoop.interrupt() }
        XCTAssertFalse(runLoop.run(until: { false }, timeout: nil))
        // One-shot: the next wait is not interrupted.
        XCTAssertFalse(runLoop.run(until: { false }, timeout: 0.01))
    }

    /// Another thread interrupts a script stuck in a Lua loop; the script's pcall-free run ends with an error.
    func testInterrupterStopsABusyLuaLoop() throws {
        let state = LuaState()
        let interrupter = state.interrupter
        state.register(global: "started") { _ in
            Thread.detachNewThread { interrupter.interrupt() }
            return []
        }
        XCTAssertThrowsError(try state.run("started() while true do end", name: "=busy")) { error in
            XCTAssertTrue((error as? LuaError)?.message.contains("interrupted!") ?? false, "\(error)")
        }
        XCTAssertEqual(try state.run("return 'usable after'").first?.stringValue, "usable after")
    }
}
