import DICOMServices
import Foundation
import LuaBridge

/// `query` (docs/lua-api.md "query — IDLffDicomExQuery"): `query.new()` and the methods of the query object.
/// Misuse raises (`retrieve: STUDY_INSTANCE_UID is required for Study Root / Series level`); network and
/// remote failures are returned (`false, count, message` or `nil, message`).
enum QueryBinding {
    static func install(in state: LuaState, runLoop: ScriptRunLoop) throws {
        let type = makeType(state: state, runLoop: runLoop)
        try ObjectModule.install("query", type: type, in: state) { QueryObject() }
    }

    /// The record of a query match: 21 fields with lowercase keys (docs/idl-reference.md §2.5).
    static func record(_ result: QueryResult, _ arguments: LuaArguments) throws -> LuaValue {
        var fields: [String: LuaValue] = [
            "query_model": .integer(Int64(result.queryModel.rawValue)),
            "query_level": .integer(Int64(result.queryLevel.rawValue)),
        ]
        for name in QueryResult.stringFieldNames { fields[name] = LuaValue(result[name]) }
        for (name, value) in result.extraFields { fields[name] = LuaValue(value) }
        return try arguments.makeRecord(fields)
    }

    private static func makeType(state: LuaState, runLoop: ScriptRunLoop) -> LuaUserdataType<QueryObject> {
        let type = LuaUserdataType<QueryObject>(name: "query")
        weak let weakState = state
        addProperties(to: type)
        ProbeBinding.addMethod(to: type, runLoop: runLoop)

        PropertyMethods.install(on: type, idlNames: idlPropertyNames)
        type.method("clear_properties") { object, _ in
            object.clear()
            return []
        }
        type.method("query_models_supported") { object, _ in
            let configuration = try Configuration(scope: .user).current
            let queryAE = object.queryAE
            let result = try runLoop.await {
                try await QueryService.queryModelsSupported(queryAE: queryAE, configuration: configuration)
            }
            switch result {
            case .success(let codes):
                return [LuaValue(codes.map { LuaValue.integer(Int64($0)) }), .integer(Int64(codes.count))]
            case .failure(let failure):
                return [.nil, LuaValue(failure.message)]
            }
        }
        type.method("query") { object, arguments in
            let configuration = try Configuration(scope: .user).current
            let session = CallbackSession(
                function: try PropertyValue.resolveCallback(object.callback, state: weakState, method: "query"),
                data: object.callbackData, arguments: arguments, runLoop: runLoop)
            var parameters = object.parameters
            let options = try LuaNames.keywords(
                try arguments.optionalTable(0, "query"), method: "query", allowed: ["extra"])
            if let extra = options["extra"], !extra.isNil {
                guard let table = extra.tableValue else {
                    throw LuaScriptError("query: EXTRA must be a table of keyword = value, got \(extra.typeName)")
                }
                for (key, value) in table.fields.sorted(by: { "\($0.key)" < "\($1.key)" }) {
                    guard case .string(let raw) = key, let keyword = raw.string else {
                        throw LuaScriptError("query: EXTRA keys must be DICOM keywords, got \(key)")
                    }
                    let text: String
                    if let number = value.integerValue, value.stringValue == nil {
                        text = String(number)
                    } else {
                        text = try prefixed("query") {
                            try PropertyValue.optionalString(value, property: "EXTRA.\(keyword)") ?? ""
                        }
                    }
                    try parameters.addExtra(keyword: keyword, value: text, method: "query")
                }
            }
            let queryAE = object.queryAE
            let handler = session.handler
            let outcome = try runLoop.await { [parameters] in
                try await QueryService.query(
                    parameters, queryAE: queryAE, configuration: configuration, onMatch: handler)
            }
            for warning in outcome.warnings {
                FileHandle.standardError.write(Data("dicomlua: warning: \(warning)\n".utf8))
            }
            try session.rethrowCallbackError()
            if let failure = outcome.failure { return [.nil, LuaValue(failure)] }
            let records = try outcome.results.map { try record($0, arguments) }
            return [LuaValue(records), .integer(Int64(records.count)), .boolean(outcome.truncated)]
        }
        type.method("retrieve") { object, arguments in
            try retrieve(object, arguments, method: "retrieve", state: weakState, runLoop: runLoop)
        }
        type.method("get") { object, arguments in
            try retrieve(object, arguments, method: "get", state: weakState, runLoop: runLoop)
        }
        type.describe = { object in "query object (QUERY_SCP \(object.queryAE ?? "unset"))" }
        return type
    }

