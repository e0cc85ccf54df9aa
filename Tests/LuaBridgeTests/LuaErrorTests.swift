import LuaBridge
import XCTest

final class LuaErrorTests: XCTestCase {
    func testRuntimeErrorCarriesMessageAndTraceback() throws {
        let state = LuaState()
        XCTAssertThrowsError(try state.run("local function f() error('boom') end\nf()", name: "=script")) { error in
            guard let error = error as? LuaError else { return XCTFail("expected LuaError, got \(error)") }
            XCTAssertEqual(error.kind, .runtime)
            XCTAssertEqual(error.message, "script:1: boom")
            XCTAssertTrue(error.traceback.hasPrefix("stack traceback:"), error.traceback)
            XCTAssertTrue(error.traceback.contains("script:2"), error.traceback)
        }
    }

    func testSyntaxErrorIsALoadErrorWithPosition() throws {
        XCTAssertThrowsError(try LuaState().load("x = = 1", name: "@bad.lua")) { error in
            XCTAssertEqual((error as? LuaError)?.kind, .load)
            XCTAssertTrue("\(error)".hasPrefix("bad.lua:1:"), "\(error)")
        }
    }

    func testPrecompiledChunksAreRefusedByTheLoader() throws {
        XCTAssertThrowsError(try LuaState().load("\u{1B}Lua", name: "=bin")) { error in
            XCTAssertEqual((error as? LuaError)?.kind, .load)
            XCTAssertTrue("\(error)".contains("binary"), "\(error)")
        }
    }

    func testNonStringErrorObjectsAreDescribed() throws {
        let state = LuaState()
        XCTAssertThrowsError(try state.run("error(setmetatable({}, {__tostring = function() return 'custom' end}))")) {
            XCTAssertEqual(($0 as? LuaError)?.message, "custom")
        }
        XCTAssertThrowsError(try state.run("error({})")) {
            XCTAssertEqual(($0 as? LuaError)?.message, "(error object is a table value)")
        }
    }

    func testSwiftErrorIsCatchableByPcallWithPosition() throws {
        let state = LuaState()
        state.register(global: "fail") { _ in throw LuaScriptError("no such AE 'x'") }
        let results = try state.run("local ok, msg = pcall(function() fail() end) return ok, msg", name: "=s")
        XCTAssertEqual(results[0].boolValue, false)
        XCTAssertEqual(results[1].stringValue, "s:1: no such AE 'x'")
    }

    func testSwiftErrorUncaughtBecomesLuaErrorForSwiftCaller() throws {
        let state = LuaState()
        state.register(global: "fail") { _ in throw LuaScriptError("bad") }
        XCTAssertThrowsError(try state.run("fail()", name: "=main")) { error in
            XCTAssertEqual((error as? LuaError)?.message, "main:1: bad")
        }
        XCTAssertEqual(try state.run("return 'still alive'").first?.stringValue, "still alive")
    }

    /// Lua → Swift → Lua callback that raises → back in Swift → raised again in Lua → caught by pcall.
    func testErrorInCallbackCalledFromSwiftCalledFromLuaDoesNotCrash() throws {
        let state = LuaState()
        var callbackError: LuaError?
        state.register(global: "with_callback") { arguments in
            guard let callback = arguments[0].functionValue else { throw LuaScriptError("expected a function") }
            do {
                return try callback.call(1)
            } catch let error as LuaError {
                callbackError = error
                throw error
            }
        }
        let results = try state.run(
            """
            local ok, msg = pcall(with_callback, function(x) error('inner failure ' .. x) end)
            local ok2, value = pcall(with_callback, function(x) return x + 1 end)
            return ok, msg, ok2, value
            """, name: "=nested")
        XCTAssertEqual(results[0].boolValue, false)
        XCTAssertTrue(results[1].stringValue?.hasPrefix("nested:1: inner failure 1") ?? false, "\(results[1])")
        XCTAssertEqual(callbackError?.message, "nested:1: inner failure 1")
        XCTAssertEqual(results[2].boolValue, true)
        XCTAssertEqual(results[3].integerValue, 2)
    }

    func testSwiftFunctionsWorkInsideCoroutines() throws {
        let state = LuaState()
        state.register(global: "add") { args in [.integer((args[0].integerValue ?? 0) + (args[1].integerValue ?? 0))] }
        state.register(global: "call") { args in try args[0].functionValue?.call() ?? [] }
        let results = try state.run(
            """
            local co = coroutine.wrap(function(a)
              local b = coroutine.yield(add(a, 1))
              return call(function() return add(b, 100) end)
            end)
            return co(1), co(5)
            """)
        XCTAssertEqual(results.map { $0.integerValue }, [2, 105])
    }

    func testModuleFunctionsAndValues() throws {
        let state = LuaState()
        try state.setModule("m", functions: ["echo": { args in args.values }], values: ["version": "1.2"])
        let results = try state.run("return m.version, m.echo(1, 'two', nil, true)")
        XCTAssertEqual(results[0].stringValue, "1.2")
        XCTAssertEqual(results[1].integerValue, 1)
        XCTAssertEqual(results[2].stringValue, "two")
        XCTAssertTrue(results[3].isNil)
        XCTAssertEqual(results[4].boolValue, true)
    }

    func testClosedStateThrowsInsteadOfCrashing() throws {
        let state = LuaState()
        let f = try state.load("return 1")
        state.close()
        XCTAssertThrowsError(try state.run("return 1"))
        XCTAssertThrowsError(try f.call())
        XCTAssertThrowsError(try state.setGlobal("x", 1))
    }

    func testArgumentChecksUseLuaWording() throws {
        let state = LuaState()
        state.register(global: "f") { args in
            _ = try args.string(0, "f")
            return [.integer(try args.integer(1, "f"))]
        }
        XCTAssertEqual(try state.run("return f('a', 2.0)").first?.integerValue, 2)
        XCTAssertThrowsError(try state.run("f(nil)", name: "=s")) { error in
            XCTAssertEqual((error as? LuaError)?.message, "s:1: bad argument #1 to 'f' (string expected, got nil)")
        }
        XCTAssertThrowsError(try state.run("f('a', 1.5)", name: "=s")) { error in
            XCTAssertEqual(
                (error as? LuaError)?.message,
                "s:1: bad argument #2 to 'f' (number has no integer representation)")
        }
    }
}
