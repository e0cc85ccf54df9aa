import NIOCore

/// A DIMSE message as the association delivers it (PS3.7 §6.3, PS3.8 Annex E): the decoded command set
/// and, when present, the data set — as bytes in the presentation context's transfer syntax, or streamed to
/// a `DataSetSink` while it arrived.
public struct AssociationMessage: Sendable {
    public var contextID: UInt8
    public var command: CommandSet
    public var dataSet: IncomingDataSet

    public init(contextID: UInt8, command: CommandSet, dataSet: IncomingDataSet) {
        self.contextID = contextID
        self.command = command
        self.dataSet = dataSet
    }

    /// The typed DIMSE message (C-ECHO-RQ, C-STORE-RSP, …); throws for N-services or malformed sets.
    public func dimse() throws -> DIMSEMessage { try DIMSEMessage(commandSet: command) }

    /// The accumulated data set bytes, nil when there is none or it was streamed.
    public var dataSetBytes: ByteBuffer? {
        switch dataSet {
        case .bytes(let bytes): return bytes
        case .none, .streamed: return nil
        }
    }
}

/// The data set part of an incoming message.
public enum IncomingDataSet: Sendable {
    /// CommandDataSetType (0000,0800) was 0x0101: no data set.
    case none
    /// The whole data set, accumulated in memory.
    case bytes(ByteBuffer)
    /// The data set went to the sink returned by the `DataSetSinkProvider`; `failure` describes the error
    /// the sink threw, if any (later fragments were then dropped and the sink abandoned).
    case streamed(failure: String?)
}

/// Receives the data set fragments of one incoming message, in order, on the association's event loop.
/// Calls must return quickly (they run on the event loop): write to an open file, do not wait on locks
/// held elsewhere or on the network.
public protocol DataSetSink: AnyObject {
    /// One fragment (PDV data) of the data set.
    func write(_ fragment: ByteBuffer) throws
    /// The last fragment arrived and was written.
    func finish() throws
    /// The data set will not be completed (the association ended, or `write`/`finish` threw): discard it.
    func abandon()
}

/// Called on the event loop when a command set is complete and a data set follows; return a sink to
/// stream the data set (e.g. for a C-STORE-RQ), or nil to accumulate it in memory.
public typealias DataSetSinkProvider = @Sendable (_ contextID: UInt8, _ transferSyntax: String, _ command: CommandSet)
    -> (any DataSetSink)?
