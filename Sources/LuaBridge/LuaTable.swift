/// A key of a Lua table that Swift can hold by value. Tables, functions and userdata used as keys are not
/// converted (reading such a table throws `LuaConversionError`).
public enum LuaKey: Hashable, Sendable, CustomStringConvertible {
    case boolean(Bool)
    case integer(Int64)
    /// A float key that is not an integral value (Lua normalises 2.0 to the integer key 2).
    case number(Double)
    case string(LuaString)

    /// The key as a Lua value.
    public var value: LuaValue {
        switch self {
        case .boolean(let b): return .boolean(b)
        case .integer(let i): return .integer(i)
        case .number(let d): return .number(d)
        case .string(let s): return .string(s)
        }
    }

    public var description: String {
        switch self {
        case .boolean(let b): return String(b)
        case .integer(let i): return String(i)
        case .number(let d): return String(d)
        case .string(let s): return s.description
        }
    }
}

/// A Lua table copied into Swift: its sequence `t[1..n]` in `array`, every other entry in `fields`.
///
/// A table with only `array` entries is pushed as a Lua sequence, one with only `fields` as a map; a table
/// with both keeps both. Reading stops at `LuaState.maximumTableDepth` nested tables (a cycle would
/// otherwise never end).
public struct LuaTable: ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public var array: [LuaValue]
    public var fields: [LuaKey: LuaValue]

    /// An empty table.
    public init() { self.init(array: [], fields: [:]) }

    public init(array: [LuaValue], fields: [LuaKey: LuaValue] = [:]) {
        self.array = array
        self.fields = fields
    }
    public init(arrayLiteral elements: LuaValue...) { self.init(array: elements) }
    public init(dictionaryLiteral elements: (String, LuaValue)...) {
        var fields: [LuaKey: LuaValue] = [:]
        for (k, v) in elements { fields[.string(LuaString(k))] = v }
        self.init(array: [], fields: fields)
    }

    /// The field named `key` (string keys), nil-valued when absent.
    public subscript(key: String) -> LuaValue {
        get { fields[.string(LuaString(key))] ?? .nil }
        set { fields[.string(LuaString(key))] = newValue.isNil ? nil : newValue }
    }

    /// The element `t[index]` (1-based as in Lua), from `array` or `fields`.
    public subscript(index: Int) -> LuaValue {
        if index >= 1 && index <= array.count { return array[index - 1] }
        return fields[.integer(Int64(index))] ?? .nil
    }

    /// Number of entries.
    public var count: Int { array.count + fields.count }
}
