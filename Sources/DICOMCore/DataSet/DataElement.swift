/// Encapsulated Pixel Data (PS3.5 §A.4): a Basic Offset Table item (possibly empty) followed by fragments.
public struct EncapsulatedPixelData: Sendable, Equatable {
    /// The Basic Offset Table's bytes (UL offsets, little endian), often empty.
    public var offsetTable: [UInt8]
    /// The fragments' bytes, in order.
    public var fragments: [[UInt8]]

    public init(offsetTable: [UInt8] = [], fragments: [[UInt8]]) {
        self.offsetTable = offsetTable
        self.fragments = fragments
    }
}

/// The value of a data element.
public enum DataValue: Sendable, Equatable {
    /// The value's bytes as encoded (in the data set's byte order; odd lengths kept as read).
    case bytes([UInt8])
    /// A sequence of items (VR SQ, PS3.5 §7.5), each a data set.
    case sequence([DataSet])
    /// Encapsulated Pixel Data (PS3.5 §A.4).
    case encapsulated(EncapsulatedPixelData)
}

/// A data element (PS3.5 §7.1): tag, VR and value.
public struct DataElement: Sendable, Equatable {
    public var tag: Tag
    public var vr: VR
    public var value: DataValue

    public init(tag: Tag, vr: VR, value: DataValue) {
        self.tag = tag
        self.vr = vr
        self.value = value
    }

    public init(tag: Tag, vr: VR, bytes: [UInt8]) { self.init(tag: tag, vr: vr, value: .bytes(bytes)) }

    /// The raw bytes, nil for sequences and encapsulated pixel data.
    public var bytes: [UInt8]? {
        if case .bytes(let b) = value { return b }
        return nil
    }

    /// The items, nil unless this is a sequence.
    public var items: [DataSet]? {
        if case .sequence(let s) = value { return s }
        return nil
    }

    /// The encapsulated pixel data, nil unless the value is encapsulated.
    public var encapsulated: EncapsulatedPixelData? {
        if case .encapsulated(let e) = value { return e }
        return nil
    }

    /// The keyword of the tag in the data dictionary, nil for private or unknown tags.
    public var keyword: String? { DataDictionary.keyword(for: tag) }
}
