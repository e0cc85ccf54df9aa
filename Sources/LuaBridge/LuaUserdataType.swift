import CLua
import CLuaShim

/// A Swift class exposed to Lua as a userdata type, following `liolib.c` (docs/style.md §5a.5):
/// one registry-named metatable per type; methods and properties reached through `__index`/`__newindex`;
/// `__gc` and `__close` sharing one idempotent release; `__tostring`; `__name`; and a clear error when a
/// released object is used ("attempt to use a closed query object").
///
/// Names follow docs/lua-api.md: a method `set_application_entity` is also reachable as `SetApplicationEntity`
/// (its IDL name), and method and property names are case-insensitive. An unknown name raises an error
/// naming it. Every type gets a `close` method (the same release as `__close`) and its IDL alias `Cleanup`.
///
/// Configure a type completely before the first `LuaState.register(_:)` / `makeUserdata`.
public final class LuaUserdataType<Object: AnyObject> {
    /// The type's name as scripts see it: `__name`, and "query object" in messages.
    public let name: String
    /// The registry key of the metatable.
    public var registryName: String { "dicomlua.userdata." + name }

    /// Called once when the object is released (`close()`, `<close>` variable, or garbage collection).
    public var onRelease: ((Object) -> Void)?
    /// The text of `tostring(obj)` for an open object (default "query object").
    public var describe: ((Object) -> String)?

    /// Reads `obj[key]` for a key that names no method or property (a data set's `ds.PatientName`,
    /// `ds['0010,0010']`). Without it such a key raises "... has no property or method".
    public var index: ((Object, LuaValue, LuaArguments) throws -> LuaValue)?
    /// Writes `obj[key] = value` for a key that names no property. Without it such a key raises.
    public var newIndex: ((Object, LuaValue, LuaValue, LuaArguments) throws -> Void)?
    /// `#obj` (`__len`); without it `#obj` raises Lua's "attempt to get length" error.
    public var length: ((Object) throws -> Int)?
    /// `pairs(obj)` (`__pairs`): returns Lua's triple (iterator function, state, initial key).
    public var pairs: ((Object, LuaArguments) throws -> [LuaValue])?

    typealias Method = (Object, LuaArguments) throws -> [LuaValue]
    struct Property {
        let name: String
        let get: ((Object) throws -> LuaValue)?
        let set: ((Object, LuaValue) throws -> Void)?
    }
    private var methods: [(names: [String], body: Method)] = []
    private var properties: [String: Property] = [:]

    public init(name: String) { self.name = name }

    /// Adds a method, called as `obj:name(...)`, `obj:IDLName(...)` or with any other case of either name.
    /// - Parameters:
    ///   - name: the snake_case name; its IDL name (`LuaNames.idlName`) is added as an alias.
    ///   - aliases: further names.
    ///   - body: receives the object and the arguments after `self`.
    public func method(
        _ name: String, aliases: [String] = [],
        _ body: @escaping (Object, LuaArguments) throws -> [LuaValue]
    ) {
        methods.append((names: [name, LuaNames.idlName(name)] + aliases, body: body))
    }

    /// Adds a property, read as `obj.name` and written as `obj.name = v` (any case). A property without a
    /// setter is read-only; writing it raises an error.
    public func property(
        _ name: String, get: ((Object) throws -> LuaValue)?,
        set: ((Object, LuaValue) throws -> Void)? = nil
    ) {
        properties[LuaNames.canonical(name)] = Property(name: name, get: get, set: set)
    }

    /// The canonical names of the properties (for `set_property{...}` style methods).
    public var propertyNames: [String] { properties.values.map(\.name) }

    /// Reads the property `name` (any case) of `object` as a script would.
    /// - Throws: `LuaScriptError` naming an unknown or write-only property.
    public func getProperty(_ name: String, of object: Object) throws -> LuaValue {
        guard let property = properties[LuaNames.canonical(name)] else {
            throw LuaScriptError("\(self.name) object has no property '\(name)'")
        }
        guard let get = property.get else {
            throw LuaScriptError("property '\(name)' of \(self.name) object is write-only")
        }
        return try get(object)
    }

    /// Writes the property `name` (any case) of `object` as a script would.
    /// - Throws: `LuaScriptError` naming an unknown or read-only property, or the setter's error.
    public func setProperty(_ name: String, of object: Object, to value: LuaValue) throws {
        guard let property = properties[LuaNames.canonical(name)] else {
            throw LuaScriptError("\(self.name) object has no property '\(name)'")
        }
        guard let set = property.set else {
            throw LuaScriptError("property '\(name)' of \(self.name) object is read-only")
        }
        try set(object, value)
    }

    // MARK: - Stack side

