/// Argument checks for Swift functions, with `luaL_argerror`'s wording:
/// "bad argument #2 to 'retrieve' (string expected, got nil)". They throw `LuaScriptError`, which the
/// trampoline raises with the caller's position. `index` is 0-based (`#index+1` in the message).
extension LuaArguments {
    private func bad(_ index: Int, _ function: String, expected: String) -> LuaScriptError {
        LuaScriptError(
            "bad argument #\(index + 1) to '\(function)' (\(expected) expected, got \(self[index].typeName))")
    }

    /// A string argument (numbers are not converted).
    public func string(_ index: Int, _ function: String) throws -> String {
        guard let text = self[index].stringValue else { throw bad(index, function, expected: "string") }
        return text
    }

    /// An integer argument (a float with an integral value is accepted, as `luaL_checkinteger` does).
    public func integer(_ index: Int, _ function: String) throws -> Int64 {
        guard let value = self[index].integerValue else {
            guard self[index].doubleValue == nil else {
                throw LuaScriptError(
                    "bad argument #\(index + 1) to '\(function)' (number has no integer representation)")
            }
            throw bad(index, function, expected: "number")
        }
        return value
    }

    /// A number argument.
    public func number(_ index: Int, _ function: String) throws -> Double {
        guard let value = self[index].doubleValue else { throw bad(index, function, expected: "number") }
        return value
    }

    /// A table argument.
    public func table(_ index: Int, _ function: String) throws -> LuaTable {
        guard let value = self[index].tableValue else { throw bad(index, function, expected: "table") }
        return value
    }

    /// A function argument.
    public func function(_ index: Int, _ function: String) throws -> LuaFunctionRef {
        guard let value = self[index].functionValue else { throw bad(index, function, expected: "function") }
        return value
    }

    /// A table argument, or an empty table when the argument is absent or nil.
    public func optionalTable(_ index: Int, _ function: String) throws -> LuaTable {
        if self[index].isNil { return LuaTable() }
        return try table(index, function)
    }
}
