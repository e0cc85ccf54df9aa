/// PS3.8 §9.2.3 Table 9-10 (DICOM Upper Layer Protocol State Transition Table), transcribed one state at a
/// time with exhaustive switches over the events (no `default:`).
///
/// The table gives the action for each (state, event); the action determines the next state (Tables
/// 9-6..9-9, see ``nextState(after:from:role:)``) and what happens to the ARTIM timer (see
/// ``artimCommand(after:from:)``). The one deliberate deviation, Evt18 → AA-2 in Sta5 and Sta7, is marked
/// where it occurs and explained on ``UpperLayerStateMachine``.
enum UpperLayerTransitionTable {
    /// The transition for `event` in `state`; `role` only matters for AR-8.
    static func transition(
        from state: UpperLayerState,
        on event: UpperLayerEvent,
        role: UpperLayerRole
    ) -> UpperLayerTransition {
        let action = action(in: state, on: event)
        return UpperLayerTransition(
            from: state,
            event: event,
            action: action,
            to: nextState(after: action, from: state, role: role),
            artim: artimCommand(after: action, from: state)
        )
    }

    /// The action of Table 9-10's cell (state, event).
    static func action(in state: UpperLayerState, on event: UpperLayerEvent) -> UpperLayerAction {
        switch state {
        case .sta1: idle(event)
        case .sta2: awaitingAssociateRequest(event)
        case .sta3: awaitingLocalAssociateResponse(event)
        case .sta4: awaitingTransportConnection(event)
        case .sta5: awaitingAssociateAnswer(event)
        case .sta6: dataTransfer(event)
        case .sta7: awaitingReleaseResponsePDU(event)
        case .sta8: awaitingLocalReleaseResponse(event)
        case .sta9: collisionRequestorAwaitingLocalResponse(event)
        case .sta10: collisionAcceptorAwaitingReleaseResponsePDU(event)
        case .sta11: collisionRequestorAwaitingReleaseResponsePDU(event)
        case .sta12: collisionAcceptorAwaitingLocalResponse(event)
        case .sta13: awaitingTransportClose(event)
        }
    }

    // MARK: - One function per state (a column of Table 9-10)

    /// Sta1: Idle.
    private static func idle(_ event: UpperLayerEvent) -> UpperLayerAction {
        switch event {
        case .evt1: .ae1
        case .evt5: .ae5
        case .evt2, .evt3, .evt4, .evt6, .evt7, .evt8, .evt9, .evt10, .evt11, .evt12, .evt13, .evt14, .evt15,
            .evt16, .evt17, .evt18, .evt19:
            .notApplicable
        }
    }

    /// Sta2: Transport connection open, awaiting A-ASSOCIATE-RQ PDU (acceptor).
    private static func awaitingAssociateRequest(_ event: UpperLayerEvent) -> UpperLayerAction {
        switch event {
        case .evt3, .evt4, .evt10, .evt12, .evt13, .evt19: .aa1
        case .evt6: .ae6
        case .evt16: .aa2
        case .evt17: .aa5
        case .evt18: .aa2
        case .evt1, .evt2, .evt5, .evt7, .evt8, .evt9, .evt11, .evt14, .evt15: .notApplicable
        }
    }

    /// Sta3: Awaiting local A-ASSOCIATE response primitive.
    private static func awaitingLocalAssociateResponse(_ event: UpperLayerEvent) -> UpperLayerAction {
        switch event {
        case .evt3, .evt4, .evt6, .evt10, .evt12, .evt13, .evt19: .aa8
        case .evt7: .ae7
        case .evt8: .ae8
        case .evt15: .aa1
        case .evt16: .aa3
        case .evt17: .aa4
        case .evt1, .evt2, .evt5, .evt9, .evt11, .evt14, .evt18: .notApplicable
        }
    }

    /// Sta4: Awaiting transport connection opening to complete (requestor).
    private static func awaitingTransportConnection(_ event: UpperLayerEvent) -> UpperLayerAction {
        switch event {
        case .evt2: .ae2
        case .evt15: .aa2
        case .evt17: .aa4
        case .evt1, .evt3, .evt4, .evt5, .evt6, .evt7, .evt8, .evt9, .evt10, .evt11, .evt12, .evt13, .evt14,
            .evt16, .evt18, .evt19:
            .notApplicable
        }
    }

