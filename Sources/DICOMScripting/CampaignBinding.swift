import DICOMCampaign
import DICOMServices
import Foundation
import LuaBridge

/// `campaign` (docs/lua-api.md "campaign — bulk retrieval that survives"): `campaign.open` and the methods of
/// the campaign object. The engine lives in DICOMCampaign; this file only converts. Misuse raises (an unknown
/// option, a bad value, a CSV without key columns); failures of the network, the archive or a journal that
/// another process runs are returned (`nil, message`).
enum CampaignBinding {
    /// A campaign as the script holds it (closed by `close()` or garbage collection).
    final class Handle {
        var campaign: Campaign?
        var onItem: LuaFunctionRef?
        func open(_ method: String) throws -> Campaign {
            guard let campaign else { throw LuaScriptError("\(method): the campaign is closed") }
            return campaign
        }
    }

    static func install(in state: LuaState, runLoop: ScriptRunLoop) throws {
        let type = makeType(runLoop: runLoop)
        try state.register(type)
        try state.setModule(
            "campaign",
            functions: [
                "open": { arguments in
                    let path = try arguments.string(0, "campaign.open")
                    let options = try self.options(try arguments.optionalTable(1, "campaign.open"), "campaign.open")
                    let campaign = try raising { try Campaign(path: path, options: options) }
                    let handle = Handle()
                    handle.campaign = campaign
                    return [try arguments.makeUserdata(handle, of: type)]
                }
            ])
    }

