import NIOCore

/// Splits a DIMSE message into PDVs whose P-DATA-TF PDUs fit the peer's maximum PDU length (PS3.8 Annex E,
/// §D.1): one PDV per PDU, so a fragment holds at most `maxPDULength − 6` bytes (4 item length + 1 context
/// ID + 1 control header), rounded down to an even number (PS3.8 E.1: fragments of even length; only the
/// last fragment of an odd-length value can be odd). pynetdicom uses the same `max − 6`.
public struct DIMSEMessageFragmenter: Sendable {
    /// The PDU length used when the peer advertises 0 ("no maximum") or more than this: DCMTK's cap as a
    /// sender (ASC_MAXIMUMPDUSIZE), so memory per PDU stays bounded.
    public static let defaultSendPDULengthCap = 131_072
    /// The smallest usable maximum PDU length: one PDV with a 2-byte fragment.
    public static let minimumPDULength = PDataTFWriter.pdvOverhead + 2

    /// The PDU length (variable field, as in the PDU-length field) this fragmenter never exceeds.
    public let maxPDULength: Int
    /// The largest fragment per PDV: `maxPDULength − 6`, rounded down to even.
    public var maxFragmentLength: Int { (maxPDULength - PDataTFWriter.pdvOverhead) & ~1 }

    /// - Parameters:
    ///   - peerMaxPDULength: the Maximum Length the peer sent in its A-ASSOCIATE user information
    ///     (PS3.8 D.1); 0 means no maximum.
    ///   - cap: the largest PDU this side sends whatever the peer allows.
    public init(peerMaxPDULength: UInt32, cap: Int = DIMSEMessageFragmenter.defaultSendPDULengthCap) throws {
        let effectiveCap = max(cap, Self.minimumPDULength)
        if peerMaxPDULength == 0 {
            maxPDULength = effectiveCap
        } else if peerMaxPDULength < Self.minimumPDULength {
            throw DIMSEFragmentationError.maxPDULengthTooSmall(Int(peerMaxPDULength), minimum: Self.minimumPDULength)
        } else {
            maxPDULength = Int(min(UInt64(peerMaxPDULength), UInt64(effectiveCap)))
        }
    }

    /// The command set's PDVs: fragments of `command` with the command bit, the last one marked last.
    public func commandPDVs(contextID: UInt8, command: ByteBuffer) -> [PresentationDataValue] {
        split(command, contextID: contextID, isCommand: true)
    }

    /// The data set's PDVs (an empty data set still gives one, empty, last fragment).
    public func dataSetPDVs(contextID: UInt8, dataSet: ByteBuffer) -> [PresentationDataValue] {
        split(dataSet, contextID: contextID, isCommand: false)
    }

    /// All PDVs of one message, in sending order; each goes into its own P-DATA-TF PDU.
    public func pdvs(contextID: UInt8, command: ByteBuffer, dataSet: ByteBuffer?) -> [PresentationDataValue] {
        commandPDVs(contextID: contextID, command: command)
            + (dataSet.map { dataSetPDVs(contextID: contextID, dataSet: $0) } ?? [])
    }

    /// The encoded P-DATA-TF PDUs of one message, one PDV each.
    public func pdus(contextID: UInt8, command: ByteBuffer, dataSet: ByteBuffer?) -> [ByteBuffer] {
        pdvs(contextID: contextID, command: command, dataSet: dataSet).map { PDataTFWriter.encode([$0]) }
    }

    /// A fragmenter for a data set that arrives in chunks (e.g. read from a file).
    public func dataSetStream(contextID: UInt8) -> DIMSEDataSetStreamFragmenter {
        DIMSEDataSetStreamFragmenter(contextID: contextID, maxFragmentLength: maxFragmentLength)
    }

    private func split(_ bytes: ByteBuffer, contextID: UInt8, isCommand: Bool) -> [PresentationDataValue] {
        var remaining = bytes
        var result: [PresentationDataValue] = []
        result.reserveCapacity(remaining.readableBytes / maxFragmentLength + 1)
        repeat {
            let length = min(remaining.readableBytes, maxFragmentLength)
            let fragment = remaining.readSlice(length: length)!
            result.append(
                PresentationDataValue(
                    contextID: contextID, isCommand: isCommand,
                    isLastFragment: remaining.readableBytes == 0, data: fragment))
        } while remaining.readableBytes > 0
        return result
    }
}

/// Fragments a data set supplied in chunks of any size into even, full-size data PDVs; the last PDV is
/// produced by `finish()`. The fragments are slices of the chunks (no copy), except one fragment per chunk
/// boundary that joins the end of a chunk to the start of the next (docs/design.md "The send path changes
/// thread only for the disk"). Holds at most the tail of one chunk (≤ one fragment, which keeps that
/// chunk's storage alive) until the next chunk or `finish()`.
public struct DIMSEDataSetStreamFragmenter: Sendable {
    public let contextID: UInt8
    public let maxFragmentLength: Int
    private var buffered = ByteBuffer()
    private var finished = false

    init(contextID: UInt8, maxFragmentLength: Int) {
        self.contextID = contextID
        self.maxFragmentLength = maxFragmentLength
    }

    /// Adds a chunk; returns the full fragments that are certainly not the last one.
    public mutating func append(_ chunk: ByteBuffer) -> [PresentationDataValue] {
        precondition(!finished, "append after finish")
        var chunk = chunk
        var result: [PresentationDataValue] = []
        if buffered.readableBytes > 0 {
            // The held-back tail, completed from the chunk's head: the one copy, of at most one fragment.
            var head = chunk.readSlice(length: min(chunk.readableBytes, maxFragmentLength - buffered.readableBytes))!
            var joined = ByteBufferAllocator().buffer(capacity: buffered.readableBytes + head.readableBytes)
            joined.writeBuffer(&buffered)
            joined.writeBuffer(&head)
            buffered = joined
            guard chunk.readableBytes > 0 else { return [] }
            result.append(fragment(buffered))
        }
        while chunk.readableBytes > maxFragmentLength {
            result.append(fragment(chunk.readSlice(length: maxFragmentLength)!))
        }
        buffered = chunk
        return result
    }

    private func fragment(_ data: ByteBuffer) -> PresentationDataValue {
        PresentationDataValue(contextID: contextID, isCommand: false, isLastFragment: false, data: data)
    }

    /// Ends the data set: returns the remaining bytes as the last PDV (empty if nothing remains).
    public mutating func finish() -> [PresentationDataValue] {
        precondition(!finished, "finish called twice")
        finished = true
        let rest = buffered
        buffered = ByteBuffer()
        return [PresentationDataValue(contextID: contextID, isCommand: false, isLastFragment: true, data: rest)]
    }
}

/// Why a message cannot be fragmented for this peer.
public enum DIMSEFragmentationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The peer's maximum PDU length leaves no room for a 2-byte fragment.
    case maxPDULengthTooSmall(Int, minimum: Int)

    public var description: String {
        switch self {
        case let .maxPDULengthTooSmall(value, minimum):
            return "DIMSE: peer maximum PDU length \(value) is below the usable minimum of \(minimum) bytes"
        }
    }
}
