import DICOMCore
import Foundation

/// A de-identified data set and what the caller needs to file it.
public struct DeidentifiedDataSet: Sendable {
    public var dataSet: DataSet
    public let originalSOPInstanceUID: String
    public let sopInstanceUID: String
    public let sopClassUID: String
    public let pseudonym: String
    /// Burned In Annotation (0028,0301) was YES: the pixels may show identifying text.
    public let burnedIn: Bool
}

/// The Basic Application Level Confidentiality Profile with options (PS3.15 Annex E, Table E.1-1 as generated
/// in `ConfidentialityProfile`) applied to DICOMCore data sets. Thread-safe: one instance serves parallel files.
public final class Deidentifier: Sendable {
    public let settings: DeidentificationSettings
    public let map: DeidentificationMap

    public init(settings: DeidentificationSettings, map: DeidentificationMap = DeidentificationMap()) {
        self.settings = settings
        self.map = map
    }

    static let patientName = Tag(0x0010, 0x0010)
    static let patientIDTag = Tag(0x0010, 0x0020)
    static let issuerOfPatientID = Tag(0x0010, 0x0021)
    static let patientBirthDate = Tag(0x0010, 0x0030)
    static let burnedInAnnotation = Tag(0x0028, 0x0301)
    static let patientIdentityRemoved = Tag(0x0012, 0x0062)
    static let deidentificationMethod = Tag(0x0012, 0x0063)
    static let deidentificationMethodCodeSequence = Tag(0x0012, 0x0064)
    static let longitudinalTemporalInformationModified = Tag(0x0028, 0x0303)

    /// Per-instance state of one de-identification.
    struct Context {
        let days: Int
        let identifiers: [String]
    }

    /// The action for a top-level or nested attribute (private attributes: PS3.15 E.1.1, removed).
    public func action(for tag: Tag) -> ProfileAction {
        if tag.group & 1 == 1 { return .remove }
        if tag.element == 0 { return .remove }  // group lengths (retired, PS3.5 §7.2) are not kept
        guard let row = ConfidentialityProfile.row(for: tag) else { return .keep }
        return row.action(for: settings.options)
    }

    /// The patient of `dataSet`: the key under which the map files it and its pseudonym.
    func patient(of dataSet: DataSet) throws -> PatientPseudonym {
        let id = dataSet.string(Self.patientIDTag) ?? ""
        let issuer = dataSet.string(Self.issuerOfPatientID) ?? ""
        let key: String
        if !id.isEmpty {
            key = issuer.isEmpty ? "id:\(id)" : "id:\(issuer)/\(id)"
        } else {
            key =
                "name:\(dataSet.string(Self.patientName) ?? "")|\(dataSet.string(Self.patientBirthDate) ?? "")"
        }
        let requested = settings.patientID ?? (id.isEmpty ? nil : settings.lookup[id])
        return try map.patient(key: key, requested: requested)
    }

    /// De-identifies `dataSet` (a whole instance, without its file meta group).
    public func deidentify(_ dataSet: DataSet) throws -> DeidentifiedDataSet {
        try deidentify(dataSet, bulk: [])
    }

    /// De-identifies `dataSet`; `bulk` lists top-level tags the caller copies itself (streaming): they only
    /// count for what the result says.
    func deidentify(_ dataSet: DataSet, bulk: [Tag]) throws -> DeidentifiedDataSet {
        let patient = try patient(of: dataSet)
        let context = Context(days: patient.dateShiftDays, identifiers: identifiers(of: dataSet))
        var out = apply(dataSet, context)
        let original = dataSet.string(.sopInstanceUID) ?? ""
        try out.set(Self.patientName, string: patient.pseudonym, vr: .PN)
        try out.set(Self.patientIDTag, string: patient.pseudonym, vr: .LO)
        try out.set(Self.patientIdentityRemoved, string: "YES", vr: .CS)
        try out.set(Self.deidentificationMethod, strings: methodDescription(), vr: .LO)
        out.set(Self.deidentificationMethodCodeSequence, items: try methodCodes(out.byteOrder))
        let temporal: String
        if settings.options.contains(.retainLongitudinalFullDates) {
            temporal = "UNMODIFIED"
        } else if settings.options.contains(.retainLongitudinalModifiedDates) {
            temporal = "MODIFIED"
        } else {
            temporal = "REMOVED"
        }
        try out.set(Self.longitudinalTemporalInformationModified, string: temporal, vr: .CS)
        let burnedIn = (dataSet.string(Self.burnedInAnnotation) ?? "").uppercased() == "YES"
        return DeidentifiedDataSet(
            dataSet: out, originalSOPInstanceUID: original, sopInstanceUID: out.string(.sopInstanceUID) ?? "",
            sopClassUID: out.string(.sopClassUID) ?? "", pseudonym: patient.pseudonym, burnedIn: burnedIn)
    }

    /// De-identification Method (0012,0063): what was applied, each value at most 64 characters (LO).
    func methodDescription() -> [String] {
        ["PS3.15 Annex E Basic Application Confidentiality Profile", "dicomlua"]
            + settings.options.map(\.rawValue).sorted()
    }

