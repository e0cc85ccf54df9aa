import DICOMCore
import DICOMNetwork

/// C-FIND matching over indexed instances (PS3.4 C.4.1.3.1): pure, so it is tested without a network.
///
/// Rules of the test Q/R SCP (documented in the README):
/// - The level must be one of the model's (Patient Root: PATIENT…IMAGE, Study Root: STUDY…IMAGE,
///   Patient/Study Only: PATIENT, STUDY); otherwise failure 0xA900 (identifier does not match SOP class).
/// - Keys of the query level and of the levels above it are matched (`AttributeMatcher`); keys of lower
///   levels are ignored and returned empty. Keys above the level need not be supplied (relational-style
///   leniency, as dcmqrscp without `--check-find`).
/// - Every requested key is returned: its value at the matched entity, the computed counts
///   (Number of Patient/Study/Series Related …, Modalities in Study), or zero length when unknown.
/// - Text is returned in ISO_IR 100 when a value needs it, ISO_IR 192 when Latin-1 cannot hold it.
/// - At most `QueryFailure.maximumMatches` responses; matches come in the order of the indexed files' paths.
public enum QueryEngine {
    /// The response identifiers for a C-FIND request `identifier` under `model`.
    public static func find(
        _ identifier: DataSet, model: QueryRetrieveModel, in records: [InstanceRecord]
    ) throws
        -> [DataSet]
    {
        let level = try queryLevel(of: identifier, model: model)
        let requested = identifier.elements.filter { element in
            element.tag.group != 0x0000 && element.tag.group != 0x0002 && element.tag != QueryKeys.queryRetrieveLevel
                && element.tag != Tag.specificCharacterSet
        }
        let keys = requested.compactMap { element -> (QueryKey, String)? in
            guard let key = QueryKeys.key(for: element.tag), QueryKeys.level(of: key, in: model) <= level else {
                return nil
            }
            return (key, identifier.string(element.tag) ?? "")
        }
        var responses: [DataSet] = []
        for group in groups(records, by: QueryKeys.uniqueKey(of: level)) {
            guard let entity = group.first else { continue }
            let context = EntityContext(level: level, entity: entity, group: group, all: records)
            guard keys.allSatisfy({ key, text in context.matches(key: key, text: text) }) else { continue }
            responses.append(context.response(requested: requested, model: model))
            if responses.count == QueryFailure.maximumMatches { break }
        }
        return responses
    }

    /// The Query/Retrieve Level of `identifier`, checked against `model`.
    public static func queryLevel(of identifier: DataSet, model: QueryRetrieveModel) throws -> QueryLevel {
        guard let text = identifier.string(QueryKeys.queryRetrieveLevel) else {
            throw QueryFailure(
                .identifierDoesNotMatchSOPClass, "the identifier has no Query/Retrieve Level (0008,0052)")
        }
        guard let level = QueryLevel(code: text) else {
            throw QueryFailure(
                .identifierDoesNotMatchSOPClass,
                "Query/Retrieve Level (0008,0052) must be PATIENT, STUDY, SERIES or IMAGE, got \"\(text)\"")
        }
        guard model.levels.contains(level) else {
            let allowed = model.levels.map(\.rawValue).joined(separator: ", ")
            throw QueryFailure(
                .identifierDoesNotMatchSOPClass,
                "level \(level.rawValue) is not part of the \(model.displayName) model (levels: \(allowed))")
        }
        return level
    }

    /// Records grouped by the value of `key` (the unique key of the level), in order of first appearance;
    /// records without the key are left out.
    static func groups(_ records: [InstanceRecord], by key: QueryKey) -> [[InstanceRecord]] {
        var order: [String] = []
        var byValue: [String: [InstanceRecord]] = [:]
        for record in records {
            guard let value = record.value(key), !value.isEmpty else { continue }
            if byValue[value] == nil { order.append(value) }
            byValue[value, default: []].append(record)
        }
        return order.map { byValue[$0]! }
    }
}

extension QueryRetrieveModel {
    var displayName: String {
        switch self {
        case .patientRoot: return "Patient Root"
        case .studyRoot: return "Study Root"
        case .patientStudyOnly: return "Patient/Study Only"
        }
    }
}

