/// The Specific Character Set (0008,0005) of a data set: how the text of SH, LO, ST, LT, PN, UC and UT is
/// coded (PS3.5 §6.1, PS3.3 C.12.1.1.2). Every defined term is read and written: the single-byte sets,
/// ISO 2022 code extensions (escape sequences switching G0 and G1 within a value, PS3.5 §6.1.2.5), GB18030,
/// GBK and UTF-8 (docs/lua-api.md "Character sets").
///
/// - Decoding never fails: a byte no designated set decodes becomes U+FFFD. Bytes above 7FH in a data set
///   without (0008,0005) (undeclared, common in the field) read as UTF-8 when they are valid UTF-8, else as
///   Latin-1.
/// - Encoding raises `TextEncodingError` for a character the set cannot represent. ISO 2022 values are
///   written as the examples of PS3.5 Annexes H, I and K are: a set is designated just before its first
///   character, and value 1's sets are designated again before each delimiter and at the end of the value
///   (PS3.5 §6.1.2.5.3).
public struct SpecificCharacterSet: Sendable, Equatable {
    /// Value 1 first; `[.defaultRepertoire]` when (0008,0005) is absent or empty.
    public let terms: [CharacterSetTerm]
    /// (0008,0005) as it was written (values joined by backslashes), for messages; "" when absent.
    public let spelled: String

    public static let defaultRepertoire = SpecificCharacterSet(terms: [.defaultRepertoire], spelled: "")
    public static let latin1 = SpecificCharacterSet(term: "ISO_IR 100")
    public static let utf8 = SpecificCharacterSet(term: "ISO_IR 192")

    private init(terms: [CharacterSetTerm], spelled: String) {
        self.terms = terms
        self.spelled = spelled
    }

    /// From the raw bytes of (0008,0005): several values for code extensions (value 1 may be empty).
    public init(termsValue bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        self.init(values: text.split(separator: "\\", omittingEmptySubsequences: false).map(String.init))
    }

    /// From one defined term, e.g. "ISO_IR 100".
    public init(term: String) { self.init(values: [term]) }

    /// From the values of (0008,0005). Non-standard spellings are corrected (and logged once); an unknown
    /// term is read as the default repertoire (logged once); value 1 being UTF-8, GB18030 or GBK ends the
    /// list (they allow no code extensions, PS3.3 Table C.12-5).
    public init(values: [String]) {
        let trimmed = values.map { trimCharacterSetValue($0) }
        var terms: [CharacterSetTerm] = []
        for (index, value) in trimmed.enumerated() {
            if index > 0 && value.isEmpty { continue }
            var term = CharacterSetTerm(definedTerm: value)
            if term == nil, let corrected = CharacterSetTerm.correctedSpelling(of: value) {
                CharacterSetWarnings.once(
                    "Specific Character Set (0008,0005) \"\(value)\" is not a defined term: read as \"\(corrected)\"")
                term = CharacterSetTerm(definedTerm: corrected)
            }
            guard let term else {
                CharacterSetWarnings.once(
                    "Specific Character Set (0008,0005) \"\(value)\" is not a defined term of PS3.3 C.12.1.1.2: its text is read as the default repertoire"
                )
                if index == 0 { terms.append(.defaultRepertoire) }
                continue
            }
            if index > 0 && term.standalone != nil { continue }
            terms.append(term)
            if index == 0 && term.standalone != nil { break }
        }
        if terms.isEmpty { terms = [.defaultRepertoire] }
        self.init(terms: terms, spelled: trimmed.joined(separator: "\\"))
    }

    /// The value to write in (0008,0005), nil for the default repertoire.
    public var term: String? {
        let text = terms.map(\.definedTerm).joined(separator: "\\")
        return text.isEmpty ? nil : text
    }

    /// The name messages use: (0008,0005) as written, or "the default repertoire (ISO-IR 6)".
    public var displayName: String { spelled.isEmpty ? "the default repertoire (ISO-IR 6)" : spelled }

    /// True for the default repertoire alone: (0008,0005) absent, empty or "ISO_IR 6".
    public var isDefaultRepertoire: Bool { terms == [.defaultRepertoire] }

    private var value1: CharacterSetTerm { terms[0] }

