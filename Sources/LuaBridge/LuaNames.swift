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
    ///   - abbreviable: IDL's own keywords of the method (canonical), which may be abbreviated to a prefix
    ///     that is unique among them, as IDL allows (docs/idl-reference.md, IDL notation: `Retrieve(pat=…)`).
    ///     Only these: a keyword dicomlua adds never makes an old abbreviation ambiguous.
    /// - Throws: `LuaScriptError` for a non-string key, a keyword given twice in different cases, a keyword
    ///   not in `allowed` ("retrieve: unknown keyword 'PATIENTID'"), or an ambiguous abbreviation (naming
    ///   the candidates).
    public static func keywords(
        _ table: LuaTable, method: String, allowed: Set<String>? = nil, abbreviable: [String] = []
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
            let canonical = try expand(canonical(name), as: name, method: method, allowed: allowed, abbreviable)
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

    /// The full keyword of `canonical`: itself when it is a keyword (or nothing is abbreviable), else the one
    /// keyword of `abbreviable` it is a prefix of.
    /// - Throws: `LuaScriptError` when it is a prefix of several ("'S' is ambiguous: SERIES_INSTANCE_UID, …").
    public static func expand(
        _ canonical: String, as written: String, method: String, allowed: Set<String>?, _ abbreviable: [String]
    ) throws -> String {
        if abbreviable.isEmpty || abbreviable.contains(canonical) || allowed?.contains(canonical) == true {
            return canonical
        }
        let candidates = abbreviable.filter { $0.hasPrefix(canonical) }.sorted()
        if candidates.count > 1 {
            throw LuaScriptError(
                "\(method): keyword '\(written)' is ambiguous: it abbreviates "
                    + candidates.map { $0.uppercased() }.joined(separator: ", ") + "; write more of it")
        }
        return candidates.first ?? canonical
    }
}
