import DICOMCore

/// One query-field property of IDL's query object (docs/idl-reference.md §2.2) or a return-only key, with
/// the attribute it maps to.
public enum QueryField: String, Sendable, CaseIterable {
    case patientName = "PATIENT_NAME"
    case familyName = "FAMILY_NAME"
    case givenName = "GIVEN_NAME"
    case middleName = "MIDDLE_NAME"
    case prefix = "PREFIX"
    case suffix = "SUFFIX"
    case patientID = "PATIENT_ID"
    case studyInstanceUID = "STUDY_INSTANCE_UID"
    case studyID = "STUDY_ID"
    case studyDate = "STUDY_DATE"
    case studyTime = "STUDY_TIME"
    case accessionNumber = "ACCESSION_NUMBER"
    case seriesInstanceUID = "SERIES_INSTANCE_UID"
    case seriesNumber = "SERIES_NUMBER"
    case modality = "MODALITY"
    case sopInstanceUID = "SOP_INSTANCE_UID"
    case instanceNumber = "INSTANCE_NUMBER"

    /// The properties a script may set (every case: the five name sub-fields are settable too).
    public static var settable: [QueryField] { allCases }

    /// The five PN sub-fields, in component order (PS3.5 §6.2.1.1).
    public static let nameComponents: [QueryField] = [.familyName, .givenName, .middleName, .prefix, .suffix]

    /// The attribute sent for this field; nil for the name sub-fields (they build Patient's Name).
    public var tag: Tag? {
        switch self {
        case .patientName: return Tag(0x0010, 0x0010)
        case .familyName, .givenName, .middleName, .prefix, .suffix: return nil
        case .patientID: return Tag(0x0010, 0x0020)
        case .studyInstanceUID: return Tag(0x0020, 0x000D)
        case .studyID: return Tag(0x0020, 0x0010)
        case .studyDate: return Tag(0x0008, 0x0020)
        case .studyTime: return Tag(0x0008, 0x0030)
        case .accessionNumber: return Tag(0x0008, 0x0050)
        case .seriesInstanceUID: return Tag(0x0020, 0x000E)
        case .seriesNumber: return Tag(0x0020, 0x0011)
        case .modality: return Tag(0x0008, 0x0060)
        case .sopInstanceUID: return Tag(0x0008, 0x0018)
        case .instanceNumber: return Tag(0x0020, 0x0013)
        }
    }
}

/// Return-only keys (docs/idl-reference.md §2.5): sent empty, read back into the record.
public enum QueryReturnKey {
    public static let studyDescription = Tag(0x0008, 0x1030)
    public static let seriesDescription = Tag(0x0008, 0x103E)
    public static let queryRetrieveLevel = Tag(0x0008, 0x0052)
}

/// IDL's "Query Property Interactions With Query Model/Level" table (docs/idl-reference.md §2.5): which query
/// fields are sent for a model and level, and which return-only descriptions are asked for.
public enum QueryFieldTable {
    /// The fields sent (and meaningful in the results) for `model`/`level`. `PATIENT_NAME` stands for the
    /// name and its five sub-fields.
    ///
    /// Patient/Study Only has one row in IDL's table (the study row); at Patient level it sends what
    /// Patient Root does.
    public static func fields(model: IDLQueryModel, level: IDLQueryLevel) -> [QueryField] {
        switch (model, level) {
        case (.patientRoot, .patient), (.studyRoot, .patient), (.patientStudyOnly, .patient):
            return [.patientName, .patientID]
        case (.patientRoot, .study):
            return [.patientID, .studyInstanceUID, .studyID, .studyDate, .studyTime, .accessionNumber]
        case (.patientRoot, .series):
            return [.patientID, .studyInstanceUID, .seriesInstanceUID, .seriesNumber, .modality]
        case (.patientRoot, .image):
            return [.patientID, .studyInstanceUID, .seriesInstanceUID, .sopInstanceUID, .instanceNumber]
        case (.studyRoot, .study), (.patientStudyOnly, .study), (.patientStudyOnly, .series),
            (.patientStudyOnly, .image):
            return [.patientName, .patientID, .studyInstanceUID, .studyID, .studyDate, .studyTime, .accessionNumber]
        case (.studyRoot, .series):
            return [.patientName, .patientID, .studyInstanceUID, .seriesInstanceUID, .seriesNumber, .modality]
        case (.studyRoot, .image):
            return [.patientName, .patientID, .studyInstanceUID, .seriesInstanceUID, .sopInstanceUID, .instanceNumber]
        }
    }

    /// Return-only keys asked for at `level`: Study Description from Study level down, Series Description
    /// from Series level down.
    public static func returnKeys(level: IDLQueryLevel) -> [Tag] {
        switch level {
        case .patient: return []
        case .study: return [QueryReturnKey.studyDescription]
        case .series, .image: return [QueryReturnKey.studyDescription, QueryReturnKey.seriesDescription]
        }
    }
}
