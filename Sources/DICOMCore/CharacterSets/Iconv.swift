#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The system's character conversion (glibc iconv): the tables of every character set the standard names
/// come from the C library, none is written here.
enum Iconv {
    /// Decodes `bytes` of `encoding` to text. Each byte iconv cannot convert becomes U+FFFD and decoding
    /// goes on after it (PS3.5 §6.1 text stays readable when a value holds a stray byte).
    static func decode(_ bytes: [UInt8], from encoding: String) -> String {
        if bytes.isEmpty { return "" }
        guard let converter = open(to: "UTF-8", from: encoding) else {
            return String(repeating: "\u{FFFD}", count: bytes.count)
        }
        defer { iconv_close(converter) }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 3)
        var start = 0
        while start < bytes.count {
            let (converted, consumed, stopped) = convert(converter, Array(bytes[start...]))
            output.append(contentsOf: converted)
            start += consumed
            if stopped && start < bytes.count {
                output.append(contentsOf: [0xEF, 0xBF, 0xBD])  // U+FFFD for the byte that does not convert
                start += 1
                _ = iconv(converter, nil, nil, nil, nil)  // back to the initial shift state
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes of `text` in `encoding`, nil when a character has no code in it.
    static func encode(_ text: String, to encoding: String) -> [UInt8]? {
        let input = Array(text.utf8)
        if input.isEmpty { return [] }
        guard let converter = open(to: encoding, from: "UTF-8") else { return nil }
        defer { iconv_close(converter) }
        let (converted, consumed, _) = convert(converter, input)
        guard consumed == input.count else { return nil }
        return converted
    }

    /// True when iconv knows `encoding` (the C library may be built without some tables).
    static func isAvailable(_ encoding: String) -> Bool {
        guard let converter = open(to: "UTF-8", from: encoding) else { return false }
        iconv_close(converter)
        return true
    }

    private static func open(to: String, from: String) -> iconv_t? {
        let converter = iconv_open(to, from)
        if converter == iconv_t(bitPattern: -1) { return nil }
        return converter
    }

    /// Converts as much of `input` as iconv accepts: the output, the input bytes consumed and whether it
    /// stopped at a byte it could not convert.
    private static func convert(_ converter: iconv_t, _ input: [UInt8]) -> ([UInt8], Int, Bool) {
        var source = input
        var output = [UInt8](repeating: 0, count: input.count * 4 + 16)
        var inLeft = source.count
        var outLeft = output.count
        let stopped = source.withUnsafeMutableBytes { inRaw -> Bool in
            output.withUnsafeMutableBytes { outRaw -> Bool in
                var inPointer: UnsafeMutablePointer<CChar>? = inRaw.baseAddress?.assumingMemoryBound(to: CChar.self)
                var outPointer: UnsafeMutablePointer<CChar>? = outRaw.baseAddress?.assumingMemoryBound(to: CChar.self)
                let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                if result == -1 && inLeft > 0 { return true }
                // Flush a stateful encoder's closing sequence.
                _ = iconv(converter, nil, nil, &outPointer, &outLeft)
                return false
            }
        }
        return (Array(output[0..<(output.count - outLeft)]), input.count - inLeft, stopped)
    }
}
