import DICOMDeidentify
import Foundation

/// How a campaign de-identifies (docs/deidentification.md "Campaigns"): the options of `dicomlua campaign run
/// --deidentify`, kept in the journal (table `deidentification`, schema 3) so that a resumed run goes on
/// de-identifying the same way without the flags being given again. Paths are absolute.
public struct CampaignDeidentification: Sendable, Equatable {
    /// Profile option names (PS3.15 E.3; docs/lua-api.md "De-identification"), sorted.
    public var options: [String]
    /// The map's SQLite file; nil: the map kept in the journal itself.
    public var map: String?
    /// CSV of 'original patient ID,pseudonym' lines.
    public var lookup: String?
    /// Folder for burned-in instances; nil: the output folder's name + `.quarantine`.
    public var quarantine: String?
    /// Burned-in instances go to the output folder too.
    public var allowBurnedIn: Bool

    public init(
        options: [String] = [], map: String? = nil, lookup: String? = nil, quarantine: String? = nil,
        allowBurnedIn: Bool = false
    ) {
        self.options = Array(Set(options)).sorted()
        self.map = map.map(Self.absolute)
        self.lookup = lookup.map(Self.absolute)
        self.quarantine = quarantine.map(Self.absolute)
        self.allowBurnedIn = allowBurnedIn
    }

    static func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

    /// The settings a run uses: `given` (the command line's, nil without `--deidentify`) against `stored`
    /// (the journal's, nil when the campaign did not de-identify so far). A run without the flag keeps the
    /// journal's; given settings that differ from the stored ones are refused, so that one folder never mixes
    /// two de-identifications.
    /// - Throws: `CampaignError` naming both.
    public static func resolve(given: Self?, stored: Self?) throws -> Self? {
        guard let given else { return stored }
        guard let stored, stored != given else { return given }
        throw CampaignError(
            "this campaign de-identifies with \(stored) (stored in its journal), the command line asks for "
                + "\(given): run it without --deidentify and its options to go on as before, or start a new journal "
                + "for other settings")
    }
}

extension CampaignDeidentification {
    /// The de-identifier these settings describe: the lookup read, the map opened (`journalMap` when `map` is
    /// nil). Throws `DeidentificationError` or the map's error, naming what is wrong.
    public func makeDeidentifier(journalMap: () throws -> DeidentificationMap) throws -> Deidentifier {
        let table = try lookup.map { try DeidentificationSettings.readLookup(path: $0) } ?? [:]
        let settings = try DeidentificationSettings(optionNames: options, lookup: table, allowBurnedIn: allowBurnedIn)
        let store = try map.map { try DeidentificationMap(path: $0) } ?? journalMap()
        return Deidentifier(settings: settings, map: store)
    }
}

extension CampaignDeidentification: CustomStringConvertible {
    /// `options retain_uids, map /data/map.db, quarantine /data/q` (`no options` when none).
    public var description: String {
        var parts = [options.isEmpty ? "no options" : "options \(options.joined(separator: ", "))"]
        parts.append("map \(map ?? "in the journal")")
        if let lookup { parts.append("lookup \(lookup)") }
        if let quarantine { parts.append("quarantine \(quarantine)") }
        if allowBurnedIn { parts.append("burned-in allowed") }
        return parts.joined(separator: ", ")
    }
}
