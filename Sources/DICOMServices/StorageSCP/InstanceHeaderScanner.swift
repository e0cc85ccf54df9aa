import DICOMCore

/// Patient ID, Study and Series Instance UID of a received instance, read from the first bytes of its data
/// set by `DataSetPrefixScanner` (which stops quietly at the end of the prefix or at anything malformed, and
/// yields nothing for a deflated data set).
enum InstanceHeaderScanner {
    struct Fields: Equatable {
        var patientID: String?
        var studyInstanceUID: String?
        var seriesInstanceUID: String?
    }

    static let patientID = Tag(0x0010, 0x0020)
    static let studyInstanceUID = Tag(0x0020, 0x000D)
    static let seriesInstanceUID = Tag(0x0020, 0x000E)

    static let wanted: Set<Tag> = [patientID, studyInstanceUID, seriesInstanceUID]

    static func scan(_ bytes: [UInt8], transferSyntax: TransferSyntax) -> Fields {
        bytes.withUnsafeBytes { fields(DataSetPrefixScanner.scan(for: wanted, in: $0, transferSyntax: transferSyntax)) }
    }

    /// The fields when `bytes` (a data set's first bytes, in place) are enough to know them all: the walk
    /// passed Series Instance UID. Nil when later bytes could still hold one.
    static func scanIfComplete(_ bytes: UnsafeRawBufferPointer, transferSyntax: TransferSyntax) -> Fields? {
        let found = DataSetPrefixScanner.scan(for: wanted, in: bytes, transferSyntax: transferSyntax)
        return found.isComplete ? fields(found) : nil
    }

    private static func fields(_ found: DataSetPrefixScanner.Found) -> Fields {
        Fields(
            patientID: found.strings[patientID], studyInstanceUID: found.strings[studyInstanceUID],
            seriesInstanceUID: found.strings[seriesInstanceUID])
    }
}
