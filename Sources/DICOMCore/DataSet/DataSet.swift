/// A data set (PS3.5 §7): data elements kept in ascending tag order, the byte order of their binary
/// values, and the Specific Character Set its text values are decoded with.
public struct DataSet: Sendable, Equatable, Sequence {
    /// The elements, always sorted by tag, at most one per tag.
    public private(set) var elements: [DataElement] = []
    /// Byte order of the binary values held in `.bytes` values (the transfer syntax they were read in).
    public var byteOrder: ByteOrder
    /// The character set inherited from the enclosing data set (PS3.5 §7.5.1: an item without its own
    /// (0008,0005) uses its parent's). Set by the reader.
    public var inheritedCharacterSet: SpecificCharacterSet

    public init(byteOrder: ByteOrder = .littleEndian, inheritedCharacterSet: SpecificCharacterSet = .defaultRepertoire)
    {
        self.byteOrder = byteOrder
        self.inheritedCharacterSet = inheritedCharacterSet
    }

    public init(_ elements: [DataElement], byteOrder: ByteOrder = .littleEndian) {
        self.init(byteOrder: byteOrder)
        for e in elements { insert(e) }
    }

    public var count: Int { elements.count }
    public var isEmpty: Bool { elements.isEmpty }
    public func makeIterator() -> IndexingIterator<[DataElement]> { elements.makeIterator() }

    /// Index of `tag` or the index where it would be inserted (binary search).
    private func position(of tag: Tag) -> (index: Int, found: Bool) {
        var lo = 0, hi = elements.count
        let key = tag.value
        while lo < hi {
            let mid = (lo + hi) >> 1
            let v = elements[mid].tag.value
            if v == key { return (mid, true) }
            if v < key { lo = mid + 1 } else { hi = mid }
        }
        return (lo, false)
    }

    /// Adds `element`, replacing any element with the same tag. Appending in tag order (as the reader
    /// does) costs O(1).
    public mutating func insert(_ element: DataElement) {
        if let last = elements.last, last.tag < element.tag {
            elements.append(element)
            return
        }
        let (i, found) = position(of: element.tag)
        if found { elements[i] = element } else { elements.insert(element, at: i) }
    }

    /// Removes and returns the element of `tag`.
    @discardableResult
    public mutating func remove(_ tag: Tag) -> DataElement? {
        let (i, found) = position(of: tag)
        return found ? elements.remove(at: i) : nil
    }

    /// Removes every element whose tag satisfies `predicate`.
    public mutating func removeAll(where predicate: (Tag) -> Bool) {
        elements.removeAll { predicate($0.tag) }
    }

    public func contains(_ tag: Tag) -> Bool { position(of: tag).found }

    /// The element of `tag`; assigning nil removes it, assigning an element stores it under `tag`.
    public subscript(tag: Tag) -> DataElement? {
        get {
            let (i, found) = position(of: tag)
            return found ? elements[i] : nil
        }
        set {
            if var e = newValue {
                e.tag = tag
                insert(e)
            } else {
                remove(tag)
            }
        }
    }

    /// The element of a dictionary keyword ("PatientName") or a tag text ("0010,0010", "(0010,0010)",
    /// "00100010"); nil when the text names neither or the element is absent.
    public subscript(keyword: String) -> DataElement? {
        get { DataSet.tag(named: keyword).flatMap { self[$0] } }
        set { if let t = DataSet.tag(named: keyword) { self[t] = newValue } }
    }

    /// A tag from a keyword or a tag text.
    public static func tag(named name: String) -> Tag? {
        DataDictionary.tag(forKeyword: name) ?? Tag(parsing: name)
    }

    /// The character set of this data set's text: its own (0008,0005) if present, else the inherited one.
    public var specificCharacterSet: SpecificCharacterSet {
        if let e = self[Tag.specificCharacterSet], case .bytes(let b) = e.value {
            return SpecificCharacterSet(termsValue: b)
        }
        return inheritedCharacterSet
    }

    /// Elements of this data set with tags in `range` (e.g. the file meta group).
    public func elements(in range: ClosedRange<Tag>) -> [DataElement] {
        elements.filter { range.contains($0.tag) }
    }

    /// Equality ignores the inherited character set (a reader detail), not the byte order.
    public static func == (lhs: DataSet, rhs: DataSet) -> Bool {
        lhs.byteOrder == rhs.byteOrder && lhs.elements == rhs.elements
    }
}