    // MARK: - Decoding

    /// Decodes the bytes of a value of `vr` (the delimiters that reset ISO 2022 designations depend on it:
    /// `^`, `=` and `\` for PN, `\` for the multi-valued VRs, control characters for all, PS3.5 §6.1.2.5.3).
    public func decode(_ bytes: [UInt8], vr: VR = .LO) -> String {
        if bytes.allSatisfy({ $0 < 0x80 && $0 != 0x1B }) { return String(decoding: bytes, as: UTF8.self) }
        if let standalone = value1.standalone {
            if standalone == "UTF-8" { return String(decoding: bytes, as: UTF8.self) }
            return Iconv.decode(bytes, from: standalone)
        }
        if isDefaultRepertoire && !bytes.contains(0x1B) {
            if let text = String(validatingUTF8Bytes: bytes) { return text }
            return latin1String(bytes)
        }
        return ISO2022Decoder(initialG0: value1.initialG0, initialG1: value1.initialG1, vr: vr).decode(bytes)
    }

    // MARK: - Encoding

    /// The bytes of `text` as a value of `vr`.
    /// - Throws: `TextEncodingError` naming the first character the set cannot represent.
    public func encode(_ text: String, vr: VR = .LO) throws -> [UInt8] {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return Array(text.utf8) }
        if let standalone = value1.standalone {
            if standalone == "UTF-8" { return Array(text.utf8) }
            if let bytes = Iconv.encode(text, to: standalone) { return bytes }
            let bad = text.unicodeScalars.first { Iconv.encode(String($0), to: standalone) == nil }
            throw TextEncodingError(character: bad ?? "\u{FFFD}", characterSet: displayName)
        }
        var candidates: [GraphicSet] = []
        for term in terms {
            for set in [term.initialG1].compactMap({ $0 }) + term.extensions
            where !candidates.contains(set) && set != .ascii && set != .romaji {
                candidates.append(set)
            }
        }
        var encoder = ISO2022Encoder(
            initialG0: value1.initialG0, initialG1: value1.initialG1, candidates: candidates, vr: vr)
        return try encoder.encode(text, characterSet: displayName)
    }

    /// True when `text` can be encoded in this set.
    public func canEncode(_ text: String) -> Bool { (try? encode(text)) != nil }
}

/// A character a Specific Character Set cannot represent (docs/lua-api.md "Character sets").
public struct TextEncodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public let character: Unicode.Scalar
    /// (0008,0005) as written, or "the default repertoire (ISO-IR 6)".
    public let characterSet: String
    /// The element being set, when known.
    public let tag: Tag?
    /// Why, when it is not simply a character the set lacks.
    public let reason: String?

    public init(character: Unicode.Scalar, characterSet: String, tag: Tag? = nil, reason: String? = nil) {
        self.character = character
        self.characterSet = characterSet
        self.tag = tag
        self.reason = reason
    }

    /// "'Ω' cannot be encoded in ISO_IR 100 (0010,0010)".
    public var description: String {
        var text = "'\(Character(character))' cannot be encoded in \(characterSet)"
        if let tag { text += " \(tag)" }
        if let reason { text += ": \(reason)" }
        return text
    }
}

/// The (0008,0005) value without its padding (spaces, NULs).
private func trimCharacterSetValue(_ text: String) -> String {
    var s = Substring(text)
    while let c = s.last, c == " " || c == "\0" { s = s.dropLast() }
    while let c = s.first, c == " " || c == "\0" { s = s.dropFirst() }
    return String(s)
}

/// Latin-1 (ISO 8859-1) decoding: each byte is the Unicode scalar of the same value. Fast path for ASCII.
@inline(__always)
func latin1String<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
    var s = String.UnicodeScalarView()
    for b in bytes { s.append(Unicode.Scalar(b)) }
    return String(s)
}

extension String {
    /// Decodes `bytes` as UTF-8, nil if they are not valid UTF-8.
    init?<C: Collection>(validatingUTF8Bytes bytes: C) where C.Element == UInt8 {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var scalars = String.UnicodeScalarView()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let v): scalars.append(v)
            case .emptyInput: break loop
            case .error: return nil
            }
        }
        self = String(scalars)
    }
}
