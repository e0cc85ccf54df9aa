import Logging
import NIOCore

/// Limits and time-outs of one association (either side). Every value has a documented default.
public struct AssociationConfiguration: Sendable {
    /// Maximum Length we advertise (PS3.8 D.1): the largest P-DATA-TF PDU-length the peer may send us.
    /// Default 131072 (DCMTK's maximum, fewer PDUs than its 16 KiB default). Never 0.
    public var maximumPDULength: Int
    /// Largest PDU-length the frame decoder accepts for any PDU, checked before buffering: the larger of
    /// `maximumPDULength` and 1 MiB (an A-ASSOCIATE-RQ with 128 contexts fits well within it).
    public var maximumIncomingPDULength: Int { max(maximumPDULength, 1 << 20) }
    /// TCP connect time-out (client). Default 10 s.
    public var connectTimeout: TimeAmount
    /// ARTIM (PS3.8 §9.1.5): how long we wait for the peer's A-ASSOCIATE-RQ (server), A-ASSOCIATE-AC/RJ and
    /// A-RELEASE-RP (client), and for the peer to close after RJ/RELEASE-RP/ABORT. Default 30 s (DCMTK,
    /// pynetdicom). Waiting for the AC/RJ and the RELEASE-RP is a deviation shared with DCMTK (PS3.8 runs
    /// ARTIM only in Sta2 and Sta13; see `UpperLayerStateMachine`).
    public var artimTimeout: TimeAmount
    /// DIMSE time-out: the longest the peer may stay silent while one of our operations waits for its
    /// response (PS3.7 has no such timer; DCMTK's `--dimse-timeout`). On expiry the association is
    /// aborted and the operation throws `.timedOut`. Default nil: wait as long as the association lives.
    public var dimseTimeout: TimeAmount?
    /// Idle time-out: the longest an established association may stay silent *between* messages while
    /// nothing is awaited from the peer; on expiry it is aborted (A-ABORT) and ends with `.timedOut`. For
    /// servers that only answer at once (the storage SCP): a Q/R SCP is legitimately silent towards its
    /// peer while a C-MOVE runs, so it must not set this. Time spent with reading paused by backpressure
    /// does not count. Default nil: no limit.
    public var idleTimeout: TimeAmount?
    /// Largest data set accumulated in memory for one message (when no sink takes it); larger → A-ABORT.
    /// Default 1 GiB.
    public var maximumInMemoryDataSetLength: Int
    /// Optional streaming of incoming data sets (e.g. C-STORE-RQ) to sinks.
    public var dataSetSinkProvider: DataSetSinkProvider?
    /// Like `dataSetSinkProvider` but also given the negotiated association (calling/called AE titles), for
    /// a server whose sinks depend on the peer (the storage SCP writes the calling AE title into the file
    /// meta). Used only when `dataSetSinkProvider` is nil.
    public var associationDataSetSinkProvider: AssociationDataSetSinkProvider?
    /// DICOM TLS (PS3.15 Annex B): when set, the connection runs over TLS with these settings, the TLS
    /// handler first in the pipeline. Its role must match the side (requestor/acceptor). Default nil: TCP.
    public var transportSecurity: TransportSecurity?
    /// Where association events go (established: info; rejected, released: notice/debug; aborted,
    /// protocol errors, time-outs: warning). Default: discards everything.
    public var logger: Logger

    public init(
        maximumPDULength: Int = 131_072, connectTimeout: TimeAmount = .seconds(10),
        artimTimeout: TimeAmount = .seconds(30), maximumInMemoryDataSetLength: Int = 1 << 30,
        dimseTimeout: TimeAmount? = nil, dataSetSinkProvider: DataSetSinkProvider? = nil,
        logger: Logger = Logger(label: "dicomlua.network", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        precondition(maximumPDULength > 0 && maximumPDULength <= Int(UInt32.max), "maximumPDULength out of range")
        self.maximumPDULength = maximumPDULength
        self.connectTimeout = connectTimeout
        self.artimTimeout = artimTimeout
        self.dimseTimeout = dimseTimeout
        self.maximumInMemoryDataSetLength = maximumInMemoryDataSetLength
        self.dataSetSinkProvider = dataSetSinkProvider
        self.logger = logger
    }
}
