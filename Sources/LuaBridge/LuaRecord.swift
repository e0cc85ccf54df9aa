import CLua
import CLuaShim

/// Records (docs/lua-api.md, "Conventions"): tables with lowercase keys that read case-insensitively, as IDL
/// structure fields do. `pairs` sees only the lowercase keys; writes with a string key store it lowercased.
extension LuaStateCore {
    static let recordMetatableKey = "dicomlua.record"

    /// The metamethods in Lua itself: no Swift call per field read. `tostring(record)` shows up to six
    /// non-empty scalar fields, the identifying ones of the query records first (patient, study, series,
    /// instance), then the others by name: `record{patient_id=P1, patient_name=DOE^JOHN, …}`.
    private static let recordMetatableSource = """
        local lower, type, rawget, rawset, pairs, tostring = string.lower, type, rawget, rawset, pairs, tostring
        local sort, concat = table.sort, table.concat
        local first = { patient_id = 1, patient_name = 2, study_date = 3, modality = 4, study_instance_uid = 5,
          series_instance_uid = 6, sop_instance_uid = 7, name = 8, aet = 9, hostname = 10, port = 11 }
        return {
          __index = function(t, k) if type(k) == 'string' then return rawget(t, lower(k)) end end,
          __newindex = function(t, k, v) if type(k) == 'string' then k = lower(k) end rawset(t, k, v) end,
          __tostring = function(t)
            local keys = {}
            for k, v in pairs(t) do
              local kind = type(v)
              if type(k) == 'string' and ((kind == 'string' and v ~= '') or kind == 'number' or kind == 'boolean') then
                keys[#keys + 1] = k
              end
            end
            sort(keys, function(a, b)
              local pa, pb = first[a] or 99, first[b] or 99
              if pa ~= pb then return pa < pb end
              return a < b
            end)
            local parts = {}
            for i = 1, #keys < 6 and #keys or 6 do parts[i] = keys[i] .. '=' .. tostring(rawget(t, keys[i])) end
            if #keys > 6 then parts[#parts + 1] = '\u{2026}' end
            return 'record{' .. concat(parts, ', ') .. '}'
          end,
        }
        """

    /// Pushes the shared record metatable (created on first use, kept in the registry).
    private func pushRecordMetatable(on L: OpaquePointer) throws {
        if cluashim_getmetatable(L, Self.recordMetatableKey) == LUA_TTABLE { return }
        cluashim_pop(L, 1)
        let source = Array(Self.recordMetatableSource.utf8).map { CChar(bitPattern: $0) }
        var status = cluashim_loadbuffer(L, source, source.count, "=(record metatable)")
        if status == LUA_OK { status = cluashim_pcall(L, 0, 1, 0) }
        guard status == LUA_OK else {
            let message = errorText(on: L)
            cluashim_pop(L, 1)
            throw LuaError(kind: LuaError.Kind(status: status), message: message)
        }
        lua_pushvalue(L, -1)
        lua_setfield(L, cluashim_registryindex(), Self.recordMetatableKey)
    }

    /// A new record holding `fields` (keys lowercased), kept by reference.
    func makeRecord(_ fields: [String: LuaValue]) throws -> LuaValue {
        let L = current
        let base = lua_gettop(L)
        do {
            lua_createtable(L, 0, Int32(clamping: fields.count))
            for (key, value) in fields where !value.isNil {
                try push(value, on: L)
                lua_setfield(L, -2, LuaNames.canonical(key))
            }
            try pushRecordMetatable(on: L)
            lua_setmetatable(L, -2)
        } catch {
            lua_settop(L, base)
            throw error
        }
        return .reference(LuaReference(core: self, popping: L))
    }
}

extension LuaStateCore {
    /// A new record whose fields `write` sets (see `LuaRecordWriter`), kept by reference.
    func makeRecord(writing write: (LuaRecordWriter) throws -> Void) throws -> LuaValue {
        try makeRecords { metatable in try pushRecord(on: current, metatable: metatable, writing: write) }
    }

    /// A new array of one record per element of `items`, each written by `write`: one reference for the
    /// whole array, none per record.
    func makeRecordList<Items: Collection>(
        _ items: Items, writing write: (Items.Element, LuaRecordWriter) throws -> Void
    ) throws -> LuaValue {
        try makeRecords { metatable in
            let L = current
            lua_createtable(L, Int32(clamping: items.count), 0)
            var index: lua_Integer = 1
            for item in items {
                try pushRecord(on: L, metatable: metatable) { try write(item, $0) }
                lua_rawseti(L, -2, index)
                index += 1
            }
        }
    }

    /// Runs `push` with the record metatable at stack index `metatable`, then returns a reference to the one
    /// value `push` left above it; on an error the stack is as it was.
    private func makeRecords(_ push: (Int32) throws -> Void) throws -> LuaValue {
        let L = current
        let base = lua_gettop(L)
        do {
            guard lua_checkstack(L, 6) != 0 else { throw LuaConversionError("Lua stack overflow while making records") }
            try pushRecordMetatable(on: L)
            try push(lua_gettop(L))
            cluashim_remove(L, -2)  // the metatable, below the result
        } catch {
            lua_settop(L, base)
            throw error
        }
        return .reference(LuaReference(core: self, popping: L))
    }

    /// Pushes a new record whose fields `write` sets, with the metatable at stack index `metatable`.
    private func pushRecord(
        on L: OpaquePointer, metatable: Int32, writing write: (LuaRecordWriter) throws -> Void
    ) throws {
        lua_createtable(L, 0, 12)
        try write(LuaRecordWriter(L: L))
        lua_pushvalue(L, metatable)
        lua_setmetatable(L, -2)
    }
}
