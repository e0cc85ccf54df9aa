import Foundation

/// What to de-identify with (docs/lua-api.md "De-identification"): the options of the Basic Application
/// Level Confidentiality Profile, the pseudonym wanted for the patient, a lookup table of pseudonyms, and
/// whether instances with burned-in annotation may go to the output folder.
public struct DeidentificationSettings: Sendable {
    public var options: Set<DeidentificationOption>
    /// The pseudonym this patient must get (`patient_id`); it must agree with the map.
    public var patientID: String?
    /// Original Patient ID → pseudonym (from `--lookup CSV`).
    public var lookup: [String: String]
    /// Write instances with Burned In Annotation YES to the output folder instead of the quarantine.
    public var allowBurnedIn: Bool

    public init(
        options: Set<DeidentificationOption> = [], patientID: String? = nil, lookup: [String: String] = [:],
        allowBurnedIn: Bool = false
    ) throws {
        if options.contains(.retainSafePrivate) {
            throw DeidentificationError(
                "option retain_safe_private is not supported: it needs PS3.15 Table E.3.10-1 (the safe private attributes), which this build does not have; private attributes are always removed"
            )
        }
        if options.contains(.retainLongitudinalFullDates) && options.contains(.retainLongitudinalModifiedDates) {
            throw DeidentificationError(
                "options retain_longitudinal_full_dates and retain_longitudinal_modified_dates exclude each other: choose one"
            )
        }
        if let p = patientID, p.isEmpty || p.utf8.count > 64 || p.contains("\\") {
            throw DeidentificationError("patient_id must be 1 to 64 characters without a backslash, got '\(p)'")
        }
        self.options = options
        self.patientID = patientID
        self.lookup = lookup
        self.allowBurnedIn = allowBurnedIn
    }

    /// Options from their names; `profile` must be "basic".
    public init(
        profile: String = "basic", optionNames: [String], patientID: String? = nil, lookup: [String: String] = [:],
        allowBurnedIn: Bool = false
    ) throws {
        guard profile == "basic" else {
            throw DeidentificationError("profile '\(profile)' is not known: expected 'basic' (PS3.15 Annex E)")
        }
        var set = Set<DeidentificationOption>()
        for name in optionNames {
            guard let option = DeidentificationOption(rawValue: name) else {
                let known = DeidentificationOption.allCases.map(\.rawValue).joined(separator: ", ")
                if ["clean_pixel_data", "clean_recognizable_visual_features"].contains(name) {
                    throw DeidentificationError(
                        "option \(name) is not supported: pixel data is never changed (instances with burned-in annotation are quarantined)"
                    )
                }
                throw DeidentificationError("option '\(name)' is not known: expected one of \(known)")
            }
            set.insert(option)
        }
        try self.init(options: set, patientID: patientID, lookup: lookup, allowBurnedIn: allowBurnedIn)
    }

    /// Reads a lookup CSV: `original patient ID,pseudonym` per line; a header line whose second field is
    /// "pseudonym" (any case) and empty lines are skipped.
    public static func readLookup(path: String) throws -> [String: String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw DeidentificationError("cannot read the lookup CSV \(path)")
        }
        var table: [String: String] = [:]
        for (n, raw) in text.split(whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: CharacterSet(charactersIn: " \""))
            }
            guard fields.count >= 2, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw DeidentificationError(
                    "lookup CSV \(path) line \(n + 1): expected 'original patient ID,pseudonym', got '\(line)'")
            }
            if n == 0 && fields[1].lowercased() == "pseudonym" { continue }
            table[fields[0]] = fields[1]
        }
        return table
    }
}
