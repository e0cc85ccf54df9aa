import LuaBridge

/// A module whose one function, `new()`, makes an object that takes no arguments: its properties are set
/// afterwards with `set_property{...}` (docs/lua-api.md "query — IDLffDicomExQuery", "storage_scu —
/// IDLffDicomExStorScu").
enum ObjectModule {
    /// Registers `type` and sets the global `name` to a module whose `new()` returns `make()` as `type`.
    static func install<Object: AnyObject>(
        _ name: String, type: LuaUserdataType<Object>, in state: LuaState, make: @escaping () -> Object
    ) throws {
        try state.register(type)
        try state.setModule(
            name,
            functions: [
                "new": { arguments in
                    if !arguments[0].isNil {
                        throw LuaScriptError("\(name).new: takes no arguments (set properties with set_property{...})")
                    }
                    return [try arguments.makeUserdata(make(), of: type)]
                }
            ])
    }
}
