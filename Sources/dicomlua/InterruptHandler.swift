import Foundation
import LuaBridge

/// Ctrl-C as `lua.c` handles it: the first SIGINT makes the script raise "interrupted!" (so `<close>`
/// variables and cleanup run, and the run ends with "dicomlua: interrupted!" and status 1) and wakes a
/// blocking wait (`dicom.sleep`, a retrieve); a second SIGINT kills the process as usual.
///
/// The handler is a plain `sigaction` installed before the script starts (no window in which a Ctrl-C is
/// lost); it writes to a pipe, and a small thread turns that into `ScriptRunLoop.interrupt()`.
final class InterruptHandler {
    private let writeEnd: Int32

    /// Installs the handler for `state`; call `cancel()` before the state is closed.
    init(state: LuaState, runLoop: ScriptRunLoop) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            writeEnd = -1
            state.installInterruptSignalHandler(notifying: -1)
            return
        }
        let readEnd = fds[0]
        writeEnd = fds[1]
        Thread.detachNewThread {
            var byte: UInt8 = 0
            while true {
                let count = read(readEnd, &byte, 1)
                if count == 1 {
                    runLoop.interrupt()
                    continue
                }
                if count < 0 && errno == EINTR { continue }
                break  // end of file: cancelled
            }
            close(readEnd)
        }
        state.installInterruptSignalHandler(notifying: writeEnd)
    }

    /// Restores the default SIGINT action and ends the pipe thread.
    func cancel() {
        LuaState.removeInterruptSignalHandler()
        if writeEnd >= 0 { close(writeEnd) }
    }
}
