import NIOCore

extension AssociationHandler {
    /// Carries out one action of PS3.8 Tables 9-6..9-9 (the state has already moved to `transition.to`,
    /// and the ARTIM command has been applied).
    func perform(_ transition: UpperLayerTransition) {
        switch transition.action {
        case .ae1:
            break  // the bootstrap opens the transport connection
        case .ae2:
            guard case .requestor(let rq) = side else { return }
            write(.associateRQ(rq))
        case .ae3:
            associationAccepted()
        case .ae4:
            let rj = receivedRJ ?? .noReasonGiven
            end(.rejected(rj))
            closeTransport()
        case .ae5:
            break  // ARTIM started: the peer must send its A-ASSOCIATE-RQ in time
        case .ae6:
            decideOnRequest()
        case .ae7:
            guard case .accept(let ac, let negotiated)? = pendingDecision else { return }
            write(.associateAC(ac))
            self.negotiated = negotiated
            if let association = makeAssociation(negotiated), case .acceptor(let hooks) = side {
                hooks.established(association)
            }
        case .ae8:
            guard case .reject(let rj)? = pendingDecision else { return }
            write(.associateRJ(rj))
            end(.rejected(rj))
        case .dt1, .ar7:
            guard let context, let parts = pendingPData else { return }
            pendingPData = nil
            for part in parts { lastPDataWrite = context.write(wrapOutboundOut(part)) }
        case .dt2, .ar6:
            deliver(receivedPDVs)
            receivedPDVs = []
        case .ar1:
            write(.releaseRQ)
        case .ar2:
            // A-RELEASE indication: no more messages; we answer at once (A-RELEASE response, Evt14).
            messageContinuation.finish()
            fire(.evt14)
        case .ar3:
            end(nil)
            closeTransport()
        case .ar4:
            write(.releaseRP)
            if transition.from == .sta12 || transition.from == .sta8 { end(nil) }
        case .ar5:
            end(nil)
        case .ar8:
            // Release collision (PS3.8 §9.2.2): the requestor answers first (Sta9 → AR-9), the acceptor
            // waits for the peer's A-RELEASE-RP (Sta10 → AR-10), then answers.
            messageContinuation.finish()
            if machine.state == .sta9 { fire(.evt14) }
        case .ar9:
            write(.releaseRP)
        case .ar10:
            fire(.evt14)
        case .aa1, .aa8:
            let (pdu, detail) = sendAbort(for: transition)
            if transition.event == .evt15 {
                end(.aborted(pdu, byPeer: false, detail: detail))
            } else {
                end(.protocolError("\(detail); sent A-ABORT \(pdu)"))
            }
        case .aa2:
            if transition.event == .evt18 {
                end(.timedOut(transition.from.artimExpiryText(after: configuration.artimTimeout)))
            } else if transition.event == .evt16, let abort = receivedAbort {
                end(.aborted(abort, byPeer: true, detail: ""))
            } else {
                end(.connectionClosed)
            }
            closeTransport()
        case .aa3:
            end(.aborted(receivedAbort ?? .serviceUser, byPeer: true, detail: ""))
            closeTransport()
        case .aa4:
            end(.connectionClosed)
        case .aa5:
            end(.connectionClosed)
        case .aa6:
            break  // PDU ignored while waiting for the transport to close
        case .aa7:
            write(.abort(AbortPDU(source: .serviceProvider, reason: .unexpectedPDU)))
        case .notApplicable:
            // A blank cell. Where the connection is open, the machine moved to Sta13: abort like AA-8.
            guard transition.to == .sta13, transition.from != .sta13 else { return }
            let (pdu, detail) = sendAbort(for: transition)
            end(.protocolError("\(detail); sent A-ABORT \(pdu)"))
        }
    }

    /// AE-3: the A-ASSOCIATE-AC arrived. With no usable context we release at once and report it.
    private func associationAccepted() {
        guard case .requestor(let rq) = side, let ac = receivedAC else { return }
        do {
            let negotiated = try AssociationRequestor.negotiate(request: rq, accept: ac)
            self.negotiated = negotiated
            _ = makeAssociation(negotiated)
        } catch {
            let text = rq.presentationContexts.map { proposal -> String in
                let result = ac.presentationContexts.first { $0.id == proposal.id }
                return "\(proposal.abstractSyntax): \(result?.resultCode?.description ?? "no result")"
            }.joined(separator: "; ")
            establishedPromise?.fail(
                AssociationError.invalidRequest(
                    "the peer accepted none of the proposed presentation contexts (\(text))"))
            establishedPromise = nil
            fire(.evt11)
        }
    }

    /// AE-6: decide on the A-ASSOCIATE-RQ, then answer with Evt7 (accept) or Evt8 (reject).
    private func decideOnRequest() {
        guard case .acceptor(let hooks) = side, let rq = receivedRQ else { return }
        let address = context?.channel.remoteAddress
        let decision = hooks.decide(rq, address)
        if case .accept = decision, let decideAfter = hooks.decideAfter, let context {
            awaitDecision(decision, decideAfter: { await decideAfter(rq, address) }, on: context.eventLoop)
            return
        }
        answer(decision)
    }

