/// One instance the storage SCP (or a C-GET) wrote, as reported to observers, hooks (`f` records of
/// docs/lua-api.md) and the log.
public struct StoredInstance: Sendable, Equatable {
    /// Final path (`<folder>/<SOP Instance UID>.<ext>`, or the derived name for an invalid UID).
    public var path: String
    public var sopClassUID: String
    public var sopInstanceUID: String
    /// From the data set's first 64 KiB (nil when absent there or unreadable).
    public var studyInstanceUID: String?
    public var seriesInstanceUID: String?
    public var patientID: String?
    /// Calling AE title of the association that sent it.
    public var callingAETitle: String
    /// Size of the Part 10 file in bytes (meta included).
    public var bytes: Int
    /// Transfer syntax UID of the stored data set (the accepted one, bytes kept as they came).
    public var transferSyntaxUID: String
    /// Set when the store is a C-MOVE sub-operation (PS3.7 §9.3.1.1).
    public var moveOriginatorAETitle: String?
    public var moveOriginatorMessageID: UInt16?
    /// The SOP Instance UID was not a valid UID: `path` has a derived name.
    public var nameWasDerived: Bool
    /// `DuplicatePolicy.keep` found an earlier copy: `path` is that copy, the new data was discarded.
    public var keptExistingCopy: Bool
    /// Set when the SCP de-identifies (docs/lua-api.md "De-identification"): the SOP Instance UID received;
    /// `sopInstanceUID`, the study, series and patient fields and `path` are then the de-identified ones.
    public var originalSOPInstanceUID: String? = nil
    /// Set when the SCP de-identifies: the Study and Series Instance UIDs the sender's data set carried (from
    /// its first 64 KiB; nil when absent there).
    public var originalStudyInstanceUID: String? = nil
    public var originalSeriesInstanceUID: String? = nil
    /// De-identified into the quarantine folder (Burned In Annotation YES).
    public var quarantined = false

    public init(
        path: String, sopClassUID: String, sopInstanceUID: String, studyInstanceUID: String? = nil,
        seriesInstanceUID: String? = nil, patientID: String? = nil, callingAETitle: String, bytes: Int,
        transferSyntaxUID: String, moveOriginatorAETitle: String? = nil, moveOriginatorMessageID: UInt16? = nil,
        nameWasDerived: Bool = false, keptExistingCopy: Bool = false
    ) {
        self.path = path
        self.sopClassUID = sopClassUID
        self.sopInstanceUID = sopInstanceUID
        self.studyInstanceUID = studyInstanceUID
        self.seriesInstanceUID = seriesInstanceUID
        self.patientID = patientID
        self.callingAETitle = callingAETitle
        self.bytes = bytes
        self.transferSyntaxUID = transferSyntaxUID
        self.moveOriginatorAETitle = moveOriginatorAETitle
        self.moveOriginatorMessageID = moveOriginatorMessageID
        self.nameWasDerived = nameWasDerived
        self.keptExistingCopy = keptExistingCopy
    }

    /// The instance as the sender knows it: for a de-identified instance, its original SOP, Study and Series
    /// Instance UIDs (`path` stays the de-identified file), so that a retrieve's verification and a
    /// campaign's journal compare arrivals with the archive's inventory (docs/deidentification.md); any other
    /// instance unchanged.
    public var asReceived: StoredInstance {
        guard let original = originalSOPInstanceUID else { return self }
        var received = self
        received.sopInstanceUID = original
        received.studyInstanceUID = originalStudyInstanceUID
        received.seriesInstanceUID = originalSeriesInstanceUID
        return received
    }
}

/// Why an instance could not be stored, with the C-STORE status to answer (PS3.4 Annex B.2.3:
/// 0xA7xx Refused: Out of Resources for disk full and unwritable folders, 0xC000 for data the SCP cannot
/// understand).
public struct StoreFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: UInt16
    public var message: String
    public init(status: UInt16, _ message: String) {
        self.status = status
        self.message = message
    }
    public var description: String { message }

    /// Out of resources (0xA700): the file could not be created, written or renamed.
    public static func outOfResources(_ message: String) -> StoreFailure { StoreFailure(status: 0xA700, message) }
}
