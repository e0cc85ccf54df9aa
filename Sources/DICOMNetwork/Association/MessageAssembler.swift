import NIOCore

/// Assembles incoming PDVs into `AssociationMessage`s (PS3.8 Annex E, PS3.7 §6.3.1): command fragments
/// until the last one, then — if CommandDataSetType says so — data set fragments until the last one, all on
/// the same presentation context. Pure value; the sink provider is consulted once per data set.
struct MessageAssembler {
    enum Failure: Error, CustomStringConvertible {
        case unexpectedFragment(String)
        case unknownContext(UInt8)
        case dataSetTooLarge(limit: Int)
        var description: String {
            switch self {
            case .unexpectedFragment(let text): return text
            case .unknownContext(let id): return "PDV on presentation context \(id), which was not accepted"
            case .dataSetTooLarge(let limit): return "data set larger than the in-memory limit of \(limit) bytes"
            }
        }
    }

    private enum State {
        case idle
        case command(contextID: UInt8, bytes: ByteBuffer)
        case dataSet(contextID: UInt8, command: ByteBuffer, target: Target)
    }

    private enum Target {
        case memory(ByteBuffer)
        case sink(any DataSetSink, failure: String?)
    }

    private var state: State = .idle
    let maximumInMemoryDataSetLength: Int

    init(maximumInMemoryDataSetLength: Int) {
        self.maximumInMemoryDataSetLength = maximumInMemoryDataSetLength
    }

    /// Feeds one PDV; returns a message when one completes.
    mutating func feed(_ pdv: PresentationDataValue, acceptedContexts: [UInt8: AcceptedPresentationContext],
                       sinkProvider: DataSetSinkProvider?) throws -> AssociationMessage? {
        guard let context = acceptedContexts[pdv.contextID] else { throw Failure.unknownContext(pdv.contextID) }
        switch state {
        case .idle:
            guard pdv.isCommand else {
                throw Failure.unexpectedFragment("expected a command fragment to start a message, found a data set fragment")
            }
            var bytes = pdv.data
            return try commandFragment(contextID: pdv.contextID, bytes: &bytes, isLast: pdv.isLastFragment,
                                       transferSyntax: context.transferSyntax, sinkProvider: sinkProvider)
        case .command(let contextID, var bytes):
            guard pdv.isCommand, pdv.contextID == contextID else {
                throw Failure.unexpectedFragment(
                    "expected a command fragment on context \(contextID), found a \(pdv.isCommand ? "command" : "data set") fragment on context \(pdv.contextID)")
            }
            var data = pdv.data
            bytes.writeBuffer(&data)
            return try commandFragment(contextID: contextID, bytes: &bytes, isLast: pdv.isLastFragment,
                                       transferSyntax: context.transferSyntax, sinkProvider: sinkProvider)
        case .dataSet(let contextID, let command, let target):
            guard !pdv.isCommand, pdv.contextID == contextID else {
                throw Failure.unexpectedFragment(
                    "expected a data set fragment on context \(contextID), found a \(pdv.isCommand ? "command" : "data set") fragment on context \(pdv.contextID)")
            }
            state = .idle
            var next = target
            switch target {
            case .memory(var bytes):
                guard bytes.readableBytes + pdv.data.readableBytes <= maximumInMemoryDataSetLength else {
                    throw Failure.dataSetTooLarge(limit: maximumInMemoryDataSetLength)
                }
                var data = pdv.data
                bytes.writeBuffer(&data)
                next = .memory(bytes)
            case .sink(let sink, let failure):
                var failure = failure
                if failure == nil {
                    do {
                        try sink.write(pdv.data)
                        if pdv.isLastFragment { try sink.finish() }
                    } catch {
                        failure = "\(error)"
                        sink.abandon()
                    }
                }
                next = .sink(sink, failure: failure)
            }
            guard pdv.isLastFragment else {
                state = .dataSet(contextID: contextID, command: command, target: next)
                return nil
            }
            switch next {
            case .memory(let bytes):
                return AssociationMessage(contextID: contextID, command: command, dataSet: .bytes(bytes))
            case .sink(_, let failure):
                return AssociationMessage(contextID: contextID, command: command, dataSet: .streamed(failure: failure))
            }
        }
    }

    private mutating func commandFragment(contextID: UInt8, bytes: inout ByteBuffer, isLast: Bool, transferSyntax: String,
                                          sinkProvider: DataSetSinkProvider?) throws -> AssociationMessage? {
        guard isLast else {
            guard bytes.readableBytes <= 1 << 20 else {
                throw Failure.unexpectedFragment("command set longer than 1 MiB")
            }
            state = .command(contextID: contextID, bytes: bytes)
            return nil
        }
        guard CommandSetPeek.hasDataSet(bytes) else {
            state = .idle
            return AssociationMessage(contextID: contextID, command: bytes, dataSet: .none)
        }
        if let sink = sinkProvider?(contextID, transferSyntax, bytes) {
            state = .dataSet(contextID: contextID, command: bytes, target: .sink(sink, failure: nil))
        } else {
            state = .dataSet(contextID: contextID, command: bytes, target: .memory(ByteBuffer()))
        }
        return nil
    }

    /// The association ended: a sink waiting for more fragments is abandoned.
    mutating func abandon() {
        if case .dataSet(_, _, .sink(let sink, let failure)) = state, failure == nil { sink.abandon() }
        state = .idle
    }
}