    /// De-identification Method Code Sequence (0012,0064): CID 7050 codes, scheme DCM.
    func methodCodes(_ byteOrder: ByteOrder) throws -> [DataSet] {
        var codes = [("113100", "Basic Application Confidentiality Profile")]
        for option in DeidentificationOption.allCases where settings.options.contains(option) {
            codes.append(option.code)
        }
        return try codes.map { code in
            var item = DataSet(byteOrder: byteOrder)
            try item.set(Tag(0x0008, 0x0100), string: code.0, vr: .SH)
            try item.set(Tag(0x0008, 0x0102), string: "DCM", vr: .SH)
            try item.set(Tag(0x0008, 0x0104), string: code.1, vr: .LO)
            return item
        }
    }

    /// Texts a cleaned descriptor must not contain: the patient's names, IDs, birth date, accession number,
    /// and the names of people and institutions of the instance.
    func identifiers(of dataSet: DataSet) -> [String] {
        var out: Set<String> = []
        let personTags: [UInt32] = [
            0x0010_0010, 0x0010_1001, 0x0010_1005, 0x0010_1060, 0x0008_0090, 0x0008_1050, 0x0008_1070, 0x0008_1060,
            0x0032_1032, 0x0040_0006,
        ]
        for t in personTags {
            for value in dataSet.strings(Tag(t)) ?? [] {
                for part in value.split(whereSeparator: { "^= ,".contains($0) }) where part.count >= 3 {
                    out.insert(String(part))
                }
            }
        }
        var idTags: [UInt32] = [0x0010_0020, 0x0010_1000, 0x0010_0030, 0x0008_0050, 0x0010_1040, 0x0010_2154]
        if !settings.options.contains(.retainInstitutionIdentity) { idTags += [0x0008_0080, 0x0008_0081] }
        for t in idTags {
            for value in dataSet.strings(Tag(t)) ?? [] where value.count >= 3 { out.insert(value) }
        }
        return out.sorted { $0.count > $1.count }
    }

    // MARK: - The profile

    func apply(_ dataSet: DataSet, _ context: Context) -> DataSet {
        var out = DataSet(byteOrder: dataSet.byteOrder, inheritedCharacterSet: dataSet.inheritedCharacterSet)
        for element in dataSet {
            if let result = apply(element, action: action(for: element.tag), in: dataSet, context) {
                out.insert(result)
            }
        }
        return out
    }

    /// The element after `action`, nil when it is removed. `source` is the data set holding it (for its
    /// character set).
    func apply(_ element: DataElement, action: ProfileAction, in source: DataSet, _ context: Context) -> DataElement? {
        var e = element
        if case .sequence(let items) = element.value {
            switch action {
            case .remove: return nil
            case .zero: e.value = .sequence([])
            case .dummy, .keep, .clean, .uid:
                e.value = .sequence(
                    items.map { item in
                        var nested = item
                        nested.inheritedCharacterSet = source.specificCharacterSet
                        return apply(nested, context)
                    })
            }
            return e
        }
        switch action {
        case .remove:
            return nil
        case .zero:
            e.value = .bytes([])
        case .keep:
            break
        case .dummy:
            if e.vr == .UI { return mapUIDs(e) }
            e.value = .bytes(DummyValue.bytes(for: e.vr))
        case .uid:
            if e.vr == .UI { return mapUIDs(e) }
            e.value = .bytes(DummyValue.bytes(for: e.vr))
        case .clean:
            return clean(e, in: source, context)
        }
        return e
    }

    private func mapUIDs(_ element: DataElement) -> DataElement {
        guard case .bytes(let b) = element.value else { return element }
        let text = ValuePadding.trimmed(b)
        if text.isEmpty { return element }
        let mapped = text.split(separator: "\\", omittingEmptySubsequences: false).map { uid in
            uid.isEmpty ? "" : map.newUID(for: String(uid))
        }
        var e = element
        e.value = .bytes(Array(mapped.joined(separator: "\\").utf8))
        return e
    }

    /// C: dates moved by the patient's shift, UIDs mapped, AE titles dummied, text scrubbed of the patient's
    /// identifiers; binary values cannot be cleaned and are removed.
    private func clean(_ element: DataElement, in source: DataSet, _ context: Context) -> DataElement? {
        var e = element
        guard case .bytes(let b) = element.value else { return nil }
        switch element.vr {
        case .DA, .DT:
            let text = ValuePadding.trimmed(b)
            e.value = .bytes(Array(DateShift.shift(text, days: context.days).utf8))
        case .TM, .AS, .DS, .IS, .US, .SS, .UL, .SL, .FL, .FD, .SV, .UV, .AT:
            break
        case .UI:
            return mapUIDs(e)
        case .AE:
            e.value = .bytes(DummyValue.bytes(for: .AE))
        case .CS, .LO, .LT, .PN, .SH, .ST, .UC, .UT, .UR:
            var scratch = DataSet(byteOrder: source.byteOrder, inheritedCharacterSet: source.specificCharacterSet)
            scratch.insert(element)
            guard var text = scratch.string(element.tag) else { return nil }
            for identifier in context.identifiers {
                text = text.replacingOccurrences(
                    of: identifier, with: String(repeating: "X", count: identifier.count), options: .caseInsensitive)
            }
            // Text that cannot be encoded back (it held bytes that did not decode) is removed, not kept as it was.
            guard let encoded = try? source.specificCharacterSet.encode(text) else { return nil }
            e.value = .bytes(encoded)
        case .OB, .OD, .OF, .OL, .OV, .OW, .UN, .SQ:
            return nil
        }
        return e
    }
}
