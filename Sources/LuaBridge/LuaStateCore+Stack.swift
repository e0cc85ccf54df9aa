import CLua
import CLuaShim

/// Moving values between the Lua stack and `LuaValue`. Each push leaves exactly one value on the stack; each
/// read leaves the stack as it found it.
extension LuaStateCore {
    /// Pushes `value` on `L`. Tables are pushed recursively (at most `maximumTableDepth` deep).
    /// - Throws: `LuaConversionError` for a reference of another state, a table too deep, or no stack space.
    func push(_ value: LuaValue, on L: OpaquePointer, depth: Int = 0) throws {
        guard lua_checkstack(L, 3) != 0 else { throw LuaConversionError("Lua stack overflow while pushing a value") }
        switch value {
        case .nil: lua_pushnil(L)
        case .boolean(let b): lua_pushboolean(L, b ? 1 : 0)
        case .integer(let i): lua_pushinteger(L, lua_Integer(i))
        case .number(let d): lua_pushnumber(L, d)
        case .string(let s): pushBytes(s.bytes, on: L)
        case .function(let f):
            guard f.belongs(to: self) else {
                throw LuaConversionError("a function of another Lua state cannot be pushed")
            }
            f.push(on: L)
        case .reference(let r):
            guard r.belongs(to: self) else { throw LuaConversionError("a value of another Lua state cannot be pushed") }
            r.push(on: L)
        case .table(let t):
            guard depth < maximumTableDepth else {
                throw LuaConversionError("table nested more than \(maximumTableDepth) levels deep")
            }
            lua_createtable(L, Int32(clamping: t.array.count), Int32(clamping: t.fields.count))
            do {
                for (i, element) in t.array.enumerated() {
                    try push(element, on: L, depth: depth + 1)
                    lua_rawseti(L, -2, lua_Integer(i + 1))
                }
                for (key, element) in t.fields where !element.isNil {
                    if case .number(let d) = key, d.isNaN { throw LuaConversionError("a table key cannot be NaN") }
                    try push(key.value, on: L, depth: depth + 1)
                    try push(element, on: L, depth: depth + 1)
                    lua_rawset(L, -3)
                }
            } catch {
                cluashim_pop(L, 1)
                throw error
            }
        }
    }

