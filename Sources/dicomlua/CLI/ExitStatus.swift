import ArgumentParser
import Foundation

/// Exit statuses of every subcommand (docs/cli.md "Exit status"): 0 success, 1 failure (network, peer,
/// files), 2 usage (unknown option, malformed argument, unknown AE name).
enum ExitStatus {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    static let usage: Int32 = 2
}

/// A usage error found after parsing (a malformed `AET@HOST:PORT`, an unknown AE name): exit status 2.
struct CLIUsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A failure already reported on standard error: exit status 1.
struct CLIFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a subcommand line in the `dicomlua: message` style of the script runner: help and `--version` on
/// standard output with status 0; a usage error as `dicomlua: <command>: message` plus a hint, status 2;
/// a failure as `dicomlua: <command>: message`, status 1.
enum CommandLineRunner {
    static func main(_ arguments: [String]) -> Never {
        let name = arguments.first ?? ""
        do {
            var command = try ServiceCommands.parseAsRoot(arguments)
            try command.run()
            flushStandardOutput()
            exit(ExitStatus.success)
        } catch let error as CLIUsageError {
            report("\(name): \(error.description)")
            report("see 'dicomlua \(name) --help'")
            exit(ExitStatus.usage)
        } catch let error as CLIFailure {
            flushStandardOutput()
            if !error.description.isEmpty { report("\(name): \(error.description)") }
            exit(ExitStatus.failure)
        } catch {
            let code = ServiceCommands.exitCode(for: error)
            if code == .success || ServiceCommands.fullMessage(for: error).isEmpty {
                // --help, --version, or a subcommand's own ExitCode(n) (its message already written)
                let message = ServiceCommands.fullMessage(for: error)
                if !message.isEmpty { print(message) }
                flushStandardOutput()
                exit(code.rawValue)
            }
            if code == .validationFailure {
                report("\(name): \(ServiceCommands.message(for: error))")
                report("see 'dicomlua \(name) --help'")
                exit(ExitStatus.usage)
            }
            flushStandardOutput()
            report("\(name): \(ServiceCommands.message(for: error))")
            exit(ExitStatus.failure)
        }
    }

    /// "dicomlua: message" on standard error.
    static func report(_ message: String) {
        FileHandle.standardError.write(Data("dicomlua: \(message)\n".utf8))
    }
}