    /// The object of the userdata at `index`.
    /// - Throws: `LuaScriptError` if it is not a userdata of this type, or has been released.
    func object(at index: Int32, on L: OpaquePointer) throws -> Object {
        guard LuaStateCore.of(L).userdataTypes[name] === self else {
            throw LuaScriptError("expected a \(name) object, got \(String(cString: cluashim_typename(L, index)))")
        }
        var isBox: Int32 = 0
        let pointer = registryName.withCString { cluashim_boxobject(L, index, $0, &isBox) }
        guard isBox != 0 else {
            throw LuaScriptError("expected a \(name) object, got \(String(cString: cluashim_typename(L, index)))")
        }
        guard let pointer else { throw LuaScriptError("attempt to use a closed \(name) object") }
        return Unmanaged<Object>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// The `self` of a method call.
    private func receiver(_ arguments: LuaArguments, method: String) throws -> Object {
        guard case .reference(let reference) = arguments[0], reference.typeName == "userdata" else {
            throw LuaScriptError(
                "\(method): expected a \(name) object as self (call it as obj:\(method)(...)), got \(arguments[0].typeName)"
            )
        }
        return try reference.object(of: self)
    }

    /// `__gc` and `__close`: takes the object out of the userdata (so the second call does nothing), calls
    /// `onRelease`, drops the retain.
    private func release(on L: OpaquePointer) {
        guard let pointer = registryName.withCString({ cluashim_boxtake(L, 1, $0) }) else { return }
        let unmanaged = Unmanaged<Object>.fromOpaque(pointer)
        onRelease?(unmanaged.takeUnretainedValue())
        unmanaged.release()
    }

    /// Creates the metatable in the registry (once per state).
    /// - Throws: `LuaConversionError` when another type of the same name is registered in this state.
    func register(in core: LuaStateCore) throws {
        if let registered = core.userdataTypes[name] {
            guard registered === self else {
                throw LuaConversionError("another userdata type named '\(name)' is already registered in this state")
            }
            return
        }
        let L = core.current
        guard registryName.withCString({ luaL_newmetatable(L, $0) }) != 0 else {
            cluashim_pop(L, 1)
            throw LuaConversionError("the registry name '\(registryName)' is already taken in this state")
        }
        core.userdataTypes[name] = self
        var lookup: [String: LuaFunctionRef] = [:]
        for method in methods {
            let displayName = method.names[0]
            let body = method.body
            core.pushFunction(
                { arguments in
                    let object = try self.receiver(arguments, method: displayName)
                    return try body(
                        object, LuaArguments(values: Array(arguments.values.dropFirst()), core: arguments.core))
                }, on: L)
            let reference = LuaFunctionRef(core: core, popping: L)
            for alias in method.names { lookup[LuaNames.canonical(alias)] = reference }
        }
        if lookup["close"] == nil {
            core.pushRawFunction(
                { L in
                    self.release(on: L)
                    return 0
                }, on: L)
            lookup["close"] = LuaFunctionRef(core: core, popping: L)
        }
        // IDL lists `Cleanup` on every object (docs/idl-reference.md): the same release as `close`.
        if lookup["cleanup"] == nil { lookup["cleanup"] = lookup["close"] }
        var metamethods: [(String, LuaFunction)] = [
            (
                "__index",
                { arguments in
                    let object = try self.receiverForField(arguments)
                    guard let key = arguments[1].stringValue else {
                        if let index = self.index { return [try index(object, arguments[1], arguments)] }
                        throw LuaScriptError("\(self.name) object has no field of type \(arguments[1].typeName)")
                    }
                    if let method = lookup[LuaNames.canonical(key)] { return [.function(method)] }
                    guard self.properties[LuaNames.canonical(key)] != nil else {
                        if let index = self.index { return [try index(object, arguments[1], arguments)] }
                        throw LuaScriptError("\(self.name) object has no property or method '\(key)'")
                    }
                    return [try self.getProperty(key, of: object)]
                }
            ),
            (
                "__newindex",
                { arguments in
                    let object = try self.receiverForField(arguments)
                    if let key = arguments[1].stringValue,
                        self.properties[LuaNames.canonical(key)] != nil || self.newIndex == nil
                    {
                        try self.setProperty(key, of: object, to: arguments[2])  // raises for an unknown name
                        return []
                    }
                    guard let newIndex = self.newIndex else {
                        throw LuaScriptError("\(self.name) object has no field of type \(arguments[1].typeName)")
                    }
                    try newIndex(object, arguments[1], arguments[2], arguments)
                    return []
                }
            ),
            (
                "__tostring",
                { arguments in
                    guard case .reference(let reference) = arguments[0], let object = try? reference.object(of: self)
                    else {
                        return [.string(LuaString("\(self.name) object (closed)"))]
                    }
                    return [.string(LuaString(self.describe?(object) ?? "\(self.name) object"))]
                }
            ),
        ]
        if let length {
            metamethods.append(
                (
                    "__len",
                    { arguments in
                        [.integer(Int64(try length(try self.receiverForField(arguments))))]
                    }
                ))
        }
        if let pairs {
            metamethods.append(("__pairs", { arguments in try pairs(try self.receiverForField(arguments), arguments) }))
        }
        for (field, body) in metamethods {
            core.pushFunction(body, on: L)
            lua_setfield(L, -2, field)
        }
        for field in ["__gc", "__close"] {
            core.pushRawFunction(
                { L in
                    self.release(on: L)
                    return 0
                }, on: L)
            lua_setfield(L, -2, field)
        }
        core.pushString(name, on: L)
        lua_setfield(L, -2, "__name")
        lua_pushboolean(L, 0)
        lua_setfield(L, -2, "__metatable")
        cluashim_pop(L, 1)
    }

    private func receiverForField(_ arguments: LuaArguments) throws -> Object {
        guard case .reference(let reference) = arguments[0] else {
            throw LuaScriptError("expected a \(name) object, got \(arguments[0].typeName)")
        }
        return try reference.object(of: self)
    }
}

extension LuaStateCore {
    /// A new userdata holding `object` (retained until released), with the metatable of `type`.
    func makeUserdata<Object>(_ object: Object, of type: LuaUserdataType<Object>) throws -> LuaValue {
        let L = current
        guard lua_checkstack(L, 4) != 0 else { throw LuaConversionError("Lua stack overflow while making a userdata") }
        try type.register(in: self)
        cluashim_pushbox(L, Unmanaged.passRetained(object).toOpaque(), releaseSwiftObject)
        _ = type.registryName.withCString { cluashim_getmetatable(L, $0) }
        lua_setmetatable(L, -2)
        return .reference(LuaReference(core: self, popping: L))
    }
}
