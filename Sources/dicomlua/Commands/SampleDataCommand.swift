import ArgumentParser
import DICOMServices
import Foundation

/// `dicomlua sample-data DIR [--patients N] [--studies N] [--series N] [--instances N] [--rows N]`:
/// writes a synthetic patient/study/series hierarchy of valid CT/MR instances (see `SampleDataGenerator`).
struct SampleDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample-data",
        abstract: "Writes a synthetic patient/study/series hierarchy of valid CT/MR instances.")

    @Argument(help: "Folder to write into (created if missing).")
    var directory: String

    @Option(help: "Patients (IDs PAT0001, ...).") var patients = 3
    @Option(help: "Studies per patient.") var studies = 1
    @Option(help: "Series per study (CT and MR alternate).") var series = 2
    @Option(help: "Instances per series.") var instances = 5
    @Option(help: "Rows and columns of each 16-bit image.") var rows = 64
    @OptionGroup(title: "Logging") var logging: LoggingOptions

    func run() throws {
        logging.bootstrap()
        let options = SampleDataOptions(
            patients: patients, studies: studies, series: series, instances: instances, rows: rows)
        do {
            try options.validate()
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let summary = try SampleDataGenerator.generate(into: directory, options: options)
            print(summary.line)
        } catch let error as SampleDataError {
            throw ValidationError(error.description)
        } catch {
            FileHandle.standardError.write(Data("dicomlua sample-data: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
