/// A Lua string: a sequence of bytes (embedded NULs and non-UTF-8 bytes survive the round trip).
public struct LuaString: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: String) { self.bytes = Array(string.utf8) }
    public init(stringLiteral value: String) { self.init(value) }

    /// The bytes as UTF-8 text, or nil when they are not valid UTF-8.
    public var string: String? { String(validating: bytes, as: UTF8.self) }

    /// The bytes as text, invalid UTF-8 sequences replaced by U+FFFD.
    public var description: String { String(decoding: bytes, as: UTF8.self) }
}
