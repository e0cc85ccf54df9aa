/// A graphic character set that ISO 2022 designates into G0 or G1, with its escape sequence
/// (PS3.3 C.12.1.1.2 Tables C.12-3 and C.12-4; PS3.5 §6.1.2.5).
///
/// The conversion tables are glibc iconv's: a G0 94×94 set (JIS X 0208, JIS X 0212) is converted through
/// EUC-JP (its bytes with the high bit set), a G1 94×94 set (KS X 1001, GB 2312) through EUC-KR and EUC-CN,
/// whose bytes are the set's own in GR.
enum GraphicSet: Hashable, Sendable {
    /// ISO-IR 6 (ASCII) in G0: ESC ( B.
    case ascii
    /// ISO-IR 14 (JIS X 0201 Romaji) in G0: ESC ( J. Read and written as ASCII, as pydicom and DCMTK do.
    case romaji
    /// ISO-IR 87 (JIS X 0208 Kanji) in G0: ESC $ B.
    case jisX0208
    /// ISO-IR 159 (JIS X 0212 supplementary Kanji) in G0: ESC $ ( D.
    case jisX0212
    /// ISO-IR 13 (JIS X 0201 Katakana) in G1: ESC ) I.
    case katakana
    /// ISO-IR 149 (KS X 1001 Hangul and Hanja) in G1: ESC $ ) C.
    case ksX1001
    /// ISO-IR 58 (GB 2312 Simplified Chinese) in G1: ESC $ ) A.
    case gb2312
    /// The upper half of a single-byte set (ISO 8859, TIS 620) in G1: ESC - `final`.
    case upperHalf(iconv: String, final: UInt8)

    /// True for sets designated into G0 (their bytes are 21H–7EH).
    var isG0: Bool {
        switch self {
        case .ascii, .romaji, .jisX0208, .jisX0212: return true
        case .katakana, .ksX1001, .gb2312, .upperHalf: return false
        }
    }

    /// Bytes per character.
    var width: Int {
        switch self {
        case .ascii, .romaji, .katakana, .upperHalf: return 1
        case .jisX0208, .jisX0212, .ksX1001, .gb2312: return 2
        }
    }

    /// The escape sequence that designates this set (Tables C.12-3, C.12-4).
    var escapeSequence: [UInt8] {
        switch self {
        case .ascii: return [0x1B, 0x28, 0x42]
        case .romaji: return [0x1B, 0x28, 0x4A]
        case .jisX0208: return [0x1B, 0x24, 0x42]
        case .jisX0212: return [0x1B, 0x24, 0x28, 0x44]
        case .katakana: return [0x1B, 0x29, 0x49]
        case .ksX1001: return [0x1B, 0x24, 0x29, 0x43]
        case .gb2312: return [0x1B, 0x24, 0x29, 0x41]
        case .upperHalf(_, let final): return [0x1B, 0x2D, final]
        }
    }

    /// The set an escape sequence designates (`bytes` after ESC: intermediates and final byte); nil for an
    /// escape sequence the standard does not define. ESC $ @ (JIS C 6226-1978) is read as JIS X 0208.
    static func designated(by bytes: ArraySlice<UInt8>) -> GraphicSet? {
        let sequence = Array(bytes)
        if sequence.count == 2 && sequence[0] == 0x2D { return CharacterSetTerm.upperHalf(final: sequence[1]) }
        switch sequence {
        case [0x28, 0x42]: return .ascii
        case [0x28, 0x4A]: return .romaji
        case [0x24, 0x42], [0x24, 0x40]: return .jisX0208
        case [0x24, 0x28, 0x44]: return .jisX0212
        case [0x29, 0x49]: return .katakana
        case [0x24, 0x29, 0x43]: return .ksX1001
        case [0x24, 0x29, 0x41]: return .gb2312
        default: return nil
        }
    }

    /// The iconv encoding that decodes the bytes `codeBytes` makes.
    var iconvName: String {
        switch self {
        case .ascii, .romaji: return "ASCII"
        case .jisX0208, .jisX0212: return "EUC-JP"
        case .katakana: return "SHIFT_JIS"
        case .ksX1001: return "EUC-KR"
        case .gb2312: return "EUC-CN"
        case .upperHalf(let name, _): return name
        }
    }

    /// The bytes iconv decodes for one character of this set as it appears in a value.
    func iconvBytes(_ character: ArraySlice<UInt8>) -> [UInt8] {
        switch self {
        case .jisX0208: return character.map { $0 | 0x80 }
        case .jisX0212: return [0x8F] + character.map { $0 | 0x80 }
        case .ascii, .romaji, .katakana, .ksX1001, .gb2312, .upperHalf: return Array(character)
        }
    }

    /// The bytes of `scalar` in this set as a value holds them, nil when the set has no such character.
    func code(for scalar: Unicode.Scalar) -> [UInt8]? {
        switch self {
        case .ascii, .romaji:
            return scalar.isASCII ? [UInt8(scalar.value)] : nil
        case .jisX0208:
            guard let euc = Iconv.encode(String(scalar), to: "EUC-JP"), euc.count == 2, euc[0] >= 0xA1 else {
                return nil
            }
            return euc.map { $0 & 0x7F }
        case .jisX0212:
            guard let euc = Iconv.encode(String(scalar), to: "EUC-JP"), euc.count == 3, euc[0] == 0x8F else {
                return nil
            }
            return euc.dropFirst().map { $0 & 0x7F }
        case .katakana:
            guard let sjis = Iconv.encode(String(scalar), to: "SHIFT_JIS"), sjis.count == 1,
                (0xA1...0xDF).contains(sjis[0])
            else { return nil }
            return sjis
        case .ksX1001, .gb2312:
            guard let euc = Iconv.encode(String(scalar), to: iconvName), euc.count == 2, euc[0] >= 0xA1,
                euc[1] >= 0xA1
            else { return nil }
            return euc
        case .upperHalf(let name, _):
            guard let byte = Iconv.encode(String(scalar), to: name), byte.count == 1, byte[0] >= 0xA0 else {
                return nil
            }
            return byte
        }
    }
}
