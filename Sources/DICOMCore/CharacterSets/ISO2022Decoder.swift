/// Decodes a value coded with ISO 2022 code extensions (PS3.5 §6.1.2.5): escape sequences designate
/// G0 and G1 sets within the value; bytes 21H–7EH are G0 characters, A0H–FFH G1 characters. The sets of
/// value 1 are in force at the start and again after each control character and delimiter (PS3.5
/// §6.1.2.5.3), inside a 94×94 G0 set only between characters (5CH, 5EH and 3DH can be a character's second
/// byte). An escape sequence the standard does not define, or a byte no designated set decodes, reads as
/// U+FFFD.
struct ISO2022Decoder {
    let initialG0: GraphicSet
    let initialG1: GraphicSet?
    let vr: VR

    private var output = ""
    private var run: [UInt8] = []
    private var runSet: GraphicSet = .ascii

    init(initialG0: GraphicSet, initialG1: GraphicSet?, vr: VR) {
        self.initialG0 = initialG0
        self.initialG1 = initialG1
        self.vr = vr
    }

    func decode(_ bytes: [UInt8]) -> String {
        var decoder = self
        return decoder.run(bytes)
    }

    private mutating func run(_ bytes: [UInt8]) -> String {
        var g0 = initialG0
        var g1 = initialG1
        var i = 0
        let n = bytes.count
        while i < n {
            let byte = bytes[i]
            if byte == 0x1B {
                var j = i + 1
                while j < n && (0x20...0x2F).contains(bytes[j]) { j += 1 }
                flush()
                if j < n, (0x30...0x7E).contains(bytes[j]), let set = GraphicSet.designated(by: bytes[(i + 1)...j]) {
                    if set.isG0 { g0 = set } else { g1 = set }
                } else {
                    output.append("\u{FFFD}")
                }
                i = min(j + 1, n)
                continue
            }
            if byte < 0x21 || byte == 0x7F || (g0.width == 1 && isDelimiter(byte)) {
                flush()
                output.unicodeScalars.append(Unicode.Scalar(byte))
                if byte != 0x20 {
                    g0 = initialG0
                    g1 = initialG1
                }
                i += 1
                continue
            }
            if byte < 0x80 {
                if g0.width == 1 {
                    flush()
                    output.unicodeScalars.append(Unicode.Scalar(byte))
                    i += 1
                } else if i + 1 < n, (0x21...0x7E).contains(bytes[i + 1]) {
                    append(bytes[i...(i + 1)], in: g0)
                    i += 2
                } else {
                    replace()
                    i += 1
                }
                continue
            }
            guard let g1 else {
                replace()
                i += 1
                continue
            }
            if g1.width == 1 {
                append(bytes[i...i], in: g1)
                i += 1
            } else if i + 1 < n, bytes[i + 1] >= 0xA1 {
                append(bytes[i...(i + 1)], in: g1)
                i += 2
            } else {
                replace()
                i += 1
            }
        }
        flush()
        return output
    }

    /// `\` between values (not in LT, ST, UT), `^` and `=` in PN.
    private func isDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x5C: return vr.allowsMultipleTextValues
        case 0x5E, 0x3D: return vr == .PN
        default: return false
        }
    }

    private mutating func append(_ character: ArraySlice<UInt8>, in set: GraphicSet) {
        if set != runSet { flush() }
        runSet = set
        run.append(contentsOf: set.iconvBytes(character))
    }

    private mutating func replace() {
        flush()
        output.append("\u{FFFD}")
    }

    private mutating func flush() {
        guard !run.isEmpty else { return }
        output += Iconv.decode(run, from: runSet.iconvName)
        run.removeAll(keepingCapacity: true)
    }
}