    /// `retrieve{...}` (C-MOVE) and `get{...}` (C-GET): ok, count, message, report (docs/lua-api.md "Retrieve
    /// reports, verification and retry"; `message` is nil on success, so `report` is always the 4th value).
    private static func retrieve(
        _ object: QueryObject, _ arguments: LuaArguments, method: String, state: LuaState?,
        runLoop: ScriptRunLoop
    ) throws -> [LuaValue] {
        var allowed: Set<String> = [
            "patient_id", "study_instance_uid", "series_instance_uid", "sop_instance_uid", "verify", "retry", "settle",
        ]
        if method == "get" { allowed.insert("directory") }
        let keywords = try LuaNames.keywords(
            try arguments.optionalTable(0, method), method: method, allowed: allowed, abbreviable: idlRetrieveKeywords)
        func keyword(_ name: String) throws -> String? {
            try prefixed(method) {
                try PropertyValue.optionalString(keywords[name] ?? .nil, property: name.uppercased())
            }
        }
        let keys = RetrieveKeys(
            patientID: try keyword("patient_id"), studyInstanceUID: try keyword("study_instance_uid"),
            seriesInstanceUID: try keyword("series_instance_uid"), sopInstanceUID: try keyword("sop_instance_uid"))
        let directory = try keyword("directory").map { URL(fileURLWithPath: $0, isDirectory: true) }
        let options = try retrieveOptions(keywords, method: method, callFinal: object.callbackFinal)
        let configuration = try Configuration(scope: .user).current
        let session = CallbackSession(
            function: try PropertyValue.resolveCallback(object.callback, state: state, method: method),
            data: object.callbackData, arguments: arguments, runLoop: runLoop)
        let control = OperationControl()
        let retrieveSession = RetrieveSession()
        session.retrieveSession = retrieveSession
        let (model, level) = (object.parameters.model, object.parameters.level)
        let (queryAE, storageAE) = (object.queryAE, object.storageAE)
        let handler = session.handler
        let title: String
        var tracker: ArrivalsTracker?
        var system: ConfigurationDocument?
        if method == "get" {
            title = StatusLines.retrieveTitle(destination: nil)
        } else {
            let destination = storageAE.flatMap { configuration.applicationEntity(named: $0) }
            title = StatusLines.retrieveTitle(destination: destination?.aeTitle ?? storageAE ?? "")
            if let destination {
                tracker = InProcessStorageSCP.running(aeTitle: destination.aeTitle, runLoop: runLoop)?.arrivals
                if tracker == nil { system = try? Configuration(scope: .system).current }
            }
        }
        let outcome = try runLoop.await(heartbeat: session.heartbeat(title: title, operation: method, control: control))
        { [tracker, system] in
            if method == "get" {
                return try await RetrieveService.get(
                    keys: keys, model: model, level: level, queryAE: queryAE, directory: directory,
                    configuration: configuration, control: control, onResponse: handler, options: options,
                    session: retrieveSession)
            }
            return try await RetrieveService.move(
                keys: keys, model: model, level: level, queryAE: queryAE, storageAE: storageAE,
                configuration: configuration, control: control, onResponse: handler, options: options,
                destinationTracker: tracker, system: system, session: retrieveSession)
        }
        try session.rethrowCallbackError()
        return [
            .boolean(outcome.succeeded), .integer(Int64(outcome.count)), outcome.message.map { LuaValue($0) } ?? .nil,
            try RetrieveReportRecord.make(outcome.report, arguments),
        ]
    }