    func pushBytes(_ bytes: [UInt8], on L: OpaquePointer) {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, !buffer.isEmpty else {
                _ = lua_pushlstring(L, "", 0)
                return
            }
            base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                _ = lua_pushlstring(L, $0, buffer.count)
            }
        }
    }

    func pushString(_ string: String, on L: OpaquePointer) { pushBytes(Array(string.utf8), on: L) }

    /// Pops the value on top of `L` into the global `name` with a raw set: a `__newindex` on `_G` (a strict
    /// mode script) must not run here, where an error would longjmp across Swift frames.
    func setGlobalRaw(_ name: String, on L: OpaquePointer) {
        cluashim_pushglobaltable(L)
        pushString(name, on: L)
        lua_rotate(L, -3, -1)  // value, _G, name -> _G, name, value
        lua_rawset(L, -3)
        cluashim_pop(L, 1)
    }

    /// The bytes of the string at `index` (which must be a string: `lua_tolstring` on a number would convert it
    /// in place and confuse `lua_next`).
    func bytes(at index: Int32, on L: OpaquePointer) -> [UInt8] {
        var length = 0
        guard let pointer = lua_tolstring(L, index, &length) else { return [] }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
        }
    }

    /// The value at `index` of `L`'s stack. Tables are copied (at most `maximumTableDepth` deep); functions
    /// and other values become registry references.
    /// - Throws: `LuaConversionError` for a table nested too deeply (or cyclic) or with an unsupported key.
    func value(at index: Int32, on L: OpaquePointer, depth: Int = 0) throws -> LuaValue {
        let index = lua_absindex(L, index)
        switch lua_type(L, index) {
        case LUA_TNIL, LUA_TNONE: return .nil
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return .integer(Int64(lua_tointegerx(L, index, nil))) }
            return .number(lua_tonumberx(L, index, nil))
        case LUA_TSTRING: return .string(LuaString(bytes: bytes(at: index, on: L)))
        case LUA_TTABLE: return .table(try table(at: index, on: L, depth: depth))
        case LUA_TFUNCTION:
            lua_pushvalue(L, index)
            return .function(LuaFunctionRef(core: self, popping: L))
        default:
            lua_pushvalue(L, index)
            return .reference(LuaReference(core: self, popping: L))
        }
    }

    private func table(at index: Int32, on L: OpaquePointer, depth: Int) throws -> LuaTable {
        guard depth < maximumTableDepth else {
            throw LuaConversionError("table nested more than \(maximumTableDepth) levels deep (a cycle?)")
        }
        guard lua_checkstack(L, 3) != 0 else { throw LuaConversionError("Lua stack overflow while reading a table") }
        var fields: [LuaKey: LuaValue] = [:]
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            let key: LuaKey
            switch lua_type(L, -2) {
            case LUA_TSTRING: key = .string(LuaString(bytes: bytes(at: -2, on: L)))
            case LUA_TNUMBER:
                key =
                    lua_isinteger(L, -2) != 0
                    ? .integer(Int64(lua_tointegerx(L, -2, nil))) : .number(lua_tonumberx(L, -2, nil))
            case LUA_TBOOLEAN: key = .boolean(lua_toboolean(L, -2) != 0)
            default:
                let typeName = String(cString: cluashim_typename(L, -2))
                cluashim_pop(L, 2)
                throw LuaConversionError("a table key of type \(typeName) cannot be converted")
            }
            do {
                fields[key] = try value(at: -1, on: L, depth: depth + 1)
            } catch {
                cluashim_pop(L, 2)
                throw error
            }
            cluashim_pop(L, 1)
        }
        var array: [LuaValue] = []
        var next: Int64 = 1
        while let element = fields.removeValue(forKey: .integer(next)) {
            array.append(element)
            next += 1
        }
        return LuaTable(array: array, fields: fields)
    }

    /// `lua.c`'s `docall`: calls the function at `base + 1` with the `argumentCount` values above it, with the
    /// traceback message handler below it; on return the stack is back at `base` and the results are returned.
    /// - Throws: `LuaError` with the message and traceback.
    func protectedCall(on L: OpaquePointer, argumentCount: Int32, base: Int32) throws -> [LuaValue] {
        releaseDeferredReferences()
        let handlerIndex = base + 1
        cluashim_pushcfunction(L, cluashim_msghandler)
        cluashim_insert(L, handlerIndex)
        let status = cluashim_pcall_limited(L, argumentCount, cluashim_multret(), handlerIndex)
        cluashim_remove(L, handlerIndex)
        guard status == LUA_OK else {
            var error = LuaError(kind: LuaError.Kind(status: status), handled: errorText(on: L))
            if status == LUA_ERRRUN, lua_type(L, -1) != LUA_TSTRING, lua_type(L, -1) != LUA_TNIL {
                // A table (or other) error value stays itself: raised again, it reaches the script's `pcall`.
                error.value = LuaErrorValue(.reference(LuaReference(core: self, popping: L)))
            }
            lua_settop(L, base)
            throw error
        }
        defer { lua_settop(L, base) }
        var results: [LuaValue] = []
        let top = lua_gettop(L)
        if top > base {
            for i in (base + 1)...top { results.append(try value(at: i, on: L)) }
        }
        return results
    }

    /// The error value on top of the stack as text (it is a string after the message handler, but a memory
    /// error or a non-string `__tostring` result may not be).
    func errorText(on L: OpaquePointer) -> String {
        if lua_type(L, -1) == LUA_TSTRING { return String(decoding: bytes(at: -1, on: L), as: UTF8.self) }
        return "(error object is a \(String(cString: cluashim_typename(L, -1))) value)"
    }
}

extension LuaError.Kind {
    init(status: Int32) {
        switch status {
        case LUA_ERRSYNTAX, LUA_ERRFILE: self = .load
        case LUA_ERRMEM: self = .memory
        case LUA_ERRERR: self = .handler
        default: self = .runtime
        }
    }
}
