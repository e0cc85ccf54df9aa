/// The DICOM Upper Layer protocol machine (PS3.8 §9.2): a pure value that turns (state, event) into the
/// action to carry out, the next state and what to do with the ARTIM timer.
///
/// No I/O, no timers, no NIO: the association handler feeds events (PDUs decoded, primitives from the local
/// user, transport and timer notifications) to ``handle(_:)`` and executes the returned
/// ``UpperLayerTransition``. The table (PS3.8 Table 9-10) is transcribed with exhaustive switches, one per
/// state, with no `default:`; blank cells are ``UpperLayerAction/notApplicable``.
///
/// ## Deviation from the standard: ARTIM while awaiting the peer's answer
/// PS3.8 defines ARTIM expiry (Evt18) only in Sta2 and Sta13. Like DCMTK (`dulfsm.cc`, action `AA_2T`),
/// this machine also starts ARTIM with AE-2 (after sending A-ASSOCIATE-RQ, Sta5) and AR-1 (after sending
/// A-RELEASE-RQ, Sta7), and handles Evt18 in Sta5 and Sta7 with AA-2 (close the transport connection, Sta1),
/// so that a peer that never answers cannot hold the association open forever. The timer is stopped again
/// when the answer arrives (AE-3, AE-4, AR-3). During a release collision (Sta9–Sta12) the timer started by
/// AR-1 keeps running; its expiry there is a blank cell (``UpperLayerAction/notApplicable``), which the
/// handler turns into an A-ABORT, so a collision cannot hang either.
public struct UpperLayerStateMachine: Sendable {
    /// The current state (Sta1 until the first event).
    public private(set) var state: UpperLayerState

    /// Requestor or acceptor, which decides where AR-8 (release collision) leads.
    ///
    /// Set by Evt1 (→ requestor) or Evt5 (→ acceptor) in Sta1, or given to ``init(state:role:)``.
    public private(set) var role: UpperLayerRole

    /// A machine in `state` (Sta1 by default). The role is the one the state implies: acceptor for Sta2 and
    /// Sta3, requestor otherwise; a machine starting in Sta1 learns its role from its first event.
    public init(state: UpperLayerState = .sta1) {
        self.init(state: state, role: state == .sta2 || state == .sta3 ? .acceptor : .requestor)
    }

    /// A machine in `state` on the given side of the association (useful to resume in Sta6–Sta13, where the
    /// role cannot be inferred from the state).
    public init(state: UpperLayerState, role: UpperLayerRole) {
        self.state = state
        self.role = role
    }

    /// Handles one event: returns the transition (PS3.8 Table 9-10) and moves to its `to` state.
    ///
    /// Evt6 in Sta2 takes the branch of AE-6 where the A-ASSOCIATE-RQ is acceptable by the service-provider
    /// (next state Sta3); use ``handleAssociateRequest(acceptableByServiceProvider:)`` to take the other.
    public mutating func handle(_ event: UpperLayerEvent) -> UpperLayerTransition {
        let transition = UpperLayerTransitionTable.transition(from: state, on: event, role: role)
        apply(transition)
        return transition
    }

    /// Handles Evt6 (A-ASSOCIATE-RQ PDU received), saying whether the service-provider accepts it (protocol
    /// version, PDU parameters; PS3.8 §9.2.2 AE-6). In Sta2 with `false` this is AE-6's reject branch: send
    /// A-ASSOCIATE-RJ, (re)start ARTIM, Sta13. In every other state it is the same as `handle(.evt6)`.
    public mutating func handleAssociateRequest(acceptableByServiceProvider: Bool) -> UpperLayerTransition {
        var transition = UpperLayerTransitionTable.transition(from: state, on: .evt6, role: role)
        if state == .sta2, !acceptableByServiceProvider {
            transition.to = .sta13
            transition.artim = .start
        }
        apply(transition)
        return transition
    }

    private mutating func apply(_ transition: UpperLayerTransition) {
        if transition.from == .sta1 {
            switch transition.action {
            case .ae1: role = .requestor
            case .ae5: role = .acceptor
            case .ae2, .ae3, .ae4, .ae6, .ae7, .ae8, .dt1, .dt2, .ar1, .ar2, .ar3, .ar4, .ar5, .ar6, .ar7, .ar8,
                .ar9, .ar10, .aa1, .aa2, .aa3, .aa4, .aa5, .aa6, .aa7, .aa8, .notApplicable:
                break
            }
        }
        state = transition.to
    }
}
