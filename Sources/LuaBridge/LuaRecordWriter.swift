import CLua
import CLuaShim

/// Sets the fields of a record being built on the Lua stack (`LuaArguments.makeRecord(writing:)`,
/// `makeRecordList(_:writing:)`): each value goes straight into the table — no Swift dictionary, no copy of
/// a string into an array, no lowercasing of a key — for records made by the thousand (a retrieve report's
/// `arrived`, a storage hook's `f`). Valid only inside the closure it is given to.
public struct LuaRecordWriter {
    let L: OpaquePointer

    /// Sets `key`, which must already be lowercase as records keep their keys (docs/lua-api.md
    /// "Conventions"), to `value`.
    public func set(_ key: StaticString, _ value: String) {
        pushKey(key)
        let pushed: Void? = value.utf8.withContiguousStorageIfAvailable { pushBytes($0) }
        if pushed == nil { Array(value.utf8).withUnsafeBufferPointer { pushBytes($0) } }
        lua_rawset(L, -3)
    }

    /// Sets `key` to `value`, or leaves it unset (`nil` in Lua) when `value` is nil.
    public func set(_ key: StaticString, _ value: String?) {
        if let value { set(key, value) }
    }

    public func set(_ key: StaticString, _ value: Int) {
        pushKey(key)
        lua_pushinteger(L, lua_Integer(value))
        lua_rawset(L, -3)
    }

    public func set(_ key: StaticString, _ value: Int?) {
        if let value { set(key, value) }
    }

    public func set(_ key: StaticString, _ value: Bool) {
        pushKey(key)
        lua_pushboolean(L, value ? 1 : 0)
        lua_rawset(L, -3)
    }

    private func pushBytes(_ buffer: UnsafeBufferPointer<UInt8>) {
        guard let base = buffer.baseAddress, !buffer.isEmpty else {
            _ = lua_pushlstring(L, "", 0)
            return
        }
        base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { _ = lua_pushlstring(L, $0, buffer.count) }
    }

    private func pushKey(_ key: StaticString) {
        assert(
            key.withUTF8Buffer { !$0.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") } },
            "record keys are lowercase")
        key.withUTF8Buffer { pushBytes($0) }
    }
}
