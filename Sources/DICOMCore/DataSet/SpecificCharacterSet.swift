import Foundation

/// How text values of the character-set-sensitive VRs (SH, LO, ST, LT, PN, UC, UT) are decoded
/// (PS3.5 §6.1, PS3.3 C.12.1.1.2).
///
/// Supported: the default repertoire (ISO-IR 6, ASCII), ISO_IR 100 (Latin-1) and ISO_IR 192 (UTF-8).
/// Any other defined term (ISO 2022 code extensions, GB18030, ISO_IR 144, ...) keeps its bytes untouched
/// in the data set and is decoded as Latin-1 as a fallback, so text stays readable for ASCII content and
/// never fails to decode. Bytes above 7FH under the default repertoire are also decoded as Latin-1.
public enum SpecificCharacterSet: Sendable, Equatable {
    case defaultRepertoire
    case latin1
    case utf8
    /// Another defined term (first value of (0008,0005), trimmed), decoded as Latin-1.
    case unsupported(String)

    /// From the raw bytes of (0008,0005); the first non-empty value decides (code extensions are not
    /// supported).
    public init(termsValue bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let terms = text.split(separator: "\\", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \0")) }
        let first = terms.first { !$0.isEmpty } ?? ""
        self.init(term: first)
    }

    /// From one defined term, e.g. "ISO_IR 100".
    public init(term: String) {
        switch term.uppercased() {
        case "", "ISO_IR 6", "ISO 2022 IR 6": self = .defaultRepertoire
        case "ISO_IR 100", "ISO 2022 IR 100": self = .latin1
        case "ISO_IR 192": self = .utf8
        default: self = .unsupported(term)
        }
    }

    /// The defined term to write in (0008,0005); nil for the default repertoire.
    public var term: String? {
        switch self {
        case .defaultRepertoire: return nil
        case .latin1: return "ISO_IR 100"
        case .utf8: return "ISO_IR 192"
        case .unsupported(let t): return t
        }
    }

    /// Decodes text bytes. UTF-8 that is not valid UTF-8 falls back to Latin-1.
    public func decode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        switch self {
        case .utf8:
            if let s = String(validatingUTF8Bytes: bytes) { return s }
            return latin1String(bytes)
        case .defaultRepertoire, .latin1, .unsupported:
            return latin1String(bytes)
        }
    }

    /// Encodes text: UTF-8 under ISO_IR 192; Latin-1 otherwise, falling back to UTF-8 bytes for text
    /// Latin-1 cannot represent (documented: set (0008,0005) to "ISO_IR 192" for such text).
    public func encode(_ text: String) -> [UInt8] {
        switch self {
        case .utf8:
            return Array(text.utf8)
        case .defaultRepertoire, .latin1, .unsupported:
            var out: [UInt8] = []
            out.reserveCapacity(text.utf8.count)
            for scalar in text.unicodeScalars {
                guard scalar.value < 0x100 else { return Array(text.utf8) }
                out.append(UInt8(scalar.value))
            }
            return out
        }
    }
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
