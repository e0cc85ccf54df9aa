import ArgumentParser
import DICOMServices
import Foundation
import Logging

/// `dicomlua echo REMOTE`: one C-ECHO (PS3.4 Annex A) through `EchoService`, as DCMTK's `echoscu`; the
/// answer lines are those of the Lua API's `cfg:echo` (docs/lua-api.md).
struct EchoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echo",
        abstract: "Send a C-ECHO to an archive (is it up, does it accept us?).",
        discussion: """
            REMOTE is AET@HOST:PORT or the name of an application entity of the user configuration.
            Exit status: 0 when the echo succeeded, 1 when it failed, 2 for a usage error.

            Examples:
              dicomlua echo ORTHANC@pacs.example.org:4242
              dicomlua echo MyPACS --aet MYSCU
            """)

    @Argument(help: ArgumentHelp("The archive: AET@HOST:PORT or a configured AE name.", valueName: "REMOTE"))
    var remote: String

    @OptionGroup var common: CommonOptions

    func run() throws {
        common.logging.bootstrap()
        let cli = try CLIConfiguration()
        let name = try cli.remote(remote)
        try cli.setCallingTitle(common.aet, of: cli.document.echoSCU)
        let document = cli.document
        CLILogging.logger.info("C-ECHO", metadata: ["peer": "\(remote)"])
        let lines = try runBlocking { try await EchoService.echo(applicationEntityName: name, configuration: document) }
        for line in lines { print(line) }
        guard lines.first == "Echo Succeeded:" else { throw CLIFailure("") }
    }
}
