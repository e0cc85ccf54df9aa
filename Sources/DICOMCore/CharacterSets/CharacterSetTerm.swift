/// One defined term of Specific Character Set (0008,0005): PS3.3 C.12.1.1.2, Tables C.12-2 (single-byte
/// without code extensions), C.12-3 (single-byte with code extensions), C.12-4 (multi-byte with code
/// extensions) and C.12-5 (multi-byte without code extensions).
public struct CharacterSetTerm: Sendable, Hashable {
    /// The defined term as the standard spells it ("ISO_IR 100", "ISO 2022 IR 87", "GB18030"; "" for the
    /// default repertoire).
    public let definedTerm: String
    /// The G0 set in force at the start of a value when this term is value 1 (PS3.5 §6.1.2.5.3).
    let initialG0: GraphicSet
    /// The G1 set in force at the start of a value when this term is value 1, nil for none.
    let initialG1: GraphicSet?
    /// The sets this term makes available through escape sequences when it is a code extension.
    let extensions: [GraphicSet]
    /// The iconv encoding of a set used without code extensions (UTF-8, GB18030, GBK), nil otherwise.
    let standalone: String?

    /// The default repertoire (ISO-IR 6), (0008,0005) absent or empty.
    public static let defaultRepertoire = CharacterSetTerm(
        definedTerm: "", initialG0: .ascii, initialG1: nil, extensions: [.ascii], standalone: nil)

    /// Single-byte sets: ISO-IR number → (iconv name, final byte of its G1 escape ESC - F).
    private static let singleByte: [Int: (iconv: String, final: UInt8)] = [
        100: ("ISO-8859-1", 0x41), 101: ("ISO-8859-2", 0x42), 109: ("ISO-8859-3", 0x43),
        110: ("ISO-8859-4", 0x44), 144: ("ISO-8859-5", 0x4C), 127: ("ISO-8859-6", 0x47),
        126: ("ISO-8859-7", 0x46), 138: ("ISO-8859-8", 0x48), 148: ("ISO-8859-9", 0x4D),
        203: ("ISO-8859-15", 0x62), 166: ("TIS-620", 0x54),
    ]

    /// The upper half designated by ESC - `final`, nil for a final byte the standard does not use.
    static func upperHalf(final: UInt8) -> GraphicSet? {
        singleByte.values.first { $0.final == final }.map { .upperHalf(iconv: $0.iconv, final: final) }
    }

    /// The term of a defined term spelled as the standard does; nil for any other text.
    public init?(definedTerm term: String) {
        switch term {
        case "", "ISO_IR 6":
            self = .defaultRepertoire
        case "ISO 2022 IR 6":
            self.init(definedTerm: term, initialG0: .ascii, initialG1: nil, extensions: [.ascii], standalone: nil)
        case "ISO_IR 13", "ISO 2022 IR 13":
            self.init(
                definedTerm: term, initialG0: .romaji, initialG1: .katakana, extensions: [.katakana, .romaji],
                standalone: nil)
        case "ISO 2022 IR 87":
            self.init(definedTerm: term, initialG0: .ascii, initialG1: nil, extensions: [.jisX0208], standalone: nil)
        case "ISO 2022 IR 159":
            self.init(definedTerm: term, initialG0: .ascii, initialG1: nil, extensions: [.jisX0212], standalone: nil)
        case "ISO 2022 IR 149":
            self.init(
                definedTerm: term, initialG0: .ascii, initialG1: .ksX1001, extensions: [.ksX1001], standalone: nil)
        case "ISO 2022 IR 58":
            self.init(
                definedTerm: term, initialG0: .ascii, initialG1: .gb2312, extensions: [.gb2312], standalone: nil)
        case "ISO_IR 192":
            self.init(definedTerm: term, initialG0: .ascii, initialG1: nil, extensions: [], standalone: "UTF-8")
        case "GB18030", "GBK":
            self.init(definedTerm: term, initialG0: .ascii, initialG1: nil, extensions: [], standalone: term)
        default:
            let prefix = term.hasPrefix("ISO_IR ") ? "ISO_IR " : term.hasPrefix("ISO 2022 IR ") ? "ISO 2022 IR " : nil
            guard let prefix, let number = Int(term.dropFirst(prefix.count)), let set = Self.singleByte[number] else {
                return nil
            }
            let g1 = GraphicSet.upperHalf(iconv: set.iconv, final: set.final)
            self.init(definedTerm: term, initialG0: .ascii, initialG1: g1, extensions: [g1], standalone: nil)
        }
    }

    private init(
        definedTerm: String, initialG0: GraphicSet, initialG1: GraphicSet?, extensions: [GraphicSet],
        standalone: String?
    ) {
        self.definedTerm = definedTerm
        self.initialG0 = initialG0
        self.initialG1 = initialG1
        self.extensions = extensions
        self.standalone = standalone
    }

    /// True for UTF-8, GB18030 and GBK (Table C.12-5): no code extensions.
    public var isStandalone: Bool { standalone != nil }

    /// True for the terms of Tables C.12-3 and C.12-4 ("ISO 2022 IR …").
    public var isCodeExtension: Bool { definedTerm.hasPrefix("ISO 2022 ") }

    /// The defined term meant by a spelling seen in the field: lower case, `ISO-IR 100`, `ISO IR 100`,
    /// `ISO_IR100`, `ISO_IR 149` for `ISO 2022 IR 149` (the multi-byte sets exist only with code
    /// extensions), `ISO 2022 GBK` and `ISO 2022 58` (CP-1234 drafts), `UTF-8`. Nil when the text is
    /// already a defined term or names nothing known.
    public static func correctedSpelling(of text: String) -> String? {
        let upper = text.uppercased()
        let squeezed = String(upper.map { $0 == "_" || $0 == "-" ? " " : $0 })
        let words = squeezed.split(separator: " ").map(String.init)
        var corrected: String?
        if ["UTF8", "UTF 8"].contains(words.joined(separator: " ")) {
            corrected = "ISO_IR 192"
        } else if words == ["ISO", "2022", "GBK"] {
            corrected = "GBK"
        } else if words == ["ISO", "2022", "58"] {
            corrected = "ISO 2022 IR 58"
        } else if let number = Self.irNumber(words) {
            let multiByteOnly = [87, 159, 149, 58].contains(number.value)
            corrected =
                number.withExtensions || multiByteOnly ? "ISO 2022 IR \(number.value)" : "ISO_IR \(number.value)"
        } else if ["GB18030", "GBK"].contains(upper) {
            corrected = upper
        }
        guard let corrected, corrected != text, CharacterSetTerm(definedTerm: corrected) != nil else { return nil }
        return corrected
    }

    /// The ISO-IR number of words such as ["ISO", "IR", "100"], ["ISO", "2022", "IR", "87"], ["ISOIR100"].
    private static func irNumber(_ words: [String]) -> (value: Int, withExtensions: Bool)? {
        var joined = words.joined()
        guard joined.hasPrefix("ISO") else { return nil }
        joined.removeFirst(3)
        var withExtensions = false
        if joined.hasPrefix("2022") {
            withExtensions = true
            joined.removeFirst(4)
        }
        guard joined.hasPrefix("IR") else { return nil }
        joined.removeFirst(2)
        guard let value = Int(joined) else { return nil }
        return (value, withExtensions)
    }
}