    /// `verify`, `retry`, `settle` of a retrieve call and the `CALLBACK_FINAL` property.
    private static func retrieveOptions(
        _ keywords: [String: LuaValue], method: String, callFinal: Bool
    ) throws -> RetrieveOptions {
        let verify: Bool
        switch keywords["verify"] ?? .nil {
        case .nil: verify = false
        case .boolean(let b): verify = b
        case let other: throw LuaScriptError("\(method): VERIFY must be a boolean, got \(other.typeName)")
        }
        var retry = 0
        if let value = keywords["retry"], !value.isNil {
            retry = try prefixed(method) { try PropertyValue.integer(value, property: "RETRY", range: 0...100) }
        }
        var settle = 10.0
        if let value = keywords["settle"], !value.isNil {
            guard let seconds = value.doubleValue, seconds >= 0, seconds <= 3600 else {
                throw LuaScriptError("\(method): SETTLE must be a number of seconds from 0 to 3600, got \(value)")
            }
            settle = seconds
        }
        return RetrieveOptions(verify: verify, retry: retry, settle: settle, callFinal: callFinal)
    }

    /// IDL's own properties of the query object (docs/idl-reference.md §2.2): the names that may be abbreviated.
    static let idlPropertyNames =
        ["QUERY_SCP", "STORAGE_SCP", "CALLBACK_FUNCTION", "CALLBACK_DATA", "QUERY_MODEL", "QUERY_LEVEL"]
        + QueryField.allCases.map(\.rawValue)

    /// IDL's keywords of `Retrieve` (docs/idl-reference.md §2.1; `COUNT` is a return value in Lua), which may
    /// be abbreviated (`retrieve{pat = '1'}`); `get` identifies objects by the same four.
    static let idlRetrieveKeywords = ["patient_id", "study_instance_uid", "series_instance_uid", "sop_instance_uid"]

    /// The properties of docs/lua-api.md, case-insensitive (the userdata type lowercases names).
    private static func addProperties(to type: LuaUserdataType<QueryObject>) {
        type.property(
            "QUERY_SCP", get: { LuaValue($0.queryAE ?? "") },
            set: { $0.queryAE = try PropertyValue.optionalString($1, property: "QUERY_SCP") })
        type.addStorageTargetProperties()
        type.property(
            "CALLBACK_FINAL", get: { .boolean($0.callbackFinal) },
            set: { object, value in
                guard case .boolean(let b) = value else {
                    throw LuaScriptError("CALLBACK_FINAL must be a boolean, got \(value.typeName)")
                }
                object.callbackFinal = b
            })
        type.property(
            "QUERY_MODEL", get: { .integer(Int64($0.parameters.model.rawValue)) },
            set: { object, value in
                let code = try PropertyValue.integer(value, property: "QUERY_MODEL", range: 0...2)
                object.parameters.model = IDLQueryModel(rawValue: code) ?? .patientRoot
                normalizeLevel(object)
            })
        type.property(
            "QUERY_LEVEL", get: { .integer(Int64($0.parameters.level.rawValue)) },
            set: { object, value in
                let code = try PropertyValue.integer(value, property: "QUERY_LEVEL", range: 0...3)
                object.parameters.level = IDLQueryLevel(rawValue: code) ?? .patient
                normalizeLevel(object)
            })
        for field in QueryField.allCases {
            type.property(
                field.rawValue, get: { LuaValue($0.parameters.values[field] ?? "") },
                set: { object, value in
                    var text: String?
                    if field == .seriesNumber || field == .instanceNumber, let number = value.integerValue {
                        text = String(number)
                    } else {
                        text = try PropertyValue.optionalString(value, property: field.rawValue)
                    }
                    object.parameters.values[field] = text
                })
        }
    }

    /// IDL: Patient level with Study Root warns and becomes Study level (docs/idl-reference.md §2.2).
    private static func normalizeLevel(_ object: QueryObject) {
        if let warning = object.parameters.effectiveLevel.warning {
            FileHandle.standardError.write(Data("dicomlua: warning: \(warning)\n".utf8))
            object.parameters.level = .study
        }
    }

    /// Runs `body`, prefixing a `LuaScriptError`'s message with the method name.
    static func prefixed<T>(_ method: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as LuaScriptError {
            throw LuaScriptError(error.message.hasPrefix(method + ":") ? error.message : "\(method): \(error.message)")
        }
    }
}
