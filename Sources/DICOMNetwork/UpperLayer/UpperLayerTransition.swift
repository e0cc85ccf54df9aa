/// One step of the Upper Layer state machine: in state `from`, event `event` triggers `action`, after
/// which the machine is in state `to` and the ARTIM timer must follow `artim` (PS3.8 §9.2.3, Table 9-10).
public struct UpperLayerTransition: Equatable, Sendable {
    /// The state the machine was in when the event arrived.
    public var from: UpperLayerState
    /// The event that was handled.
    public var event: UpperLayerEvent
    /// The action the handler must carry out (PS3.8 Tables 9-6..9-9), or `.notApplicable`.
    public var action: UpperLayerAction
    /// The state the machine is in after the action.
    public var to: UpperLayerState
    /// What the handler must do with the ARTIM timer after the action.
    public var artim: ARTIMCommand

    public init(
        from: UpperLayerState,
        event: UpperLayerEvent,
        action: UpperLayerAction,
        to: UpperLayerState,
        artim: ARTIMCommand
    ) {
        self.from = from
        self.event = event
        self.action = action
        self.to = to
        self.artim = artim
    }
}

extension UpperLayerTransition: CustomStringConvertible {
    /// `"Sta6 + Evt12 -> AR-2 -> Sta8 (ARTIM unchanged)"`.
    public var description: String { "\(from) + \(event) -> \(action) -> \(to) (ARTIM \(artim))" }
}