    /// The asynchronous part of AE-6 (`AcceptorHooks.decideAfter`): the answer waits for it, then goes out
    /// on the event loop if the peer is still waiting for it (Sta3).
    private func awaitDecision(
        _ decision: AcceptorDecision, decideAfter: @escaping @Sendable () async -> AssociateRJ?,
        on eventLoop: any EventLoop
    ) {
        let handler = NIOLoopBound(self, eventLoop: eventLoop)
        Task {
            let rejection = await decideAfter()
            eventLoop.execute {
                let this = handler.value
                guard this.machine.state == .sta3 else { return }  // the peer aborted or left meanwhile
                this.answer(rejection.map { .reject($0) } ?? decision)
            }
        }
    }

    private func answer(_ decision: AcceptorDecision) {
        pendingDecision = decision
        switch decision {
        case .accept: fire(.evt7)
        case .reject: fire(.evt8)
        }
    }

    /// Builds the public association object and completes the connect promise.
    private func makeAssociation(_ negotiated: NegotiatedAssociation) -> DICOMAssociation? {
        guard let context else { return nil }
        configuration.logger.info(
            "association established",
            metadata: [
                "calling": "\(negotiated.callingAETitle)", "called": "\(negotiated.calledAETitle)",
                "contexts": "\(negotiated.acceptedContexts.count)",
                "peer": "\(context.channel.remoteAddress.map { "\($0)" } ?? "?")",
            ])
        let association = DICOMAssociation(
            channel: context.channel,
            handler: NIOLoopBound(self, eventLoop: context.eventLoop),
            negotiated: negotiated, messages: messages,
            closed: closedPromise.futureResult, overTLS: configuration.transportSecurity != nil)
        establishedPromise?.succeed(association)
        establishedPromise = nil
        silentSince = .now()
        armSilenceTimer()  // the idle time-out, when configured, runs from here
        return association
    }

    /// AA-1/AA-8 (PS3.8 §9.2, Table 9-9): sends the A-ABORT an action left in `pendingAbort`, or one for an
    /// unexpected PDU; returns it and what went wrong.
    private func sendAbort(for transition: UpperLayerTransition) -> (AbortPDU, String) {
        let (pdu, detail) =
            pendingAbort ?? (
                AbortPDU(source: .serviceProvider, reason: .unexpectedPDU),
                "\(transition.event) not expected in \(transition.from)"
            )
        pendingAbort = nil
        write(.abort(pdu))
        return (pdu, detail)
    }

    /// DT-2/AR-6: P-DATA indication — assemble messages. An assembly error is a protocol error: A-ABORT.
    private func deliver(_ values: [PresentationDataValue]) {
        guard let negotiated else { return }
        // Responses the association sends itself go out first (one flush for the whole read: the peer is
        // waiting for them), then the messages go to the consumer, whose wake-up is off that path.
        var completed: [AssociationMessage] = []
        var responses: [ByteBuffer] = []
        func handOver() {
            if !responses.isEmpty { _ = sendPData(responses.map { [$0] }) }
            responses = []
            completed.forEach(yield)
            completed = []
        }
        for value in values {
            do {
                if var message = try assembler.feed(
                    value, acceptedContexts: negotiated.acceptedContexts,
                    sinkProvider: sinkProvider(for: negotiated))
                {
                    if let (status, pdus) = immediateResponse(to: message, negotiated: negotiated) {
                        message.answeredStatus = status
                        responses += pdus
                    }
                    completed.append(message)
                }
            } catch let failure as MessageAssembler.Failure {
                let reason: AbortReason
                switch failure {
                case .unknownContext: reason = .invalidPDUParameterValue
                case .assembly: reason = .unexpectedPDUParameter
                case .dataSetTooLarge: reason = .notSpecified
                }
                handOver()  // what completed before the error still reaches the consumer
                pendingAbort = (AbortPDU(source: .serviceProvider, reason: reason), failure.description)
                fire(.evt19)
                return
            } catch {
                handOver()
                return
            }
        }
        handOver()
        // Mid-message the DIMSE time-out applies, between messages the idle one (if any).
        armSilenceTimer()
    }

    /// The C-STORE-RSP for a C-STORE-RQ whose data set went into an `AnsweringDataSetSink`, encoded as
    /// P-DATA-TF PDUs: answered here on the event loop (PS3.7 §9.3.1.2), without waiting for the consumer.
    /// The responses of one read go out together in one flush.
    private func immediateResponse(
        to message: AssociationMessage,
        negotiated: NegotiatedAssociation
    ) -> (DIMSEStatus, [ByteBuffer])? {
        guard let sink = message.sink as? any AnsweringDataSetSink,
            case .success(.cStoreRQ(let request)) = message.decoded,
            let fragmenter = try? DIMSEMessageFragmenter(peerMaxPDULength: UInt32(negotiated.maximumPDULengthToSend))
        else { return nil }
        let status = sink.responseStatus
        let response = CStoreRSP(respondingTo: request, status: status)
        return (
            status, fragmenter.pdus(contextID: message.contextID, command: response.encodedCommandSet(), dataSet: nil)
        )
    }

    /// The configured sink provider, the association-aware one bound to `negotiated` when only it is set.
    private func sinkProvider(for negotiated: NegotiatedAssociation) -> DataSetSinkProvider? {
        if let plain = configuration.dataSetSinkProvider { return plain }
        guard let provider = configuration.associationDataSetSinkProvider else { return nil }
        return { provider(negotiated, $0, $1, $2) }
    }
}
