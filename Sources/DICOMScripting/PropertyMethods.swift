import LuaBridge

/// `set_property{...}` and `get_property(...)` of the IDL objects (docs/idl-reference.md §2.1, §6; docs/lua-api.md
/// "Conventions"): one implementation for `query` and `storage_scu`.
enum PropertyMethods {
    /// Adds both methods to `type`.
    ///
    /// - `set_property{NAME = value, ...}` sets each property; `get_property('NAME')` returns one value, and
    ///   `get_property{NAME = true, ...}` (IDL's output-keyword form `GetProperty, NAME=var`) returns a record
    ///   of the values asked, keyed by the lowercase names.
    /// - Names ignore case; IDL's own property names (`idlNames`) may be abbreviated to a unique prefix among
    ///   them, as IDL keywords may (`set_property{QUERY_S = 'pacs'}`); an ambiguous prefix raises naming the
    ///   candidates. Properties dicomlua adds (`CALLBACK_FINAL`) are written in full.
    static func install<Object>(on type: LuaUserdataType<Object>, idlNames: [String]) {
        let abbreviable = idlNames.map(LuaNames.canonical)
        type.method("set_property") { object, arguments in
            let table = try arguments.table(0, "set_property")
            let keywords = try LuaNames.keywords(table, method: "set_property", abbreviable: abbreviable)
            for (name, value) in keywords.sorted(by: { $0.key < $1.key }) {
                try QueryBinding.prefixed("set_property") { try type.setProperty(name, of: object, to: value) }
            }
            return []
        }
        type.method("get_property") { object, arguments in
            if let table = arguments[0].tableValue {
                let keywords = try LuaNames.keywords(table, method: "get_property", abbreviable: abbreviable)
                var values: [String: LuaValue] = [:]
                for (name, asked) in keywords {
                    guard asked.boolValue == true else {
                        throw LuaScriptError(
                            "get_property: write \(name.uppercased()) = true to ask for it, got \(asked.typeName)")
                    }
                    values[name] = try QueryBinding.prefixed("get_property") { try type.getProperty(name, of: object) }
                }
                return [try arguments.makeRecord(values)]
            }
            let written = try arguments.string(0, "get_property")
            let name = try LuaNames.expand(
                LuaNames.canonical(written), as: written, method: "get_property",
                allowed: Set(type.propertyNames.map(LuaNames.canonical)), abbreviable)
            return [try QueryBinding.prefixed("get_property") { try type.getProperty(name, of: object) }]
        }
    }
}
