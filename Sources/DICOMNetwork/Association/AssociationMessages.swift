import Foundation
import NIOCore

/// The incoming messages of an association, in arrival order, with backpressure: when the consumer falls
/// behind by more than `InboundFlowControl.highWatermark…` the association stops reading from the socket
/// (so TCP flow control slows the peer down) and resumes once the consumer has caught up.
///
/// One consumer at a time: iterate it from one task (operations create short-lived iterators one after
/// the other, which is fine; concurrent `next()` calls are not).
public struct AssociationMessages: AsyncSequence, Sendable {
    public typealias Element = AssociationMessage

    let stream: AsyncThrowingStream<AssociationMessage, Error>
    let flow: InboundFlowControl

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: stream.makeAsyncIterator(), flow: flow)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<AssociationMessage, Error>.AsyncIterator
        let flow: InboundFlowControl

        public mutating func next() async throws -> AssociationMessage? {
            flow.consumerAsks()
            let message = try await base.next()
            if let message { flow.consumed(message) }
            return message
        }
    }
}

/// Counts messages delivered but not yet consumed, and decides when the association pauses reading and when
/// the consumer's event-loop handler may take a message (`DICOMAssociation.handleOnEventLoop`).
final class InboundFlowControl: @unchecked Sendable {
    /// Pause reading when more than this many messages are waiting…
    static let highWatermarkMessages = 32
    /// …or more than this many bytes of accumulated data sets.
    static let highWatermarkBytes = 8 << 20
    /// Resume when at most this many messages and bytes are waiting.
    static let lowWatermarkMessages = 8
    static let lowWatermarkBytes = 2 << 20

    private let lock = NSLock()
    private var messages = 0
    private var bytes = 0
    private var paused = false
    /// True from the moment the consumer took a message until it asks for the next one (it is working on it).
    private var consumerBusy = false
    private var interceptor: (@Sendable (AssociationMessage) -> Bool)?
    /// The association ended: no handler is kept any more.
    private var interceptionEnded = false
    /// Called (from the consumer's task) when reading may resume; hops to the event loop.
    var resume: (@Sendable () -> Void)?

    var isPaused: Bool { lock.withLock { paused } }

    private static func size(_ message: AssociationMessage) -> Int {
        (message.dataSetBytes?.readableBytes ?? 0) + 256
    }

    /// Installs (or, with nil, removes) the handler that takes messages on the event loop
    /// (`DICOMAssociation.handleOnEventLoop`).
    func setInterceptor(_ handler: (@Sendable (AssociationMessage) -> Bool)?) {
        lock.withLock { interceptor = interceptionEnded ? nil : handler }
    }

    /// The association ended: removes the handler and refuses any later one (a handler may hold the association,
    /// which holds the channel: kept after the end, it would keep them alive).
    func endInterception() {
        lock.withLock {
            interceptionEnded = true
            interceptor = nil
        }
    }

    /// On the event loop, before a message is handed to the stream: true when the interceptor took it. It is
    /// asked only while the consumer waits with nothing queued and nothing in hand, so that every message is
    /// handled after the ones that arrived before it, whichever side handles it.
    func intercepted(_ message: AssociationMessage) -> Bool {
        let handler = lock.withLock { messages == 0 && !consumerBusy ? interceptor : nil }
        guard let handler else { return false }
        return handler(message)
    }

    /// The consumer asks for the next message: the one it took before is done with.
    func consumerAsks() {
        lock.withLock { consumerBusy = false }
    }

    /// A message was handed to the stream (event loop).
    func produced(_ message: AssociationMessage) {
        let size = Self.size(message)
        lock.withLock {
            messages += 1
            bytes += size
            if messages > Self.highWatermarkMessages || bytes > Self.highWatermarkBytes { paused = true }
        }
    }

    /// The consumer took a message (any task).
    func consumed(_ message: AssociationMessage) {
        let size = Self.size(message)
        let shouldResume = lock.withLock { () -> Bool in
            messages -= 1
            bytes -= size
            consumerBusy = true
            guard paused, messages <= Self.lowWatermarkMessages, bytes <= Self.lowWatermarkBytes else { return false }
            paused = false
            return true
        }
        if shouldResume { resume?() }
    }
}
