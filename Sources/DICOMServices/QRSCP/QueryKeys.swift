import DICOMCore

/// The attributes the test Q/R SCP indexes and matches, with the level each belongs to (PS3.4 Tables
/// C.6-1…C.6-4), and the computed "Number of … Related …" / Modalities in Study attributes
/// (PS3.4 C.6.1.1.2–C.6.1.1.4), which are returned but only universally matched (ModalitiesInStudy: any).
public struct QueryKey: Sendable, Hashable {
    public let tag: Tag
    public let vr: VR
    public let level: QueryLevel

    public init(_ group: UInt16, _ element: UInt16, _ vr: VR, _ level: QueryLevel) {
        self.tag = Tag(group, element)
        self.vr = vr
        self.level = level
    }
}

public enum QueryKeys {
    public static let patientName = QueryKey(0x0010, 0x0010, .PN, .patient)
    public static let patientID = QueryKey(0x0010, 0x0020, .LO, .patient)
    public static let patientBirthDate = QueryKey(0x0010, 0x0030, .DA, .patient)
    public static let patientSex = QueryKey(0x0010, 0x0040, .CS, .patient)

    public static let studyInstanceUID = QueryKey(0x0020, 0x000D, .UI, .study)
    public static let studyDate = QueryKey(0x0008, 0x0020, .DA, .study)
    public static let studyTime = QueryKey(0x0008, 0x0030, .TM, .study)
    public static let accessionNumber = QueryKey(0x0008, 0x0050, .SH, .study)
    public static let studyID = QueryKey(0x0020, 0x0010, .SH, .study)
    public static let studyDescription = QueryKey(0x0008, 0x1030, .LO, .study)
    public static let referringPhysicianName = QueryKey(0x0008, 0x0090, .PN, .study)

    public static let seriesInstanceUID = QueryKey(0x0020, 0x000E, .UI, .series)
    public static let modality = QueryKey(0x0008, 0x0060, .CS, .series)
    public static let seriesNumber = QueryKey(0x0020, 0x0011, .IS, .series)
    public static let seriesDescription = QueryKey(0x0008, 0x103E, .LO, .series)
    public static let seriesDate = QueryKey(0x0008, 0x0021, .DA, .series)
    public static let seriesTime = QueryKey(0x0008, 0x0031, .TM, .series)
    public static let bodyPartExamined = QueryKey(0x0018, 0x0015, .CS, .series)

    public static let sopInstanceUID = QueryKey(0x0008, 0x0018, .UI, .image)
    public static let sopClassUID = QueryKey(0x0008, 0x0016, .UI, .image)
    public static let instanceNumber = QueryKey(0x0020, 0x0013, .IS, .image)
    public static let rows = QueryKey(0x0028, 0x0010, .US, .image)
    public static let columns = QueryKey(0x0028, 0x0011, .US, .image)

    /// Attributes read from each file and kept in the index.
    public static let indexed: [QueryKey] = [
        patientName, patientID, patientBirthDate, patientSex,
        studyInstanceUID, studyDate, studyTime, accessionNumber, studyID, studyDescription, referringPhysicianName,
        seriesInstanceUID, modality, seriesNumber, seriesDescription, seriesDate, seriesTime, bodyPartExamined,
        sopInstanceUID, sopClassUID, instanceNumber, rows, columns,
    ]

    // Computed attributes (PS3.4 C.6.1.1.2–C.6.1.1.4).
    public static let numberOfPatientRelatedStudies = QueryKey(0x0020, 0x1200, .IS, .patient)
    public static let numberOfPatientRelatedSeries = QueryKey(0x0020, 0x1202, .IS, .patient)
    public static let numberOfPatientRelatedInstances = QueryKey(0x0020, 0x1204, .IS, .patient)
    public static let numberOfStudyRelatedSeries = QueryKey(0x0020, 0x1206, .IS, .study)
    public static let numberOfStudyRelatedInstances = QueryKey(0x0020, 0x1208, .IS, .study)
    public static let numberOfSeriesRelatedInstances = QueryKey(0x0020, 0x1209, .IS, .series)
    public static let modalitiesInStudy = QueryKey(0x0008, 0x0061, .CS, .study)

    public static let computed: [QueryKey] = [
        numberOfPatientRelatedStudies, numberOfPatientRelatedSeries, numberOfPatientRelatedInstances,
        numberOfStudyRelatedSeries, numberOfStudyRelatedInstances, numberOfSeriesRelatedInstances, modalitiesInStudy,
    ]

    /// (0008,0052) Query/Retrieve Level.
    public static let queryRetrieveLevel = Tag(0x0008, 0x0052)
    /// (0008,0058) Failed SOP Instance UID List.
    public static let failedSOPInstanceUIDList = Tag(0x0008, 0x0058)

    private static let byTag: [Tag: QueryKey] = Dictionary(
        uniqueKeysWithValues: (indexed + computed).map { ($0.tag, $0) })

    /// The known key for `tag`, nil for attributes this SCP does not index.
    public static func key(for tag: Tag) -> QueryKey? { byTag[tag] }

    /// The unique key of a level (PS3.4 C.6.1.1.x): Patient ID, Study/Series Instance UID, SOP Instance UID.
    public static func uniqueKey(of level: QueryLevel) -> QueryKey {
        switch level {
        case .patient: return patientID
        case .study: return studyInstanceUID
        case .series: return seriesInstanceUID
        case .image: return sopInstanceUID
        }
    }

    /// The level `key` belongs to in `model`: in Study Root the patient attributes are study-level keys
    /// (PS3.4 C.6.2.1.2).
    public static func level(of key: QueryKey, in model: QueryRetrieveModel) -> QueryLevel {
        if model == .studyRoot && key.level == .patient { return .study }
        return key.level
    }
}
