/// A JSON value as read from or written to a configuration file (RFC 8259).
///
/// Objects keep their members in file order so that a file is written back with a stable, human-chosen
/// key order, and numbers keep their source text so that `100` is not confused with `true` (as
/// `NSNumber` would) and is never rounded.
enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// The number exactly as written (RFC 8259 §6 grammar).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.null, _), (.bool, _), (.number, _), (.string, _), (.array, _), (.object, _): return false
        }
    }

    /// A short name of the value's kind, for error messages ("expected a string, got a number").
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
