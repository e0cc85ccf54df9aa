import Foundation

/// The DICOM JSON Model (PS3.18 F.2): a data set as a JSON object keyed by `GGGGEEEE`, each attribute
/// `{"vr": …, "Value": […]}` (F.2.2), text decoded with the Specific Character Set, person names as
/// `{"Alphabetic", "Ideographic", "Phonetic"}` (F.2.2), IS/DS/binary numbers as JSON numbers (F.2.3), AT as
/// `GGGGEEEE` strings, sequences as arrays of objects, other binary values as base64 `InlineBinary` (F.2.7).
/// An empty value has no `Value` (F.2.5); an empty component of a multi-valued text is `null`.
extension DataSet {
    /// The JSON object of this data set, ready for `JSONSerialization`.
    public func dicomJSONObject() -> [String: Any] {
        var object: [String: Any] = [:]
        for element in elements where !element.tag.isGroupLength {
            object[Self.jsonKey(element.tag)] = jsonAttribute(element)
        }
        return object
    }

    /// `GGGGEEEE`, upper-case hexadecimal (F.2.1.1.2).
    public static func jsonKey(_ tag: Tag) -> String {
        String(format: "%04X%04X", tag.group, tag.element)
    }

    private func jsonAttribute(_ element: DataElement) -> [String: Any] {
        var attribute: [String: Any] = ["vr": element.vr.rawValue]
        if let values = jsonValues(element), !values.isEmpty { attribute["Value"] = values }
        if case .bytes(let bytes) = element.value, !bytes.isEmpty, Self.isInlineBinary(element.vr) {
            attribute["InlineBinary"] = Data(bytes).base64EncodedString()
        }
        if case .encapsulated(let pixels) = element.value {
            var all = pixels.offsetTable
            for fragment in pixels.fragments { all += fragment }
            attribute["InlineBinary"] = Data(all).base64EncodedString()
        }
        return attribute
    }

    private static func isInlineBinary(_ vr: VR) -> Bool {
        switch vr {
        case .OB, .OD, .OF, .OL, .OV, .OW, .UN: return true
        case .AE, .AS, .AT, .CS, .DA, .DS, .DT, .FL, .FD, .IS, .LO, .LT, .PN, .SH, .SL, .SQ, .SS, .ST, .SV, .TM,
            .UC, .UI, .UL, .UR, .US, .UT, .UV:
            return false
        }
    }

    private func jsonValues(_ element: DataElement) -> [Any]? {
        let tag = element.tag
        switch element.vr {
        case .SQ:
            return (element.items ?? []).map { $0.dicomJSONObject() }
        case .PN:
            return (strings(tag) ?? []).map { name -> Any in
                guard !name.isEmpty else { return NSNull() }
                let groups = name.split(separator: "=", omittingEmptySubsequences: false).map(String.init)
                var value: [String: Any] = [:]
                for (key, group) in zip(["Alphabetic", "Ideographic", "Phonetic"], groups) where !group.isEmpty {
                    value[key] = group
                }
                return value
            }
        case .IS, .DS:
            return (strings(tag) ?? []).map { text -> Any in
                if text.isEmpty { return NSNull() }
                if element.vr == .IS, let number = Int(text.hasPrefix("+") ? String(text.dropFirst()) : text) {
                    return number
                }
                if let number = Double(text), number.isFinite { return number }
                return text
            }
        case .AT:
            return (tags(tag) ?? []).map { Self.jsonKey($0) }
        case .US, .SS, .UL, .SL, .SV, .UV:
            return ints(tag) ?? []
        case .FL, .FD:
            return (doubles(tag) ?? []).map { $0.isFinite ? $0 as Any : NSNull() }
        case .AE, .AS, .CS, .DA, .DT, .LO, .LT, .SH, .ST, .TM, .UC, .UI, .UR, .UT:
            return (strings(tag) ?? []).map { $0.isEmpty ? NSNull() : $0 as Any }
        case .OB, .OD, .OF, .OL, .OV, .OW, .UN:
            return nil
        }
    }
}
