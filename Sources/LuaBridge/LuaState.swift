import CLua
import CLuaShim

/// A Lua 5.4 interpreter: owns a `lua_State` with the standard libraries open, closed when this object goes.
///
/// Use it from one thread only (docs/design.md, "One Lua thread"): other threads reach it through a
/// `ScriptRunLoop`. Every entry into Lua is a protected call with `lua.c`'s traceback handler, and chunks
/// are loaded in text mode only (no precompiled bytecode).
///
/// Swift functions given to the state are kept by the state: a closure that captures the `LuaState` itself
/// keeps it alive for ever (capture it `unowned`, or use what `LuaArguments` offers).
public final class LuaState {
    /// Default of `maximumTableDepth`.
    public static let defaultMaximumTableDepth = 200

    let core: LuaStateCore

    /// The release of the Lua library this was built against, e.g. "Lua 5.4.4".
    public static var luaRelease: String { String(cString: cluashim_release_string()) }

    /// A new state with the standard libraries (`io` and `os` included: scripts automate, they are not
    /// sandboxed; docs/lua-api.md "Running scripts").
    ///
    /// `memoryLimit` (bytes; nil: none, docs/lua-api.md "Hooks under load" `LuaMemoryLimit`): Lua code that
    /// would make the state hold more gets a "not enough memory" error (`LuaError.Kind.memory`), which
    /// `pcall` can catch; Swift's own calls into the state are never refused (no error can unwind across
    /// Swift frames).
    public init(memoryLimit: Int? = nil) {
        guard let L = cluashim_newstate(memoryLimit.map { max(0, $0) } ?? 0) else {
            fatalError("cannot create a Lua state: out of memory")
        }
        core = LuaStateCore(main: L)
        luaL_openlibs(L)  // does not raise except on memory exhaustion at start-up
    }

    deinit { core.close() }

    /// Closes the state now (runs every `__gc`); later calls fail with "the Lua state is closed".
    /// References whose last Swift owner went away on another thread and that the script's thread has not
    /// released yet (it does at its next protected call). A diagnostic, for tests.
    public var deferredReferenceCount: Int { core.deferredReferenceCount }

    public func close() { core.close() }

    /// Bytes the state holds now.
    public var memoryUsed: Int { core.isOpen ? Int(cluashim_memory_used(core.main)) : 0 }

    /// How many nested tables reading or pushing a value goes through before failing (cycles end here).
    public var maximumTableDepth: Int {
        get { core.maximumTableDepth }
        set { core.maximumTableDepth = max(1, newValue) }
    }

    /// The thread to use now. - Throws: `LuaError` once the state is closed.
    private func thread() throws -> OpaquePointer {
        guard core.isOpen else { throw LuaError(kind: .runtime, message: "the Lua state is closed") }
        return core.current
    }

    /// The thread to use now, for the operations that cannot fail otherwise: using a closed state is a
    /// programming error.
    private var L: OpaquePointer {
        precondition(core.isOpen, "the Lua state is closed")
        return core.current
    }

    // MARK: - Loading and running

    /// Compiles `code` (text only) into a function; `name` is the chunk name used in messages
    /// (`"=name"` shows as "name", `"@file.lua"` as a file name).
    /// - Throws: `LuaError` of kind `.load` with Lua's message ("name:3: unexpected symbol near ...").
    public func load(_ code: String, name: String = "=(load)") throws -> LuaFunctionRef {
        let L = try thread()
        let bytes = Array(code.utf8).map { CChar(bitPattern: $0) }
        let status = cluashim_loadbuffer(L, bytes, bytes.count, name)
        return try loaded(status: status, on: L)
    }

    /// Compiles the file at `path` (text only), or standard input when `path` is nil.
    /// - Throws: `LuaError` of kind `.load`: "cannot open x.lua (No such file or directory)" or the syntax error.
    public func load(file path: String?) throws -> LuaFunctionRef {
        let L = try thread()
        let status = path.map { cluashim_loadfile(L, $0) } ?? cluashim_loadfile(L, nil)
        return try loaded(status: status, on: L)
    }

    private func loaded(status: Int32, on L: OpaquePointer) throws -> LuaFunctionRef {
        guard status == LUA_OK else {
            let message = core.errorText(on: L)
            cluashim_pop(L, 1)
            throw LuaError(kind: LuaError.Kind(status: status), message: message)
        }
        return LuaFunctionRef(core: core, popping: L)
    }

