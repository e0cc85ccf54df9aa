import DICOMCore
import DICOMNetwork
import Foundation

/// Serves one association of the test Q/R SCP. One task reads every incoming message: requests start an
/// operation (run in its own task so that a C-CANCEL-RQ or, during C-GET, the C-STORE-RSPs can still be
/// read), cancels and store responses go to the operation in progress. Operations are synchronous (no
/// asynchronous operations window): a new request waits for the previous operation to end.
struct QRSCPAssociationService: Sendable {
    let association: DICOMAssociation
    let configuration: QRSCPConfiguration
    let index: InstanceIndex
    let storage: ReceivedInstanceWriter
    /// `CALLING_AE@address`, for the log (taken at the start: the address is gone once the socket closes).
    let peer: String

    init(
        association: DICOMAssociation, configuration: QRSCPConfiguration, index: InstanceIndex,
        storage: ReceivedInstanceWriter
    ) {
        self.association = association
        self.configuration = configuration
        self.index = index
        self.storage = storage
        self.peer = "\(association.negotiated.callingAETitle)@\(association.remoteAddress?.ipAddress ?? "?")"
    }

    func run() async {
        let log = configuration.log
        log(
            "qrscp: association from \(peer) to \(association.negotiated.calledAETitle), \(association.negotiated.acceptedContexts.count) context(s) accepted"
        )
        var running: (signals: OperationSignals, task: Task<Void, Never>)?
        do {
            reading: for try await message in association.messages {
                let dimse: DIMSEMessage
                do {
                    dimse = try message.dimse()
                } catch {
                    log("qrscp: \(peer): undecodable DIMSE message (\(error)); aborting")
                    await association.abort()
                    break reading
                }
                switch dimse {
                case .cCancelRQ(let cancel):
                    if let running, running.signals.messageID == cancel.messageIDBeingRespondedTo {
                        running.signals.cancel()
                    }
                    continue
                case .cStoreRSP(let response):
                    if let running { running.signals.deliver(response) }
                    continue
                case .cEchoRSP, .cFindRSP, .cMoveRSP, .cGetRSP:
                    log("qrscp: \(peer): unexpected \(dimse.commandField); aborting")
                    await association.abort()
                    break reading
                case .cEchoRQ, .cStoreRQ, .cFindRQ, .cMoveRQ, .cGetRQ:
                    break
                }
                if let previous = running {
                    previous.signals.finish()
                    await previous.task.value
                    running = nil
                }
                let transferSyntax = association.negotiated.acceptedContexts[message.contextID]?.transferSyntax ?? ""
                switch dimse {
                case .cEchoRQ(let request):
                    log("qrscp: \(peer): C-ECHO")
                    try await association.send(CEchoRSP(respondingTo: request), contextID: message.contextID)
                case .cStoreRQ(let request):
                    let status = storage.store(
                        request, transferSyntax: transferSyntax, dataSet: message.dataSet,
                        callingAETitle: association.negotiated.callingAETitle)
                    log("qrscp: \(peer): C-STORE \(request.affectedSOPInstanceUID) → \(status)")
                    try await association.send(
                        CStoreRSP(respondingTo: request, status: status), contextID: message.contextID)
                case .cFindRQ(let request):
                    let signals = OperationSignals(messageID: request.messageID)
                    let operation = FindOperation(service: self, request: request, message: message, signals: signals)
                    running = (signals, Task { await operation.run() })
                case .cMoveRQ(let request):
                    let signals = OperationSignals(messageID: request.messageID)
                    let operation = MoveOperation(service: self, request: request, message: message, signals: signals)
                    running = (signals, Task { await operation.run() })
                case .cGetRQ(let request):
                    let signals = OperationSignals(messageID: request.messageID)
                    let operation = GetOperation(service: self, request: request, message: message, signals: signals)
                    running = (signals, Task { await operation.run() })
                case .cCancelRQ, .cStoreRSP, .cEchoRSP, .cFindRSP, .cMoveRSP, .cGetRSP:
                    break
                }
            }
            if let running {
                running.signals.finish()
                await running.task.value
            }
            log("qrscp: association from \(peer) released")
        } catch {
            if let running {
                running.signals.cancel()
                running.signals.finish()
                await running.task.value
            }
            log("qrscp: association from \(peer) ended: \(error)")
        }
    }

    /// The records of the index now.
    var records: [InstanceRecord] { index.snapshot() }

    func log(_ line: String) { configuration.log("qrscp: \(peer): \(line)") }
}
