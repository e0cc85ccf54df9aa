import Dispatch
import Foundation
import LuaBridge

/// Ctrl-C as `lua.c` handles it: the first SIGINT makes the script raise "interrupted!" (so `<close>`
/// variables and cleanup run, and the run ends with "dicomlua: interrupted!" and status 1), and wakes a
/// blocking wait (`dicom.sleep`, a retrieve); a second SIGINT kills the process as usual.
final class InterruptHandler {
    private let source: DispatchSourceSignal

    init(interrupter: LuaInterrupter, runLoop: ScriptRunLoop) {
        // A parent may start us with SIGINT blocked or ignored (a test runner does): take it back.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        signal(SIGINT, SIG_IGN)  // delivered to the dispatch source instead
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            signal(SIGINT, SIG_DFL)  // the next Ctrl-C terminates
            interrupter.interrupt()
            runLoop.interrupt()
        }
        source.resume()
    }

    func cancel() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
