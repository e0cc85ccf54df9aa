/// The naming conventions of docs/lua-api.md ("Conventions"): snake_case methods with IDL aliases, and
/// case-insensitive property and keyword names.
public enum LuaNames {
    /// The IDL spelling of a snake_case name: `set_application_entity` → `SetApplicationEntity`.
    public static func idlName(_ snakeCase: String) -> String {
        snakeCase.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// The canonical form of a property or keyword name: lowercase.
    public static func canonical(_ name: String) -> String { name.lowercased() }

    /// A keyword table (`q:retrieve{PATIENT_ID = '1'}`) with its keys in canonical lowercase form.
    ///
    /// - Parameters:
    ///   - table: the table the script passed.
    ///   - method: the method name, for error messages.
    ///   - allowed: the canonical keywords the method accepts (nil: any).
    /// - Throws: `LuaScriptError` for a non-string key, a keyword given twice in different cases, or a keyword
    ///   not in `allowed` ("retrieve: unknown keyword 'PATIENTID'").
    public static func keywords(
        _ table: LuaTable, method: String, allowed: Set<String>? = nil
    ) throws
        -> [String: LuaValue]
    {
        guard table.array.isEmpty else {
            throw LuaScriptError(
                "\(method): expected keywords (name = value), got \(table.array.count) positional value(s)")
        }
        var result: [String: LuaValue] = [:]
        for (key, value) in table.fields {
            guard case .string(let bytes) = key, let name = bytes.string else {
                throw LuaScriptError("\(method): keyword names must be strings, got \(key.value.typeName) '\(key)'")
            }
            let canonical = canonical(name)
            if let allowed, !allowed.contains(canonical) {
                throw LuaScriptError("\(method): unknown keyword '\(name)'")
            }
            guard result[canonical] == nil else {
                throw LuaScriptError("\(method): keyword '\(canonical)' given more than once")
            }
            result[canonical] = value
        }
        return result
    }
}
