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

    static func scan(_ bytes: [UInt8], transferSyntax: TransferSyntax) -> Fields {
        let found = DataSetPrefixScanner.strings(
            of: [patientID, studyInstanceUID, seriesInstanceUID], in: bytes, transferSyntax: transferSyntax)
        return Fields(
            patientID: found[patientID], studyInstanceUID: found[studyInstanceUID],
            seriesInstanceUID: found[seriesInstanceUID])
    }
}
