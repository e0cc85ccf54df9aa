import ArgumentParser
import Foundation

/// `dicomlua qrscp`: A small Query/Retrieve SCP serving a folder (test PACS, demo).
/// Not implemented yet: exits with status 2.
struct QRSCPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "qrscp", abstract: "A small Query/Retrieve SCP serving a folder (test PACS, demo).")

    @Argument(parsing: .captureForPassthrough, help: "Options of the command.")
    var options: [String] = []
}

extension QRSCPCommand {
    func run() throws {
        FileHandle.standardError.write(Data("dicomlua qrscp: not implemented yet\n".utf8))
        throw ExitCode(notImplementedExitCode)
    }
}
