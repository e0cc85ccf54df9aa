import ArgumentParser
import DICOMDeidentify

/// The de-identification options shared by `dicomlua deidentify`, `dicomlua storescp --deidentify` and
/// `dicomlua campaign run --deidentify`
/// (docs/lua-api.md "De-identification": the same names and meanings as the Lua table's `options`, `map`,
/// `quarantine`, `allow_burned_in`); the names are checked by `DeidentificationSettings`, as for Lua.
struct DeidentifyOptions: ParsableArguments {
    @Option(
        name: .customLong("option"),
        help: "Profile option (repeatable): \(DeidentificationOption.allCases.map(\.rawValue).joined(separator: ", "))."
    )
    var options: [String] = []
    @Option(help: "SQLite map keeping UIDs, pseudonyms and date shifts consistent across runs (created if missing).")
    var map: String?
    @Option(help: "CSV of 'original patient ID,pseudonym' lines.")
    var lookup: String?
    @Option(help: "Folder for instances with burned-in annotation (default: the output folder's name + .quarantine).")
    var quarantine: String?
    @Flag(help: "Write instances with Burned In Annotation YES to the output folder too.")
    var allowBurnedIn = false

    /// Unknown or unsupported option names are usage errors (`dicomlua: COMMAND: option 'x' is not known: ...`).
    func validate() throws {
        do {
            _ = try DeidentificationSettings(optionNames: options)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// True when any of these options was given.
    var isGiven: Bool { !options.isEmpty || map != nil || lookup != nil || quarantine != nil || allowBurnedIn }

    /// The de-identifier these options describe (the map opened or created; without `--map`, `defaultMap`'s,
    /// else one for this process only). Throws `DeidentificationError` (or the map's error) naming what is
    /// wrong.
    func makeDeidentifier(defaultMap: (() throws -> DeidentificationMap)? = nil) throws -> Deidentifier {
        let table = try lookup.map { try DeidentificationSettings.readLookup(path: $0) } ?? [:]
        let settings = try DeidentificationSettings(optionNames: options, lookup: table, allowBurnedIn: allowBurnedIn)
        let store = try map.map { try DeidentificationMap(path: $0) } ?? defaultMap?() ?? DeidentificationMap()
        return Deidentifier(settings: settings, map: store)
    }
}
