import LuaBridge
import XCTest

final class LuaValueRoundTripTests: XCTestCase {
    /// Passes `value` into Lua as `...` and returns what `return ...` gives back.
    private func roundTrip(_ value: LuaValue, in state: LuaState = LuaState()) throws -> LuaValue {
        try state.run("return ...", arguments: [value]).first ?? .nil
    }

    func testStringWithEmbeddedNULsAndInvalidUTF8SurvivesRoundTrip() throws {
        let bytes: [UInt8] = [0x61, 0x00, 0x62, 0xFF, 0x00]
        let back = try roundTrip(.string(LuaString(bytes: bytes)))
        guard case .string(let s) = back else { return XCTFail("expected a string, got \(back)") }
        XCTAssertEqual(s.bytes, bytes)
        XCTAssertEqual(
            try LuaState().run("return #(...)", arguments: [.string(LuaString(bytes: bytes))]).first?.integerValue, 5)
    }

    func testEmptyStringRoundTrips() throws {
        XCTAssertEqual(try roundTrip("").stringValue, "")
    }

    func testIntegersAndFloatsStayDistinct() throws {
        let state = LuaState()
        let results = try state.run(
            "return math.type(...), math.type(select(2, ...)), 3, 3.0, 2^53", arguments: [.integer(7), .number(7)])
        XCTAssertEqual(results[0].stringValue, "integer")
        XCTAssertEqual(results[1].stringValue, "float")
        guard case .integer(3) = results[2] else { return XCTFail("3 should read as integer, got \(results[2])") }
        guard case .number(3.0) = results[3] else { return XCTFail("3.0 should read as float, got \(results[3])") }
        XCTAssertEqual(results[4].integerValue, 1 << 53, "a float with an integral value converts exactly")
        guard case .integer(Int64.max) = try roundTrip(.integer(.max)) else { return XCTFail("Int64.max lost") }
    }

    func testNestedTablesRoundTrip() throws {
        var inner = LuaTable(array: ["x", .integer(2)])
        inner["flag"] = true
        var outer: LuaTable = ["name": "outer", "inner": .table(inner)]
        outer.fields[.integer(10)] = 1.5
        let back = try roundTrip(.table(outer))
        guard let table = back.tableValue else { return XCTFail("expected a table") }
        XCTAssertEqual(table["name"].stringValue, "outer")
        XCTAssertEqual(table[10].doubleValue, 1.5)
        let innerBack = table["inner"].tableValue
        XCTAssertEqual(innerBack?.array.count, 2)
        XCTAssertEqual(innerBack?[1].stringValue, "x")
        XCTAssertEqual(innerBack?["flag"].boolValue, true)
    }

    func testLuaTableReadsSequenceAndFields() throws {
        let t = try LuaState().run("return {10, 20, 30, n = 'x', [5] = 50, [true] = 1, [1.5] = 2}").first?.tableValue
        XCTAssertEqual(t?.array.map { $0.integerValue }, [10, 20, 30])
        XCTAssertEqual(t?[5].integerValue, 50)
        XCTAssertEqual(t?["n"].stringValue, "x")
        XCTAssertEqual(t?.fields[.boolean(true)]?.integerValue, 1)
        XCTAssertEqual(t?.fields[.number(1.5)]?.integerValue, 2)
    }

    func testCyclicTableStopsAtDepthLimitInsteadOfRecursingForever() throws {
        let state = LuaState()
        state.maximumTableDepth = 20
        XCTAssertThrowsError(try state.run("local t = {} t.self = t return t")) { error in
            XCTAssertTrue("\(error)".contains("nested more than 20"), "\(error)")
        }
        // The state is still usable afterwards.
        XCTAssertEqual(try state.run("return 1 + 1").first?.integerValue, 2)
    }

    func testTableWithTableKeyIsAClearError() throws {
        XCTAssertThrowsError(try LuaState().run("return {[{}] = 1}")) { error in
            XCTAssertTrue("\(error)".contains("table key of type table"), "\(error)")
        }
    }

    func testGlobalsAndFunctionsAndReferencesRoundTrip() throws {
        let state = LuaState()
        try state.setGlobal("answer", 42)
        XCTAssertEqual(try state.run("return answer").first?.integerValue, 42)
        try state.run("function twice(x) return 2 * x end; co = coroutine.create(function() end)")
        guard let twice = try state.global("twice").functionValue else { return XCTFail("twice is not a function") }
        XCTAssertEqual(try twice.call(21).first?.integerValue, 42)
        // A coroutine is kept by reference and goes back into Lua as the same value.
        let co = try state.global("co")
        XCTAssertEqual(co.typeName, "thread")
        XCTAssertEqual(try state.run("return ... == co", arguments: [co]).first?.boolValue, true)
    }

    func testFunctionReferenceOutlivingItsStateIsHarmless() throws {
        var function: LuaFunctionRef?
        do {
            let state = LuaState()
            function = try state.load("return 1")
        }
        XCTAssertThrowsError(try function?.call())
        function = nil
    }

    /// A strict-mode `_G` (its `__newindex` raises) must not make Swift's global writes fail or crash.
    func testSettingGlobalsBypassesStrictModeMetamethods() throws {
        let state = LuaState()
        try state.run(
            "setmetatable(_G, {__newindex = function(_, k) error('undeclared ' .. k) end, __index = function(_, k) error('undeclared ' .. k) end})"
        )
        try state.setGlobal("declared", "yes")
        state.register(global: "f") { _ in ["called"] }
        XCTAssertEqual(try state.global("declared").stringValue, "yes")
        XCTAssertTrue(try state.global("missing").isNil)
        XCTAssertEqual(try state.run("return declared, f()").map { $0.stringValue }, ["yes", "called"])
    }
}
