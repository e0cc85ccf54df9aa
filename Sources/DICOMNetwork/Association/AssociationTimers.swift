import NIOCore

/// The association's time limits as deadlines, a pure value beside the pure `UpperLayerStateMachine`: the
/// ARTIM timer (PS3.8 §9.1.5), which follows the machine's `ARTIMCommand`s, and the silence limits — the
/// DIMSE time-out while a response or the rest of a peer's message is awaited, the idle time-out between
/// messages of an established association (PS3.8 has no such timer; it is a server's protection of its
/// association slots). The handler keeps one scheduled task at `nextDeadline`; when it fires, `expired`
/// says what, if anything, has run out (a task due early only re-checks, so arming is cheap and the per-read
/// cost is one clock read).
struct AssociationTimers {
    let artimTimeout: TimeAmount
    let dimseTimeout: TimeAmount?
    let idleTimeout: TimeAmount?

    /// When ARTIM expires; nil while it is stopped (a stopped timer never delivers Evt18).
    private(set) var artimDeadline: NIODeadline?
    /// Operations waiting for a response; while > 0 the DIMSE time-out applies.
    private(set) var awaitingResponses = 0
    /// When the peer last sent something, or we began waiting for it (whichever is later).
    private(set) var silentSince: NIODeadline

    /// What ran out.
    enum Expiry: Equatable {
        /// ARTIM: Evt18.
        case artim
        /// A silence limit, with the error the association ends with and the A-ABORT's reason in words.
        case silence(AssociationError, abortDetail: String)
    }

    init(artimTimeout: TimeAmount, dimseTimeout: TimeAmount?, idleTimeout: TimeAmount?, now: NIODeadline) {
        self.artimTimeout = artimTimeout
        self.dimseTimeout = dimseTimeout
        self.idleTimeout = idleTimeout
        self.silentSince = now
    }

    /// Applies a transition's ARTIM command (PS3.8 Table 9-9, AA-1: "start (or restart if already started)").
    /// The clock is read only to start it.
    mutating func apply(_ command: ARTIMCommand, now: @autoclosure () -> NIODeadline) {
        switch command {
        case .start: artimDeadline = now() + artimTimeout
        case .stop: artimDeadline = nil
        case .unchanged: break
        }
    }

    /// ARTIM stopped (the association is over).
    mutating func stopARTIM() { artimDeadline = nil }

    /// The peer sent something (or reading resumed): the silence starts again.
    mutating func peerWasHeard(at now: NIODeadline) { silentSince = now }

    mutating func beginAwaitingResponse(at now: NIODeadline) {
        awaitingResponses += 1
        silentSince = now
    }

    mutating func endAwaitingResponse() { awaitingResponses = max(0, awaitingResponses - 1) }

    /// The silence limit that applies in `state`: `dimseTimeout` while we wait for the peer (a response, or
    /// the rest of a message it began: `midMessage`); `idleTimeout` in Sta6 when nothing is awaited; none
    /// where there is no association to abort (Sta1–Sta5, Sta13) or it has ended already (`ended`).
    func silenceLimit(
        in state: UpperLayerState, midMessage: Bool, ended: Bool
    ) -> (limit: TimeAmount, waiting: Bool)? {
        guard !ended else { return nil }
        switch state {
        case .sta1, .sta2, .sta3, .sta4, .sta5, .sta13: return nil
        case .sta6, .sta7, .sta8, .sta9, .sta10, .sta11, .sta12: break
        }
        if awaitingResponses > 0 || midMessage { return dimseTimeout.map { ($0, true) } }
        guard state == .sta6, let idleTimeout else { return nil }
        return (idleTimeout, false)
    }

    /// The earliest deadline to wake up at, or nil when nothing is running.
    func nextDeadline(in state: UpperLayerState, midMessage: Bool, ended: Bool) -> NIODeadline? {
        let silence = silenceLimit(in: state, midMessage: midMessage, ended: ended).map { silentSince + $0.limit }
        switch (artimDeadline, silence) {
        case (let artim?, let silence?): return min(artim, silence)
        case (let artim?, nil): return artim
        case (nil, let silence?): return silence
        case (nil, nil): return nil
        }
    }

    /// What has run out at `now`, if anything. While reading is paused (backpressure) the silence is ours,
    /// not the peer's: it starts again.
    mutating func expired(
        at now: NIODeadline, in state: UpperLayerState, midMessage: Bool, ended: Bool, readingPaused: Bool
    ) -> Expiry? {
        if let artimDeadline, now >= artimDeadline {
            self.artimDeadline = nil
            return .artim
        }
        guard let (limit, waiting) = silenceLimit(in: state, midMessage: midMessage, ended: ended) else {
            return nil
        }
        if readingPaused { silentSince = now }
        guard now >= silentSince + limit else { return nil }
        let seconds = Double(limit.nanoseconds) / 1e9
        let text = seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(limit.nanoseconds / 1_000_000) ms"
        if !waiting {
            return .silence(
                .timedOut("association idle: the peer sent nothing for \(text) between messages"),
                abortDetail: "idle time-out")
        }
        if awaitingResponses > 0 {
            return .silence(.timedOut("no DIMSE response within \(text)"), abortDetail: "DIMSE time-out")
        }
        return .silence(
            .timedOut("peer silent for \(text) in the middle of a DIMSE message"), abortDetail: "DIMSE time-out")
    }
}
