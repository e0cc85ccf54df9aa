import ArgumentParser
import Foundation

/// The subcommands that are not scripts (`dicomlua storescp ...`). `main.swift` sends a command line here
/// only when its first argument is one of `names`, so `dicomlua script.lua` never reaches ArgumentParser
/// (and a script called `storescp` runs as `dicomlua ./storescp` or `dicomlua -- storescp`).
struct ServiceCommands: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dicomlua",
        abstract: "DICOM query/retrieve automation from Lua scripts.",
        subcommands: [StoreSCPCommand.self, QRSCPCommand.self, SampleDataCommand.self])

    /// The first arguments that select a subcommand.
    static var names: Set<String> {
        Set(configuration.subcommands.compactMap { $0.configuration.commandName })
    }
}

extension ServiceCommands {
    /// Parses and runs a subcommand. A usage error (an unknown or invalid option) is reported as
    /// `dicomlua: message` with the usage line on standard error and exit status 2, as the script command
    /// line does; everything else as ArgumentParser does (help, exit codes of the commands).
    static func run(_ arguments: [String]) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            exit(withError: nil)
        } catch {
            if exitCode(for: error).rawValue == ExitCode.validationFailure.rawValue {
                let usage = usageString(for: arguments)
                FileHandle.standardError.write(Data("dicomlua: \(message(for: error))\nUsage: \(usage)\n".utf8))
                Foundation.exit(usageExitCode)
            }
            exit(withError: error)
        }
    }

    /// The usage of the subcommand named first in `arguments`, or of `dicomlua` itself.
    private static func usageString(for arguments: [String]) -> String {
        let subcommand = configuration.subcommands.first { $0.configuration.commandName == arguments.first }
        return usageString(for: subcommand ?? ServiceCommands.self)
    }
}

/// Exit status of a usage error (invalid or unknown option).
let usageExitCode: Int32 = 2

/// Exit status of a subcommand that is not written yet.
let notImplementedExitCode: Int32 = 2
