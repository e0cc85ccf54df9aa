import ArgumentParser
import DICOMCore
import DICOMServices
import Foundation

/// `dicomlua find REMOTE -k KEY=VALUE …`: one C-FIND (PS3.4 C.4.1) through `QueryService.find`, as DCMTK's
/// `findscu`; the matches on standard output as a table, CSV or DICOM JSON (PS3.18 F.2).
struct FindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: "Query an archive (C-FIND) and print the matches as a table, CSV or DICOM JSON.",
        discussion: """
            The level is QueryRetrieveLevel among the keys (default: STUDY with -S, else PATIENT). The usual \
            return keys of the level are asked too (PatientName, PatientID, StudyInstanceUID, StudyDate, …).
            Exit status: 0 when the query completed (even with no match), 1 when it failed, 2 for a usage error.

            Examples:
              dicomlua find PACS@10.0.0.5:104 -S -k PatientID=12345
              dicomlua find MyPACS -k 'PatientName=DOE^*' --csv > patients.csv
              dicomlua find MyPACS -S -k StudyDate=20240101-20240131 --json
              dicomlua find MyPACS -S -k QueryRetrieveLevel=SERIES \
                  -k StudyInstanceUID=1.2.3 -k Modality
            """)

    @Argument(help: ArgumentHelp("The archive: AET@HOST:PORT or a configured AE name.", valueName: "REMOTE"))
    var remote: String

    @OptionGroup(title: "Query") var query: ModelOptions

    @Flag(help: "Print CSV (a header of keywords, one line per match).")
    var csv = false
    @Flag(help: "Print DICOM JSON (PS3.18 F.2): an array of one object per match.")
    var json = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if csv && json { throw ValidationError("give at most one of --csv, --json") }
    }

    func run() throws {
        common.logging.bootstrap()
        let keys = try QueryKeyList(query.keys)
        let model = query.model(default: .patientRoot)
        let level = keys.level ?? (model == .studyRoot ? .study : .patient)
        let request = try keys.findIdentifier(model: model, level: level)
        let cli = try CLIConfiguration()
        let name = try cli.remote(remote)
        try cli.setCallingTitle(common.aet, of: cli.document.queryRetrieveSCU)
        let document = cli.document
        CLILogging.logger.info(
            "C-FIND", metadata: ["peer": "\(remote)", "model": "\(model)", "level": "\(level.keyword)"])
        let outcome = try runBlocking {
            try await QueryService.find(identifier: request, model: model, queryAE: name, configuration: document)
        }
        let format: FindOutput.Format = json ? .json : (csv ? .csv : .table)
        if !outcome.matches.isEmpty || format != .table {
            let order = keys.columnOrder(model: model, level: level)
            print(FindOutput.render(format, order: order, matches: outcome.matches), terminator: "")
        }
        if let failure = outcome.failure { throw CLIFailure(failure) }
        if format == .table {
            StandardError.write("\(outcome.matches.count) match\(outcome.matches.count == 1 ? "" : "es")")
        }
    }
}
