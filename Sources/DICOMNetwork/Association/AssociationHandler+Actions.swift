import NIOCore

extension AssociationHandler {
    /// Carries out one action of PS3.8 Tables 9-6..9-9 (the state has already moved to `transition.to`,
    /// and the ARTIM command has been applied), with the data `event` brought. Returns the event the action
    /// leads to, if any (AE-6's answer, AR-2's release response, …), for `process(_:)` to handle next.
    func perform(_ transition: UpperLayerTransition, _ event: AssociationEvent) -> AssociationEvent? {
        switch transition.action {
        case .ae1:
            return nil  // the bootstrap opens the transport connection
        case .ae2:
            guard case .requestor(let rq) = side else { return nil }
            write(.associateRQ(rq))
            return nil
        case .ae3:
            guard case .associateAC(let ac) = event else { return nil }
            return associationAccepted(ac)
        case .ae4:
            guard case .associateRJ(let rj) = event else { return nil }
            end(.rejected(rj))
            closeTransport()
            return nil
        case .ae5:
            return nil  // ARTIM started: the peer must send its A-ASSOCIATE-RQ in time
        case .ae6:
            guard case .associateRQ(let rq) = event else { return nil }
            return decide(on: rq)
        case .ae7:
            guard case .associateResponse(.accept(let ac, let negotiated)) = event else { return nil }
            write(.associateAC(ac))
            self.negotiated = negotiated
            if let association = makeAssociation(negotiated), case .acceptor(let hooks) = side {
                hooks.established(association)
            }
            return nil
        case .ae8:
            guard case .associateResponse(.reject(let rj)) = event else { return nil }
            write(.associateRJ(rj))
            end(.rejected(rj))
            return nil
        case .dt1, .ar7:
            guard case .pDataRequest(let request) = event else { return nil }
            return send(request)
        case .dt2, .ar6:
            guard case .pDataTF(let values) = event else { return nil }
            return deliver(values, canAnswer: transition.action == .dt2)
        case .ar1:
            write(.releaseRQ)
            return nil
        case .ar2:
            // A-RELEASE indication: no more messages; we answer at once (A-RELEASE response, Evt14).
            messageContinuation.finish()
            return .releaseResponse
        case .ar3:
            end(nil)
            closeTransport()
            return nil
        case .ar4:
            write(.releaseRP)
            if transition.from == .sta12 || transition.from == .sta8 { end(nil) }
            return nil
        case .ar5:
            end(nil)
            return nil
        case .ar8:
            // Release collision (PS3.8 §9.2.2): the requestor answers first (Sta9 → AR-9), the acceptor
            // waits for the peer's A-RELEASE-RP (Sta10 → AR-10), then answers.
            messageContinuation.finish()
            return transition.to == .sta9 ? .releaseResponse : nil
        case .ar9:
            write(.releaseRP)
            return nil
        case .ar10:
            return .releaseResponse
        case .aa1, .aa8:
            let (pdu, detail) = event.abort(in: transition.from)
            write(.abort(pdu))
            if case .abortRequest = event {
                end(.aborted(pdu, byPeer: false, detail: detail))
            } else {
                end(.protocolError("\(detail); sent A-ABORT \(pdu)"))
            }
            return nil
        case .aa2:
            switch event {
            case .artimExpired:
                end(.timedOut(transition.from.artimExpiryText(after: configuration.artimTimeout)))
            case .abortPDU(let abort):
                end(.aborted(abort, byPeer: true, detail: ""))
            case .associateRequest, .transportConnected, .associateAC, .associateRJ, .transportAccepted,
                .associateRQ, .associateResponse, .pDataRequest, .pDataTF, .releaseRequest, .releaseRQ, .releaseRP,
                .releaseResponse, .abortRequest, .transportClosed, .invalidPDU:
                end(.connectionClosed)
            }
            closeTransport()
            return nil
        case .aa3:
            guard case .abortPDU(let abort) = event else { return nil }
            end(.aborted(abort, byPeer: true, detail: ""))
            closeTransport()
            return nil
        case .aa4, .aa5:
            end(.connectionClosed)
            return nil
        case .aa6:
            return nil  // PDU ignored while waiting for the transport to close
        case .aa7:
            write(.abort(AbortPDU(source: .serviceProvider, reason: .unexpectedPDU)))
            return nil
        case .notApplicable:
            if case .pDataRequest(let request) = event {
                request.written?.fail(endErrorOrNotEstablished())
            }
            // A blank cell. Where the connection is open, the machine moved to Sta13: abort like AA-8.
            guard transition.to == .sta13, transition.from != .sta13 else { return nil }
            let (pdu, detail) = event.abort(in: transition.from)
            write(.abort(pdu))
            end(.protocolError("\(detail); sent A-ABORT \(pdu)"))
            return nil
        }
    }

