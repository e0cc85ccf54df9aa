import LuaBridge
import XCTest

/// A Swift object as a script sees it (like the `query` object of docs/lua-api.md).
private final class Counter {
    var count: Int64 = 0
    var label = "c"
    var releases = 0
}

final class LuaUserdataTypeTests: XCTestCase {
    private func makeState() throws -> (LuaState, LuaUserdataType<Counter>, Counter) {
        let state = LuaState()
        let type = LuaUserdataType<Counter>(name: "counter")
        type.method("add_value") { counter, args in
            guard let n = args[0].integerValue else {
                throw LuaScriptError("add_value: expected an integer, got \(args[0].typeName)")
            }
            counter.count += n
            return [.integer(counter.count)]
        }
        type.property("count", get: { .integer($0.count) })
        type.property(
            "Label", get: { .string(LuaString($0.label)) },
            set: { counter, value in
                guard let text = value.stringValue else { throw LuaScriptError("label: expected a string") }
                counter.label = text
            })
        type.onRelease = { $0.releases += 1 }
        type.describe = { "counter(\($0.count))" }
        let counter = Counter()
        try state.setGlobal("c", try state.makeUserdata(counter, of: type))
        state.register(global: "new_counter") { args in [try args.makeUserdata(Counter(), of: type)] }
        return (state, type, counter)
    }

    func testMethodsReachableBySnakeCaseIDLNameAndAnyCase() throws {
        let (state, _, counter) = try makeState()
        let results = try state.run("return c:add_value(1), c:AddValue(2), c:ADD_VALUE(3), c:addvalue(4)")
        XCTAssertEqual(results.map { $0.integerValue }, [1, 3, 6, 10])
        XCTAssertEqual(counter.count, 10)
    }

    func testPropertiesAreCaseInsensitiveAndReadOnlyOnesRefuseWrites() throws {
        let (state, _, counter) = try makeState()
        try state.run("c.LABEL = 'x'; c.label = c.Label .. 'y'")
        XCTAssertEqual(counter.label, "xy")
        XCTAssertEqual(try state.run("c:add_value(5) return c.COUNT, c.count").map { $0.integerValue }, [5, 5])
        XCTAssertThrowsError(try state.run("c.count = 1", name: "=s")) { error in
            XCTAssertEqual((error as? LuaError)?.message, "s:1: property 'count' of counter object is read-only")
        }
    }

    func testUnknownNameRaisesAnErrorNamingIt() throws {
        let (state, _, _) = try makeState()
        XCTAssertThrowsError(try state.run("return c.QUERY_SCPX", name: "=s")) { error in
            XCTAssertEqual((error as? LuaError)?.message, "s:1: counter object has no property or method 'QUERY_SCPX'")
        }
        XCTAssertThrowsError(try state.run("c.nothing = 1", name: "=s")) { error in
            XCTAssertEqual((error as? LuaError)?.message, "s:1: counter object has no property 'nothing'")
        }
    }

    func testMethodCalledWithDotInsteadOfColonExplainsItself() throws {
        let (state, _, _) = try makeState()
        XCTAssertThrowsError(try state.run("c.add_value(1)")) { error in
            XCTAssertTrue("\(error)".contains("call it as obj:add_value(...)"), "\(error)")
        }
    }

    func testToStringAndName() throws {
        let (state, _, _) = try makeState()
        let results = try state.run("c:add_value(2) return tostring(c), type(c), getmetatable(c)")
        XCTAssertEqual(results[0].stringValue, "counter(2)")
        XCTAssertEqual(results[1].stringValue, "userdata")
        XCTAssertEqual(results[2].boolValue, false, "the metatable is hidden")
    }

    func testCloseAndGCShareOneIdempotentReleaseAndUseAfterCloseIsAClearError() throws {
        let (state, _, counter) = try makeState()
        try state.run("do local d <close> = c end")
        XCTAssertEqual(counter.releases, 1)
        XCTAssertThrowsError(try state.run("c:add_value(1)", name: "=s")) { error in
            XCTAssertEqual((error as? LuaError)?.message, "s:1: attempt to use a closed counter object")
        }
        XCTAssertEqual(try state.run("return tostring(c)").first?.stringValue, "counter object (closed)")
        try state.run("c = nil collectgarbage() collectgarbage()")
        XCTAssertEqual(counter.releases, 1, "__gc after __close must not release twice")
    }

