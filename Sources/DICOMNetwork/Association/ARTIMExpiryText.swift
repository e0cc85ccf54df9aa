import NIOCore

extension UpperLayerState {
    /// What the peer failed to do before the ARTIM timer expired in this state (PS3.8 §9.1.5), in words a PACS
    /// administrator reads: "the remote did not answer our association request within 5 s".
    func artimExpiryText(after timeout: TimeAmount) -> String {
        let milliseconds = timeout.nanoseconds / 1_000_000
        let seconds = milliseconds % 1000 == 0 ? "\(milliseconds / 1000)" : "\(Double(milliseconds) / 1000)"
        let within = "within \(seconds) s"
        switch self {
        case .sta2: return "the peer connected but sent no association request \(within)"
        case .sta5: return "the remote did not answer our association request \(within)"
        case .sta7, .sta9, .sta10, .sta11, .sta12: return "the remote did not answer our release request \(within)"
        case .sta13: return "the peer did not close the connection \(within) after the association ended"
        case .sta1, .sta3, .sta4, .sta6, .sta8:
            return "the peer did not answer \(within)"
        }
    }
}
