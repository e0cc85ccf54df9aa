import DICOMCore

/// The unique-key keywords of `Retrieve` (docs/idl-reference.md §2.7, "Unique ID Keyword Interactions With Query
/// Model/Level"): which files to move.
public struct RetrieveKeys: Sendable, Equatable {
    public var patientID: String?
    public var studyInstanceUID: String?
    public var seriesInstanceUID: String?
    public var sopInstanceUID: String?

    public init(
        patientID: String? = nil, studyInstanceUID: String? = nil, seriesInstanceUID: String? = nil,
        sopInstanceUID: String? = nil
    ) {
        self.patientID = patientID
        self.studyInstanceUID = studyInstanceUID
        self.seriesInstanceUID = seriesInstanceUID
        self.sopInstanceUID = sopInstanceUID
    }

    /// The seed's table: the keywords required for `model`/`level` (in hierarchy order). Patient/Study
    /// Only has a single row there (Patient ID + Study Instance UID), read as its Study level; at its
    /// Patient level it needs what Patient Root does.
    public static func required(model: IDLQueryModel, level: IDLQueryLevel) -> [QueryField] {
        switch (model, level) {
        case (.patientRoot, .patient), (.patientStudyOnly, .patient): return [.patientID]
        case (.patientRoot, .study), (.patientStudyOnly, .study): return [.patientID, .studyInstanceUID]
        case (.patientRoot, .series): return [.patientID, .studyInstanceUID, .seriesInstanceUID]
        case (.patientRoot, .image): return [.patientID, .studyInstanceUID, .seriesInstanceUID, .sopInstanceUID]
        case (.studyRoot, .patient): return []
        case (.studyRoot, .study): return [.studyInstanceUID]
        case (.studyRoot, .series): return [.studyInstanceUID, .seriesInstanceUID]
        case (.studyRoot, .image): return [.studyInstanceUID, .seriesInstanceUID, .sopInstanceUID]
        case (.patientStudyOnly, .series), (.patientStudyOnly, .image): return []
        }
    }

    public func value(_ field: QueryField) -> String? {
        switch field {
        case .patientID: return patientID
        case .studyInstanceUID: return studyInstanceUID
        case .seriesInstanceUID: return seriesInstanceUID
        case .sopInstanceUID: return sopInstanceUID
        case .patientName, .familyName, .givenName, .middleName, .prefix, .suffix, .studyID, .studyDate, .studyTime,
            .accessionNumber, .seriesNumber, .modality, .instanceNumber:
            return nil
        }
    }

    /// The C-MOVE/C-GET identifier (PS3.4 C.4.2.1.4): Query/Retrieve Level and the required unique keys.
    ///
    /// With nothing given at Patient level the identifier asks for every patient (Patient ID `*`), as the
    /// seed says a retrieve with only `QUERY_SCP` and `STORAGE_SCP` set does.
    /// - Throws: `ConfigurationError(method, …)` for a missing required keyword or an impossible level.
    public func identifier(model: IDLQueryModel, level: IDLQueryLevel, method: String) throws -> DataSet {
        if model == .studyRoot && level == .patient {
            throw ConfigurationError(method, "Can not retrieve at the patient level when the query model is study root")
        }
        if model == .patientStudyOnly && (level == .series || level == .image) {
            throw ConfigurationError(
                method, "QUERY_MODEL 2 (Patient/Study Only) has no \(level) level: use QUERY_LEVEL 0 or 1")
        }
        var identifier = DataSet()
        try identifier.set(QueryReturnKey.queryRetrieveLevel, string: level.keyword)
        for field in Self.required(model: model, level: level) {
            var value = value(field) ?? ""
            if value.isEmpty {
                guard level == .patient && field == .patientID else {
                    throw ConfigurationError(method, "\(field.rawValue) is required for \(model) / \(level) level")
                }
                value = "*"
            }
            guard let tag = field.tag else { continue }
            try identifier.set(tag, string: value)
        }
        return identifier
    }
}
