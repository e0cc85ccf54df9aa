import DICOMCore
import Foundation

/// One match of a query: IDL's `IDLFFDICOMEXQRESULTS` structure (docs/idl-reference.md §2.5), 21 fields.
public struct QueryResult: Sendable, Equatable {
    public var queryModel: IDLQueryModel
    public var queryLevel: IDLQueryLevel
    /// The string fields by their IDL names in lowercase (`patient_name`, …, `series_description`).
    public var fields: [String: String]
    /// The `extra` keys of the query by their keyword in lowercase (`modalitiesinstudy`).
    public var extraFields: [String: String] = [:]

    /// The 19 string field names after `query_model` and `query_level`, in IDL's order.
    public static let stringFieldNames: [String] = [
        "patient_name", "family_name", "given_name", "middle_name", "prefix", "suffix", "patient_id",
        "study_instance_uid", "study_id", "study_date", "study_time", "accession_number",
        "series_instance_uid", "series_number", "modality", "sop_instance_uid", "instance_number",
        "study_description", "series_description",
    ]

    /// IDL's substitutions for a missing unique key (§2.5).
    public static let missingUIDSubstitutes: [QueryField: String] = [
        .patientID: "Unknown Patient Id",
        .studyInstanceUID: "Unknown Study UID",
        .seriesInstanceUID: "Unknown Series UID",
        .sopInstanceUID: "Unknown Image UID",
    ]

    public subscript(name: String) -> String { fields[name.lowercased()] ?? extraFields[name.lowercased()] ?? "" }

    /// The record of one pending C-FIND response's identifier. Fields the model/level does not return are
    /// `""`; a unique key the level asked for but the match lacks gets IDL's substitute string.
    public init(identifier: DataSet, model: IDLQueryModel, level: IDLQueryLevel, extra: [String] = []) {
        queryModel = model
        queryLevel = level
        var fields = Dictionary(uniqueKeysWithValues: Self.stringFieldNames.map { ($0, "") })
        let asked = QueryFieldTable.fields(model: model, level: level)
        for field in QueryField.allCases {
            guard let tag = field.tag else { continue }
            fields[field.rawValue.lowercased()] = Self.text(identifier, tag)
        }
        let name = fields["patient_name"] ?? ""
        // The alphabetic component group (before any '='), split into its five components (PS3.5 §6.2.1.1).
        let alphabetic = name.split(separator: "=", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let components = alphabetic.split(separator: "^", omittingEmptySubsequences: false).map(String.init)
        for (index, field) in QueryField.nameComponents.enumerated() {
            fields[field.rawValue.lowercased()] = index < components.count ? components[index] : ""
        }
        fields["study_description"] = Self.text(identifier, QueryReturnKey.studyDescription)
        fields["series_description"] = Self.text(identifier, QueryReturnKey.seriesDescription)
        for (field, substitute) in Self.missingUIDSubstitutes where asked.contains(field) {
            if fields[field.rawValue.lowercased()]?.isEmpty ?? true { fields[field.rawValue.lowercased()] = substitute }
        }
        self.fields = fields
        for keyword in extra {
            guard let tag = DataDictionary.tag(forKeyword: keyword) else { continue }
            extraFields[keyword.lowercased()] = Self.text(identifier, tag)
        }
    }

    /// All values of an element joined by backslashes (a UID list stays a list), trimmed.
    private static func text(_ dataSet: DataSet, _ tag: Tag) -> String {
        guard let values = dataSet.strings(tag) else { return "" }
        return values.map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\\")
    }
}