    /// Compiles and runs `code` with `arguments` as its `...`; returns what the chunk returns.
    @discardableResult
    public func run(_ code: String, name: String = "=(run)", arguments: [LuaValue] = []) throws -> [LuaValue] {
        try load(code, name: name).call(arguments)
    }

    /// Compiles and runs the file at `path` with `arguments` as its `...`.
    @discardableResult
    public func run(file path: String, arguments: [LuaValue] = []) throws -> [LuaValue] {
        try load(file: path).call(arguments)
    }

    // MARK: - Globals and Swift functions

    /// Sets the global `name` to `value`.
    public func setGlobal(_ name: String, _ value: LuaValue) throws {
        let L = try thread()
        try core.push(value, on: L)
        core.setGlobalRaw(name, on: L)
    }

    /// The global `name` (a raw read of the globals table: no metamethod runs).
    public func global(_ name: String) throws -> LuaValue {
        let L = try thread()
        cluashim_pushglobaltable(L)
        core.pushString(name, on: L)
        lua_rawget(L, -2)
        defer { cluashim_pop(L, 2) }
        return try core.value(at: -1, on: L)
    }

    /// A Lua function that calls `body` (to store in a table, pass to a callback, or return).
    public func function(_ body: @escaping LuaFunction) -> LuaValue {
        let L = self.L
        core.pushFunction(body, on: L)
        return .function(LuaFunctionRef(core: core, popping: L))
    }

    /// Makes `body` callable from Lua as the global function `name`.
    public func register(global name: String, _ body: @escaping LuaFunction) {
        let L = self.L
        core.pushFunction(body, on: L)
        core.setGlobalRaw(name, on: L)
    }

    /// Sets the global `name` to a table (a module) holding `functions` and `values`; returns it by reference.
    @discardableResult
    public func setModule(
        _ name: String, functions: [String: LuaFunction], values: [String: LuaValue] = [:]
    ) throws
        -> LuaValue
    {
        let L = try thread()
        let base = lua_gettop(L)
        lua_createtable(L, 0, Int32(clamping: functions.count + values.count))
        do {
            for (key, value) in values {
                try core.push(value, on: L)
                lua_setfield(L, -2, key)
            }
        } catch {
            lua_settop(L, base)
            throw error
        }
        for (key, body) in functions {
            core.pushFunction(body, on: L)
            lua_setfield(L, -2, key)
        }
        lua_pushvalue(L, -1)
        core.setGlobalRaw(name, on: L)
        return .reference(LuaReference(core: core, popping: L))
    }

    // MARK: - Userdata and records

    /// Creates the metatable of `type` in this state (done on first `makeUserdata` too).
    /// - Throws: `LuaConversionError` when another type of the same name is registered.
    public func register<Object>(_ type: LuaUserdataType<Object>) throws {
        _ = try thread()
        try type.register(in: core)
    }

    /// A new userdata holding `object` with the methods and properties of `type`.
    public func makeUserdata<Object>(_ object: Object, of type: LuaUserdataType<Object>) throws -> LuaValue {
        _ = try thread()
        return try core.makeUserdata(object, of: type)
    }

    /// Tells Lua's collector about `bytes` of Swift memory owned by a userdata made now. Lua only counts its
    /// own allocations, so a loop making userdata that hold large Swift objects (a data set read from a
    /// 512 KiB file is a few dozen bytes to Lua) would grow without collecting: this runs an incremental GC
    /// step as if Lua had allocated those bytes (`lua_gc(L, LUA_GCSTEP, kilobytes)`, Lua 5.4 manual §4.6),
    /// so unreachable userdata are finalized and their Swift objects released at the pace they are made.
    public func reportExternalAllocation(bytes: Int) {
        core.reportExternalAllocation(bytes: bytes)
    }

    /// A record: a table with lowercase keys whose reads are case-insensitive (`r.AET` is `r.aet`).
    public func makeRecord(_ fields: [String: LuaValue]) throws -> LuaValue {
        _ = try thread()
        return try core.makeRecord(fields)
    }

    /// A record whose fields `write` sets straight into Lua (see `LuaRecordWriter`).
    public func makeRecord(writing write: (LuaRecordWriter) throws -> Void) throws -> LuaValue {
        _ = try thread()
        return try core.makeRecord(writing: write)
    }
}