/// One matched entity (a patient, study, series or instance) and the instances below it.
struct EntityContext {
    let level: QueryLevel
    let entity: InstanceRecord
    let group: [InstanceRecord]
    let all: [InstanceRecord]

    func matches(key: QueryKey, text: String) -> Bool {
        if key == QueryKeys.modalitiesInStudy {
            if AttributeMatcher.isUniversal(text) { return true }
            return modalities.contains { AttributeMatcher.matches(key: text, value: $0, vr: .CS) }
        }
        if QueryKeys.computed.contains(key) { return true }  // counts: universal matching only
        return AttributeMatcher.matches(key: text, value: entity.value(key), vr: key.vr)
    }

    var modalities: [String] {
        let studyUID = entity.value(QueryKeys.studyInstanceUID)
        let study = all.filter { $0.value(QueryKeys.studyInstanceUID) == studyUID }
        return Array(Set(study.compactMap { $0.value(QueryKeys.modality) }.filter { !$0.isEmpty })).sorted()
    }

    /// The value returned for `key`, nil for unknown.
    func returnedValue(_ key: QueryKey, model: QueryRetrieveModel) -> String? {
        func distinct(_ k: QueryKey, in records: [InstanceRecord]) -> Int {
            Set(records.compactMap { $0.value(k) }).count
        }
        func sharing(_ k: QueryKey) -> [InstanceRecord] { all.filter { $0.value(k) == entity.value(k) } }
        var patient: [InstanceRecord] { sharing(QueryKeys.patientID) }
        var study: [InstanceRecord] { sharing(QueryKeys.studyInstanceUID) }
        var series: [InstanceRecord] { sharing(QueryKeys.seriesInstanceUID) }
        switch key {
        case QueryKeys.numberOfPatientRelatedStudies: return String(distinct(QueryKeys.studyInstanceUID, in: patient))
        case QueryKeys.numberOfPatientRelatedSeries: return String(distinct(QueryKeys.seriesInstanceUID, in: patient))
        case QueryKeys.numberOfPatientRelatedInstances: return String(patient.count)
        case QueryKeys.numberOfStudyRelatedSeries: return String(distinct(QueryKeys.seriesInstanceUID, in: study))
        case QueryKeys.numberOfStudyRelatedInstances: return String(study.count)
        case QueryKeys.numberOfSeriesRelatedInstances: return String(series.count)
        case QueryKeys.modalitiesInStudy: return modalities.joined(separator: "\\")
        default:
            guard QueryKeys.level(of: key, in: model) <= level else { return nil }
            return entity.value(key)
        }
    }

    /// The response identifier: Query/Retrieve Level, Specific Character Set when needed, every requested key.
    func response(requested: [DataElement], model: QueryRetrieveModel) -> DataSet {
        var values: [(DataElement, QueryKey?, String?)] = []
        for element in requested {
            let key = QueryKeys.key(for: element.tag)
            let computedAbove = key.map { QueryKeys.computed.contains($0) && $0.level > level } ?? false
            values.append((element, key, key.flatMap { computedAbove ? nil : returnedValue($0, model: model) }))
        }
        var out = DataSet()
        let texts = values.compactMap { $0.2 }
        if texts.contains(where: { $0.unicodeScalars.contains { $0.value > 0x7F } }) {
            let latin1 = texts.allSatisfy { $0.unicodeScalars.allSatisfy { $0.value < 0x100 } }
            out.set(Tag.specificCharacterSet, bytes: Array((latin1 ? "ISO_IR 100" : "ISO_IR 192").utf8), vr: .CS)
        }
        out.set(QueryKeys.queryRetrieveLevel, bytes: Array(level.rawValue.utf8), vr: .CS)
        for (element, key, value) in values {
            let vr = key?.vr ?? element.vr
            if element.vr == .SQ || vr == .SQ {
                out.set(element.tag, items: [])
            } else if let value, !value.isEmpty, (try? out.set(element.tag, string: value, vr: vr)) != nil {
                continue
            } else {
                out.set(element.tag, bytes: [], vr: vr)
            }
        }
        return out
    }
}
