import ArgumentParser
import Foundation

/// `dicomlua sample-data`: Writes a synthetic patient/study/series hierarchy of valid instances.
/// Not implemented yet: exits with status 2.
struct SampleDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sample-data", abstract: "Writes a synthetic patient/study/series hierarchy of valid instances.")

    @Argument(parsing: .captureForPassthrough, help: "Options of the command.")
    var options: [String] = []
}

extension SampleDataCommand {
    func run() throws {
        FileHandle.standardError.write(Data("dicomlua sample-data: not implemented yet\n".utf8))
        throw ExitCode(notImplementedExitCode)
    }
}
