import CEdit
import DICOMScripting
import Foundation
import LuaBridge

/// `dicomlua -i`: `lua.c`'s interactive mode (`doREPL`) with the dicomlua globals. A line is first tried as
/// `return <line>` (so an expression prints its values, through the global `print`, as lua.c 5.4 does), then
/// as a statement; an incomplete chunk (`<eof>` in the message) asks for more lines with `>> `. Errors are
/// printed as `dicomlua: message` with the traceback and the prompt comes back.
///
/// Line editing and history come from libedit's readline interface when standard input is a terminal
/// (history in `$XDG_DATA_HOME/dicomlua/history`, else `~/.local/share/dicomlua/history`). Ctrl-C while a
/// line runs interrupts it ("interrupted!", as for a script: a retrieve or `dicom.sleep` is cancelled) and
/// returns to the prompt; at the prompt Ctrl-C is ignored; Ctrl-D (end of input) or `os.exit()` leaves.
enum InteractivePrompt {
    /// The evaluation of one chunk, in Lua (as lua.c's `loadline`/`docall`/`l_print`): returns "incomplete"
    /// when more lines are needed, else "done".
    static let evaluator = """
        local source = ...
        local chunk, message = load("return " .. source, "=stdin")
        if not chunk then chunk, message = load(source, "=stdin") end
        if not chunk then
          if message:sub(-5) == "<eof>" then return "incomplete" end
          io.stderr:write("dicomlua: ", message, "\\n")
          return "done"
        end
        local results = table.pack(xpcall(chunk, function(m)
          if type(m) ~= "string" then
            local mt = getmetatable(m)
            if mt and mt.__tostring then return tostring(m) end
            return "(error object is a " .. type(m) .. " value)"
          end
          -- the traceback without the prompt's own frames (from its xpcall on)
          return (debug.traceback(m, 2):gsub("\\n\\t%[C%]: in function 'xpcall'.*$", ""))
        end))
        if not results[1] then
          io.stderr:write("dicomlua: ", tostring(results[2]), "\\n")
        elseif results.n > 1 then
          local ok, failure = pcall(print, table.unpack(results, 2, results.n))
          if not ok then io.stderr:write("dicomlua: error calling 'print' (", tostring(failure), ")\\n") end
        end
        io.stdout:flush()
        return "done"
        """

    static func run() -> Int32 {
        let state = LuaState()
        let runLoop = ScriptRunLoop()
        defer { withExtendedLifetime(state) {} }
        let evaluate: LuaFunctionRef
        do {
            try ScriptEnvironment.install(in: state, runLoop: runLoop)
            try state.setGlobal("arg", .table(LuaTable()))
            evaluate = try state.load(evaluator, name: "=(prompt)")
        } catch {
            ScriptRunner.report("\(error)")
            return 1
        }
        let terminal = isatty(STDIN_FILENO) != 0
        let history = historyFile()
        if terminal {
            using_history()
            if let history { _ = read_history(history) }
        }
        print("\(ScriptRunner.versionLine)  (Ctrl-D to leave)")
        signal(SIGINT, SIG_IGN)
        var pending = ""
        while let line = readLine(prompt: pending.isEmpty ? "> " : ">> ", terminal: terminal) {
            var source = pending.isEmpty ? line : pending + "\n" + line
            if pending.isEmpty && source.hasPrefix("=") { source = "return " + source.dropFirst() }  // Lua 5.2 habit
            if source.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let interruption = InterruptHandler(state: state, runLoop: runLoop)
            let answer = (try? evaluate.call([LuaValue(source)]))?.first
            interruption.cancel()
            signal(SIGINT, SIG_IGN)
            if case .string(let text)? = answer, text.string == "incomplete" {
                pending = source
                continue
            }
            if terminal {
                add_history(source)
                if let history { _ = write_history(history) }
            }
            pending = ""
        }
        print("")
        signal(SIGINT, SIG_DFL)
        return 0
    }

    /// One line without its newline; nil at the end of input.
    private static func readLine(prompt: String, terminal: Bool) -> String? {
        flushStandardOutput()
        if terminal {
            guard let pointer = readline(prompt) else { return nil }
            defer { free(pointer) }
            return String(cString: pointer)
        }
        FileHandle.standardOutput.write(Data(prompt.utf8))
        return Swift.readLine(strippingNewline: true)
    }

    /// The history file (its folder created), or nil when it cannot be.
    private static func historyFile() -> String? {
        let environment = ProcessInfo.processInfo.environment
        let base: String
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") {
            base = data
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        }
        let folder = base + "/dicomlua"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            return nil
        }
        return folder + "/history"
    }
}
