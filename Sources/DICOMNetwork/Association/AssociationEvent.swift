import NIOCore

/// An Upper Layer event (PS3.8 §9.2.1, Table 9-2) with the data it brings: the PDU received, the local
/// primitive's parameters, or what went wrong. The association handler feeds it to the pure
/// `UpperLayerStateMachine` by its number (`event`) and hands it, with the transition the machine returned, to
/// the action that uses its data — so no event data waits in the handler between the two.
enum AssociationEvent {
    /// Evt1: A-ASSOCIATE request (local user, requestor; the A-ASSOCIATE-RQ is the handler's).
    case associateRequest
    /// Evt2: transport connection confirmed (requestor).
    case transportConnected
    /// Evt3: A-ASSOCIATE-AC PDU received.
    case associateAC(AssociateAC)
    /// Evt4: A-ASSOCIATE-RJ PDU received.
    case associateRJ(AssociateRJ)
    /// Evt5: transport connection indication (acceptor).
    case transportAccepted
    /// Evt6: A-ASSOCIATE-RQ PDU received.
    case associateRQ(AssociateRQ)
    /// Evt7 (accept) or Evt8 (reject): the local A-ASSOCIATE response primitive.
    case associateResponse(AcceptorDecision)
    /// Evt9: P-DATA request primitive.
    case pDataRequest(PDataRequest)
    /// Evt10: P-DATA-TF PDU received, as its presentation data values.
    case pDataTF([PresentationDataValue])
    /// Evt11: A-RELEASE request primitive.
    case releaseRequest
    /// Evt12: A-RELEASE-RQ PDU received.
    case releaseRQ
    /// Evt13: A-RELEASE-RP PDU received.
    case releaseRP
    /// Evt14: A-RELEASE response primitive.
    case releaseResponse
    /// Evt15: A-ABORT request primitive, with the A-ABORT to send and why, in words.
    case abortRequest(AbortPDU, detail: String)
    /// Evt16: A-ABORT PDU received.
    case abortPDU(AbortPDU)
    /// Evt17: transport connection closed.
    case transportClosed
    /// Evt18: ARTIM timer expired.
    case artimExpired
    /// Evt19: unrecognized or invalid PDU (or a P-DATA-TF whose values cannot be assembled), with the A-ABORT
    /// to send and why, in words.
    case invalidPDU(AbortPDU, detail: String)

    /// The event's number in PS3.8 Table 9-2, the key of the state transition table.
    var event: UpperLayerEvent {
        switch self {
        case .associateRequest: .evt1
        case .transportConnected: .evt2
        case .associateAC: .evt3
        case .associateRJ: .evt4
        case .transportAccepted: .evt5
        case .associateRQ: .evt6
        case .associateResponse(.accept): .evt7
        case .associateResponse(.reject): .evt8
        case .pDataRequest: .evt9
        case .pDataTF: .evt10
        case .releaseRequest: .evt11
        case .releaseRQ: .evt12
        case .releaseRP: .evt13
        case .releaseResponse: .evt14
        case .abortRequest: .evt15
        case .abortPDU: .evt16
        case .transportClosed: .evt17
        case .artimExpired: .evt18
        case .invalidPDU: .evt19
        }
    }

    /// The A-ABORT to send when this event is a protocol error in `state` (AA-1, AA-8 or a blank cell of
    /// PS3.8 Table 9-10), and what went wrong in words.
    func abort(in state: UpperLayerState) -> (pdu: AbortPDU, detail: String) {
        let unexpected = AbortPDU(source: .serviceProvider, reason: .unexpectedPDU)
        switch self {
        case .abortRequest(let pdu, let detail), .invalidPDU(let pdu, let detail): return (pdu, detail)
        case .associateRQ: return (unexpected, "unexpected A-ASSOCIATE-RQ")
        case .associateAC: return (unexpected, "A-ASSOCIATE-AC not expected in state \(state)")
        case .associateRJ: return (unexpected, "A-ASSOCIATE-RJ not expected in state \(state)")
        case .pDataTF: return (unexpected, "P-DATA-TF not expected in state \(state)")
        case .releaseRQ: return (unexpected, "A-RELEASE-RQ not expected in state \(state)")
        case .releaseRP: return (unexpected, "A-RELEASE-RP not expected in state \(state)")
        case .abortPDU: return (unexpected, "A-ABORT not expected in state \(state)")
        case .associateRequest, .transportConnected, .transportAccepted, .associateResponse, .pDataRequest,
            .releaseRequest, .releaseResponse, .transportClosed, .artimExpired:
            return (unexpected, "\(event) not expected in \(state)")
        }
    }
}

/// The parameters of a P-DATA request primitive (Evt9): P-DATA-TF PDUs already encoded, each as the buffers
/// it is written from (one, or a header and a fragment: `PDataTFWriter.encodeInPlace`).
struct PDataRequest {
    var pdus: [[ByteBuffer]]
    /// Completed when the last PDU is written (backpressure for `sendPData`), or failed when it is not sent.
    var written: EventLoopPromise<Void>?
    /// Messages the association answered itself with these PDUs (a C-STORE-RQ streamed into an
    /// `AnsweringDataSetSink`): handed to the consumer once the answers are flushed, so that the peer, which
    /// waits for them, is not delayed by the consumer's wake-up.
    var answered: [AssociationMessage] = []
    /// A P-DATA-TF that could not be assembled after the answered messages: the Evt19 that follows.
    var thenInvalid: (pdu: AbortPDU, detail: String)?
}
