import CLua
import CLuaShim
import Foundation

/// Whether the `lua_State` still exists, readable from any thread: `lua_close` and `interrupt` hold the lock,
/// so an interruption never touches a freed state.
final class LuaLifetime: @unchecked Sendable {
    let lock = NSLock()
    private(set) var isOpen = true  // guarded by lock

    /// Runs `close` and marks the state closed, under the lock.
    func close(_ close: () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        guard isOpen else { return }
        close()
        isOpen = false
    }

    /// Runs `body` if the state is open, under the lock.
    func ifOpen(_ body: () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        if isOpen { body() }
    }
}

/// Stops a running script from another thread, as `lua.c` does on SIGINT: the script raises
/// "interrupted!" at its next Lua instruction (its `<close>` variables and `pcall`s behave as for any error).
///
/// The one part of a `LuaState` that may be used from any thread. Code blocked in Swift (a `ScriptRunLoop`
/// wait) does not see the hook until it returns to Lua: interrupt the run loop too.
/// Limit: the hook is set on the main Lua thread; a running coroutine sees it once it yields or returns.
public final class LuaInterrupter: @unchecked Sendable {
    private let main: OpaquePointer
    private let lifetime: LuaLifetime

    init(core: LuaStateCore) {
        self.main = core.main
        self.lifetime = core.lifetime
    }

    /// Requests the interruption (ignored once the state is closed). Not for signal handlers: call it from a
    /// `DispatchSource` signal source or another thread.
    public func interrupt() {
        lifetime.ifOpen { cluashim_interrupt(main) }
    }
}

extension LuaState {
    /// A handle that interrupts this state's script from any thread (Ctrl-C handling).
    public var interrupter: LuaInterrupter { LuaInterrupter(core: core) }
}

extension LuaState {
    /// `lua.c`'s `laction` for a command-line runner: installs a SIGINT handler at once (no window in which a
    /// Ctrl-C is lost). The first Ctrl-C interrupts this state (as `interrupter.interrupt()`), writes one byte
    /// to `descriptor` (-1: none; a thread reading it can wake a `ScriptRunLoop`), and restores the default
    /// action, so a second Ctrl-C terminates the process. Process-wide, as signals are: one state at a time.
    /// Call `removeInterruptSignalHandler()` before this state is closed.
    public func installInterruptSignalHandler(notifying descriptor: Int32) {
        cluashim_sigint_install(core.main, descriptor)
    }

    /// Restores SIGINT's default action.
    public static func removeInterruptSignalHandler() {
        cluashim_sigint_uninstall()
    }
}
