import DICOMServices
import Foundation
import LuaBridge

/// The configuration object of scripts: IDL's `IDLffDicomExCfg` (docs/lua-api.md `cfg`), every method under its
/// snake_case name and its IDL name. Misuse raises the `ConfigurationError` text (`set_value: unknown key
/// ...`); arguments of the wrong Lua type raise "bad argument #n to 'method' (...)".
final class CfgObject {
    let configuration: Configuration
    /// Where `echo` and `storage_scp_service` wait (running the jobs of in-process hooks meanwhile).
    let runLoop: ScriptRunLoop

    init(_ configuration: Configuration, runLoop: ScriptRunLoop) {
        self.configuration = configuration
        self.runLoop = runLoop
    }

    /// The userdata type, shared by every state: it holds no per-state data and is not changed after it is made.
    nonisolated(unsafe) static let type: LuaUserdataType<CfgObject> = makeType()

    private static func makeType() -> LuaUserdataType<CfgObject> {
        let type = LuaUserdataType<CfgObject>(name: "cfg")
        type.describe = { object in
            "cfg object (\(object.configuration.scope.rawValue): \(object.configuration.filePath))"
        }

        type.method("set_application_entity") { object, arguments in
            let method = "set_application_entity"
            try object.configuration.setApplicationEntity(
                name: try arguments.string(0, method), aeTitle: try arguments.string(1, method),
                hostname: try arguments.string(2, method), port: try portText(arguments, 3, method),
                serviceList: try arguments.string(4, method), serviceType: try arguments.string(5, method))
            return []
        }
        type.method("get_application_entity") { object, arguments in
            let entity = try object.configuration.applicationEntity(
                named: try arguments.string(0, "get_application_entity"))
            return [try record(entity, arguments)]
        }
        type.method("get_application_entities") { object, arguments in
            let serviceType = try serviceTypeArgument(arguments)
            let entities = try object.configuration.applicationEntities(serviceType: serviceType)
            let records = try entities.map { try record($0, arguments) }
            return [LuaValue(records), .integer(Int64(records.count))]
        }
        type.method("remove_application_entity") { object, arguments in
            try object.configuration.removeApplicationEntity(
                named: try arguments.string(0, "remove_application_entity"))
            return []
        }
        type.method("set_tls") { object, arguments in
            let method = "set_tls"
            let name = try arguments.string(0, method)
            switch arguments[1] {
            case .nil: try object.configuration.setTLS(nil, forEntityNamed: name)
            case .table(let table):
                try object.configuration.setTLS(
                    TLSSettingsTable.settings(from: table, method: method), forEntityNamed: name)
            case .boolean, .integer, .number, .string, .function, .reference:
                throw LuaScriptError(
                    "bad argument #2 to 'set_tls' (table or nil expected, got \(arguments[1].typeName))")
            }
            return []
        }
        type.method("get_tls") { object, arguments in
            let settings = try object.configuration.tls(forEntityNamed: try arguments.string(0, "get_tls"))
            return [settings.map(TLSSettingsTable.table) ?? .nil]
        }
        type.method("get_service_lists") { _, _ in stringsAndCount(Configuration.serviceLists) }
        type.method("get_service_types") { _, _ in stringsAndCount(Configuration.serviceTypes) }
        type.method("get_value") { object, arguments in
            [LuaValue(try object.configuration.value(forKey: try arguments.string(0, "get_value")))]
        }
        type.method("set_value") { object, arguments in
            let key = try arguments.string(0, "set_value")
            switch arguments[1] {
            case .string(let text): try object.configuration.setValue(text.description, forKey: key)
            case .boolean(let flag): try object.configuration.setValue(flag, forKey: key)
            case .integer(let number): try object.configuration.setValue(Int(number), forKey: key)
            case .number(let number):
                if let integral = Int(exactly: number) {
                    try object.configuration.setValue(integral, forKey: key)
                } else {
                    try object.configuration.setValue(number, forKey: key)
                }
            case .nil, .table, .function, .reference:
                throw LuaScriptError(
                    "bad argument #2 to 'set_value' (string, number or boolean expected, got \(arguments[1].typeName))")
            }
            return []
        }
        type.method("commit") { object, _ in
            try object.configuration.commit()
            return []
        }
        type.method("is_dirty") { object, _ in [.boolean(object.configuration.isDirty)] }
        type.method("revert") { object, _ in
            try object.configuration.revert()
            return []
        }
        type.method("echo") { object, arguments in
            let name = try arguments.string(0, "echo")
            let document = object.configuration.current
            let lines = try object.runLoop.await {
                try await EchoService.echo(applicationEntityName: name, configuration: document)
            }
            return stringsAndCount(lines)
        }
        type.method("storage_scp_service") { object, arguments in
            let command = try arguments.string(0, "storage_scp_service")
            let locations = object.configuration.locations
            // The service reads the system configuration: binding it creates the file when it is missing.
            let system = try Configuration(scope: .system, locations: locations)
            let path = system.filePath
            let answer = try object.runLoop.awaitBlocking {
                try StorageServiceControl.perform(command, systemConfigurationPath: path)
            }
            return [LuaValue(answer)]
        }
        return type
    }

    /// The port argument as text: an integer, a float with an integral value, or a string (IDL takes both).
    private static func portText(_ arguments: LuaArguments, _ index: Int, _ method: String) throws -> String {
        switch arguments[index] {
        case .string(let text): return text.description
        case .integer(let number): return String(number)
        case .number(let number): return Int64(exactly: number).map(String.init) ?? String(number)
        case .nil, .boolean, .table, .function, .reference:
            throw LuaScriptError(
                "bad argument #\(index + 1) to '\(method)' (number or string expected, got \(arguments[index].typeName))"
            )
        }
    }

    /// `get_application_entities{service_type = T}`, `get_application_entities('T')` or no argument.
    private static func serviceTypeArgument(_ arguments: LuaArguments) throws -> String? {
        let method = "get_application_entities"
        switch arguments[0] {
        case .nil: return nil
        case .string(let text): return text.description
        case .table(let table):
            let keywords = try LuaNames.keywords(table, method: method, allowed: ["service_type"])
            guard let value = keywords["service_type"] else { return nil }
            guard let text = value.stringValue else {
                throw LuaScriptError("\(method): service_type must be a string, got \(value.typeName)")
            }
            return text
        case .boolean, .integer, .number, .function, .reference:
            throw LuaScriptError("bad argument #1 to '\(method)' (table expected, got \(arguments[0].typeName))")
        }
    }

    /// An AE as a record (IDL's `IDLFFDICOMEXCFGAE` fields, lowercase, read in any case).
    private static func record(_ entity: ApplicationEntity, _ arguments: LuaArguments) throws -> LuaValue {
        try arguments.makeRecord([
            "applentityname": LuaValue(entity.name),
            "aet": LuaValue(entity.aeTitle),
            "hostname": LuaValue(entity.hostname),
            "port": .integer(Int64(entity.port)),
            "servicelistname": LuaValue(entity.serviceList.rawValue),
            "servicetype": LuaValue(entity.serviceType.rawValue),
        ])
    }

    private static func stringsAndCount(_ strings: [String]) -> [LuaValue] {
        [LuaValue(strings.map { LuaValue($0) }), .integer(Int64(strings.count))]
    }
}
