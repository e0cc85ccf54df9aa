import DICOMCore
import LuaBridge

/// The data set object of scripts (docs/lua-api.md `dicom`): `ds.PatientName`, `ds['0010,0010']`, `ds:get(k)`,
/// `ds:set(k, v[, vr])`, `ds.X = v`, `pairs(ds)` (in tag order), `#ds` (element count), `ds:to_table()`,
/// `ds:tags()`, `ds:vr(k)`, `tostring(ds)`. Values are mapped as `DataSetValueReading`/`DataSetValueWriting`
/// describe. Reading a known keyword that is absent gives nil; an unknown keyword raises.
enum DataSetObject {
    /// The userdata type, shared by every state: it holds no per-state data and is not changed after it is made.
    nonisolated(unsafe) static let type: LuaUserdataType<DataSetNode> = makeType()

    private static func makeType() -> LuaUserdataType<DataSetNode> {
        let type = LuaUserdataType<DataSetNode>(name: "dataset")
        type.method("get") { node, arguments in
            [try value(of: arguments[0], in: node, method: "get", arguments: arguments)]
        }
        type.method("set") { node, arguments in
            let tag = try DataSetKeys.tag(for: arguments[0], method: "set")
            let vr = try DataSetKeys.vr(arguments[2], method: "set")
            try node.mutate { try DataSetValueWriting.assign(arguments[1], to: tag, vr: vr, in: &$0, method: "set") }
            return []
        }
        type.method("to_table") { node, _ in [.table(DataSetValueReading.plainTable(of: node.dataSet))] }
        type.method("tags") { node, _ in
            let tags = node.dataSet.map { LuaValue($0.tag.description) }
            return [LuaValue(tags), .integer(Int64(tags.count))]
        }
        type.method("vr") { node, arguments in
            let tag = try DataSetKeys.tag(for: arguments[0], method: "vr")
            return [node.dataSet[tag].map { LuaValue($0.vr.rawValue) } ?? .nil]
        }
        type.index = { node, key, arguments in try value(of: key, in: node, method: "dataset", arguments: arguments) }
        type.newIndex = { node, key, value, _ in
            let tag = try DataSetKeys.tag(for: key, method: "dataset")
            try node.mutate { try DataSetValueWriting.assign(value, to: tag, vr: nil, in: &$0, method: "dataset") }
        }
        type.length = { node in node.dataSet.count }
        type.pairs = { node, arguments in
            let snapshot = node.dataSet
            var position = 0
            let iterator = arguments.makeFunction { call in
                guard position < snapshot.elements.count else { return [.nil] }
                let element = snapshot.elements[position]
                position += 1
                return [
                    LuaValue(DataSetValueReading.keyOf(element.tag)),
                    try DataSetValueReading.value(of: element, in: node, dataSet: snapshot, arguments: call),
                ]
            }
            return [iterator, .nil, .nil]
        }
        type.describe = { node in describe(node.dataSet, isItem: node.isItem) }
        return type
    }

    /// The value of the element `key` names, nil when absent.
    private static func value(
        of key: LuaValue, in node: DataSetNode, method: String,
        arguments: LuaArguments
    ) throws -> LuaValue {
        let tag = try DataSetKeys.tag(for: key, method: method)
        let dataSet = node.dataSet
        guard let element = dataSet[tag] else { return .nil }
        return try DataSetValueReading.value(of: element, in: node, dataSet: dataSet, arguments: arguments)
    }

    /// `tostring(ds)`: "dataset: 42 elements, SOP Instance UID 1.2.3".
    static func describe(_ dataSet: DataSet, isItem: Bool) -> String {
        var text =
            "dataset\(isItem ? " (sequence item)" : ""): \(dataSet.count) element\(dataSet.count == 1 ? "" : "s")"
        if let uid = dataSet.string(.sopInstanceUID), !uid.isEmpty { text += ", SOP Instance UID \(uid)" }
        return text
    }
}
