import DICOMCore
import LuaBridge

/// How Lua values become element values (`ds:set`, `ds.X = v`, `dicom.new{...}`); README "Values of data
/// sets". The VR is the one given to `ds:set`, else the existing element's, else the dictionary's (UN for
/// private and unknown tags):
/// - nil removes the element;
/// - a string: the text of a text VR (backslashes separate values, PS3.5 §6.4), the bytes of
///   OB/OW/OF/OD/OL/OV/UN, parsed for numeric binary VRs, tag text for AT;
/// - a number: integers for IS and the integer VRs, floats for DS/FL/FD (range-checked by DICOMCore);
/// - an array of strings and/or numbers: a multi-valued element;
/// - an array of tables (keyword → value) and/or data set objects, or one data set object: a sequence;
/// - `{}`: an empty value (an empty sequence for SQ);
/// - `{fragments = {...}, offset_table = bytes}`: encapsulated pixel data (PS3.5 §A.4).
enum DataSetValueWriting {
    /// Sets `tag` of `dataSet` to `value`.
    /// - Parameters:
    ///   - vr: the VR the script asked for (`ds:set(key, value, 'LO')`), if any.
    ///   - method: the method name for error messages.
    ///   - depth: sequence nesting so far (bounded by `DataSetReader.maximumSequenceDepth`).
    static func assign(
        _ value: LuaValue, to tag: Tag, vr: VR?, in dataSet: inout DataSet,
        method: String, depth: Int = 0
    ) throws {
        let name = DataSetValueReading.keyOf(tag)
        let resolvedVR = vr ?? dataSet[tag]?.vr ?? DataDictionary.vr(for: tag)
        do {
            switch value {
            case .nil:
                dataSet.remove(tag)
            case .boolean, .function:
                throw LuaScriptError(
                    "\(method): \(name) expects a string, a number, an array or items, got \(value.typeName)")
            case .integer(let number):
                try requireNotSequence(resolvedVR, name: name, method: method, got: "a number")
                guard let int = Int(exactly: number) else {
                    throw LuaScriptError("\(method): \(name): \(number) is out of range")
                }
                try dataSet.set(tag, ints: [int], vr: resolvedVR)
            case .number(let number):
                try requireNotSequence(resolvedVR, name: name, method: method, got: "a number")
                try dataSet.set(tag, doubles: [number], vr: resolvedVR)
            case .string(let text):
                try assignString(text, to: tag, vr: resolvedVR, in: &dataSet, name: name, method: method)
            case .reference:
                try requireSequence(resolvedVR, name: name, method: method)
                let item = try itemDataSet(value, inheritedFrom: dataSet, name: name, method: method, depth: depth)
                dataSet.set(tag, items: [item])
            case .table(let table):
                try assignTable(table, to: tag, vr: resolvedVR, in: &dataSet, name: name, method: method, depth: depth)
            }
        } catch let error as DICOMEncodeError {
            throw LuaScriptError("\(method): \(name): \(error.message)")
        } catch let error as TextEncodingError {
            // docs/lua-api.md "Character sets": "set: 'Ω' cannot be encoded in ISO_IR 100 (0010,0010)".
            throw LuaScriptError("\(method): \(error)")
        }
    }

    /// Builds a data set from a table of keyword (or tag text) → value.
    static func dataSet(
        from table: LuaTable, inheritedFrom parent: DataSet?, method: String, depth: Int
    ) throws -> DataSet {
        guard table.array.isEmpty else {
            throw LuaScriptError(
                "\(method): an item must be a table of keyword = value, got \(table.array.count) positional value(s)")
        }
        var item = DataSet(
            byteOrder: parent?.byteOrder ?? .littleEndian,
            inheritedCharacterSet: parent?.specificCharacterSet ?? .defaultRepertoire)
        // In tag order: the Specific Character Set (0008,0005) comes before the text it encodes.
        let entries = try table.fields.map {
            (tag: try DataSetKeys.tag(for: $0.key.value, method: method), value: $0.value)
        }
        for entry in entries.sorted(by: { $0.tag < $1.tag }) {
            try assign(entry.value, to: entry.tag, vr: nil, in: &item, method: method, depth: depth + 1)
        }
        return item
    }

    private static func assignString(
        _ text: LuaString, to tag: Tag, vr: VR, in dataSet: inout DataSet,
        name: String, method: String
    ) throws {
        switch vr {
        case .OB, .OD, .OF, .OL, .OV, .OW, .UN:
            dataSet.set(tag, bytes: text.bytes, vr: vr)
        case .SQ:
            throw LuaScriptError("\(method): \(name) is a sequence (SQ): expected an array of items, got a string")
        case .AE, .AS, .AT, .CS, .DA, .DS, .DT, .FD, .FL, .IS, .LO, .LT, .PN, .SH, .SL, .SS, .ST, .SV, .TM, .UC,
            .UI, .UL, .UR, .US, .UT, .UV:
            guard let string = text.string else {
                throw LuaScriptError(
                    "\(method): \(name) (\(vr.rawValue)) expects UTF-8 text, got bytes that are not UTF-8")
            }
            try dataSet.set(tag, strings: [string], vr: vr)
        }
    }

