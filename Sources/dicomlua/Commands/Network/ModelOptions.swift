import ArgumentParser
import DICOMServices

/// `-P`/`-S`/`-O` (the information model, as DCMTK's findscu/movescu/getscu) and `-k KEY=VALUE`.
struct ModelOptions: ParsableArguments {
    @Flag(
        name: .customShort("P"),
        help: "Patient Root information model (default of find; of move/get when only PatientID is given).")
    var patientRoot = false
    @Flag(name: .customShort("S"), help: "Study Root information model (default of move/get with a study key).")
    var studyRoot = false
    @Flag(name: .customShort("O"), help: "Patient/Study Only information model (retired, still served by some).")
    var patientStudyOnly = false

    @Option(
        name: .customShort("k"),
        help: ArgumentHelp(
            "A key KEY=VALUE or KEY (asked, empty); KEY a keyword (PatientName) or tag (0010,0010). "
                + "QueryRetrieveLevel=PATIENT|STUDY|SERIES|IMAGE sets the level. Repeatable.",
            valueName: "KEY=VALUE"))
    var keys: [String] = []

    func validate() throws {
        if [patientRoot, studyRoot, patientStudyOnly].filter({ $0 }).count > 1 {
            throw ValidationError("give at most one of -P, -S, -O")
        }
    }

    /// The model chosen, else `fallback`.
    func model(default fallback: IDLQueryModel) -> IDLQueryModel {
        if patientRoot { return .patientRoot }
        if studyRoot { return .studyRoot }
        if patientStudyOnly { return .patientStudyOnly }
        return fallback
    }
}
