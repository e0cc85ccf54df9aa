/// The events of the DICOM Upper Layer protocol machine (PS3.8 §9.2.1, Table 9-2).
///
/// The raw value is the event's number in the standard (`evt10.rawValue == 10`). Events come from three
/// sources: the local user (primitives: Evt1, 7, 8, 9, 11, 14, 15), the peer (PDUs: Evt3, 4, 6, 10, 12, 13, 16,
/// 19) and the local transport service or timer (Evt2, 5, 17, 18).
public enum UpperLayerEvent: Int, CaseIterable, Sendable {
    /// Evt1: A-ASSOCIATE Request (local user).
    case evt1 = 1
    /// Evt2: Transport Conn. Confirm (local transport service).
    case evt2
    /// Evt3: A-ASSOCIATE-AC PDU (received on transport connection).
    case evt3
    /// Evt4: A-ASSOCIATE-RJ PDU (received on transport connection).
    case evt4
    /// Evt5: Transport Connection Indication (local transport service).
    case evt5
    /// Evt6: A-ASSOCIATE-RQ PDU (received on transport connection).
    case evt6
    /// Evt7: A-ASSOCIATE response primitive (accept).
    case evt7
    /// Evt8: A-ASSOCIATE response primitive (reject).
    case evt8
    /// Evt9: P-DATA request primitive.
    case evt9
    /// Evt10: P-DATA-TF PDU.
    case evt10
    /// Evt11: A-RELEASE Request primitive.
    case evt11
    /// Evt12: A-RELEASE-RQ PDU (received on open transport connection).
    case evt12
    /// Evt13: A-RELEASE-RP PDU (received on transport connection).
    case evt13
    /// Evt14: A-RELEASE Response primitive.
    case evt14
    /// Evt15: A-ABORT Request primitive.
    case evt15
    /// Evt16: A-ABORT PDU (received on open transport connection).
    case evt16
    /// Evt17: Transport connection closed indication (local transport service).
    case evt17
    /// Evt18: ARTIM timer expired (Association reject/release timer).
    case evt18
    /// Evt19: Unrecognized or invalid PDU received.
    case evt19
}

extension UpperLayerEvent: CustomStringConvertible {
    /// `"Evt10"`, as the standard writes it.
    public var description: String { "Evt\(rawValue)" }
}
