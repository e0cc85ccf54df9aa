import DICOMNetwork

/// The sub-operation counters of a C-MOVE or C-GET and its final status (PS3.4 C.4.2.1.5, C.4.3.1.5): pure.
public struct SubOperationTally: Equatable, Sendable {
    public let total: Int
    public private(set) var completed = 0
    public private(set) var failed = 0
    public private(set) var warning = 0
    /// SOP Instance UIDs of the failed sub-operations, for (0008,0058) Failed SOP Instance UID List.
    public private(set) var failedSOPInstanceUIDs: [String] = []
    public private(set) var cancelled = false

    public init(total: Int) {
        precondition(total >= 0 && total <= QueryFailure.maximumMatches, "sub-operation count out of US range")
        self.total = total
    }

    /// Sub-operations not yet started.
    public var remaining: Int { total - completed - failed - warning }

    /// Records the C-STORE-RSP status of one sub-operation (warning: B000/B006/B007 …; failure: anything
    /// that is neither success nor warning).
    public mutating func record(_ status: DIMSEStatus, sopInstanceUID: String) {
        switch status.category {
        case .success: completed += 1
        case .warning: warning += 1
        case .failure, .cancel, .pending:
            failed += 1
            failedSOPInstanceUIDs.append(sopInstanceUID)
        }
    }

    /// Records a sub-operation that could not be performed (no context, connection lost, unreadable file).
    public mutating func recordFailure(sopInstanceUID: String) {
        failed += 1
        failedSOPInstanceUIDs.append(sopInstanceUID)
    }

    /// C-CANCEL received: no further sub-operation is started.
    public mutating func cancel() { cancelled = true }

    /// The counters for a pending response.
    public var pendingCounts: SubOperationCounts {
        SubOperationCounts(
            remaining: UInt16(remaining), completed: UInt16(completed), failed: UInt16(failed),
            warning: UInt16(warning))
    }

    /// The counters of the final response: Remaining only after a cancel (PS3.4 C.4.2.1.5: "number of
    /// sub-operations not initiated"); a final success/warning/failure has none remaining.
    public var finalCounts: SubOperationCounts {
        SubOperationCounts(
            remaining: cancelled ? UInt16(remaining) : nil, completed: UInt16(completed),
            failed: UInt16(failed), warning: UInt16(warning))
    }

    /// Final status: 0xFE00 after a cancel; 0x0000 when nothing failed or warned; 0xA702 when every
    /// sub-operation failed; 0xB000 otherwise (some failed or warned).
    public var finalStatus: DIMSEStatus {
        if cancelled { return .cancel }
        if failed == 0 && warning == 0 { return .success }
        if completed == 0 && warning == 0 { return .outOfResourcesSubOperations }
        return .warningB000
    }

    /// The final response carries the Failed SOP Instance UID List when any sub-operation failed.
    public var needsFailedList: Bool { !failedSOPInstanceUIDs.isEmpty }
}
