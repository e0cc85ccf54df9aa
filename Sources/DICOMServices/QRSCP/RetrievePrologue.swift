import DICOMCore
import DICOMNetwork
import Foundation

/// What a C-MOVE and a C-GET do before their first sub-operation (PS3.4 C.4.2.3, C.4.3.3): check that the
/// SOP class is one of the service's, decode the identifier, select the instances; and the faults of the
/// request (README "Test faults").
struct RetrievePrologue {
    let model: QueryRetrieveModel
    let records: [InstanceRecord]
    /// The test faults and whether this is the first retrieve request the SCP serves.
    let faults: QRSCPFaults
    let firstRequest: Bool
    /// The request's Query/Retrieve Level.
    let level: QueryLevel
    /// The request's level is the one of a `stall=LEVEL` fault.
    let stalls: Bool
    /// Longest a stalled request waits for its C-CANCEL.
    static let stallLimit: Double = 600

    /// - Parameters:
    ///   - command: `C-MOVE` or `C-GET`, for messages; `sopClass`: the model's SOP class for this command.
    /// - Throws: `QueryFailure` (0x0122 for a SOP class of another command, 0xC000/0xA900/0xA701 from the
    ///   identifier and the selection).
    init(
        service: QRSCPAssociationService, message: AssociationMessage, transferSyntax: String, sopClassUID: String,
        command: String, sopClass: (QueryRetrieveModel) -> String
    ) throws {
        firstRequest = service.configuration.retrieveRequests.next()
        faults = service.configuration.faults
        guard let model = QueryRetrieveModel(sopClassUID: sopClassUID), sopClass(model) == sopClassUID else {
            throw QueryFailure(
                .sopClassNotSupported, "\(command) on \(sopClassUID), which is not a \(command) SOP class")
        }
        self.model = model
        let identifier = try IdentifierCoding.decodeRequest(message, transferSyntax: transferSyntax)
        level = try QueryEngine.queryLevel(of: identifier, model: model)
        stalls = faults.stallLevels.contains(level.rawValue)
        records = try RetrieveSelection.instances(for: identifier, model: model, in: service.records)
    }

    /// The `stall=LEVEL` fault (README "Test faults"): nothing is sent until the requestor cancels (or
    /// `stallLimit` passes, or the association ends). Returns true when the request stalled.
    func stallIfAsked(_ signals: OperationSignals, command: String, log: (String) -> Void) async -> Bool {
        guard stalls else { return false }
        log("\(command): fault stall: nothing sent until the requestor cancels")
        let end = Date().addingTimeInterval(Self.stallLimit)
        while !signals.isCancelled, !Task.isCancelled, Date() < end {
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        return true
    }

    /// What happens to the `position`-th (1-based) instance.
    func fate(_ position: Int) -> QRSCPFaults.Fate { faults.fate(position: position, firstRequest: firstRequest) }

    /// Applies a `drop-every` or `fail-every` fault to the `position`-th instance (README "Test faults"): it is
    /// not sent and counts as completed or failed. Returns true when it is to be sent.
    func shouldSend(
        _ position: Int, _ record: InstanceRecord, tally: inout SubOperationTally, command: String,
        log: (String) -> Void
    ) -> Bool {
        switch fate(position) {
        case .drop:
            tally.record(.success, sopInstanceUID: record.sopInstanceUID)
            log("\(command): fault drop-every: \(record.sopInstanceUID) not sent, counted as completed")
            return false
        case .fail:
            tally.recordFailure(sopInstanceUID: record.sopInstanceUID)
            log("\(command): fault fail-every: \(record.sopInstanceUID) not sent, counted as failed")
            return false
        case .send:
            return true
        }
    }

    /// The log line that ends a retrieve: matches, counters and final status.
    func summary(_ command: String, _ tally: SubOperationTally, destination: String? = nil) -> String {
        "\(command) \(model.displayName) \(level.rawValue)\(destination.map { " to \($0)" } ?? ""): \(records.count) match(es), completed \(tally.completed), failed \(tally.failed), warning \(tally.warning) → \(tally.finalStatus)"
    }

    /// Whether a pending response follows the `position`-th sub-operation (`missing-last-pending` leaves out
    /// the last one).
    func pendingAfter(_ position: Int) -> Bool { !(faults.missingLastPending && position == records.count) }
}
