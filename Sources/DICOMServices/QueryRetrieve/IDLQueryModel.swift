/// `QUERY_MODEL` of IDL's query object (docs/idl-reference.md §2.2): the Query/Retrieve information model,
/// with its FIND, MOVE and GET SOP classes (PS3.4 C.6).
public enum IDLQueryModel: Int, Sendable, CaseIterable, CustomStringConvertible {
    case patientRoot = 0
    case studyRoot = 1
    case patientStudyOnly = 2

    /// The information model (PS3.4 C.6; Patient/Study Only is retired but still served by some PACS).
    public var informationModel: QueryRetrieveModel {
        switch self {
        case .patientRoot: return .patientRoot
        case .studyRoot: return .studyRoot
        case .patientStudyOnly: return .patientStudyOnly
        }
    }

    public var findSOPClassUID: String { informationModel.findSOPClassUID }
    public var moveSOPClassUID: String { informationModel.moveSOPClassUID }
    public var getSOPClassUID: String { informationModel.getSOPClassUID }

    public var description: String {
        switch self {
        case .patientRoot: return "Patient Root"
        case .studyRoot: return "Study Root"
        case .patientStudyOnly: return "Patient/Study Only"
        }
    }
}

/// `QUERY_LEVEL` (docs/idl-reference.md §2.2): the value of Query/Retrieve Level (0008,0052), PS3.4 C.6.
public enum IDLQueryLevel: Int, Sendable, CaseIterable, CustomStringConvertible {
    case patient = 0
    case study = 1
    case series = 2
    case image = 3

    /// The code string sent in (0008,0052).
    public var keyword: String {
        switch self {
        case .patient: return "PATIENT"
        case .study: return "STUDY"
        case .series: return "SERIES"
        case .image: return "IMAGE"
        }
    }

    public var description: String {
        switch self {
        case .patient: return "Patient"
        case .study: return "Study"
        case .series: return "Series"
        case .image: return "Image"
        }
    }
}

/// The nine codes of `QueryModelsSupported` (docs/idl-reference.md §2.4), in code order.
public enum QueryModelCode {
    /// (code, SOP class UID, IDL GUI name) for codes 0–8.
    public static let all: [(code: Int, sopClassUID: String, name: String)] = [
        (0, IDLQueryModel.patientRoot.findSOPClassUID, "PATIENT_ROOT_QR_FIND"),
        (1, IDLQueryModel.patientRoot.getSOPClassUID, "PATIENT_ROOT_QR_GET"),
        (2, IDLQueryModel.patientRoot.moveSOPClassUID, "PATIENT_ROOT_QR_MOVE"),
        (3, IDLQueryModel.patientStudyOnly.findSOPClassUID, "PATIENT_STUDY_ONLY_QR_FIND"),
        (4, IDLQueryModel.patientStudyOnly.getSOPClassUID, "PATIENT_STUDY_ONLY_QR_GET"),
        (5, IDLQueryModel.patientStudyOnly.moveSOPClassUID, "PATIENT_STUDY_ONLY_QR_MOVE"),
        (6, IDLQueryModel.studyRoot.findSOPClassUID, "STUDY_ROOT_QR_FIND"),
        (7, IDLQueryModel.studyRoot.getSOPClassUID, "STUDY_ROOT_QR_GET"),
        (8, IDLQueryModel.studyRoot.moveSOPClassUID, "STUDY_ROOT_QR_MOVE"),
    ]
}
