/// A value's text without padding (SPACE and NUL, PS3.5 §6.2) at either end: the same result as Foundation's `trimmingCharacters(in: " \0")`, without its bridge
/// through NSString (a measurable share of the header work per file, BENCHMARKS.md "Case 8").
enum ValuePadding {
    static func isPadding(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x00 }

    /// `bytes` decoded as UTF-8 with padding bytes removed from both ends.
    static func trimmed<C: BidirectionalCollection>(_ bytes: C) -> String where C.Element == UInt8 {
        guard let first = bytes.firstIndex(where: { !isPadding($0) }),
            let last = bytes.lastIndex(where: { !isPadding($0) })
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    /// `text` with padding characters removed from both ends (ASCII padding only, so UTF-8 is not split).
    static func trimmed(_ text: String) -> String {
        let utf8 = text.utf8
        guard let first = utf8.firstIndex(where: { !isPadding($0) }) else { return "" }
        if first == utf8.startIndex, let last = utf8.last, !isPadding(last) { return text }
        return trimmed(Array(utf8))
    }
}
