import CLua
import CLuaShim
import Foundation

/// The shared, internal side of a `LuaState`: the `lua_State`, which thread is running Swift code now, and
/// whether the state is still open. References (`LuaReference`) and Swift functions reach it through the
/// state's extra space (`lua_getextraspace`), never through globals.
///
/// Used from one thread only (docs/design.md, "One Lua thread").
final class LuaStateCore {
    /// The main thread of the state.
    let main: OpaquePointer
    /// The thread whose stack Swift code must use now: the main thread, or the coroutine that called the Swift
    /// function currently running.
    var current: OpaquePointer
    /// False once `lua_close` has returned: references dropped later must not touch the state.
    private(set) var isOpen = true
    /// The same fact for other threads (`LuaInterrupter`).
    let lifetime = LuaLifetime()
    /// How many tables deep reading a value goes before it stops with an error (cycles end here).
    var maximumTableDepth = LuaState.defaultMaximumTableDepth
    /// The userdata types registered in this state, by name: a name belongs to one type (a second type of
    /// the same name would reinterpret the first one's objects).
    var userdataTypes: [String: AnyObject] = [:]
    /// The thread that created the state: the only one that may touch it (docs/design.md, "One Lua thread").
    private let ownerThread = pthread_self()
    /// Registry references whose last Swift owner went away on another thread (a closure released by a task
    /// or an event loop): released by the owner thread at its next entry into Lua (`releaseDeferredReferences`).
    private let deferredLock = NSLock()
    private var deferredReferences: [Int32] = []

    init(main: OpaquePointer) {
        self.main = main
        self.current = main
        cluashim_extraspace(main).pointee = Unmanaged.passUnretained(self).toOpaque()
    }

    /// The core of the state that `L` (the main thread or one of its coroutines) belongs to.
    static func of(_ L: OpaquePointer) -> LuaStateCore {
        Unmanaged<LuaStateCore>.fromOpaque(cluashim_extraspace(L).pointee!).takeUnretainedValue()
    }

    /// An incremental GC step worth `bytes` of allocation (`LuaState.reportExternalAllocation(bytes:)`).
    /// Below 1 KiB nothing happens; the step is capped at 1 GiB. Finalizer errors become Lua warnings
    /// (Lua 5.4 §2.5.3), so no error unwinds through Swift here.
    func reportExternalAllocation(bytes: Int) {
        guard isOpen else { return }
        let kilobytes = min(bytes / 1024, 1 << 20)
        guard kilobytes > 0 else { return }
        cluashim_gcstep(current, Int32(kilobytes))
    }

    /// Closes the state: every `__gc` metamethod runs (userdata releases its Swift object).
    func close() {
        guard isOpen else { return }
        current = main
        lifetime.close { cluashim_closestate(main) }
        isOpen = false
    }

    /// Releases registry reference `ref`: at once on the owner thread, else at the owner's next entry into Lua
    /// (`luaL_unref` on another thread would race with the script).
    func releaseReference(_ ref: Int32) {
        if pthread_equal(pthread_self(), ownerThread) != 0 {
            if isOpen { luaL_unref(current, cluashim_registryindex(), ref) }
        } else {
            deferredLock.lock()
            deferredReferences.append(ref)
            deferredLock.unlock()
        }
    }

    /// How many references wait for `releaseDeferredReferences`.
    var deferredReferenceCount: Int {
        deferredLock.lock()
        defer { deferredLock.unlock() }
        return deferredReferences.count
    }

    /// Releases the references dropped on other threads (owner thread only).
    func releaseDeferredReferences() {
        deferredLock.lock()
        let refs = deferredReferences
        deferredReferences.removeAll()
        deferredLock.unlock()
        guard isOpen else { return }
        for ref in refs { luaL_unref(current, cluashim_registryindex(), ref) }
    }

    /// Whether a time budget is running (an outer one is never replaced by an inner one).
    private var budgetArmed = false

    /// Runs `body` with a time budget (docs/lua-api.md "Hooks under load"): once `seconds` have passed, the
    /// Lua code running raises `exceeded` (at its next instructions: code blocked in C or Swift is not
    /// interrupted). Inside another budget, the outer one applies.
    func withTimeBudget<T>(seconds: Double?, exceeded: String, _ body: () throws -> T) rethrows -> T {
        guard let seconds, seconds > 0, !budgetArmed, isOpen else { return try body() }
        budgetArmed = true
        cluashim_budget_arm(current, main, seconds, exceeded)
        defer {
            budgetArmed = false
            if isOpen { _ = cluashim_budget_disarm(current, main) }
        }
        return try body()
    }

    /// Runs `body` with `L` as the current thread, restoring the previous one afterwards.
    func withCurrent<T>(_ L: OpaquePointer, _ body: () throws -> T) rethrows -> T {
        let saved = current
        current = L
        defer { current = saved }
        return try body()
    }
}
