/// The states of the DICOM Upper Layer protocol machine (PS3.8 §9.2.1, Table 9-1).
///
/// The raw value is the state's number in the standard (`sta6.rawValue == 6`).
public enum UpperLayerState: Int, CaseIterable, Sendable {
    /// Sta1: Idle.
    case sta1 = 1
    /// Sta2: Transport connection open (Awaiting A-ASSOCIATE-RQ PDU). Acceptor side.
    case sta2
    /// Sta3: Awaiting local A-ASSOCIATE response primitive (from local user).
    case sta3
    /// Sta4: Awaiting transport connection opening to complete (from local transport service). Requestor side.
    case sta4
    /// Sta5: Awaiting A-ASSOCIATE-AC or A-ASSOCIATE-RJ PDU.
    case sta5
    /// Sta6: Association established and ready for data transfer.
    case sta6
    /// Sta7: Awaiting A-RELEASE-RP PDU.
    case sta7
    /// Sta8: Awaiting local A-RELEASE response primitive (from local user).
    case sta8
    /// Sta9: Release collision requestor side; awaiting A-RELEASE response (from local user).
    case sta9
    /// Sta10: Release collision acceptor side; awaiting A-RELEASE-RP PDU.
    case sta10
    /// Sta11: Release collision requestor side; awaiting A-RELEASE-RP PDU.
    case sta11
    /// Sta12: Release collision acceptor side; awaiting A-RELEASE response primitive (from local user).
    case sta12
    /// Sta13: Awaiting Transport Connection Close Indication (Association no longer exists).
    case sta13
}

extension UpperLayerState: CustomStringConvertible {
    /// `"Sta6"`, as the standard writes it.
    public var description: String { "Sta\(rawValue)" }
}
