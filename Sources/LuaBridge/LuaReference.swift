import CLua
import CLuaShim

/// A Lua value kept alive by a registry reference (`luaL_ref`), released (`luaL_unref`) when the last Swift
/// reference to it goes away. Belongs to the Lua thread of its state: create and use it there; the last Swift
/// reference may go away on another thread (the release is then deferred to the script's thread).
public class LuaReference {
    let core: LuaStateCore
    let ref: Int32
    /// The Lua type name of the value (`type(v)`).
    public let typeName: String

    /// Pops the value on top of `L`'s stack into a new registry reference.
    init(core: LuaStateCore, popping L: OpaquePointer) {
        self.core = core
        self.typeName = String(cString: cluashim_typename(L, -1))
        self.ref = luaL_ref(L, cluashim_registryindex())
    }

    /// Safe on any thread: off the script's thread the release waits for its next entry into Lua.
    deinit {
        core.releaseReference(ref)
    }

    /// Pushes the referenced value on `L` (the same state).
    func push(on L: OpaquePointer) {
        lua_rawgeti(L, cluashim_registryindex(), lua_Integer(ref))
    }

    /// Whether this reference belongs to the state of `core`.
    func belongs(to core: LuaStateCore) -> Bool { self.core === core }

    /// The Swift object of a userdata of `type`.
    /// - Throws: `LuaScriptError` when the value is not a `type` userdata, or when it was closed
    ///   ("attempt to use a closed query object").
    public func object<Object>(of type: LuaUserdataType<Object>) throws -> Object {
        guard core.isOpen else { throw LuaScriptError("attempt to use a \(type.name) object of a closed Lua state") }
        let L = core.current
        push(on: L)
        defer { cluashim_pop(L, 1) }
        return try type.object(at: -1, on: L)
    }
}

/// A Lua function that Swift can call later (a callback), with a protected call and a traceback.
public final class LuaFunctionRef: LuaReference {
    /// Calls the function with `arguments` and returns all its results.
    /// - Throws: `LuaError` (kind `.runtime`) with the message and traceback when the function raises.
    @discardableResult
    public func call(_ arguments: [LuaValue] = []) throws -> [LuaValue] {
        guard core.isOpen else { throw LuaError(kind: .runtime, message: "the Lua state is closed") }
        let L = core.current
        let base = lua_gettop(L)
        guard lua_checkstack(L, Int32(arguments.count) + 2) != 0 else {
            throw LuaError(kind: .memory, message: "Lua stack overflow: cannot push \(arguments.count) arguments")
        }
        push(on: L)
        do {
            for argument in arguments { try core.push(argument, on: L) }
        } catch {
            lua_settop(L, base)
            throw error
        }
        return try core.protectedCall(on: L, argumentCount: Int32(arguments.count), base: base)
    }

    public func call(_ arguments: LuaValue...) throws -> [LuaValue] { try call(arguments) }

    /// Calls the function as `call` does, stopped with the error `exceeded` once it has run `timeLimit`
    /// seconds in Lua (nil: no limit; docs/lua-api.md "Hooks under load" `HookTimeLimit`).
    @discardableResult
    public func call(_ arguments: [LuaValue], timeLimit: Double?, exceeded: String) throws -> [LuaValue] {
        try core.withTimeBudget(seconds: timeLimit, exceeded: exceeded) { try call(arguments) }
    }
}
