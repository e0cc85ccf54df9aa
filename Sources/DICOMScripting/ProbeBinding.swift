import DICOMServices
import Foundation
import LuaBridge

/// `q:probe{move = true, port = N, timeout = S}` (docs/cli.md "probe"): `ProbeService.probe` of the query
/// object's `QUERY_SCP`, returned as a table with the fields of `dicomlua probe --json`.
enum ProbeBinding {
    static func addMethod(to type: LuaUserdataType<QueryObject>, runLoop: ScriptRunLoop) {
        type.method("probe") { object, arguments in
            let settings = try arguments.optionalTable(0, "probe")
            var options = ProbeService.Options()
            options.tryMove = settings["move"].isNil ? true : settings["move"].isTruthy
            options.storageAE = object.storageAE
            if case .integer(let port) = settings["port"] { options.listenPort = Int(port) }
            switch settings["timeout"] {
            case .integer(let seconds): options.moveTimeout = Double(seconds)
            case .number(let seconds): options.moveTimeout = seconds
            default: break
            }
            guard options.moveTimeout > 0 && options.moveTimeout <= 3600 else {
                throw LuaScriptError("probe: timeout must be in (0, 3600] seconds, got \(options.moveTimeout)")
            }
            guard let queryAE = object.queryAE else { throw LuaScriptError("probe: QUERY_SCP is not set") }
            let configuration = try Configuration(scope: .user).current
            let chosen = options
            let report = try runLoop.await {
                try await ProbeService.probe(queryAE: queryAE, configuration: configuration, options: chosen)
            }
            return [.table(Self.table(report))]
        }
    }

    /// The report as a Lua table.
    static func table(_ report: ProbeReport) -> LuaTable {
        var t = LuaTable()
        t["echo"] = LuaValue(report.echoFailure ?? "ok")
        if let v = report.implementationClassUID { t["implementation_class_uid"] = LuaValue(v) }
        if let v = report.implementationVersionName { t["implementation_version_name"] = LuaValue(v) }
        if let v = report.maximumPDULength { t["max_pdu_length"] = .integer(Int64(v)) }
        if let v = report.negotiationFailure { t["negotiation_failure"] = LuaValue(v) }
        t["models"] = .table(
            LuaTable(
                array: report.models.map { model in
                    .table(
                        [
                            "service": LuaValue(model.service), "model": LuaValue("\(model.model)"),
                            "accepted": .boolean(model.accepted),
                        ])
                }))
        t["levels"] = .table(
            LuaTable(
                array: report.levels.map { level in
                    var entry: LuaTable = [
                        "model": LuaValue("\(level.model)"), "level": LuaValue(level.level.keyword),
                        "matched": .boolean(level.matched),
                    ]
                    if let failure = level.failure { entry["failure"] = LuaValue(failure) }
                    return .table(entry)
                }))
        if let v = report.patientMatchHasSpecificCharacterSet {
            t["patient_match_has_specific_character_set"] = .boolean(v)
        }
        t["move"] = LuaValue(report.moveTest.explanation)
        t["move_result"] = LuaValue(report.moveTest.kind)
        return t
    }
}
