import DICOMCore
import DICOMNetwork
import Foundation

/// C-MOVE SCP (PS3.4 C.4.2.3): looks up the Move Destination (0xA801 if unknown), selects the instances
/// (`RetrievePrologue`), opens one association to the destination as Storage SCU proposing each
/// (SOP class, transfer syntax) pair of the selection, and sends each file streamed from disk with the
/// Move Originator AE title and message ID. One pending response per sub-operation; the final status
/// follows `SubOperationTally`. A C-CANCEL-RQ stops issuing sub-operations (final 0xFE00 with the
/// number not initiated as Remaining). A destination that cannot be reached: every sub-operation
/// fails (final 0xA702). No sub-association is opened when nothing matches. The test faults of
/// `QRSCPFaults` change this on request.
struct MoveOperation: Sendable {
    let service: QRSCPAssociationService
    let request: CMoveRQ
    let message: AssociationMessage
    let signals: OperationSignals

    /// Most presentation contexts proposed on a sub-association (PS3.8: odd IDs 1…255).
    static let maximumContexts = 128

    func run() async {
        let responder = RetrieveResponder(service: service, message: message, request: request, CMove.self)
        let destinationAE = request.moveDestination.trimmingCharacters(in: .whitespaces)
        await responder.run("C-MOVE to \(destinationAE)", log: service.log) {
            let prologue = try RetrievePrologue(
                service: service, message: message, transferSyntax: responder.transferSyntax,
                sopClassUID: request.affectedSOPClassUID, command: "C-MOVE", sopClass: \.moveSOPClassUID)
            guard let destination = service.configuration.destinations[destinationAE] else {
                throw QueryFailure(.moveDestinationUnknown, "unknown move destination \"\(destinationAE)\"")
            }
            let records = prologue.records
            var tally = SubOperationTally(total: records.count)
            var finalSent = false
            if await prologue.stallIfAsked(signals, command: "C-MOVE", log: service.log) {
                tally.cancel()
            } else if !records.isEmpty {
                finalSent = try await send(
                    prologue, to: destinationAE, at: destination, tally: &tally, responder: responder)
            }
            service.log(prologue.summary("C-MOVE", tally, destination: destinationAE))
            if !finalSent { try await responder.final(tally) }
        }
    }

    /// Sends the sub-operations; returns true when the final response was already sent (`early-final`).
    private func send(
        _ prologue: RetrievePrologue, to aeTitle: String, at destination: MoveDestination,
        tally: inout SubOperationTally, responder: RetrieveResponder
    ) async throws -> Bool {
        let records = prologue.records
        var pairs: [(String, String)] = []
        for record in records where !pairs.contains(where: { $0 == (record.sopClassUID, record.transferSyntaxUID) }) {
            pairs.append((record.sopClassUID, record.transferSyntaxUID))
        }
        let contexts = pairs.prefix(Self.maximumContexts).map {
            ProposedPresentationContext(abstractSyntax: $0.0, transferSyntaxes: [$0.1])
        }
        let storage: DICOMAssociation
        do {
            storage = try await DICOMAssociation.connect(
                host: destination.host, port: destination.port, callingAETitle: service.configuration.aeTitle,
                calledAETitle: aeTitle, contexts: Array(contexts),
                configuration: try service.configuration.subAssociationConfiguration(for: destination))
        } catch {
            service.log("C-MOVE: cannot associate with \(aeTitle) at \(destination.host):\(destination.port): \(error)")
            for record in records { tally.recordFailure(sopInstanceUID: record.sopInstanceUID) }
            return false
        }
        let faults = prologue.faults
        let originator =
            faults.ownOriginator ? service.configuration.aeTitle : service.association.negotiated.callingAETitle
        // early-final: the final response goes out before the last C-STOREs, counting them as completed.
        let earlyFinalAt = faults.earlyFinal ? max(1, records.count - QRSCPFaults.earlyFinalHeldBack + 1) : nil
        var finalSent = false
        var lost = false
        for (offset, record) in records.enumerated() {
            let position = offset + 1
            if signals.isCancelled {
                tally.cancel()
                break
            }
            if position == earlyFinalAt, !finalSent {
                var claimed = tally
                for rest in records[offset...] { claimed.record(.success, sopInstanceUID: rest.sopInstanceUID) }
                try await responder.final(claimed)
                finalSent = true
                service.log(
                    "C-MOVE: fault early-final: final response sent before \(records.count - offset) C-STORE(s)")
                try? await Task.sleep(nanoseconds: 500_000_000)
            }
            if prologue.shouldSend(position, record, tally: &tally, command: "C-MOVE", log: service.log) {
                if lost {
                    tally.recordFailure(sopInstanceUID: record.sopInstanceUID)
                } else {
                    do {
                        let source = FileRegionDataSetSource(
                            path: record.path, offset: record.dataSetOffset,
                            length: record.dataSetLength)
                        let response = try await storage.store(
                            sopClassUID: record.sopClassUID, sopInstanceUID: record.sopInstanceUID, dataSet: source,
                            transferSyntax: record.transferSyntaxUID, moveOriginator: (originator, request.messageID))
                        tally.record(response.status, sopInstanceUID: record.sopInstanceUID)
                    } catch let error as AssociationError {
                        if case .invalidRequest = error {} else { lost = true }
                        service.log("C-MOVE: sub-operation \(record.sopInstanceUID) failed: \(error)")
                        tally.recordFailure(sopInstanceUID: record.sopInstanceUID)
                    } catch {
                        service.log("C-MOVE: sub-operation \(record.sopInstanceUID) failed: \(error)")
                        tally.recordFailure(sopInstanceUID: record.sopInstanceUID)
                        lost = true
                    }
                }
            }
            guard !finalSent, prologue.pendingAfter(position) else { continue }
            do {
                try await responder.pending(tally)
            } catch {
                await storage.abort()  // the requestor is gone: don't leave the sub-association open
                throw error
            }
        }
        if lost { await storage.abort() } else { try? await storage.release() }
        return finalSent
    }
}
