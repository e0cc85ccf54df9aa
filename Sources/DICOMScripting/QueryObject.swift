import DICOMServices
import Foundation
import LuaBridge

/// The state behind one `query.new()` userdata: IDL's query object properties (docs/idl-reference.md §2.2).
final class QueryObject: StorageTargetObject {
    var queryAE: String?
    var storageAE: String?
    /// A Lua function, the name of a global function (string), or nil.
    var callback: LuaValue = .nil
    /// Passed unchanged to the callback; 0 when unset (IDL).
    var callbackData: LuaValue = .integer(0)
    /// `CALLBACK_FINAL`: the callback is also called for a retrieve's final response.
    var callbackFinal = false
    var parameters = QueryParameters()

    func clear() {
        queryAE = nil
        storageAE = nil
        callback = .nil
        callbackData = .integer(0)
        callbackFinal = false
        parameters = QueryParameters()
    }
}

/// The state behind one `storage_scu.new()` userdata (docs/idl-reference.md §6).
final class StorageSCUObject: StorageTargetObject {
    var storageAE: String?
    var callback: LuaValue = .nil
    var callbackData: LuaValue = .integer(0)

    func clear() {
        storageAE = nil
        callback = .nil
        callbackData = .integer(0)
    }
}

/// Checks of property values shared by the bindings.
enum PropertyValue {
    /// A string property; nil (or an empty string) unsets it.
    static func optionalString(_ value: LuaValue, property: String) throws -> String? {
        switch value {
        case .nil: return nil
        case .string:
            guard let text = value.stringValue else { throw LuaScriptError("\(property) must be UTF-8 text") }
            return text.isEmpty ? nil : text
        case .integer, .number:
            // IDL's own example writes PATIENT_ID = 000001, which Lua reads as the number 1.
            throw LuaScriptError(
                "\(property) must be text: write it in quotes ('000001', not 000001: a number loses its leading zeros), got the number \(value)"
            )
        case .boolean, .table, .function, .reference:
            throw LuaScriptError("\(property) must be a string, got \(value.typeName)")
        }
    }

    /// CALLBACK_FUNCTION: a function, the name of a global function, or nil.
    static func callback(_ value: LuaValue) throws -> LuaValue {
        switch value {
        case .nil, .function: return value
        case .string: return value.stringValue?.isEmpty == true ? .nil : value
        case .boolean, .integer, .number, .table, .reference:
            throw LuaScriptError(
                "CALLBACK_FUNCTION must be a function or the name of a global function, got \(value.typeName)")
        }
    }

    /// An integer in `range`, given as a number or as a numeric string (`QUERY_LEVEL = '1'`, as IDL converts).
    static func integer(_ value: LuaValue, property: String, range: ClosedRange<Int>) throws -> Int {
        let given = value.integerValue ?? value.stringValue.flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        guard let number = given, range.contains(Int(number)) else {
            throw LuaScriptError(
                "\(property) must be an integer from \(range.lowerBound) to \(range.upperBound), got \(value.typeName) \(value)"
            )
        }
        return Int(number)
    }

    /// The callback function to call: resolves a global function's name when the operation starts.
    /// - Throws: misuse when the name is not a global function.
    static func resolveCallback(_ value: LuaValue, state: LuaState?, method: String) throws -> LuaFunctionRef? {
        switch value {
        case .function(let function): return function
        case .string:
            let name = value.stringValue ?? ""
            guard let global = try state?.global(name), case .function(let function) = global else {
                throw LuaScriptError("\(method): CALLBACK_FUNCTION '\(name)' is not a global function")
            }
            return function
        case .nil, .boolean, .integer, .number, .table, .reference: return nil
        }
    }
}

/// An object with the `STORAGE_SCP`, `CALLBACK_FUNCTION` and `CALLBACK_DATA` properties (docs/idl-reference.md
/// §2.2, §6): `query` and `storage_scu`.
protocol StorageTargetObject: AnyObject {
    var storageAE: String? { get set }
    /// A Lua function, the name of a global function (string), or nil.
    var callback: LuaValue { get set }
    /// Passed unchanged to the callback; 0 when unset (IDL).
    var callbackData: LuaValue { get set }
}

extension LuaUserdataType where Object: StorageTargetObject {
    /// `STORAGE_SCP`, `CALLBACK_FUNCTION` and `CALLBACK_DATA`, as both objects read and set them.
    func addStorageTargetProperties() {
        property(
            "STORAGE_SCP", get: { LuaValue($0.storageAE ?? "") },
            set: { $0.storageAE = try PropertyValue.optionalString($1, property: "STORAGE_SCP") })
        property(
            "CALLBACK_FUNCTION", get: { $0.callback.isNil ? LuaValue("") : $0.callback },
            set: { $0.callback = try PropertyValue.callback($1) })
        property("CALLBACK_DATA", get: { $0.callbackData }, set: { $0.callbackData = $1.isNil ? .integer(0) : $1 })
    }
}
