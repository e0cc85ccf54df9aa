import CLua
import CLuaShim

/// A Swift function callable from Lua: receives the Lua arguments, returns the results.
/// Throw `LuaScriptError` to raise a Lua error (catchable by `pcall`).
public typealias LuaFunction = (LuaArguments) throws -> [LuaValue]

/// The arguments of a call from Lua into Swift, and what a Swift function may do with the state during it.
public struct LuaArguments {
    /// The arguments, in order (`values[0]` is Lua's first argument).
    public let values: [LuaValue]
    let core: LuaStateCore

    /// The argument at `index` (0-based), `.nil` beyond the end (Lua's "none").
    public subscript(index: Int) -> LuaValue { index < values.count ? values[index] : .nil }

    public var count: Int { values.count }

    /// A new userdata holding `object`, of a type registered in this state.
    public func makeUserdata<Object>(_ object: Object, of type: LuaUserdataType<Object>) throws -> LuaValue {
        try core.makeUserdata(object, of: type)
    }

    /// A Lua function that calls `body` (to return to the script, e.g. an iterator).
    public func makeFunction(_ body: @escaping LuaFunction) -> LuaValue {
        let L = core.current
        core.pushFunction(body, on: L)
        return .function(LuaFunctionRef(core: core, popping: L))
    }

    /// A record: a table with lowercase keys whose reads are case-insensitive (`r.AET` is `r.aet`).
    public func makeRecord(_ fields: [String: LuaValue]) throws -> LuaValue {
        try core.makeRecord(fields)
    }

    /// A record whose fields `write` sets straight into Lua (see `LuaRecordWriter`).
    public func makeRecord(writing write: (LuaRecordWriter) throws -> Void) throws -> LuaValue {
        try core.makeRecord(writing: write)
    }

    /// An array of one record per element of `items`, each written by `write` (see `LuaRecordWriter`).
    public func makeRecordList<Items: Collection>(
        _ items: Items, writing write: (Items.Element, LuaRecordWriter) throws -> Void
    ) throws -> LuaValue {
        try core.makeRecordList(items, writing: write)
    }

    /// Tells Lua's collector about `bytes` of Swift memory about to be owned by a userdata (see
    /// `LuaState.reportExternalAllocation(bytes:)`).
    public func reportExternalAllocation(bytes: Int) {
        core.reportExternalAllocation(bytes: bytes)
    }
}

/// What a Lua C closure made by `pushFunction` owns: the Swift closure.
final class SwiftFunctionBox {
    enum Body {
        /// A public Swift function: arguments and results as `LuaValue`s.
        case values(LuaFunction)
        /// An internal function working on the stack of the calling thread; returns its result count.
        case raw((OpaquePointer) throws -> Int32)
    }
    let body: Body
    init(_ body: Body) { self.body = body }
}

/// Releases a box's retained Swift object (`__gc` of the box userdata).
let releaseSwiftObject: cluashim_Release = { object in
    if let object { Unmanaged<AnyObject>.fromOpaque(object).release() }
}

/// The Swift side of the trampoline: reads the arguments, runs the closure, pushes the results. Never raises:
/// on error it leaves the error value on the stack and returns `CLUASHIM_ERROR`, and the C trampoline raises it.
private let dispatchSwiftFunction: cluashim_Function = { L, object in
    guard let L, let object else { return 0 }
    let box = Unmanaged<SwiftFunctionBox>.fromOpaque(object).takeUnretainedValue()
    return LuaStateCore.of(L).invoke(box.body, on: L)
}

extension LuaStateCore {
    /// Pushes a Lua function that calls `body`.
    func pushFunction(_ body: @escaping LuaFunction, on L: OpaquePointer) {
        pushBox(SwiftFunctionBox(.values(body)), on: L)
    }

    /// Pushes a Lua function that calls `body` with the calling thread (internal metamethods).
    func pushRawFunction(_ body: @escaping (OpaquePointer) throws -> Int32, on L: OpaquePointer) {
        pushBox(SwiftFunctionBox(.raw(body)), on: L)
    }

    private func pushBox(_ box: SwiftFunctionBox, on L: OpaquePointer) {
        let object = Unmanaged.passRetained(box as AnyObject).toOpaque()
        cluashim_pushfunction(L, dispatchSwiftFunction, object, releaseSwiftObject)
    }

    /// Calls `body` with the arguments on `L`'s stack; pushes its results (returns their count) or the error
    /// value (returns `CLUASHIM_ERROR`).
    func invoke(_ body: SwiftFunctionBox.Body, on L: OpaquePointer) -> Int32 {
        withCurrent(L) {
            do {
                let function: LuaFunction
                switch body {
                case .values(let valueFunction): function = valueFunction
                case .raw(let rawFunction): return try rawFunction(L)
                }
                let top = lua_gettop(L)
                var values: [LuaValue] = []
                values.reserveCapacity(Int(top))
                if top > 0 { for i in 1...top { values.append(try value(at: i, on: L)) } }
                let results = try function(LuaArguments(values: values, core: self))
                lua_settop(L, 0)
                guard lua_checkstack(L, Int32(clamping: results.count) + 4) != 0 else {
                    throw LuaScriptError("too many results (\(results.count))")
                }
                for result in results { try push(result, on: L) }
                return Int32(results.count)
            } catch let error as LuaError {
                lua_settop(L, 0)
                if let value = error.value?.value, (try? push(value, on: L)) != nil { return CLUASHIM_ERROR }
                pushString(error.description, on: L)
                return CLUASHIM_ERROR
            } catch {
                if error is ScriptWaitInterrupted {
                    // The Ctrl-C that ended the wait is this error; its hook must not raise it a second time
                    // (that would escape the `pcall` catching this one).
                    cluashim_clear_interrupt(main)
                    cluashim_clear_interrupt(L)
                }
                lua_settop(L, 0)
                luaL_where(L, 1)
                pushString(String(describing: error), on: L)
                lua_concat(L, 2)
                return CLUASHIM_ERROR
            }
        }
    }
}