    /// Sta5: Awaiting A-ASSOCIATE-AC or A-ASSOCIATE-RJ PDU.
    private static func awaitingAssociateAnswer(_ event: UpperLayerEvent) -> UpperLayerAction {
        switch event {
        case .evt3: .ae3
        case .evt4: .ae4
        case .evt6, .evt10, .evt12, .evt13, .evt19: .aa8
        case .evt15: .aa1
        case .evt16: .aa3
        case .evt17: .aa4
        case .evt18: .aa2  // Deviation (DCMTK): blank in PS3.8; the peer never answered the A-ASSOCIATE-RQ.
        case .evt1, .evt2, .evt5, .evt7, .evt8, .evt9, .evt11, .evt14: .notApplicable
        }
    }

    /// Sta6: Association established, ready for data transfer.
    private static func dataTransfer(_ event: UpperLayerEvent) -> UpperLayerAction {
        switch event {
        case .evt3, .evt4, .evt6, .evt13, .evt19: .aa8
        case .evt9: .dt1
        case .evt10: .dt2
        case .evt11: .ar1
        case .evt12: .ar2
        case .evt15: .aa1
        case .evt16: .aa3
        case .evt17: .aa4
        case .evt1, .evt2, .evt5, .evt7, .evt8, .evt14, .evt18: .notApplicable
        }
    }

    /// Sta7: Awaiting A-RELEASE-RP PDU.
    private static func awaitingReleaseResponsePDU(_ event: UpperLayerEvent) -> UpperLayerAction {
        switch event {
        case .evt3, .evt4, .evt6, .evt19: .aa8
        case .evt10: .ar6
        case .evt12: .ar8
        case .evt13: .ar3
        case .evt15: .aa1
        case .evt16: .aa3
        case .evt17: .aa4
        case .evt18: .aa2  // Deviation (DCMTK): blank in PS3.8; the peer never answered the A-RELEASE-RQ.
        case .evt1, .evt2, .evt5, .evt7, .evt8, .evt9, .evt11, .evt14: .notApplicable
        }
    }

    /// Sta8: Awaiting local A-RELEASE response primitive.
    private static func awaitingLocalReleaseResponse(_ event: UpperLayerEvent) -> UpperLayerAction {
        switch event {
        case .evt3, .evt4, .evt6, .evt10, .evt12, .evt13, .evt19: .aa8
        case .evt9: .ar7
        case .evt14: .ar4
        case .evt15: .aa1
        case .evt16: .aa3
        case .evt17: .aa4
        case .evt1, .evt2, .evt5, .evt7, .evt8, .evt11, .evt18: .notApplicable
        }
    }

    /// Sta9: Release collision requestor side; awaiting A-RELEASE response primitive.
    private static func collisionRequestorAwaitingLocalResponse(_ event: UpperLayerEvent) -> UpperLayerAction {
        switch event {
        case .evt3, .evt4, .evt6, .evt10, .evt12, .evt13, .evt19: .aa8
        case .evt14: .ar9
        case .evt15: .aa1
        case .evt16: .aa3
        case .evt17: .aa4
        case .evt1, .evt2, .evt5, .evt7, .evt8, .evt9, .evt11, .evt18: .notApplicable
        }
    }

    /// Sta10: Release collision acceptor side; awaiting A-RELEASE-RP PDU.
    private static func collisionAcceptorAwaitingReleaseResponsePDU(_ event: UpperLayerEvent) -> UpperLayerAction {
        switch event {
        case .evt3, .evt4, .evt6, .evt10, .evt12, .evt19: .aa8
        case .evt13: .ar10
        case .evt15: .aa1
        case .evt16: .aa3
        case .evt17: .aa4
        case .evt1, .evt2, .evt5, .evt7, .evt8, .evt9, .evt11, .evt14, .evt18: .notApplicable
        }
    }

    /// Sta11: Release collision requestor side; awaiting A-RELEASE-RP PDU.
    private static func collisionRequestorAwaitingReleaseResponsePDU(_ event: UpperLayerEvent) -> UpperLayerAction {
        switch event {
        case .evt3, .evt4, .evt6, .evt10, .evt12, .evt19: .aa8
        case .evt13: .ar3
        case .evt15: .aa1
        case .evt16: .aa3
        case .evt17: .aa4
        case .evt1, .evt2, .evt5, .evt7, .evt8, .evt9, .evt11, .evt14, .evt18: .notApplicable
        }
    }

