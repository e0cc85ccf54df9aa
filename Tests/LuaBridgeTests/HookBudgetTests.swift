import Foundation
import LuaBridge
import XCTest

/// docs/lua-api.md "Hooks under load": hooks never nest, access decisions go first, budgets stop a hook
/// without crashing the process, and a table error value stays itself.
final class HookBudgetTests: XCTestCase {
    final class Log: @unchecked Sendable {
        var entries: [String] = []
    }

    /// A hook job that waits (as `dicom.sleep` does) runs ordinary jobs meanwhile, never another hook; a
    /// decision posted after queued hooks runs before them.
    func testHookJobsNeverNestAndDecisionsGoFirst() {
        let runLoop = ScriptRunLoop()
        let log = Log()
        runLoop.post(lane: .hook) {
            log.entries.append("hook 1 begins")
            runLoop.post { log.entries.append("callback") }
            runLoop.run(until: { false }, timeout: 0.2)
            log.entries.append("hook 1 ends")
        }
        runLoop.post(lane: .hook) { log.entries.append("hook 2") }
        runLoop.post(lane: .decision) { log.entries.append("decision") }
        XCTAssertTrue(runLoop.run(until: { log.entries.count == 5 }, timeout: 10))
        XCTAssertEqual(log.entries, ["decision", "hook 1 begins", "callback", "hook 1 ends", "hook 2"])
    }

    func testATimeLimitStopsALoopingFunctionAndTheNextCallRuns() throws {
        let state = LuaState()
        let loop = try state.load("while true do end", name: "=hooks.lua")
        let started = Date()
        XCTAssertThrowsError(try loop.call([], timeLimit: 0.2, exceeded: "on_stored exceeded HookTimeLimit (0.2 s)")) {
            XCTAssertTrue(
                ($0 as? LuaError)?.message.contains("on_stored exceeded HookTimeLimit (0.2 s)") == true, "\($0)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        let quick = try state.load("local n = 0 for i = 1, 1e6 do n = n + i end return n")
        XCTAssertEqual(try quick.call([], timeLimit: 5, exceeded: "x").first?.integerValue, 500_000_500_000)
        XCTAssertEqual(try quick.call().first?.integerValue, 500_000_500_000, "no budget left behind")
    }

    func testAMemoryLimitGivesALuaErrorNotACrash() throws {
        let state = LuaState(memoryLimit: 4 << 20)
        let caught = try state.run(
            "local ok, e = pcall(function() local t = {} for i = 1, 1e8 do t[i] = {i} end end) return ok, e")
        XCTAssertEqual(caught.first?.boolValue, false)
        XCTAssertEqual(caught.dropFirst().first?.stringValue, "not enough memory")
        XCTAssertThrowsError(try state.run("local t = {} for i = 1, 1e8 do t[i] = 'x' .. i end")) {
            XCTAssertEqual(($0 as? LuaError)?.kind, .memory)
        }
        XCTAssertEqual(try state.run("return 'still alive'").first?.stringValue, "still alive")
        XCTAssertLessThanOrEqual(state.memoryUsed, 5 << 20)
    }

    /// With the state at its limit, Swift's own calls (pushing a large result, setting a global, making a
    /// record) still succeed: no allocation failure can unwind across Swift frames.
    func testSwiftCallsAtTheMemoryLimitDoNotFail() throws {
        let state = LuaState(memoryLimit: 1 << 20)
        let many = LuaTable(array: (0..<20_000).map { LuaValue("value number \($0)") })
        state.register(global: "big") { _ in [.table(many)] }
        let results = try state.run(
            """
            hold = {}
            local full = pcall(function() while true do hold[#hold + 1] = string.rep('x', 100) .. #hold end end)
            local ok, t = pcall(big)
            return full, ok, ok and #t or t
            """)
        XCTAssertEqual(results.map(\.description), ["false", "true", "20000"])
        try state.setGlobal("copy", .table(many))
        _ = try state.makeRecord(["aet": "A", "port": .integer(104)])
        XCTAssertEqual(try state.run("hold = nil collectgarbage() return #copy").first?.integerValue, 20_000)
    }

    /// Lua → Swift → Lua callback raising a table → back through Swift → the script's pcall gets that table.
    func testATableErrorReachesPcallAsTheSameTable() throws {
        let state = LuaState()
        state.register(global: "call_back") { arguments in
            try arguments[0].functionValue?.call([]) ?? []
        }
        let results = try state.run(
            """
            local raised = {code = 7}
            local ok, e = pcall(call_back, function() error(raised) end)
            return ok, e == raised, type(e) == 'table' and e.code
            """)
        XCTAssertEqual(results.map(\.description), ["false", "true", "7"])
    }
}
