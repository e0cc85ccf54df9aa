/// What `dicomlua [options] [script [args]]` asks for, parsed as `lua.c` parses its command line
/// (docs/style.md §5a.4), with one difference: the arguments after `-e CODE` are the chunk's arguments.
///
/// ```
/// dicomlua SCRIPT [ARGS...]     run SCRIPT; arg[0] = SCRIPT, arg[1...] = ARGS, ... = ARGS
/// dicomlua -e CODE [ARGS...]    run CODE;   arg[0] = CODE,   arg[1...] = ARGS, ... = ARGS
/// dicomlua - [ARGS...]          run standard input
/// dicomlua -- SCRIPT [ARGS...]  SCRIPT may start with '-' (or be named like a subcommand)
/// dicomlua -i                   the interactive prompt (InteractivePrompt)
/// dicomlua                      run standard input when it is not a terminal, else print the usage
/// ```
/// Arguments before the script are at negative indices of `arg` (`arg[-1]` = "-e", ...), the program name
/// lowest, as in `lua.c`.
struct ScriptInvocation: Equatable {
    enum Source: Equatable {
        case file(String)
        case code(String)
        case standardInput
    }

    enum Action: Equatable {
        case run(ScriptInvocation)
        case version
        case help
        /// `-i`: the interactive prompt.
        case interactive
        /// No script and standard input is a terminal.
        case usage
    }

    let source: Source
    /// The whole command line (`argv[0]` first).
    let argv: [String]
    /// Position in `argv` of what becomes `arg[0]` (0 when there is no script: `arg[0]` is the program).
    let scriptIndex: Int

    /// The script's arguments (`...` of the chunk): everything after `arg[0]`.
    var scriptArguments: [String] { Array(argv[(scriptIndex + 1)...]) }

    /// The `arg` table as `lua.c`'s `createargtable`: `arg[i - scriptIndex] = argv[i]`.
    var argTable: [Int: String] {
        var table: [Int: String] = [:]
        for (i, value) in argv.enumerated() { table[i - scriptIndex] = value }
        return table
    }

    struct UsageError: Error, Equatable, CustomStringConvertible {
        let description: String
    }

    /// Parses `argv` (`argv[0]` is the program).
    /// - Throws: `UsageError` for an unknown option or `-e` without code.
    static func parse(_ argv: [String], standardInputIsTerminal: Bool) throws -> Action {
        var i = 1
        while i < argv.count {
            let argument = argv[i]
            switch argument {
            case "--":
                guard i + 1 < argv.count else { break }
                return .run(ScriptInvocation(source: .file(argv[i + 1]), argv: argv, scriptIndex: i + 1))
            case "-":
                return .run(ScriptInvocation(source: .standardInput, argv: argv, scriptIndex: i))
            case "-e":
                guard i + 1 < argv.count else { throw UsageError(description: "'-e' needs a chunk of Lua code") }
                return .run(ScriptInvocation(source: .code(argv[i + 1]), argv: argv, scriptIndex: i + 1))
            case "-i":
                return .interactive
            case "-v", "--version":
                return .version
            case "-h", "--help":
                return .help
            default:
                if argument.hasPrefix("-e") {
                    return .run(
                        ScriptInvocation(source: .code(String(argument.dropFirst(2))), argv: argv, scriptIndex: i))
                }
                if argument.hasPrefix("-") { throw UsageError(description: "unrecognized option '\(argument)'") }
                return .run(ScriptInvocation(source: .file(argument), argv: argv, scriptIndex: i))
            }
            i += 1
        }
        if standardInputIsTerminal { return .usage }
        return .run(ScriptInvocation(source: .standardInput, argv: argv, scriptIndex: 0))
    }

    static let usage = """
        usage: dicomlua [options] [script [args]]
               dicomlua echo|find|move|get|send|probe|storescp|qrscp|sample-data|deidentify|campaign [options]
                                      (see dicomlua <command> --help)
        Available options are:
          -i         enter the interactive prompt
          -e code    execute the string 'code'; the arguments after it are its arguments
          -v         show version information (also --version)
          -h         show this help (also --help)
          --         stop handling options (the next argument is the script)
          -          execute stdin and stop handling options
        """
}
