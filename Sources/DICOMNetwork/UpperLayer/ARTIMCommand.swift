/// What the ARTIM timer (Association Request/Reject/Release TIMer, PS3.8 §9.1.5) must do once the
/// handler has carried out a transition's action.
///
/// The state machine owns no timer: it only says what to do with it, and the handler feeds `.evt18` back
/// when a timer it started expires.
public enum ARTIMCommand: Sendable, Equatable {
    /// Start the timer, or restart it from zero if it is already running (PS3.8 Table 9-9, AA-1:
    /// "start (or restart if already started)").
    case start
    /// Stop the timer if it is running; a stopped timer must never deliver `.evt18`.
    case stop
    /// Leave the timer as it is (running or not).
    case unchanged
}
