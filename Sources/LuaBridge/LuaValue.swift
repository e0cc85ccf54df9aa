/// A Lua value in Swift. Scalars and tables are copied; functions and other values (userdata, threads) are
/// held by registry reference and belong to the Lua thread of their state.
public enum LuaValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, CustomStringConvertible
{
    case `nil`
    case boolean(Bool)
    /// A Lua integer (subtype `integer` of `number`).
    case integer(Int64)
    /// A Lua float (subtype `float` of `number`).
    case number(Double)
    case string(LuaString)
    case table(LuaTable)
    case function(LuaFunctionRef)
    /// Userdata, threads and light userdata: kept by reference, pushed back as the same Lua value.
    case reference(LuaReference)

    public init(nilLiteral: ()) { self = .nil }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(LuaString(value)) }
    /// A string value from Swift text.
    public init(_ string: String) { self = .string(LuaString(string)) }
    /// A sequence of values.
    public init(_ array: [LuaValue]) { self = .table(LuaTable(array: array)) }

    public var isNil: Bool { if case .nil = self { return true } else { return false } }

    /// Lua truthiness: everything except nil and false is true.
    public var isTruthy: Bool {
        switch self {
        case .nil: return false
        case .boolean(let b): return b
        default: return true
        }
    }

    /// The text of a string value (nil for other values and for bytes that are not UTF-8).
    public var stringValue: String? { if case .string(let s) = self { return s.string } else { return nil } }

    /// An integer value, or a float with an exact integer value (as `lua_tointegerx`), else nil.
    public var integerValue: Int64? {
        switch self {
        case .integer(let i): return i
        case .number(let d): return Int64(exactly: d)
        default: return nil
        }
    }

    /// A number value (integer or float), else nil.
    public var doubleValue: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }

    public var boolValue: Bool? { if case .boolean(let b) = self { return b } else { return nil } }
    public var tableValue: LuaTable? { if case .table(let t) = self { return t } else { return nil } }
    public var functionValue: LuaFunctionRef? { if case .function(let f) = self { return f } else { return nil } }

    /// The Lua type name (`type(v)` in Lua).
    public var typeName: String {
        switch self {
        case .nil: return "nil"
        case .boolean: return "boolean"
        case .integer, .number: return "number"
        case .string: return "string"
        case .table: return "table"
        case .function: return "function"
        case .reference(let r): return r.typeName
        }
    }

    public var description: String {
        switch self {
        case .nil: return "nil"
        case .boolean(let b): return String(b)
        case .integer(let i): return String(i)
        case .number(let d): return String(d)
        case .string(let s): return s.description
        case .table(let t): return "table(\(t.array.count) + \(t.fields.count) entries)"
        case .function: return "function"
        case .reference(let r): return r.typeName
        }
    }
}
