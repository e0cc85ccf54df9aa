import DICOMCore
import DICOMNetwork
import Foundation

/// C-MOVE SCP (PS3.4 C.4.2.3): looks up the Move Destination (0xA801 if unknown), selects the instances
/// (`RetrieveSelection`), opens one association to the destination as Storage SCU proposing each
/// (SOP class, transfer syntax) pair of the selection, and sends each file streamed from disk with the
/// Move Originator AE title and message ID. One pending response per sub-operation; the final status
/// follows `SubOperationTally`. A C-CANCEL-RQ stops issuing sub-operations (final 0xFE00 with the
/// number not initiated as Remaining). A destination that cannot be reached: every sub-operation
/// fails (final 0xA702). No sub-association is opened when nothing matches.
struct MoveOperation: Sendable {
    let service: QRSCPAssociationService
    let request: CMoveRQ
    let message: AssociationMessage
    let signals: OperationSignals

    /// Most presentation contexts proposed on a sub-association (PS3.8: odd IDs 1…255).
    static let maximumContexts = 128

    func run() async {
        let association = service.association
        let transferSyntax = association.negotiated.acceptedContexts[message.contextID]?.transferSyntax ?? ""
        let request = self.request
        let responder = RetrieveResponder(
            association: association, contextID: message.contextID,
            transferSyntax: transferSyntax
        ) { status, counts, identifier, comment in
            CMoveRSP(
                respondingTo: request, status: status, subOperations: counts, hasIdentifier: identifier,
                errorComment: comment)
        }
        let destinationAE = request.moveDestination.trimmingCharacters(in: .whitespaces)
        do {
            guard let model = QueryRetrieveModel(sopClassUID: request.affectedSOPClassUID),
                model.moveSOPClassUID == request.affectedSOPClassUID
            else {
                throw QueryFailure(
                    .sopClassNotSupported, "C-MOVE on \(request.affectedSOPClassUID), which is not a MOVE SOP class")
            }
            guard let destination = service.configuration.destinations[destinationAE] else {
                throw QueryFailure(.moveDestinationUnknown, "unknown move destination \"\(destinationAE)\"")
            }
            let identifier = try IdentifierCoding.decode(message, transferSyntax: transferSyntax)
            let records = try RetrieveSelection.instances(for: identifier, model: model, in: service.records)
            var tally = SubOperationTally(total: records.count)
            if !records.isEmpty {
                try await send(records, to: destinationAE, at: destination, tally: &tally, responder: responder)
            }
            service.log(
                "C-MOVE \(model.displayName) to \(destinationAE): \(records.count) match(es), completed \(tally.completed), failed \(tally.failed), warning \(tally.warning) → \(tally.finalStatus)"
            )
            try await responder.final(tally)
        } catch let failure as QueryFailure {
            service.log("C-MOVE to \(destinationAE) failed: \(failure)")
            try? await responder.failure(failure)
        } catch {
            service.log("C-MOVE to \(destinationAE) ended: \(error)")
        }
    }

    private func send(
        _ records: [InstanceRecord], to aeTitle: String, at destination: MoveDestination,
        tally: inout SubOperationTally, responder: RetrieveResponder
    ) async throws {
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
            return
        }
        var lost = false
        for record in records {
            if signals.isCancelled {
                tally.cancel()
                break
            }
            if lost {
                tally.recordFailure(sopInstanceUID: record.sopInstanceUID)
            } else {
                do {
                    let source = FileRegionDataSetSource(
                        path: record.path, offset: record.dataSetOffset,
                        length: record.dataSetLength)
                    let response = try await storage.store(
                        sopClassUID: record.sopClassUID, sopInstanceUID: record.sopInstanceUID, dataSet: source,
                        transferSyntax: record.transferSyntaxUID,
                        moveOriginator: (service.association.negotiated.callingAETitle, request.messageID))
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
            do {
                try await responder.pending(tally)
            } catch {
                await storage.abort()  // the requestor is gone: don't leave the sub-association open
                throw error
            }
        }
        if lost { await storage.abort() } else { try? await storage.release() }
    }
}
