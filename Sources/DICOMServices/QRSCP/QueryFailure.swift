import DICOMNetwork

/// Why a C-FIND, C-MOVE or C-GET identifier cannot be served: the failure status and an error comment
/// (0000,0902) saying what was expected and what arrived.
public struct QueryFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public var status: DIMSEStatus
    public var comment: String

    public init(_ status: DIMSEStatus, _ comment: String) {
        self.status = status
        self.comment = comment
    }

    public var description: String { "\(status): \(comment)" }

    /// Most matches a MOVE/GET may have: sub-operation counters are US (PS3.7 §9.3.4.2); also the most
    /// C-FIND responses sent for one request.
    public static let maximumMatches = 65_535
}
