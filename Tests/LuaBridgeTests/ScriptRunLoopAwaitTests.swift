import Foundation
import LuaBridge
import XCTest

final class ScriptRunLoopAwaitTests: XCTestCase {
    func testAwaitReturnsTheResultAndRunsPostedJobsMeanwhile() throws {
        let loop = ScriptRunLoop()
        let scriptThread = pthread_self()
        let ranOnScriptThread = LockedFlag()
        let value = try loop.await { () async throws -> Int in
            loop.post { ranOnScriptThread.set(pthread_equal(pthread_self(), scriptThread) != 0) }
            try await Task.sleep(nanoseconds: 50_000_000)
            return 42
        }
        XCTAssertEqual(value, 42)
        XCTAssertTrue(ranOnScriptThread.value, "a job posted during the wait must run on the waiting thread")
    }

    func testAwaitRethrowsTheOperationsError() {
        struct Boom: Error {}
        let loop = ScriptRunLoop()
        XCTAssertThrowsError(try loop.await { () async throws -> Int in throw Boom() }) { XCTAssertTrue($0 is Boom) }
    }

    func testHeartbeatRunsWhileTheOperationIsSilent() throws {
        let loop = ScriptRunLoop()
        var beats = 0
        _ = try loop.await(heartbeat: (0.05, { beats += 1 })) { () async throws -> Int in
            try await Task.sleep(nanoseconds: 400_000_000)
            return 1
        }
        XCTAssertGreaterThanOrEqual(beats, 2, "0.4 s of silence at a 0.05 s interval must beat several times")
    }

    func testInterruptCancelsTheTaskAndThrows() {
        let loop = ScriptRunLoop()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { loop.interrupt() }
        XCTAssertThrowsError(
            try loop.await { () async throws -> Int in
                try await Task.sleep(nanoseconds: 30_000_000_000)  // cancelled long before
                return 0
            }
        ) { XCTAssertTrue($0 is ScriptWaitInterrupted) }
    }
}

/// A Bool shared between a posted job and the test.
private final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    func set(_ value: Bool) {
        lock.lock()
        flag = value
        lock.unlock()
    }
    var value: Bool {
        lock.lock()
        defer { lock.unlock() }
        return flag
    }
}

final class ScriptRunLoopAwaitBlockingTests: XCTestCase {
    func testABlockingOperationRunsOffThePoolAndPostedJobsStillRun() throws {
        let loop = ScriptRunLoop()
        let ran = LockedCounter()
        let value = try loop.awaitBlocking { () throws -> Int in
            loop.post { ran.increment() }
            usleep(100_000)  // blocks its own thread, not a concurrency-pool thread
            return 7
        }
        XCTAssertEqual(value, 7)
        XCTAssertEqual(ran.value, 1, "the job posted while the operation blocked ran on the waiting thread")
    }

    func testABlockingOperationsErrorIsRethrown() {
        struct Boom: Error {}
        XCTAssertThrowsError(try ScriptRunLoop().awaitBlocking { () throws -> Int in throw Boom() }) {
            XCTAssertTrue($0 is Boom)
        }
    }
}

private final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() {
        lock.lock()
        count += 1
        lock.unlock()
    }
    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}