    /// Converts misuse found by DICOMCampaign into a Lua error.
    static func raising<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as CampaignError { throw LuaScriptError(error.description) }
    }

    /// The options table (`campaign.open`, `c:run`).
    static func options(_ table: LuaTable, _ method: String) throws -> CampaignOptions {
        let keywords = try LuaNames.keywords(table, method: method, allowed: Set(CampaignOptions.names))
        var options = CampaignOptions()
        func string(_ name: String) throws -> String? {
            guard let value = keywords[name], !value.isNil else { return nil }
            guard let text = value.stringValue else {
                throw LuaScriptError("\(method): \(name) must be a string, got \(value.typeName)")
            }
            return text
        }
        func number(_ name: String) throws -> Double? {
            guard let value = keywords[name], !value.isNil else { return nil }
            guard let n = value.doubleValue else {
                throw LuaScriptError("\(method): \(name) must be a number, got \(value.typeName)")
            }
            return n
        }
        func integer(_ name: String) throws -> Int? {
            guard let n = try number(name) else { return nil }
            guard n == n.rounded(), abs(n) < 1e9 else {
                throw LuaScriptError("\(method): \(name) must be an integer, got \(n)")
            }
            return Int(n)
        }
        options.querySCP = try string("query_scp")
        options.storageSCP = try string("storage_scp")
        options.queryModel = try integer("query_model")
        options.method = try string("method")
        options.directory = try string("directory")
        options.parallel = try integer("parallel")
        options.minInterval = try number("min_interval")
        options.window = try string("window")
        if let value = keywords["verify"], !value.isNil {
            guard let b = value.boolValue else {
                throw LuaScriptError("\(method): verify must be a boolean, got \(value.typeName)")
            }
            options.verify = b
        }
        options.retry = try integer("retry")
        options.settle = try number("settle")
        options.stall = try number("stall")
        options.giveUp = try number("give_up")
        try raising { try options.validate() }
        return options
    }

    /// The `item` record.
    static func record(_ item: CampaignItem, _ arguments: LuaArguments) throws -> LuaValue {
        var keys: [String: LuaValue] = [:]
        for name in CampaignKeys.names { if let v = item.keys[name] { keys[name] = LuaValue(v) } }
        var fields: [String: LuaValue] = [
            "id": .integer(item.id),
            "keys": try arguments.makeRecord(keys),
            "data": .table(
                LuaTable(
                    array: [],
                    fields: Dictionary(
                        uniqueKeysWithValues: item.data.map { (LuaKey.string(LuaString($0.key)), LuaValue($0.value)) }))
            ),
            "state": LuaValue(item.state.rawValue),
            "arrived": .integer(Int64(item.arrived)),
            "missing": LuaValue(item.missing.map { LuaValue($0) }),
            "failed_uids": LuaValue(item.failedUIDs.map { LuaValue($0) }),
            "attempts": .integer(Int64(item.attempts)),
            "bytes": .integer(item.bytes),
        ]
        if let e = item.expectedCount { fields["expected_count"] = .integer(Int64(e)) }
        if let m = item.message { fields["message"] = LuaValue(m) }
        if let s = item.started { fields["started"] = .number(s.timeIntervalSince1970) }
        if let f = item.finished { fields["finished"] = .number(f.timeIntervalSince1970) }
        return try arguments.makeRecord(fields)
    }

    static func summary(_ summary: CampaignSummary, _ arguments: LuaArguments) throws -> LuaValue {
        var fields: [String: LuaValue] = [
            "total": .integer(Int64(summary.total)),
            "instances": .integer(Int64(summary.instances)),
            "bytes": .integer(summary.bytes),
            "elapsed": .number(summary.elapsed),
        ]
        for state in CampaignItemState.allCases { fields[state.rawValue] = .integer(Int64(summary.count(state))) }
        if let m = summary.message { fields["message"] = LuaValue(m) }
        return try arguments.makeRecord(fields)
    }

    private static func makeType(runLoop: ScriptRunLoop) -> LuaUserdataType<Handle> {
        let type = LuaUserdataType<Handle>(name: "campaign")
        type.describe = { handle in "campaign \(handle.campaign?.journal.path ?? "(closed)")" }
        type.onRelease = { handle in
            handle.campaign = nil
            handle.onItem = nil
        }
        type.method("add") { handle, arguments in
            let campaign = try handle.open("add")
            let keywords = try LuaNames.keywords(
                try arguments.table(0, "add"), method: "add", allowed: Set(CampaignKeys.names + ["data"]))
            var values: [String: String] = [:]
            for name in CampaignKeys.names {
                guard let value = keywords[name], !value.isNil else { continue }
                guard let text = value.stringValue else {
                    throw LuaScriptError("add: \(name) must be a string, got \(value.typeName)")
                }
                values[name] = text
            }
            var data: [String: String] = [:]
            if let table = keywords["data"]?.tableValue {
                for (key, value) in table.fields {
                    guard case .string(let k) = key, let name = k.string,
                        let text = value.stringValue ?? value.doubleValue.map({ "\($0)" })
                    else { continue }
                    data[name] = text
                }
            }
            let keys = CampaignKeys(
                patientID: values["patient_id"], accessionNumber: values["accession_number"],
                studyInstanceUID: values["study_instance_uid"], seriesInstanceUID: values["series_instance_uid"],
                sopInstanceUID: values["sop_instance_uid"])
            let added = try raising { try campaign.add(keys, data: data) }
            return [.boolean(added)]
        }
        type.method("add_csv") { handle, arguments in
            let campaign = try handle.open("add_csv")
            let path = try arguments.string(0, "add_csv")
            let result = try raising { try campaign.addCSV(path: path) }
            return [.integer(Int64(result.added)), .integer(Int64(result.rows))]
        }
        type.method("add_query") { handle, arguments in
            let campaign = try handle.open("add_query")
            let keywords = try LuaNames.keywords(try arguments.table(0, "add_query"), method: "add_query")
            var match: [String: String] = [:]
            for (name, value) in keywords {
                if name == "extra" {
                    guard let table = value.tableValue else { throw LuaScriptError("add_query: extra must be a table") }
                    for (key, v) in table.fields {
                        guard case .string(let k) = key, let keyword = k.string, let text = v.stringValue else {
                            throw LuaScriptError("add_query: extra takes DICOM keywords with string values")
                        }
                        match[keyword] = text
                    }
                    continue
                }
                guard QueryField(rawValue: name.uppercased()) != nil else {
                    throw LuaScriptError(
                        "add_query: unknown keyword '\(name)' (query fields, and extra = {Keyword = value})")
                }
                guard let text = value.stringValue else {
                    throw LuaScriptError("add_query: \(name) must be a string, got \(value.typeName)")
                }
                match[name] = text
            }
            let result = try runLoop.await { [match] in try await campaign.addQuery(match) }
            switch result {
            case .success(let n): return [.integer(Int64(n))]
            case .failure(let failure): return [.nil, LuaValue(failure.message)]
            }
        }
        type.method("on_item") { handle, arguments in
            _ = try handle.open("on_item")
            let value = arguments[0]
            guard value.isNil || value.functionValue != nil else {
                throw LuaScriptError("on_item: expected a function or nil, got \(value.typeName)")
            }
            handle.onItem = value.functionValue
            return []
        }
        type.method("run") { handle, arguments in
            let campaign = try handle.open("run")
            let given = try options(try arguments.optionalTable(0, "run"), "run")
            try raising { try campaign.override(given) }
            let function = handle.onItem
            let callbackError = CallbackErrorBox()
            let onItem: (@Sendable (CampaignItem) async -> OperationDecision)?
            if let function {
                // Touched only in the runLoop.post job below, which runs on the script's (Lua) thread.
                nonisolated(unsafe) let function = function, arguments = arguments
                onItem = { item in
                    await withCheckedContinuation { continuation in
                        runLoop.post {
                            guard callbackError.error == nil else { return continuation.resume(returning: .proceed) }
                            do {
                                let results = try function.call([try record(item, arguments)])
                                continuation.resume(
                                    returning: CallbackSession.isCancel(results.first ?? .nil) && !item.state.isSettled
                                        ? .cancel : .proceed)
                            } catch {
                                callbackError.error = error
                                campaign.stop("the on_item callback raised an error")
                                continuation.resume(returning: .proceed)
                            }
                        }
                    }
                }
            } else {
                onItem = nil
            }
            let outcome: Result<CampaignSummary, CampaignError>
            do {
                outcome = .success(
                    try runLoop.await {
                        try await campaign.run(
                            onItem: onItem, log: { line in FileHandle.standardError.write(Data((line + "\n").utf8)) })
                    })
            } catch let error as CampaignError {
                outcome = .failure(error)
            }
            if let error = callbackError.error { throw error }
            switch outcome {
            case .success(let result): return [try summary(result, arguments)]
            case .failure(let error): return [.nil, LuaValue(error.description)]
            }
        }
        type.method("items") { handle, arguments in
            let campaign = try handle.open("items")
            let keywords = try LuaNames.keywords(
                try arguments.optionalTable(0, "items"), method: "items", allowed: ["state"])
            var state: CampaignItemState?
            if let value = keywords["state"], !value.isNil {
                guard let text = value.stringValue, let s = CampaignItemState(rawValue: text) else {
                    throw LuaScriptError(
                        "items: state must be one of \(CampaignItemState.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                state = s
            }
            let items = try raising { try campaign.journal.items(state: state) }
            var index = 0
            return [
                arguments.makeFunction { iteratorArguments in
                    guard index < items.count else { return [.nil] }
                    defer { index += 1 }
                    return [try record(items[index], iteratorArguments)]
                }
            ]
        }
        type.method("report_csv") { handle, arguments in
            let campaign = try handle.open("report_csv")
            let path = try arguments.string(0, "report_csv")
            let items = try raising { try campaign.journal.items() }
            do { try CampaignReport.csv(items).write(toFile: path, atomically: true, encoding: .utf8) } catch {
                return [.nil, LuaValue("report_csv: cannot write '\(path)': \(error.localizedDescription)")]
            }
            return [.integer(Int64(items.count))]
        }
        type.method("close") { handle, _ in
            handle.campaign = nil
            handle.onItem = nil
            return []
        }
        return type
    }
}

/// The first error an `on_item` callback raised (script thread only).
final class CallbackErrorBox: @unchecked Sendable {
    var error: Error?
}
