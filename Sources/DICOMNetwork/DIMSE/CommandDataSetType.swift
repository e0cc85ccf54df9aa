/// (0000,0800) Command Data Set Type (PS3.7 Table E.1-1): "0101H (Null) if no Data Set is present; any other
/// value indicates a Data Set is included".
///
/// Sends 0x0001 when a data set follows (DCMTK before 3.6.8 compared for equality with 0x0001, DCMTK issue
/// #1045) and treats any received value other than 0x0101 (0x0000 from LEADTOOLS, 0x0102 from ACR-NEMA
/// peers) as "present".
public enum CommandDataSetType {
    /// The value sent when no data set follows.
    public static let none: UInt16 = 0x0101
    /// The value sent when a data set follows.
    public static let present: UInt16 = 0x0001

    /// The value to send.
    public static func value(hasDataSet: Bool) -> UInt16 { hasDataSet ? present : none }

    /// What a received value means.
    public static func hasDataSet(_ value: UInt16) -> Bool { value != none }
}

extension CommandSet {
    /// True unless (0000,0800) is 0x0101; a missing or malformed element counts as "no data set".
    public var hasDataSet: Bool {
        guard let value = try? unsignedShort(.commandDataSetType) else { return false }
        return CommandDataSetType.hasDataSet(value)
    }

    /// The (0000,0100) command field, if present and known.
    public var commandField: CommandField? {
        (try? unsignedShort(.commandField)).flatMap { $0.flatMap(CommandField.init(rawValue:)) }
    }
}
