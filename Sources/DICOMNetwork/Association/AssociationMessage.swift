import NIOCore

/// A DIMSE message as the association delivers it (PS3.7 §6.3, PS3.8 Annex E): the decoded command set
/// and, when present, the data set — as bytes in the presentation context's transfer syntax, or streamed to
/// a `DataSetSink` while it arrived.
public struct AssociationMessage: Sendable {
    public var contextID: UInt8
    public var command: CommandSet
    public var dataSet: IncomingDataSet
    /// The sink the data set was streamed to (`.streamed`), so the consumer can ask it for its outcome.
    public var sink: (any DataSetSink)?
    /// Set when the association has already answered this request itself, on the event loop, with this
    /// status: a C-STORE-RQ streamed to an `AnsweringDataSetSink`. The consumer must not answer it again.
    public var answeredStatus: DIMSEStatus?
    /// `command` decoded, once, when it arrived (PS3.7 §9.3): the typed message, or why it is not one.
    let decoded: Result<DIMSEMessage, any Error>
    /// The C-STORE-RSP the association sends itself for this request (`answeredStatus`), built by the
    /// `MessageAssembler` from the sink's answer; nil when the consumer answers.
    var immediateResponse: CStoreRSP?

    public init(
        contextID: UInt8, command: CommandSet, dataSet: IncomingDataSet, sink: (any DataSetSink)? = nil,
        answeredStatus: DIMSEStatus? = nil
    ) {
        self.init(
            contextID: contextID, command: command, decoded: Result { try DIMSEMessage(commandSet: command) },
            dataSet: dataSet, sink: sink, answeredStatus: answeredStatus)
    }

    /// A message whose command set was decoded already (`MessageAssembler` decodes it when it completes).
    init(
        contextID: UInt8, command: CommandSet, decoded: Result<DIMSEMessage, any Error>, dataSet: IncomingDataSet,
        sink: (any DataSetSink)? = nil, answeredStatus: DIMSEStatus? = nil
    ) {
        self.contextID = contextID
        self.command = command
        self.decoded = decoded
        self.dataSet = dataSet
        self.sink = sink
        self.answeredStatus = answeredStatus
    }

    /// The typed DIMSE message (C-ECHO-RQ, C-STORE-RSP, …), decoded when the command set arrived; throws for
    /// N-services or malformed sets.
    public func dimse() throws -> DIMSEMessage { try decoded.get() }

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
/// held elsewhere or on the network. The sink travels with its message to the consumer (`sink`), which
/// reads its outcome after the event loop is done with it.
public protocol DataSetSink: AnyObject, Sendable {
    /// One fragment (PDV data) of the data set.
    func write(_ fragment: ByteBuffer) throws
    /// The last fragment arrived and was written.
    func finish() throws
    /// The data set will not be completed (the association ended, or `write`/`finish` threw): discard it.
    func abandon()
    /// The C-STORE-RSP status the association answers with itself once the data set is complete (or
    /// failed), read on the event loop; nil (the default) when the consumer answers. An
    /// `AnsweringDataSetSink` answers with its `responseStatus`.
    var answerStatus: DIMSEStatus? { get }
}

extension DataSetSink {
    public var answerStatus: DIMSEStatus? { nil }
}

extension AnsweringDataSetSink {
    public var answerStatus: DIMSEStatus? { responseStatus }
}

/// A sink that knows the answer to its request once the data set is complete. For a C-STORE-RQ streamed
/// into one, the association sends the C-STORE-RSP (PS3.7 §9.3.1.2) itself, on the event loop, right after
/// `finish()` returned or `write`/`finish` threw — the response does not wait for the consumer's task, so
/// a sender of many small instances is answered at the speed of the event loop (issue "Benchmarks",
/// case 3). The message still reaches the consumer, marked `answeredStatus`, for bookkeeping.
public protocol AnsweringDataSetSink: DataSetSink {
    /// The C-STORE-RSP status: 0x0000 when the data set was stored, the failure's status otherwise.
    /// Read on the event loop after the last fragment (or the failure).
    var responseStatus: DIMSEStatus { get }
}

/// Called on the event loop when a command set is complete, decoded (once: the message then carries the same
/// value), and a data set follows; return a sink to stream the data set (e.g. for a C-STORE-RQ), or nil to
/// accumulate it in memory. A command set that does not decode is never streamed.
public typealias DataSetSinkProvider =
    @Sendable (_ contextID: UInt8, _ transferSyntax: String, _ message: DIMSEMessage)
    -> (any DataSetSink)?

/// A `DataSetSinkProvider` that also receives the negotiated association (see
/// `AssociationConfiguration.associationDataSetSinkProvider`).
public typealias AssociationDataSetSinkProvider =
    @Sendable (
        _ association: NegotiatedAssociation, _ contextID: UInt8,
        _ transferSyntax: String, _ message: DIMSEMessage
    )
    -> (any DataSetSink)?
