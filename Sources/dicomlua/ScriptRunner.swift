import DICOMScripting
import Foundation
import LuaBridge

/// Runs a script as `lua.c`'s `pmain`/`docall`/`report` do: the script environment installed, `arg` and `...`
/// set, the chunk run in a protected call; a failure reported as "dicomlua: message" plus the traceback on
/// standard error. `os.exit(n)` ends the process directly (its C `exit` flushes standard output).
enum ScriptRunner {
    /// "dicomlua 0.1.0 (Lua 5.4.4)".
    static var versionLine: String { "dicomlua \(DICOMLuaVersion.string) (\(LuaState.luaRelease))" }

    /// Runs the command line `argv`; returns the exit status (0 success, 1 error, 2 usage error).
    static func main(_ argv: [String]) -> Int32 {
        let action: ScriptInvocation.Action
        do {
            action = try ScriptInvocation.parse(argv, standardInputIsTerminal: isatty(STDIN_FILENO) != 0)
        } catch {
            report("\(error)\n\(ScriptInvocation.usage)")
            return 2
        }
        switch action {
        case .version:
            print(versionLine)
            return 0
        case .help:
            print(versionLine)
            print(ScriptInvocation.usage)
            return 0
        case .usage:
            report("no script given (and standard input is a terminal)\n\(ScriptInvocation.usage)")
            return 2
        case .interactive:
            return InteractivePrompt.run()
        case .run(let invocation):
            return run(invocation)
        }
    }

    /// Runs one script; returns its exit status.
    static func run(_ invocation: ScriptInvocation) -> Int32 {
        let state = LuaState()
        let runLoop = ScriptRunLoop()
        let interruption = InterruptHandler(state: state, runLoop: runLoop)
        defer {
            interruption.cancel()
            withExtendedLifetime(state) {}  // the handler must be gone before lua_close
        }
        do {
            try ScriptEnvironment.install(in: state, runLoop: runLoop)
            var argTable = LuaTable()
            for (index, value) in invocation.argTable { argTable.fields[.integer(Int64(index))] = LuaValue(value) }
            try state.setGlobal("arg", .table(argTable))
            let chunk: LuaFunctionRef
            switch invocation.source {
            case .file(let path): chunk = try state.load(file: path)
            case .code(let code): chunk = try state.load(code, name: "=(command line)")
            case .standardInput: chunk = try state.load(file: nil)
            }
            try chunk.call(invocation.scriptArguments.map { LuaValue($0) })
            flushStandardOutput()
            return 0
        } catch {
            flushStandardOutput()
            report(String(describing: error))
            return 1
        }
    }

    /// `lua.c`'s `l_message`: "dicomlua: message" on standard error.
    static func report(_ message: String) {
        FileHandle.standardError.write(Data("dicomlua: \(message)\n".utf8))
    }
}
