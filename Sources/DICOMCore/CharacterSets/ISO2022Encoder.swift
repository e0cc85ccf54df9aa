/// Encodes a value with ISO 2022 code extensions the way the examples of PS3.5 Annexes H, I and K do
/// (PS3.5 §6.1.2.5):
/// - a character is written in the G1 or G0 set in force when it has a code there, else in the first set
///   of (0008,0005) that has one, designated by its escape sequence just before it;
/// - before each control character and delimiter (`^`, `=`, `\` in PN; `\` between values) and at the end
///   of the value, value 1's G0 set is designated again if another is in force, and value 1's G1 set if
///   value 1 has one (PS3.5 §6.1.2.5.3); a G1 set of a code extension lapses there.
struct ISO2022Encoder {
    let initialG0: GraphicSet
    let initialG1: GraphicSet?
    /// The non-ASCII sets (0008,0005) makes available, value 1's first.
    let candidates: [GraphicSet]
    let vr: VR

    private var g0: GraphicSet
    private var g1: GraphicSet?
    private var output: [UInt8] = []

    init(initialG0: GraphicSet, initialG1: GraphicSet?, candidates: [GraphicSet], vr: VR) {
        self.initialG0 = initialG0
        self.initialG1 = initialG1
        self.candidates = candidates
        self.vr = vr
        g0 = initialG0
        g1 = initialG1
    }

    mutating func encode(_ text: String, characterSet: String) throws -> [UInt8] {
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                let byte = UInt8(scalar.value)
                if byte < 0x20 || byte == 0x7F || isDelimiter(byte) {
                    reset()
                } else if g0 != .ascii && g0 != .romaji {
                    designate(initialG0 == .romaji ? .romaji : .ascii)
                }
                output.append(byte)
                continue
            }
            let inForce = [g1, g0.width == 2 ? g0 : nil].compactMap { $0 }
            var written = false
            for set in inForce + candidates {
                guard let code = set.code(for: scalar) else { continue }
                designate(set)
                output.append(contentsOf: code)
                written = true
                break
            }
            if !written { throw TextEncodingError(character: scalar, characterSet: characterSet) }
        }
        reset()
        return output
    }

    private func isDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x5C: return vr.allowsMultipleTextValues
        case 0x5E, 0x3D: return vr == .PN
        default: return false
        }
    }

    /// Designates `set` into its G element unless it is already there.
    private mutating func designate(_ set: GraphicSet) {
        if set.isG0 {
            guard set != g0 else { return }
            g0 = set
        } else {
            guard set != g1 else { return }
            g1 = set
        }
        output.append(contentsOf: set.escapeSequence)
    }

    /// Value 1's sets again (PS3.5 §6.1.2.5.3).
    private mutating func reset() {
        if g0 != initialG0 { designate(initialG0) }
        if g1 != initialG1 {
            if let initialG1 { designate(initialG1) } else { g1 = nil }
        }
    }
}
