import DICOMCore
import DICOMNetwork
import NIOCore

/// Sends the responses of a C-MOVE or C-GET (PS3.4 C.4.2.1.5, C.4.3.1.5): pending ones with the four
/// counters, and the final one with the Failed SOP Instance UID List (0008,0058) when any sub-operation
/// failed.
struct RetrieveResponder: Sendable {
    let association: DICOMAssociation
    let contextID: UInt8
    let transferSyntax: String
    /// Builds the response message for a status, counters and whether an identifier follows.
    let makeResponse: @Sendable (DIMSEStatus, SubOperationCounts, Bool, String?) -> any DIMSECommandMessage

    func pending(_ tally: SubOperationTally) async throws {
        try await association.send(makeResponse(.pending, tally.pendingCounts, false, nil), contextID: contextID)
    }

    func final(_ tally: SubOperationTally) async throws {
        if tally.needsFailedList {
            let identifier = try IdentifierCoding.encode(
                IdentifierCoding.failedList(tally.failedSOPInstanceUIDs),
                transferSyntax: transferSyntax)
            try await association.send(
                makeResponse(tally.finalStatus, tally.finalCounts, true, nil),
                dataSet: identifier, contextID: contextID)
        } else {
            try await association.send(
                makeResponse(tally.finalStatus, tally.finalCounts, false, nil), contextID: contextID)
        }
    }

    func failure(_ failure: QueryFailure) async throws {
        try await association.send(
            makeResponse(failure.status, SubOperationCounts(), false, String(failure.comment.prefix(64))),
            contextID: contextID)
    }
}
