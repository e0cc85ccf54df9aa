import NIOCore

/// One Presentation Data Value item of a P-DATA-TF PDU (PS3.8 §9.3.5.1) with its Message Control Header
/// decoded (PS3.8 Annex E.2): bit 0 = command (1) or data set (0), bit 1 = last fragment (1) or not (0).
///
/// This is the boundary between the Upper Layer (which frames PDUs into PDVs) and DIMSE (which assembles
/// PDVs into messages, PS3.7 §6.3).
public struct PresentationDataValue: Equatable, Sendable {
    /// Presentation context ID: an odd integer 1...255 (PS3.8 §9.3.5.1).
    public var contextID: UInt8
    /// True for a command fragment, false for a data set fragment.
    public var isCommand: Bool
    /// True when this is the last fragment of the command or data set.
    public var isLastFragment: Bool
    /// The fragment's bytes (without the item length, context ID and control header).
    public var data: ByteBuffer

    public init(contextID: UInt8, isCommand: Bool, isLastFragment: Bool, data: ByteBuffer) {
        self.contextID = contextID
        self.isCommand = isCommand
        self.isLastFragment = isLastFragment
        self.data = data
    }

    /// The Message Control Header byte (PS3.8 Annex E.2).
    public var messageControlHeader: UInt8 { (isCommand ? 0x01 : 0x00) | (isLastFragment ? 0x02 : 0x00) }
}
