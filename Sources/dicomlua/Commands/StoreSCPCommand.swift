import ArgumentParser
import Foundation

/// `dicomlua storescp`: The storage SCP in the foreground (also what the service runs).
/// Not implemented yet: exits with status 2.
struct StoreSCPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "storescp", abstract: "The storage SCP in the foreground (also what the service runs).")

    @Argument(parsing: .captureForPassthrough, help: "Options of the command.")
    var options: [String] = []
}

extension StoreSCPCommand {
    func run() throws {
        FileHandle.standardError.write(Data("dicomlua storescp: not implemented yet\n".utf8))
        throw ExitCode(notImplementedExitCode)
    }
}
