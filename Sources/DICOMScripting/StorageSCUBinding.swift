import DICOMServices
import Foundation
import LuaBridge

/// `storage_scu` (docs/lua-api.md "storage_scu — IDLffDicomExStorScu"): `storage_scu.new()`, properties
/// `STORAGE_SCP`, `CALLBACK_FUNCTION`, `CALLBACK_DATA`, and `send(path_or_array)` → number sent
/// (`count, message` when the network or the association failed).
enum StorageSCUBinding {
    static func install(in state: LuaState, runLoop: ScriptRunLoop) throws {
        let type = makeType(state: state, runLoop: runLoop)
        try ObjectModule.install("storage_scu", type: type, in: state) { StorageSCUObject() }
    }

    private static func makeType(state: LuaState, runLoop: ScriptRunLoop) -> LuaUserdataType<StorageSCUObject> {
        let type = LuaUserdataType<StorageSCUObject>(name: "storage_scu")
        weak let weakState = state
        type.addStorageTargetProperties()
        PropertyMethods.install(on: type, idlNames: ["STORAGE_SCP", "CALLBACK_FUNCTION", "CALLBACK_DATA"])
        type.method("clear_properties") { object, _ in
            object.clear()
            return []
        }
        type.method("send") { object, arguments in
            let files = try paths(arguments[0])
            // An empty list sends nothing and opens no association (a script's filter may find no file).
            if files.isEmpty { return [.integer(0)] }
            let configuration = try Configuration(scope: .user).current
            let session = CallbackSession(
                function: try PropertyValue.resolveCallback(object.callback, state: weakState, method: "send"),
                data: object.callbackData, arguments: arguments, runLoop: runLoop)
            let storageAE = object.storageAE
            let handler = session.handler
            let outcome = try runLoop.await {
                try await StorageSCU.send(
                    files: files, storageAE: storageAE, configuration: configuration, onFile: handler)
            }
            try session.rethrowCallbackError()
            var results: [LuaValue] = [.integer(Int64(outcome.sent))]
            if let message = outcome.message { results.append(LuaValue(message)) }
            return results
        }
        type.describe = { object in "storage_scu object (STORAGE_SCP \(object.storageAE ?? "unset"))" }
        return type
    }

    /// A path or an array of paths (IDL: a scalar string or a string array).
    private static func paths(_ value: LuaValue) throws -> [String] {
        switch value {
        case .string:
            guard let path = value.stringValue, !path.isEmpty else {
                throw LuaScriptError("send: expected a file path, got an empty string")
            }
            return [path]
        case .table(let table):
            guard table.fields.isEmpty else {
                throw LuaScriptError("send: expected a path or an array of paths, got a table with named fields")
            }
            return try table.array.enumerated().map { index, item in
                guard let path = item.stringValue, !path.isEmpty else {
                    throw LuaScriptError("send: element \(index + 1) must be a file path, got \(item.typeName)")
                }
                return path
            }
        case .nil, .boolean, .integer, .number, .function, .reference:
            throw LuaScriptError("send: expected a path or an array of paths, got \(value.typeName)")
        }
    }
}
