import DICOMCore
import LuaBridge

/// The keys that name an element in scripts: a dictionary keyword in its exact case (`PatientName`) or in
/// any case when only one keyword matches (`patientname`), a tag text (`'0010,0010'`, `'(0010,0010)'`,
/// `'00100010'`), or an integer `0xggggeeee`.
enum DataSetKeys {
    /// The tag `key` names. - Throws: `LuaScriptError` naming the key when it names no element.
    static func tag(for key: LuaValue, method: String) throws -> Tag {
        switch key {
        case .string(let bytes):
            let text = bytes.description
            if let tag = DataSet.tag(named: text) ?? DataDictionary.entry(forKeywordIgnoringCase: text)?.tag {
                return tag
            }
            throw LuaScriptError(
                "\(method): unknown DICOM keyword or tag '\(text)' (expected a keyword such as "
                    + "PatientName or a tag such as '0010,0010')")
        case .integer(let value):
            guard let tagValue = UInt32(exactly: value) else {
                throw LuaScriptError("\(method): a tag number must be 0 to 0xFFFFFFFF, got \(value)")
            }
            return Tag(tagValue)
        case .nil, .boolean, .number, .table, .function, .reference:
            throw LuaScriptError("\(method): expected a keyword or a tag, got \(key.typeName)")
        }
    }

    /// The VR named by `value` (`'LO'`, any case), nil when `value` is nil.
    static func vr(_ value: LuaValue, method: String) throws -> VR? {
        if value.isNil { return nil }
        guard let text = value.stringValue, let vr = VR(rawValue: text.uppercased()) else {
            throw LuaScriptError("\(method): expected a VR such as 'LO' or 'US', got \(value.typeName) \(value)")
        }
        return vr
    }
}