    /// Sta12: Release collision acceptor side; awaiting A-RELEASE response primitive.
    private static func collisionAcceptorAwaitingLocalResponse(_ event: UpperLayerEvent) -> UpperLayerAction {
        switch event {
        case .evt3, .evt4, .evt6, .evt10, .evt12, .evt13, .evt19: .aa8
        case .evt14: .ar4
        case .evt15: .aa1
        case .evt16: .aa3
        case .evt17: .aa4
        case .evt1, .evt2, .evt5, .evt7, .evt8, .evt9, .evt11, .evt18: .notApplicable
        }
    }

    /// Sta13: Awaiting transport connection close indication (association no longer exists).
    private static func awaitingTransportClose(_ event: UpperLayerEvent) -> UpperLayerAction {
        switch event {
        case .evt3, .evt4, .evt10, .evt12, .evt13: .aa6
        case .evt6, .evt19: .aa7
        case .evt16: .aa2
        case .evt17: .ar5
        case .evt18: .aa2
        case .evt1, .evt2, .evt5, .evt7, .evt8, .evt9, .evt11, .evt14, .evt15: .notApplicable
        }
    }

    // MARK: - What each action implies (Tables 9-6..9-9)

    /// The next state named by the action's definition. AE-6 is given its "acceptable" branch (Sta3); the
    /// state machine overrides it for the reject branch. A blank cell follows the rule documented on
    /// ``UpperLayerAction/notApplicable``.
    static func nextState(
        after action: UpperLayerAction,
        from state: UpperLayerState,
        role: UpperLayerRole
    ) -> UpperLayerState {
        switch action {
        case .ae1: .sta4
        case .ae2: .sta5
        case .ae3, .ae7, .dt1, .dt2: .sta6
        case .ae4, .ar3, .ar5, .aa2, .aa3, .aa4, .aa5: .sta1
        case .ae5: .sta2
        case .ae6: .sta3
        case .ae8, .ar4, .aa1, .aa6, .aa7, .aa8: .sta13
        case .ar1, .ar6: .sta7
        case .ar2, .ar7: .sta8
        case .ar8:
            switch role {
            case .requestor: .sta9
            case .acceptor: .sta10
            }
        case .ar9: .sta11
        case .ar10: .sta12
        case .notApplicable: abortsOnProtocolError(state) ? .sta13 : state
        }
    }

    /// What the ARTIM timer does after the action (PS3.8 §9.1.5 and the action definitions, plus the AE-2 /
    /// AR-1 deviation). Actions that end in Sta1 stop it, so no stale expiry can reach an idle machine.
    static func artimCommand(after action: UpperLayerAction, from state: UpperLayerState) -> ARTIMCommand {
        switch action {
        case .ae2, .ar1: .start  // Deviation (DCMTK): bound the wait for A-ASSOCIATE-AC/RJ and A-RELEASE-RP.
        case .ae5, .ae8, .ar4, .aa1, .aa8: .start
        case .ae3, .ae4, .ar3: .stop  // The answer the deviation's timer was waiting for has arrived.
        case .ae6: .stop  // "Acceptable" branch; the reject branch restarts it.
        case .ar5, .aa2, .aa3, .aa4, .aa5: .stop
        case .ae1, .ae7, .dt1, .dt2, .ar2, .ar6, .ar7, .ar8, .ar9, .ar10, .aa6, .aa7: .unchanged
        case .notApplicable: abortsOnProtocolError(state) ? .start : .unchanged
        }
    }

    /// Whether a blank cell in `state` is handled like AA-8 (an open transport connection with an association
    /// being set up, in use or released), rather than left alone (Sta1, Sta4, Sta13: nothing to abort).
    static func abortsOnProtocolError(_ state: UpperLayerState) -> Bool {
        switch state {
        case .sta1, .sta4, .sta13: false
        case .sta2, .sta3, .sta5, .sta6, .sta7, .sta8, .sta9, .sta10, .sta11, .sta12: true
        }
    }
}