    /// AE-3: the A-ASSOCIATE-AC arrived. With no usable context we release at once (Evt11) and report it.
    private func associationAccepted(_ ac: AssociateAC) -> AssociationEvent? {
        guard case .requestor(let rq) = side else { return nil }
        do {
            let negotiated = try AssociationRequestor.negotiate(request: rq, accept: ac)
            self.negotiated = negotiated
            _ = makeAssociation(negotiated)
            return nil
        } catch {
            let text = rq.presentationContexts.map { proposal -> String in
                let result = ac.presentationContexts.first { $0.id == proposal.id }
                return "\(proposal.abstractSyntax): \(result?.resultCode?.description ?? "no result")"
            }.joined(separator: "; ")
            establishedPromise?.fail(
                AssociationError.invalidRequest(
                    "the peer accepted none of the proposed presentation contexts (\(text))"))
            establishedPromise = nil
            return .releaseRequest
        }
    }

    /// AE-6: decides on the A-ASSOCIATE-RQ; the answer is Evt7 (accept) or Evt8 (reject), at once or, with
    /// an asynchronous access decision, later.
    private func decide(on rq: AssociateRQ) -> AssociationEvent? {
        guard case .acceptor(let hooks) = side else { return nil }
        let address = context?.channel.remoteAddress
        let decision = hooks.decide(rq, address)
        if case .accept = decision, let decideAfter = hooks.decideAfter, let context {
            awaitDecision(decision, decideAfter: { await decideAfter(rq, address) }, on: context.eventLoop)
            return nil
        }
        return .associateResponse(decision)
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
                this.process(.associateResponse(rejection.map { .reject($0) } ?? decision))
            }
        }
    }

    /// DT-1/AR-7: writes the P-DATA-TF PDUs (one flush), then hands over the messages they answered; an
    /// assembly error that followed them is the next event.
    private func send(_ request: PDataRequest) -> AssociationEvent? {
        guard let context else {
            request.written?.fail(endErrorOrNotEstablished())
            return nil
        }
        for (index, pdu) in request.pdus.enumerated() {
            let last = index == request.pdus.count - 1
            for (part, buffer) in pdu.enumerated() {
                let promise = last && part == pdu.count - 1 ? request.written : nil
                context.write(wrapOutboundOut(buffer), promise: promise)
            }
        }
        if request.pdus.last?.isEmpty ?? true { request.written?.succeed(()) }
        context.flush()
        guard !request.answered.isEmpty else { return nil }
        request.answered.forEach(yield)
        if let invalid = request.thenInvalid { return .invalidPDU(invalid.pdu, detail: invalid.detail) }
        return nil
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
        timers.peerWasHeard(at: now)  // the idle time-out, when configured, runs from here
        return association
    }

    /// DT-2/AR-6: P-DATA indication — assemble messages. Responses the association sends itself (C-STORE-RQs
    /// streamed into an `AnsweringDataSetSink`) go out first, as the P-DATA request returned (one flush for
    /// the whole read: the peer is waiting for them), with the messages they answer; the consumer's wake-up is
    /// off that path. An assembly error is a protocol error (Evt19, A-ABORT) after what completed before it.
    /// `canAnswer` is false in Sta7 (AR-6), where no P-DATA may be sent: nothing is answered there.
    private func deliver(_ values: [PresentationDataValue], canAnswer: Bool) -> AssociationEvent? {
        guard let negotiated else { return nil }
        var completed: [AssociationMessage] = []
        var responses: [[ByteBuffer]] = []
        var invalid: (pdu: AbortPDU, detail: String)?
        for value in values {
            do {
                if let message = try assembler.feed(
                    value, acceptedContexts: negotiated.acceptedContexts,
                    sinkProvider: sinkProvider(for: negotiated))
                {
                    if canAnswer, let response = message.immediateResponse,
                        let fragmenter = try? DIMSEMessageFragmenter(
                            peerMaxPDULength: UInt32(negotiated.maximumPDULengthToSend))
                    {
                        let pdus = fragmenter.pdus(
                            contextID: message.contextID, command: response.encodedCommandSet(), dataSet: nil)
                        responses += pdus.map { [$0] }
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
                invalid = (AbortPDU(source: .serviceProvider, reason: reason), failure.description)
                break
            } catch {
                break
            }
        }
        if !responses.isEmpty {
            return .pDataRequest(PDataRequest(pdus: responses, written: nil, answered: completed, thenInvalid: invalid))
        }
        completed.forEach(yield)
        if let invalid { return .invalidPDU(invalid.pdu, detail: invalid.detail) }
        return nil
    }

    /// The configured sink provider, the association-aware one bound to `negotiated` when only it is set.
    private func sinkProvider(for negotiated: NegotiatedAssociation) -> DataSetSinkProvider? {
        if let plain = configuration.dataSetSinkProvider { return plain }
        guard let provider = configuration.associationDataSetSinkProvider else { return nil }
        return { provider(negotiated, $0, $1, $2) }
    }
}