    private static func assignTable(
        _ table: LuaTable, to tag: Tag, vr: VR, in dataSet: inout DataSet,
        name: String, method: String, depth: Int
    ) throws {
        if !table.fields.isEmpty {
            guard table.array.isEmpty, table["fragments"].tableValue != nil else {
                throw LuaScriptError(
                    "\(method): \(name) expects an array (values or items), got a table with non-array keys")
            }
            try assignEncapsulated(table, to: tag, vr: vr, in: &dataSet, name: name, method: method)
            return
        }
        let values = table.array
        if values.isEmpty {
            if vr == .SQ {
                dataSet.set(tag, items: [])
            } else {
                dataSet.insert(DataElement(tag: tag, vr: vr, bytes: []))
            }
            return
        }
        if values.allSatisfy({ if case .integer = $0 { return true } else { return false } }) {
            try requireNotSequence(vr, name: name, method: method, got: "numbers")
            try dataSet.set(tag, ints: values.map { Int($0.integerValue!) }, vr: vr)
        } else if values.allSatisfy({ $0.doubleValue != nil }) {
            try requireNotSequence(vr, name: name, method: method, got: "numbers")
            try dataSet.set(tag, doubles: values.map { $0.doubleValue! }, vr: vr)
        } else if values.allSatisfy({ $0.doubleValue != nil || $0.stringValue != nil }) {
            try requireNotSequence(vr, name: name, method: method, got: "strings")
            let strings = values.map { $0.stringValue ?? numberText($0) }
            if let bad = strings.first(where: { $0.contains("\\") }) {
                throw LuaScriptError(
                    "\(method): \(name): a value of a multi-valued element cannot contain a backslash, got \"\(bad)\"")
            }
            try dataSet.set(tag, strings: strings, vr: vr)
        } else if values.allSatisfy({ $0.tableValue != nil || $0.typeName == "userdata" }) {
            try requireSequence(vr, name: name, method: method)
            let items = try values.map {
                try itemDataSet($0, inheritedFrom: dataSet, name: name, method: method, depth: depth)
            }
            dataSet.set(tag, items: items)
        } else {
            let kinds = Set(values.map(\.typeName)).sorted().joined(separator: ", ")
            throw LuaScriptError(
                "\(method): \(name) expects an array of strings/numbers or of items, got an array of \(kinds)")
        }
    }

    private static func assignEncapsulated(
        _ table: LuaTable, to tag: Tag, vr: VR, in dataSet: inout DataSet,
        name: String, method: String
    ) throws {
        _ = try LuaNames.keywords(table, method: method, allowed: ["fragments", "offset_table"])
        func bytes(_ value: LuaValue, _ what: String) throws -> [UInt8] {
            guard case .string(let text) = value else {
                throw LuaScriptError("\(method): \(name): \(what) must be a byte string, got \(value.typeName)")
            }
            return text.bytes
        }
        let fragments = try (table["fragments"].tableValue?.array ?? []).map { try bytes($0, "each fragment") }
        let offsetTable = table["offset_table"].isNil ? [] : try bytes(table["offset_table"], "offset_table")
        let element = DataElement(
            tag: tag, vr: vr == .OW ? .OW : .OB,
            value: .encapsulated(EncapsulatedPixelData(offsetTable: offsetTable, fragments: fragments)))
        dataSet.insert(element)
    }

    /// The data set of one item: a table of keyword → value, or a data set object (copied).
    private static func itemDataSet(
        _ value: LuaValue, inheritedFrom parent: DataSet, name: String, method: String,
        depth: Int
    ) throws -> DataSet {
        guard depth < DataSetReader.maximumSequenceDepth else {
            throw LuaScriptError(
                "\(method): \(name): sequences nest deeper than \(DataSetReader.maximumSequenceDepth) levels")
        }
        switch value {
        case .table(let table):
            return try dataSet(from: table, inheritedFrom: parent, method: method, depth: depth)
        case .reference(let reference):
            guard let node = try? reference.object(of: DataSetObject.type) else {
                throw LuaScriptError(
                    "\(method): \(name): an item must be a table or a dataset object, got \(reference.typeName)")
            }
            return node.dataSet
        case .nil, .boolean, .integer, .number, .string, .function:
            throw LuaScriptError(
                "\(method): \(name): an item must be a table or a dataset object, got \(value.typeName)")
        }
    }

    private static func requireSequence(_ vr: VR, name: String, method: String) throws {
        guard vr == .SQ || vr == .UN else {
            throw LuaScriptError("\(method): \(name) has VR \(vr.rawValue), not SQ: it cannot hold items")
        }
    }

    private static func requireNotSequence(_ vr: VR, name: String, method: String, got: String) throws {
        guard vr != .SQ else {
            throw LuaScriptError("\(method): \(name) is a sequence (SQ): expected an array of items, got \(got)")
        }
    }

    private static func numberText(_ value: LuaValue) -> String {
        if let int = value.integerValue, case .integer = value { return String(int) }
        return value.doubleValue.map { "\($0)" } ?? value.description
    }
}
