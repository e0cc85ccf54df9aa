/// A failure reported by Lua: a script that does not compile, or an error raised while it ran.
///
/// `message` is the error as Lua reported it (for a runtime error: the error object turned into text as
/// `lua.c`'s `msghandler` does); `traceback` is the `stack traceback:` text that the handler appended, or "".
public struct LuaError: Error, CustomStringConvertible, Sendable {
    /// Where the failure happened.
    public enum Kind: Sendable, Equatable {
        /// The chunk did not compile (`LUA_ERRSYNTAX`), or a file could not be read (`LUA_ERRFILE`).
        case load
        /// An error raised while running (`LUA_ERRRUN`), including errors of Swift functions.
        case runtime
        /// Lua ran out of memory (`LUA_ERRMEM`).
        case memory
        /// An error inside the message handler or a `__gc` metamethod (`LUA_ERRERR`).
        case handler
    }

    public let kind: Kind
    public let message: String
    public let traceback: String
    /// The error value when it was not a string (a table raised by `error{...}`): a Swift function that
    /// throws this error raises that same value again.
    public internal(set) var value: LuaErrorValue? = nil

    public init(kind: Kind, message: String, traceback: String = "") {
        self.kind = kind
        self.message = message
        self.traceback = traceback
    }

    /// Splits what the message handler produced ("message\nstack traceback:\n...") into its two parts.
    init(kind: Kind, handled text: String) {
        if let range = text.range(of: "\nstack traceback:") {
            self.init(
                kind: kind, message: String(text[..<range.lowerBound]),
                traceback: String(text[text.index(after: range.lowerBound)...]))
        } else {
            self.init(kind: kind, message: text)
        }
    }

    /// The message followed by the traceback (what `lua.c` prints).
    public var description: String { traceback.isEmpty ? message : message + "\n" + traceback }
}

/// The Lua value of a `LuaError` (used on the script's thread only, like every `LuaValue`).
public final class LuaErrorValue: @unchecked Sendable {
    public let value: LuaValue
    init(_ value: LuaValue) { self.value = value }
}

/// Thrown by a Swift function called from Lua to raise a Lua error, as `luaL_error` would: the message is
/// prefixed with the calling script's position ("script.lua:12: ") and can be caught by `pcall`.
///
/// A `LuaError` thrown by such a function (a Lua callback that failed) is raised again unchanged, without a
/// second position prefix. Any other Swift error is raised with its description.
public struct LuaScriptError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A value that cannot be converted between Lua and Swift (table nested too deeply, unsupported key, ...).
public struct LuaConversionError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
