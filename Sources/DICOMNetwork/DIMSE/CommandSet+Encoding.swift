import NIOCore

/// The wire form of a command set: Implicit VR Little Endian, ascending tags, (0000,0000) first
/// (PS3.7 §6.3; PS3.5 §7.1.2 for the element layout: tag group, tag element, 4-byte length, value).
extension CommandSet {
    /// Bytes of one element header: group (2) + element (2) + length (4).
    static let elementHeaderLength = 8

    /// Writes the command set with a correct (0000,0000) CommandGroupLength: the byte count of every
    /// element after it (PS3.7 Table E.1-1).
    public func write(into buffer: inout ByteBuffer) {
        let groupLength = self.elements.reduce(0) { $0 + Self.elementHeaderLength + $1.value.count }
        buffer.writeInteger(UInt16(0x0000), endianness: .little)
        buffer.writeInteger(CommandTag.commandGroupLength.element, endianness: .little)
        buffer.writeInteger(UInt32(4), endianness: .little)
        buffer.writeInteger(UInt32(groupLength), endianness: .little)
        for element in self.elements {
            buffer.writeInteger(UInt16(0x0000), endianness: .little)
            buffer.writeInteger(element.tag.element, endianness: .little)
            buffer.writeInteger(UInt32(element.value.count), endianness: .little)
            buffer.writeBytes(element.value)
        }
    }

    /// The encoded command set in a new buffer.
    public func encoded() -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 256)
        write(into: &buffer)
        return buffer
    }

    /// Decodes a complete command set (all readable bytes of `bytes`).
    ///
    /// Accepts elements in any order (they are stored by tag) and does not check the value of
    /// (0000,0000): the PDVs already delimit the command set. Rejects elements outside group 0000,
    /// duplicated tags and lengths past the end, naming the tag and byte offset.
    public init(decoding bytes: ByteBuffer) throws {
        var elements: [Element] = []
        elements.reserveCapacity(12)
        // Tags seen, kept only once an element arrives out of ascending order (peers send them in order).
        var seenOutOfOrder: Set<CommandTag>?
        var buffer = bytes
        let start = buffer.readerIndex
        var sawGroupLength = false
        while buffer.readableBytes > 0 {
            let offset = buffer.readerIndex - start
            guard buffer.readableBytes >= Self.elementHeaderLength,
                let group = buffer.readInteger(endianness: .little, as: UInt16.self),
                let element = buffer.readInteger(endianness: .little, as: UInt16.self),
                let length = buffer.readInteger(endianness: .little, as: UInt32.self)
            else {
                throw CommandSetError.truncatedElementHeader(offset: offset, remaining: buffer.readableBytes)
            }
            guard group == 0x0000 else {
                throw CommandSetError.elementOutsideCommandGroup(group: group, element: element, offset: offset)
            }
            let tag = CommandTag(element)
            guard UInt64(length) <= UInt64(buffer.readableBytes), let value = buffer.readBytes(length: Int(length))
            else {
                throw CommandSetError.valueLengthPastEnd(
                    tag: tag, offset: offset, length: length,
                    remaining: buffer.readableBytes)
            }
            if tag == .commandGroupLength {
                if sawGroupLength { throw CommandSetError.duplicateTag(tag, offset: offset) }
                sawGroupLength = true
                continue
            }
            if let last = elements.last, !(last.tag < tag) || seenOutOfOrder != nil {
                var seen = seenOutOfOrder ?? Set(elements.map(\.tag))
                seenOutOfOrder = nil  // unshared, so that inserting does not copy the set
                guard seen.insert(tag).inserted else { throw CommandSetError.duplicateTag(tag, offset: offset) }
                seenOutOfOrder = seen
            }
            elements.append(Element(tag: tag, value: value))
        }
        if seenOutOfOrder != nil { elements.sort { $0.tag < $1.tag } }
        self.init(elementsInTagOrder: elements)
    }
}
