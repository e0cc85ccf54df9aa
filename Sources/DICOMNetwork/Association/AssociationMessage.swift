import NIOCore

/// A DIMSE message as the Upper Layer carries it (PS3.7 §6.3, PS3.8 Annex E): the command set bytes
/// (always Implicit VR Little Endian) and, when present, the data set — as bytes in the presentation
/// context's transfer syntax, or streamed to a `DataSetSink` while it arrived.
public struct AssociationMessage: Sendable {
    public var contextID: UInt8
    /// Encoded command set (group 0000 elements, Implicit VR Little Endian).
    public var command: ByteBuffer
    public var dataSet: IncomingDataSet

    public init(contextID: UInt8, command: ByteBuffer, dataSet: IncomingDataSet) {
        self.contextID = contextID
        self.command = command
        self.dataSet = dataSet
    }
}

/// The data set part of an incoming message.
public enum IncomingDataSet: Sendable {
    /// CommandDataSetType (0000,0800) was 0x0101: no data set.
    case none
    /// The whole data set, accumulated.
    case bytes(ByteBuffer)
    /// The data set went to the sink returned by the `DataSetSinkProvider`; `failure` describes the error
    /// the sink threw, if any (later fragments were then dropped).
    case streamed(failure: String?)
}

/// Receives the data set fragments of one incoming message, in order, on the association's event loop.
/// Calls must return quickly (they run on the event loop): write to an open file, do not wait on locks.
public protocol DataSetSink: AnyObject {
    /// One fragment (PDV data) of the data set.
    func write(_ fragment: ByteBuffer) throws
    /// The last fragment arrived.
    func finish() throws
    /// The association ended before the last fragment: discard what was written.
    func abandon()
}

/// Called on the event loop when a command set is complete and a data set follows; return a sink to stream
/// the data set (e.g. for C-STORE-RQ), or nil to accumulate it in memory.
public typealias DataSetSinkProvider = @Sendable (_ contextID: UInt8, _ transferSyntax: String, _ command: ByteBuffer)
    -> (any DataSetSink)?

/// Minimal reading of an encoded command set (Implicit VR Little Endian, PS3.7 §6.3), enough for the
/// Upper Layer to know whether a data set follows. Full parsing belongs to DIMSE.
public enum CommandSetPeek {
    /// CommandField (0000,0100).
    public static let commandFieldTag: UInt32 = 0x0000_0100
    /// CommandDataSetType (0000,0800).
    public static let commandDataSetTypeTag: UInt32 = 0x0000_0800

    /// The US value of element `tag` (group 0000), or nil when absent or malformed.
    public static func uint16(_ tag: UInt32, in command: ByteBuffer) -> UInt16? {
        var buffer = command
        while buffer.readableBytes >= 8 {
            let group = buffer.readInteger(endianness: .little, as: UInt16.self)!
            let element = buffer.readInteger(endianness: .little, as: UInt16.self)!
            let length = buffer.readInteger(endianness: .little, as: UInt32.self)!
            guard UInt64(length) <= UInt64(buffer.readableBytes) else { return nil }
            if (UInt32(group) << 16 | UInt32(element)) == tag {
                return length == 2 ? buffer.getInteger(at: buffer.readerIndex, endianness: .little, as: UInt16.self) : nil
            }
            buffer.moveReaderIndex(forwardBy: Int(length))
        }
        return nil
    }

    /// True unless CommandDataSetType is 0x0101 (PS3.7 Table 9.3-10: any other value means a data set follows).
    public static func hasDataSet(_ command: ByteBuffer) -> Bool {
        uint16(commandDataSetTypeTag, in: command) != 0x0101
    }
}
