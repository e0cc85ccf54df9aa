import DICOMCore
import DICOMNetwork
import Foundation

/// C-GET SCP (PS3.4 C.4.3.3): the selected instances go back as C-STORE sub-operations on the same
/// association, on a context whose SOP class and transfer syntax match the file and for which the
/// requestor took the SCP role (role selection, PS3.7 D.3.3.4); an instance without such a context is a
/// failed sub-operation. Pending responses, cancel, final status and test faults as for C-MOVE
/// (`early-final` and `own-originator` are C-MOVE only).
struct GetOperation: Sendable {
    let service: QRSCPAssociationService
    let request: CGetRQ
    let message: AssociationMessage
    let signals: OperationSignals

    func run() async {
        let association = service.association
        let responder = RetrieveResponder(service: service, message: message, request: request, CGet.self)
        await responder.run("C-GET", log: service.log) {
            let prologue = try RetrievePrologue(
                service: service, message: message, transferSyntax: responder.transferSyntax,
                sopClassUID: request.affectedSOPClassUID, command: "C-GET", sopClass: \.getSOPClassUID)
            let records = prologue.records
            var tally = SubOperationTally(total: records.count)
            var responses = signals.storeResponses.makeAsyncIterator()
            var lost = false
            let stalled = await prologue.stallIfAsked(signals, command: "C-GET", log: service.log)
            if stalled { tally.cancel() }
            for (position, record) in zip(1..., records) where !stalled {
                if signals.isCancelled {
                    tally.cancel()
                    break
                }
                if prologue.shouldSend(position, record, tally: &tally, command: "C-GET", log: service.log) {
                    if let context = lost ? nil : storageContext(for: record) {
                        let store = CStoreRQ(
                            messageID: association.nextMessageID(), affectedSOPClassUID: record.sopClassUID,
                            affectedSOPInstanceUID: record.sopInstanceUID)
                        do {
                            let source = FileRegionDataSetSource(
                                path: record.path, offset: record.dataSetOffset,
                                length: record.dataSetLength)
                            try await association.send(
                                command: store.encodedCommandSet(), dataSet: source, contextID: context.id)
                        } catch {
                            service.log("C-GET: sub-operation \(record.sopInstanceUID) failed: \(error)")
                            tally.recordFailure(sopInstanceUID: record.sopInstanceUID)
                            lost = true
                            continue
                        }
                        var answered = false
                        while let response = await responses.next() {
                            guard response.messageIDBeingRespondedTo == store.messageID else { continue }
                            tally.record(response.status, sopInstanceUID: record.sopInstanceUID)
                            answered = true
                            break
                        }
                        if !answered {
                            tally.recordFailure(sopInstanceUID: record.sopInstanceUID)
                            lost = true
                            continue
                        }
                    } else {
                        if !lost {
                            service.log(
                                "C-GET: no accepted context with the SCP role for \(record.sopClassUID) in \(record.transferSyntaxUID)"
                            )
                        }
                        tally.recordFailure(sopInstanceUID: record.sopInstanceUID)
                    }
                }
                if prologue.pendingAfter(position) { try await responder.pending(tally) }
            }
            service.log(prologue.summary("C-GET", tally))
            if !lost { try await responder.final(tally) }
        }
    }

    /// The accepted context for the record's SOP class and transfer syntax on which we may act as SCU
    /// of the storage service (the requestor took the SCP role).
    private func storageContext(for record: InstanceRecord) -> AcceptedPresentationContext? {
        service.association.negotiated.acceptedContexts.values
            .filter {
                $0.abstractSyntax == record.sopClassUID && $0.transferSyntax == record.transferSyntaxUID
                    && $0.requestorIsSCP
            }
            .min { $0.id < $1.id }
    }
}
