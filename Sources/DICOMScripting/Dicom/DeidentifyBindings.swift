import DICOMCore
import DICOMDeidentify
import Foundation
import LuaBridge

/// `dicom.deidentify(ds, opts)` and `dicom.deidentify_file(in, outdir, opts)` (docs/lua-api.md
/// "De-identification"): conversions only; the profile, the map and the streaming rewrite are
/// DICOMDeidentify's.
///
/// Options: `profile` ('basic'), `options` (list of option names), `map` (SQLite file), `patient_id`,
/// `lookup` (CSV of original patient ID, pseudonym), `allow_burned_in`, `quarantine` (folder, files only).
/// Without `map`, one in-memory map serves the whole script run.
final class DeidentifyBindings: @unchecked Sendable {
    /// The map of a run without `map` (one per Lua state).
    private let runMap = DeidentificationMap()

    /// Maps opened by path, shared by every state of the process (one SQLite connection per file).
    private static let lock = NSLock()
    nonisolated(unsafe) private static var maps: [String: DeidentificationMap] = [:]

    private static let allowed: Set<String> = [
        "profile", "options", "map", "patient_id", "lookup", "allow_burned_in", "quarantine",
    ]

    var functions: [String: LuaFunction] {
        [
            "deidentify": { [self] arguments in try deidentify(arguments) },
            "deidentify_file": { [self] arguments in try deidentifyFile(arguments) },
        ]
    }

    private static func map(at path: String) throws -> DeidentificationMap {
        let key = URL(fileURLWithPath: path).standardizedFileURL.path
        lock.lock()
        defer { lock.unlock() }
        if let map = maps[key] { return map }
        let map = try DeidentificationMap(path: key)
        maps[key] = map
        return map
    }

    private func deidentifier(_ table: LuaTable, method: String) throws -> (Deidentifier, String?) {
        try Self.deidentifier(table, method: method, defaultMap: runMap)
    }

    /// The de-identifier and the quarantine folder an options table asks for (`defaultMap` without `map`).
    static func deidentifier(
        _ table: LuaTable, method: String, defaultMap: DeidentificationMap
    ) throws -> (Deidentifier, String?) {
        let options = try LuaNames.keywords(table, method: method, allowed: Self.allowed)
        func text(_ key: String) throws -> String? {
            guard let value = options[key], !value.isNil else { return nil }
            guard let s = value.stringValue else {
                throw LuaScriptError("\(method): \(key) must be a string, got \(value.typeName) \(value)")
            }
            return s
        }
        var names: [String] = []
        if let list = options["options"], !list.isNil {
            guard let t = list.tableValue, t.fields.isEmpty else {
                throw LuaScriptError("\(method): options must be a list of option names, got \(list.typeName)")
            }
            names = try t.array.map { v in
                guard let s = v.stringValue else {
                    throw LuaScriptError("\(method): options must be strings, got \(v.typeName) \(v)")
                }
                return s
            }
        }
        do {
            let lookup = try text("lookup").map { try DeidentificationSettings.readLookup(path: $0) } ?? [:]
            let settings = try DeidentificationSettings(
                profile: text("profile") ?? "basic", optionNames: names, patientID: text("patient_id"),
                lookup: lookup, allowBurnedIn: options["allow_burned_in"]?.isTruthy ?? false)
            let map = try text("map").map { try Self.map(at: $0) } ?? defaultMap
            return (Deidentifier(settings: settings, map: map), try text("quarantine"))
        } catch let error as DeidentificationError {
            throw LuaScriptError("\(method): \(error)")
        }
    }

    /// `dicom.deidentify(ds[, opts])` → a new data set; `ds` is unchanged.
    private func deidentify(_ arguments: LuaArguments) throws -> [LuaValue] {
        guard case .reference(let reference) = arguments[0], let node = try? reference.object(of: DataSetObject.type)
        else {
            throw LuaScriptError("bad argument #1 to 'deidentify' (dataset expected, got \(arguments[0].typeName))")
        }
        let (deidentifier, _) = try deidentifier(try arguments.optionalTable(1, "deidentify"), method: "deidentify")
        let result: DeidentifiedDataSet
        do {
            result = try deidentifier.deidentify(node.dataSet)
        } catch {
            throw LuaScriptError("deidentify: \(error)")
        }
        let clean = DataSetNode(root: result.dataSet, sourceTransferSyntax: node.sourceTransferSyntax)
        return [try arguments.makeUserdata(clean, of: DataSetObject.type)]
    }

    /// `dicom.deidentify_file(in, outdir[, opts])` → `{path, sop_instance_uid, original_sop_instance_uid,
    /// sop_class_uid, pseudonym, quarantined}`.
    private func deidentifyFile(_ arguments: LuaArguments) throws -> [LuaValue] {
        let input = try arguments.string(0, "deidentify_file")
        let output = try arguments.string(1, "deidentify_file")
        let (deidentifier, quarantine) = try deidentifier(
            try arguments.optionalTable(2, "deidentify_file"), method: "deidentify_file")
        let result: DeidentifiedFile
        do {
            result = try deidentifier.deidentifyFile(
                at: input, outputDirectory: output, quarantineDirectory: quarantine)
        } catch {
            throw LuaScriptError("deidentify_file: \(error)")
        }
        var table = LuaTable()
        table["path"] = LuaValue(result.path)
        table["sop_instance_uid"] = LuaValue(result.sopInstanceUID)
        table["original_sop_instance_uid"] = LuaValue(result.originalSOPInstanceUID)
        table["sop_class_uid"] = LuaValue(result.sopClassUID)
        table["pseudonym"] = LuaValue(result.pseudonym)
        table["quarantined"] = .boolean(result.quarantined)
        return [.table(table)]
    }
}
