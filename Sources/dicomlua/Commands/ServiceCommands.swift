import ArgumentParser
import Foundation

/// The subcommands that are not scripts (`dicomlua storescp ...`). `main.swift` sends a command line here
/// only when its first argument is one of `names`, so `dicomlua script.lua` never reaches ArgumentParser
/// (and a script called `storescp` runs as `dicomlua ./storescp` or `dicomlua -- storescp`).
struct ServiceCommands: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dicomlua",
        abstract: "DICOM query/retrieve automation from Lua scripts.",
        discussion: """
            Without a subcommand, dicomlua runs a Lua script as lua.c does (dicomlua SCRIPT [ARGS], \
            dicomlua -e CODE, dicomlua -i for the interactive prompt; dicomlua -h for those options).
            """,
        version: ScriptRunner.versionLine,
        subcommands: [
            EchoCommand.self, FindCommand.self, MoveCommand.self, GetCommand.self, SendCommand.self,
            ProbeCommand.self, StoreSCPCommand.self, QRSCPCommand.self, SampleDataCommand.self,
            DeidentifyCommand.self, CampaignCommand.self,
        ])

    /// The first arguments that select a subcommand.
    static var names: Set<String> {
        Set(configuration.subcommands.compactMap { $0.configuration.commandName })
    }
}
