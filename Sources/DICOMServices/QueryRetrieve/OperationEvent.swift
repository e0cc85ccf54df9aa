import DICOMNetwork
import Foundation

/// What an operation tells its callback (docs/lua-api.md "Callbacks"): IDL's human-readable status lines plus
/// the same facts as values, so scripts need not parse text.
public struct OperationEvent: Sendable {
    /// The operation: `query`, `retrieve` (C-MOVE), `get` (C-GET) or `send` (storage SCU).
    public var operation: String
    /// Status lines (see `StatusLines` for their format).
    public var statusLines: [String]
    /// The DICOM status of the response this event reports; nil for a heartbeat (no response yet) and for
    /// a file the storage SCU could not send at all.
    public var status: DIMSEStatus?
    /// Sub-operation counters of the last response (retrieve/get), when the remote sent them.
    public var counts: SubOperationCounts
    /// Seconds since the operation started.
    public var elapsed: Double
    /// The match, for a query.
    public var match: QueryResult?
    /// The file, for the storage SCU.
    public var file: String?
    /// Message ID of the C-MOVE/C-GET request this response answers (PS3.7 §9.3.1.1: its C-STORE
    /// sub-operations carry it as Move Originator Message ID).
    public var messageID: UInt16?
    /// True for the final response of a retrieve (`CALLBACK_FINAL`, docs/lua-api.md "Retrieve reports,
    /// verification and retry").
    public var isFinal = false
    /// The Failed SOP Instance UID List of a final response.
    public var failedUIDs: [String] = []
    /// The round of a retrieve (1 for the first request, 2 for the first retry round, …).
    public var attempt: Int?
    /// The instances attributed to the retrieve since the previous event; nil when the destination cannot
    /// be observed instance by instance.
    public var files: [StoredInstance]?

    public init(
        operation: String, statusLines: [String], status: DIMSEStatus?,
        counts: SubOperationCounts = SubOperationCounts(),
        elapsed: Double, match: QueryResult? = nil, file: String? = nil, messageID: UInt16? = nil
    ) {
        self.operation = operation
        self.statusLines = statusLines
        self.status = status
        self.counts = counts
        self.elapsed = elapsed
        self.match = match
        self.file = file
        self.messageID = messageID
    }
}

/// What the callback decided: go on, or cancel (IDL: the callback returned 0).
public enum OperationDecision: Sendable {
    case proceed
    case cancel
}

/// Receives events on whatever task runs the operation; may suspend (e.g. to run a Lua callback on the
/// script's thread) and decides whether the operation continues.
public typealias OperationEventHandler = @Sendable (OperationEvent) async -> OperationDecision

/// Lets another task cancel a running retrieve or get (the heartbeat callback of a script runs while the
/// operation waits for a response): `cancel()` sends the C-CANCEL-RQ once, as soon as the operation has
/// sent its request.
public final class OperationControl: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelRequested = false
    private var cancelSent = false
    private var sendCancel: (@Sendable () async -> Void)?

    public init() {}

    /// Whether a cancel was requested (by the callback or `cancel()`).
    public var isCancelRequested: Bool { lock.withLock { cancelRequested } }

    /// Requests a cancel; sends C-CANCEL-RQ now if the request is out, else as soon as it is.
    public func cancel() {
        let action: (@Sendable () async -> Void)? = lock.withLock {
            cancelRequested = true
            guard !cancelSent, let sendCancel else { return nil }
            cancelSent = true
            return sendCancel
        }
        if let action { Task { await action() } }
    }

    /// Ctrl-C (the operation's task was cancelled): sends C-CANCEL-RQ as `cancel()` does, and aborts
    /// `association` if the final response has not ended the operation within `grace` seconds
    /// (docs/lua-api.md "Retrieve reports, verification and retry").
    func interrupt(_ association: DICOMAssociation, grace: Double) {
        cancel()
        Task {
            try? await Task.sleep(nanoseconds: UInt64(grace * 1_000_000_000))
            await association.abort()
        }
    }

    /// Called by the operation once its request is sent.
    func attach(_ send: @escaping @Sendable () async -> Void) async {
        let sendNow: Bool = lock.withLock {
            sendCancel = send
            guard cancelRequested, !cancelSent else { return false }
            cancelSent = true
            return true
        }
        if sendNow { await send() }
    }

    /// Called by the operation itself (callback returned cancel): sends C-CANCEL-RQ once, awaited.
    func cancelNow() async {
        let action: (@Sendable () async -> Void)? = lock.withLock {
            cancelRequested = true
            guard !cancelSent, let sendCancel else { return nil }
            cancelSent = true
            return sendCancel
        }
        if let action { await action() }
    }
}
