import DICOMCore

/// The query-related properties of IDL's query object (docs/idl-reference.md §2.2): model, level and the
/// query fields. Unset fields are absent from `values`; the defaults of §2.2 are applied when the
/// identifier is built.
public struct QueryParameters: Sendable, Equatable {
    public var model: IDLQueryModel
    public var level: IDLQueryLevel
    /// Values of the query fields that were set (wildcards, ranges and UID lists pass through unchanged).
    public var values: [QueryField: String]
    /// Additional matching or return keys by data dictionary keyword (docs/lua-api.md "Queries that say what
    /// they left out"), keyed by the dictionary's spelling (`ModalitiesInStudy`). Set with `addExtra`.
    public private(set) var extra: [String: String] = [:]

    public init(
        model: IDLQueryModel = .patientRoot, level: IDLQueryLevel = .patient, values: [QueryField: String] = [:]
    ) {
        self.model = model
        self.level = level
        self.values = values
    }

    /// The level actually used: IDL turns Patient level with Study Root into Study level (§2.2), with a
    /// warning (returned as the second element, nil when nothing changed).
    public var effectiveLevel: (level: IDLQueryLevel, warning: String?) {
        if model == .studyRoot && level == .patient {
            return (
                .study,
                "QUERY_LEVEL 0 (Patient) is not valid with QUERY_MODEL 1 (Study Root); using QUERY_LEVEL 1 (Study)"
            )
        }
        return (level, nil)
    }

    /// Patient's Name to send: `PATIENT_NAME` when set, else the five sub-fields joined with `^`
    /// (`Family^Given^Middle^Prefix^Suffix`, trailing empty components dropped), else empty (universal match).
    public var patientNameToSend: String {
        if let name = values[.patientName], !name.isEmpty { return name }
        var components = QueryField.nameComponents.map { values[$0] ?? "" }
        while let last = components.last, last.isEmpty { components.removeLast() }
        return components.joined(separator: "^")
    }

    /// The value sent for `field` (§2.2 "Value sent when unset": `*` for Patient ID at Patient or Study
    /// level, empty otherwise).
    public func valueToSend(_ field: QueryField, level: IDLQueryLevel) -> String {
        if field == .patientName { return patientNameToSend }
        if let value = values[field], !value.isEmpty { return value }
        if field == .patientID && (level == .patient || level == .study) { return "*" }
        return ""
    }

    /// Checks the model/level combination. Patient/Study Only has no Series or Image level (PS3.4 C.6.3).
    /// - Throws: `ConfigurationError(method, …)` (misuse).
    public func checkModelAndLevel(method: String) throws {
        if model == .patientStudyOnly && (level == .series || level == .image) {
            throw ConfigurationError(
                method, "QUERY_MODEL 2 (Patient/Study Only) has no \(level) level: use QUERY_LEVEL 0 or 1")
        }
    }

    /// Adds `extra = {Keyword = value}`: a keyword of one of the query fields sets that field's matching
    /// value; any other keyword of the data dictionary is sent as a matching (non-empty value) or return
    /// (empty value) key and read back into each record.
    /// - Throws: `ConfigurationError(method, …)` for a keyword the dictionary does not know.
    public mutating func addExtra(keyword: String, value: String, method: String) throws {
        guard let entry = DataDictionary.entry(forKeywordIgnoringCase: keyword) else {
            throw ConfigurationError(method, "extra: '\(keyword)' is not a keyword of the DICOM data dictionary")
        }
        guard entry.vr != .SQ else {
            throw ConfigurationError(method, "extra: '\(entry.keyword)' is a sequence; only plain values can be keys")
        }
        if let field = QueryField.allCases.first(where: { $0.tag == entry.tag }) {
            values[field] = value
        } else {
            extra[entry.keyword] = value
        }
    }

    /// The query properties that were set but that the model and level do not send (IDL's table leaves them
    /// out, docs/idl-reference.md §2.5): one warning each, naming the property and the level.
    public var unsentPropertyWarnings: [String] {
        let level = effectiveLevel.level
        let sent = QueryFieldTable.fields(model: model, level: level)
        let sentWithNames = sent.contains(.patientName) ? sent + QueryField.nameComponents : sent
        return QueryField.allCases.filter { field in
            guard let value = values[field], !value.isEmpty else { return false }
            return !sentWithNames.contains(field)
        }.map {
            "query: \($0.rawValue) is not sent at \(model) / \(level) level (IDL's table leaves it out), so it does not narrow the query"
        }
    }

    /// The C-FIND identifier (PS3.4 C.4.1.1.3): Query/Retrieve Level, the fields of IDL's interaction table
    /// for the model and level, and the return-only descriptions, empty when unset.
    public func findIdentifier() throws -> DataSet {
        let level = effectiveLevel.level
        var identifier = DataSet()
        try identifier.set(QueryReturnKey.queryRetrieveLevel, string: level.keyword)
        for field in QueryFieldTable.fields(model: model, level: level) {
            guard let tag = field.tag else { continue }
            try identifier.set(tag, string: valueToSend(field, level: level))
        }
        for tag in QueryFieldTable.returnKeys(level: level) {
            try identifier.set(tag, string: "")
        }
        for (keyword, value) in extra.sorted(by: { $0.key < $1.key }) {
            guard let tag = DataDictionary.tag(forKeyword: keyword) else { continue }
            try identifier.set(tag, strings: value.isEmpty ? [] : [value])
        }
        return identifier
    }
}
