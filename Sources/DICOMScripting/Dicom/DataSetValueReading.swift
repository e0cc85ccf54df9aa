import DICOMCore
import LuaBridge

/// How element values appear in Lua (docs/lua-api.md `dicom`; README "Values of data sets"):
/// - text VRs: strings, decoded with the Specific Character Set (PS3.5 §6.1) for SH/LO/ST/LT/PN/UC/UT,
///   padding removed (PS3.5 §6.2);
/// - IS: integers, DS: floats (text that is not a number stays a string);
/// - US/SS/UL/SL/SV/UV: integers; FL/FD: floats (binary, PS3.5 §6.2);
/// - AT: tag text "(gggg,eeee)";
/// - OB/OW/OF/OD/OL/OV/UN: byte strings, as stored (binary words in the data set's byte order);
/// - SQ: an array of data set objects (live views of the items, see `DataSetNode`);
/// - encapsulated pixel data (PS3.5 §A.4): a table `{offset_table = bytes, fragments = {bytes, ...}}`.
/// Several values make an array; one value a scalar; an element present with an empty value reads as "".
enum DataSetValueReading {
    /// The Lua value of `element` of `node` (`arguments` makes the item objects of a sequence).
    static func value(
        of element: DataElement, in node: DataSetNode, dataSet: DataSet,
        arguments: LuaArguments
    ) throws -> LuaValue {
        switch element.value {
        case .sequence(let items):
            var objects: [LuaValue] = []
            objects.reserveCapacity(items.count)
            for index in items.indices {
                objects.append(
                    try arguments.makeUserdata(
                        DataSetNode(item: index, of: element.tag, in: node),
                        of: DataSetObject.type))
            }
            return LuaValue(objects)
        case .encapsulated(let pixels):
            return encapsulatedTable(pixels)
        case .bytes(let bytes):
            return plainValue(of: element, bytes: bytes, dataSet: dataSet)
        }
    }

    /// The value of a non-sequence element as plain Lua data (no objects): for `to_table`.
    static func plainValue(of element: DataElement, in dataSet: DataSet) -> LuaValue {
        switch element.value {
        case .sequence(let items):
            return LuaValue(items.map { .table(plainTable(of: $0)) })
        case .encapsulated(let pixels):
            return encapsulatedTable(pixels)
        case .bytes(let bytes):
            return plainValue(of: element, bytes: bytes, dataSet: dataSet)
        }
    }

    /// The data set as a plain table: keyword (or tag text for private and unknown tags) → value.
    static func plainTable(of dataSet: DataSet) -> LuaTable {
        var table = LuaTable()
        for element in dataSet {
            table[keyOf(element.tag)] = plainValue(of: element, in: dataSet)
        }
        return table
    }

    /// The key `pairs` and `to_table` use for `tag`: its keyword, else its tag text "(gggg,eeee)".
    static func keyOf(_ tag: Tag) -> String { DataDictionary.keyword(for: tag) ?? tag.description }

    private static func encapsulatedTable(_ pixels: EncapsulatedPixelData) -> LuaValue {
        var table = LuaTable()
        table["offset_table"] = .string(LuaString(bytes: pixels.offsetTable))
        table["fragments"] = LuaValue(pixels.fragments.map { .string(LuaString(bytes: $0)) })
        return .table(table)
    }

    private static func plainValue(of element: DataElement, bytes: [UInt8], dataSet: DataSet) -> LuaValue {
        if bytes.isEmpty { return "" }
        let tag = element.tag
        switch element.vr {
        case .AE, .AS, .CS, .DA, .DT, .LO, .LT, .PN, .SH, .ST, .TM, .UC, .UI, .UR, .UT:
            return scalarOrArray((dataSet.strings(tag) ?? []).map { LuaValue($0) })
        case .IS:
            if let numbers = dataSet.ints(tag) { return scalarOrArray(numbers.map { .integer(Int64($0)) }) }
            return scalarOrArray((dataSet.strings(tag) ?? []).map { LuaValue($0) })
        case .DS:
            if let numbers = dataSet.doubles(tag) { return scalarOrArray(numbers.map { .number($0) }) }
            return scalarOrArray((dataSet.strings(tag) ?? []).map { LuaValue($0) })
        case .US, .SS, .UL, .SL, .SV, .UV:
            guard let numbers = dataSet.ints(tag) else { return .string(LuaString(bytes: bytes)) }
            return scalarOrArray(numbers.map { .integer(Int64($0)) })
        case .FL, .FD:
            guard let numbers = dataSet.doubles(tag) else { return .string(LuaString(bytes: bytes)) }
            return scalarOrArray(numbers.map { .number($0) })
        case .AT:
            return scalarOrArray((dataSet.tags(tag) ?? []).map { LuaValue($0.description) })
        case .OB, .OD, .OF, .OL, .OV, .OW, .UN, .SQ:
            return .string(LuaString(bytes: bytes))
        }
    }

    private static func scalarOrArray(_ values: [LuaValue]) -> LuaValue {
        switch values.count {
        case 0: return ""
        case 1: return values[0]
        default: return LuaValue(values)
        }
    }
}
