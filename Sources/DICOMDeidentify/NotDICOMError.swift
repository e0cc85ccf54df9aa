/// The file is not a DICOM instance: no "DICM" and no recognisable data set at its start, or a DICOM file
/// that is not a stored instance (a DICOMDIR, no SOP Instance UID). Callers skip such files.
public struct NotDICOMError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public var reason = "not a DICOM file: no \"DICM\" marker and no data set at its start"
    public var description: String { "\(path): \(reason)" }
}
