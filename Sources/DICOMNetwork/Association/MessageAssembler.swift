import NIOCore

/// Turns incoming PDVs into `AssociationMessage`s: the DIMSE helper's `DIMSEMessageAssembler` frames
/// command sets and data fragments (PS3.8 Annex E); this adds the accepted-context check, in-memory
/// accumulation with a limit, and streaming to a `DataSetSink`. Pure value apart from the sink calls. Public so
/// that the fuzz target and tests drive the very code every association uses.
public struct MessageAssembler {
    public enum Failure: Error, CustomStringConvertible {
        case unknownContext(UInt8)
        case dataSetTooLarge(limit: Int)
        case assembly(DIMSEAssemblyError)
        public var description: String {
            switch self {
            case .unknownContext(let id): return "PDV on presentation context \(id), which was not accepted"
            case .dataSetTooLarge(let limit): return "data set larger than the in-memory limit of \(limit) bytes"
            case .assembly(let error): return error.description
            }
        }
    }

    private enum Target {
        case memory(ByteBuffer)
        case sink(any DataSetSink, failure: String?)
    }

    private var framer = DIMSEMessageAssembler()
    private var pending:
        (contextID: UInt8, command: CommandSet, decoded: Result<DIMSEMessage, any Error>, target: Target)?
    public let maximumInMemoryDataSetLength: Int

    public init(maximumInMemoryDataSetLength: Int) {
        self.maximumInMemoryDataSetLength = maximumInMemoryDataSetLength
    }

    /// True between messages; false while a command set or data set has begun but not ended.
    public var isIdle: Bool { framer.isIdle }

    /// Feeds one PDV; returns the message it completes, if any.
    public mutating func feed(
        _ pdv: PresentationDataValue, acceptedContexts: [UInt8: AcceptedPresentationContext],
        sinkProvider: DataSetSinkProvider?
    ) throws -> AssociationMessage? {
        guard let context = acceptedContexts[pdv.contextID] else { throw Failure.unknownContext(pdv.contextID) }
        let events: [DIMSEAssemblyEvent]
        do {
            events = try framer.receive(pdv)
        } catch let error as DIMSEAssemblyError {
            throw Failure.assembly(error)
        }
        var completed: AssociationMessage?
        for event in events {
            switch event {
            case let .command(contextID, commandSet):
                // Decoded once, here (PS3.7 §9.3): the sink provider, the answer and the consumer share it.
                let decoded = Result { try DIMSEMessage(commandSet: commandSet) }
                var target = Target.memory(ByteBuffer())
                if let sinkProvider, case .success(let message) = decoded,
                    let sink = sinkProvider(contextID, context.transferSyntax, message)
                {
                    target = .sink(sink, failure: nil)
                }
                pending = (contextID, commandSet, decoded, target)
            case .noDataSet:
                guard let (contextID, command, decoded, _) = pending else { continue }
                pending = nil
                completed = AssociationMessage(
                    contextID: contextID, command: command, decoded: decoded, dataSet: .none)
            case let .dataFragment(fragment, isLast):
                guard var current = pending else { continue }
                current.target = try append(fragment, isLast: isLast, to: current.target)
                pending = current
                guard isLast else { continue }
                pending = nil
                switch current.target {
                case .memory(let bytes):
                    completed = AssociationMessage(
                        contextID: current.contextID, command: current.command, decoded: current.decoded,
                        dataSet: .bytes(bytes))
                case .sink(let sink, let failure):
                    var message = AssociationMessage(
                        contextID: current.contextID, command: current.command, decoded: current.decoded,
                        dataSet: .streamed(failure: failure), sink: sink)
                    if case .success(.cStoreRQ(let request)) = current.decoded, let status = sink.answerStatus {
                        // Answered by the association, on the event loop (PS3.7 §9.3.1.2), without waiting
                        // for the consumer: the sink knows the outcome now.
                        message.answeredStatus = status
                        message.immediateResponse = CStoreRSP(respondingTo: request, status: status)
                    }
                    completed = message
                }
            }
        }
        return completed
    }

    private func append(_ fragment: ByteBuffer, isLast: Bool, to target: Target) throws -> Target {
        switch target {
        case .memory(var bytes):
            guard bytes.readableBytes + fragment.readableBytes <= maximumInMemoryDataSetLength else {
                throw Failure.dataSetTooLarge(limit: maximumInMemoryDataSetLength)
            }
            if bytes.readableBytes == 0 && isLast { return .memory(fragment) }  // single fragment: no copy
            var data = fragment
            bytes.writeBuffer(&data)
            return .memory(bytes)
        case .sink(let sink, let failure):
            guard failure == nil else { return target }
            do {
                try sink.write(fragment)
                if isLast { try sink.finish() }
                return target
            } catch {
                sink.abandon()
                return .sink(sink, failure: "\(error)")
            }
        }
    }

    /// The association ended: a sink still waiting for fragments is abandoned.
    public mutating func abandon() {
        if case .sink(let sink, nil)? = pending?.target { sink.abandon() }
        pending = nil
    }
}