    func testCloseMethodThenGarbageCollection() throws {
        let (state, _, _) = try makeState()
        let results = try state.run(
            """
            local d = new_counter()
            d:add_value(3)
            d:close()
            local ok, msg = pcall(function() return d.count end)
            return ok, msg
            """, name: "=s")
        XCTAssertEqual(results[0].boolValue, false)
        XCTAssertEqual(results[1].stringValue, "s:4: attempt to use a closed counter object")
    }

    func testCleanupIsIDLsNameForClose() throws {
        let (state, _, counter) = try makeState()
        let results = try state.run(
            "local d = new_counter() d:Cleanup() return pcall(function() return d.count end)", name: "=s")
        XCTAssertEqual(results[0].boolValue, false)
        XCTAssertEqual(results[1].stringValue, "s:1: attempt to use a closed counter object")
        XCTAssertEqual(counter.releases, 0, "only the new object was released, not c")
    }

    func testGarbageCollectionReleasesTheSwiftObject() throws {
        let state = LuaState()
        let type = LuaUserdataType<Counter>(name: "counter")
        weak var weakCounter: Counter?
        var releases = 0
        type.onRelease = { _ in releases += 1 }
        do {
            let counter = Counter()
            weakCounter = counter
            try state.setGlobal("x", try state.makeUserdata(counter, of: type))
        }
        XCTAssertNotNil(weakCounter, "Lua keeps the object alive")
        try state.run("x = nil collectgarbage() collectgarbage()")
        XCTAssertEqual(releases, 1)
        XCTAssertNil(weakCounter, "collected userdata releases its Swift object")
    }

    func testClosingTheStateReleasesLiveObjects() throws {
        var state: LuaState? = LuaState()
        let type = LuaUserdataType<Counter>(name: "counter")
        let counter = Counter()
        type.onRelease = { $0.releases += 1 }
        try state?.setGlobal("x", try state!.makeUserdata(counter, of: type))
        state = nil
        XCTAssertEqual(counter.releases, 1)
    }

    func testObjectFromReference() throws {
        let (state, type, counter) = try makeState()
        guard case .reference(let reference) = try state.global("c") else { return XCTFail("c is not a reference") }
        XCTAssertTrue(try reference.object(of: type) === counter)
        guard case .reference(let other) = try state.run("return io.stdout").first else { return XCTFail() }
        XCTAssertThrowsError(try other.object(of: type))
    }

    func testTwoTypesWithOneNameAreRefused() throws {
        let (state, _, _) = try makeState()
        let impostor = LuaUserdataType<Counter>(name: "counter")
        XCTAssertThrowsError(try state.makeUserdata(Counter(), of: impostor)) { error in
            XCTAssertTrue("\(error)".contains("already registered"), "\(error)")
        }
        guard case .reference(let reference) = try state.global("c") else { return XCTFail() }
        XCTAssertThrowsError(try reference.object(of: impostor))
    }
}

/// Userdata holding large Swift objects: reported allocations let Lua's collector keep pace.
final class LuaExternalAllocationTests: XCTestCase {
    private final class Blob {
        static let lock = NSLock()
        nonisolated(unsafe) static var alive = 0
        nonisolated(unsafe) static var peak = 0
        init() {
            Blob.lock.withLock {
                Blob.alive += 1
                Blob.peak = max(Blob.peak, Blob.alive)
            }
        }
        deinit { Blob.lock.withLock { Blob.alive -= 1 } }
    }

    func testLoopMakingReportedUserdataDoesNotKeepThemAll() throws {
        let state = LuaState()
        defer { state.close() }
        let type = LuaUserdataType<Blob>(name: "blob")
        state.register(global: "new_blob") { args in
            args.reportExternalAllocation(bytes: 4 << 20)
            return [try args.makeUserdata(Blob(), of: type)]
        }
        Blob.peak = 0
        try state.run("for i = 1, 500 do local b = new_blob() end")
        XCTAssertLessThan(Blob.peak, 50, "unreachable userdata were not collected while the loop ran")
    }
}
