/// The actions of the DICOM Upper Layer protocol machine (PS3.8 §9.2.2, Tables 9-6 to 9-9), plus
/// `.notApplicable` for the blank cells of the state transition table (Table 9-10).
///
/// Each case's doc comment quotes the standard's wording; the handler carries the action out, the state
/// machine only names it. The next state and what to do with the ARTIM timer come with it in an
/// ``UpperLayerTransition``.
public enum UpperLayerAction: Sendable, Equatable {
    // MARK: Association establishment related actions (Table 9-6)

    /// AE-1: Issue TRANSPORT CONNECT request primitive to local transport service. Next state Sta4.
    case ae1
    /// AE-2: Send A-ASSOCIATE-RQ-PDU. Next state Sta5.
    ///
    /// Deviation (as DCMTK): the ARTIM timer is started, so that a peer that never answers is dropped.
    case ae2
    /// AE-3: Issue A-ASSOCIATE confirmation (accept) primitive. Next state Sta6.
    case ae3
    /// AE-4: Issue A-ASSOCIATE confirmation (reject) primitive and close transport connection. Next state Sta1.
    case ae4
    /// AE-5: Issue Transport connection response primitive; start ARTIM timer. Next state Sta2.
    case ae5
    /// AE-6: Stop ARTIM timer and if A-ASSOCIATE-RQ acceptable by service-provider: issue A-ASSOCIATE
    /// indication primitive, next state Sta3; otherwise: issue A-ASSOCIATE-RJ-PDU and start ARTIM timer,
    /// next state Sta13.
    ///
    /// The transition's `to` tells the handler which branch was taken (see
    /// ``UpperLayerStateMachine/handleAssociateRequest(acceptableByServiceProvider:)``).
    case ae6
    /// AE-7: Send A-ASSOCIATE-AC PDU. Next state Sta6.
    case ae7
    /// AE-8: Send A-ASSOCIATE-RJ PDU and start ARTIM timer. Next state Sta13.
    case ae8

    // MARK: Data transfer related actions (Table 9-7)

    /// DT-1: Send P-DATA-TF PDU. Next state Sta6.
    case dt1
    /// DT-2: Send P-DATA indication primitive. Next state Sta6.
    case dt2

    // MARK: Association release related actions (Table 9-8)

    /// AR-1: Send A-RELEASE-RQ PDU. Next state Sta7.
    ///
    /// Deviation (as DCMTK): the ARTIM timer is started, so that a peer that never answers is dropped.
    case ar1
    /// AR-2: Issue A-RELEASE indication primitive. Next state Sta8.
    case ar2
    /// AR-3: Issue A-RELEASE confirmation primitive, and close transport connection. Next state Sta1.
    case ar3
    /// AR-4: Issue A-RELEASE-RP PDU and start ARTIM timer. Next state Sta13.
    case ar4
    /// AR-5: Stop ARTIM timer. Next state Sta1.
    case ar5
    /// AR-6: Issue P-DATA indication. Next state Sta7.
    case ar6
    /// AR-7: Issue P-DATA-TF PDU. Next state Sta8.
    case ar7
    /// AR-8: Issue A-RELEASE indication (release collision): if association-requestor, next state is Sta9,
    /// if not next state is Sta10.
    case ar8
    /// AR-9: Send A-RELEASE-RP PDU. Next state Sta11.
    case ar9
    /// AR-10: Issue A-RELEASE confirmation primitive. Next state Sta12.
    case ar10

    // MARK: Association abort related actions (Table 9-9)

    /// AA-1: Send A-ABORT PDU (service-user source) and start (or restart if already started) ARTIM timer.
    /// Next state Sta13.
    case aa1
    /// AA-2: Stop ARTIM timer if running. Close transport connection. Next state Sta1.
    case aa2
    /// AA-3: If (service-user initiated abort): issue A-ABORT indication and close transport connection;
    /// otherwise (service-provider initiated abort): issue A-P-ABORT indication and close transport
    /// connection. Next state Sta1.
    ///
    /// Which branch applies is read from the received A-ABORT PDU's source field (PS3.8 §9.3.8).
    case aa3
    /// AA-4: Issue A-P-ABORT indication primitive. Next state Sta1.
    case aa4
    /// AA-5: Stop ARTIM timer. Next state Sta1.
    case aa5
    /// AA-6: Ignore PDU. Next state Sta13.
    case aa6
    /// AA-7: Send A-ABORT PDU. Next state Sta13.
    case aa7
    /// AA-8: Send A-ABORT PDU (service-provider source), issue an A-P-ABORT indication, and start ARTIM
    /// timer. Next state Sta13.
    case aa8

    // MARK: Blank cells of Table 9-10

    /// The event is not defined in this state (a blank cell of PS3.8 Table 9-10): a local primitive the
    /// user may not issue now, or a transport/timer event that cannot happen in this state.
    ///
    /// The handler treats it as a protocol error, like AA-8: where a transport connection is open (Sta2,
    /// Sta3, Sta5–Sta12) the machine moves to Sta13 and asks for ARTIM to start, and the handler sends an
    /// A-ABORT PDU (service-provider source) and reports an A-P-ABORT to the local user. Where there is
    /// nothing to abort (Sta1: no connection; Sta4: connection not yet open; Sta13: already closing) the
    /// state and the timer stay as they are and the handler only reports the misuse.
    case notApplicable
}

extension UpperLayerAction: CustomStringConvertible {
    /// `"AE-6"`, `"AR-10"`, ..., as the standard writes it; `"n/a"` for a blank cell.
    public var description: String {
        switch self {
        case .ae1: "AE-1"
        case .ae2: "AE-2"
        case .ae3: "AE-3"
        case .ae4: "AE-4"
        case .ae5: "AE-5"
        case .ae6: "AE-6"
        case .ae7: "AE-7"
        case .ae8: "AE-8"
        case .dt1: "DT-1"
        case .dt2: "DT-2"
        case .ar1: "AR-1"
        case .ar2: "AR-2"
        case .ar3: "AR-3"
        case .ar4: "AR-4"
        case .ar5: "AR-5"
        case .ar6: "AR-6"
        case .ar7: "AR-7"
        case .ar8: "AR-8"
        case .ar9: "AR-9"
        case .ar10: "AR-10"
        case .aa1: "AA-1"
        case .aa2: "AA-2"
        case .aa3: "AA-3"
        case .aa4: "AA-4"
        case .aa5: "AA-5"
        case .aa6: "AA-6"
        case .aa7: "AA-7"
        case .aa8: "AA-8"
        case .notApplicable: "n/a"
        }
    }
}
