import LuaBridge
import XCTest

/// A map-like object (as a data set is): keys beyond its methods and properties, `#`, and `pairs`.
private final class Bag {
    var entries: [(String, Int64)] = [("a", 1), ("b", 2)]
}

final class LuaUserdataFallbackTests: XCTestCase {
    private func makeState() throws -> (LuaState, Bag) {
        let state = LuaState()
        let type = LuaUserdataType<Bag>(name: "bag")
        type.method("size") { bag, _ in [.integer(Int64(bag.entries.count))] }
        type.property("label", get: { _ in "bag" })
        type.index = { bag, key, _ in
            guard let name = key.stringValue else { throw LuaScriptError("bag keys are strings, got \(key.typeName)") }
            return bag.entries.first { $0.0 == name }.map { .integer($0.1) } ?? .nil
        }
        type.newIndex = { bag, key, value, _ in
            guard let name = key.stringValue, let number = value.integerValue else {
                throw LuaScriptError("bag: bad entry")
            }
            bag.entries.removeAll { $0.0 == name }
            bag.entries.append((name, number))
        }
        type.length = { $0.entries.count }
        type.pairs = { bag, arguments in
            var position = 0
            let snapshot = bag.entries
            let next = arguments.makeFunction { _ in
                guard position < snapshot.count else { return [.nil] }
                defer { position += 1 }
                return [LuaValue(snapshot[position].0), .integer(snapshot[position].1)]
            }
            return [next, .nil, .nil]
        }
        let bag = Bag()
        try state.setGlobal("bag", try state.makeUserdata(bag, of: type))
        return (state, bag)
    }

    func testUnknownKeysGoToTheFallbacksAfterMethodsAndProperties() throws {
        let (state, bag) = try makeState()
        let results = try state.run(
            """
            bag.c = 3
            return bag.a, bag.c, bag.zzz, bag:size(), bag.label, #bag
            """)
        XCTAssertEqual(results.map(\.description), ["1", "3", "nil", "3", "bag", "3"])
        XCTAssertEqual(bag.entries.map(\.0), ["a", "b", "c"])
    }

    func testPairsUsesTheIterator() throws {
        let (state, _) = try makeState()
        let results = try state.run(
            """
            local seen = {}
            for k, v in pairs(bag) do seen[#seen + 1] = k .. '=' .. v end
            return table.concat(seen, ',')
            """)
        XCTAssertEqual(results.first?.stringValue, "a=1,b=2")
    }

    func testFallbackErrorsAreLuaErrors() throws {
        let (state, _) = try makeState()
        XCTAssertThrowsError(try state.run("return bag[1]", name: "=t")) { error in
            XCTAssertTrue("\(error)".contains("bag keys are strings, got number"), "\(error)")
        }
        XCTAssertThrowsError(try state.run("bag.x = {}", name: "=t")) { error in
            XCTAssertTrue("\(error)".contains("bag: bad entry"), "\(error)")
        }
    }
}
