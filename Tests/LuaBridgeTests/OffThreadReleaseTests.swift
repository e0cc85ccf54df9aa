import Foundation
import LuaBridge
import XCTest

/// A Lua reference whose last Swift owner goes away on another thread (a task, an event loop) is released by
/// the script's thread at its next entry into Lua, never on the other thread (docs/design.md, "One Lua thread").
final class OffThreadReleaseTests: XCTestCase {
    private final class Box: @unchecked Sendable {
        var value: LuaValue?
        init(_ value: LuaValue) { self.value = value }
    }

    private let countMarked = """
        local n = 0
        for _, v in pairs(debug.getregistry()) do
          if type(v) == 'function' and marked[v] then n = n + 1 end
        end
        return n
        """

    func testAReferenceDroppedOnAnotherThreadIsReleasedOnTheScriptThreadLater() throws {
        let state = LuaState()
        _ = try state.run("marked = setmetatable({}, {__mode = 'k'}); f = function() end; marked[f] = true")
        let box = Box(try state.global("f"))
        try state.setGlobal("f", .nil)
        XCTAssertEqual(
            try state.run(countMarked).first?.integerValue, 1, "the Swift reference keeps the function in the registry")

        let dropped = expectation(description: "dropped on another thread")
        Thread.detachNewThread {
            box.value = nil  // the last Swift reference goes away here, off the script's thread
            dropped.fulfill()
        }
        wait(for: [dropped], timeout: 10)
        XCTAssertEqual(state.deferredReferenceCount, 1, "the other thread must not touch the state: the release waits")
        XCTAssertEqual(
            try state.run(countMarked).first?.integerValue, 0,
            "the next protected call on the script's thread releases the deferred reference")
    }
}
