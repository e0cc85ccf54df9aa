import Foundation

/// The Query/Retrieve information models (PS3.4 C.6) and their FIND/MOVE/GET SOP classes.
public enum QueryRetrieveModel: String, Sendable, CaseIterable {
    /// Patient Root (PS3.4 C.6.1): PATIENT, STUDY, SERIES, IMAGE.
    case patientRoot
    /// Study Root (PS3.4 C.6.2): STUDY, SERIES, IMAGE; patient attributes are study-level keys.
    case studyRoot
    /// Patient/Study Only (retired, PS3.4 2004 C.6.3): PATIENT, STUDY.
    case patientStudyOnly

    /// The levels this model allows, top down.
    public var levels: [QueryLevel] {
        switch self {
        case .patientRoot: return [.patient, .study, .series, .image]
        case .studyRoot: return [.study, .series, .image]
        case .patientStudyOnly: return [.patient, .study]
        }
    }

    public var findSOPClassUID: String {
        switch self {
        case .patientRoot: return "1.2.840.10008.5.1.4.1.2.1.1"
        case .studyRoot: return "1.2.840.10008.5.1.4.1.2.2.1"
        case .patientStudyOnly: return "1.2.840.10008.5.1.4.1.2.3.1"
        }
    }

    public var moveSOPClassUID: String {
        switch self {
        case .patientRoot: return "1.2.840.10008.5.1.4.1.2.1.2"
        case .studyRoot: return "1.2.840.10008.5.1.4.1.2.2.2"
        case .patientStudyOnly: return "1.2.840.10008.5.1.4.1.2.3.2"
        }
    }

    public var getSOPClassUID: String {
        switch self {
        case .patientRoot: return "1.2.840.10008.5.1.4.1.2.1.3"
        case .studyRoot: return "1.2.840.10008.5.1.4.1.2.2.3"
        case .patientStudyOnly: return "1.2.840.10008.5.1.4.1.2.3.3"
        }
    }

    /// Every FIND, MOVE and GET SOP class UID of the three models.
    public static var allSOPClassUIDs: [String] {
        allCases.flatMap { [$0.findSOPClassUID, $0.moveSOPClassUID, $0.getSOPClassUID] }
    }

    /// The model of a FIND, MOVE or GET SOP class UID.
    public init?(sopClassUID: String) {
        guard
            let model = Self.allCases.first(where: {
                [$0.findSOPClassUID, $0.moveSOPClassUID, $0.getSOPClassUID].contains(sopClassUID)
            })
        else { return nil }
        self = model
    }
}

/// Query/Retrieve Level (0008,0052) values (PS3.4 C.6.1.1.1), top down.
public enum QueryLevel: String, Sendable, CaseIterable, Comparable {
    case patient = "PATIENT"
    case study = "STUDY"
    case series = "SERIES"
    case image = "IMAGE"

    /// Depth in the hierarchy (PATIENT 0 … IMAGE 3).
    public var depth: Int {
        switch self {
        case .patient: return 0
        case .study: return 1
        case .series: return 2
        case .image: return 3
        }
    }

    public static func < (lhs: QueryLevel, rhs: QueryLevel) -> Bool { lhs.depth < rhs.depth }

    /// Parses a (possibly space-padded) CS value.
    public init?(code: String) {
        self.init(rawValue: code.trimmingCharacters(in: .whitespaces).uppercased())
    }
}
