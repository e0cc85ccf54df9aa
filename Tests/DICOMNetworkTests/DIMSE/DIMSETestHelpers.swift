import NIOCore

/// Bytes from a hex string (whitespace ignored); traps on malformed test fixtures.
func dimseBytes(hex: String) -> ByteBuffer {
    let digits = Array(hex.filter { !$0.isWhitespace })
    precondition(digits.count % 2 == 0, "odd hex fixture")
    var buffer = ByteBufferAllocator().buffer(capacity: digits.count / 2)
    for i in stride(from: 0, to: digits.count, by: 2) {
        buffer.writeInteger(UInt8(String(digits[i...i + 1]), radix: 16)!)
    }
    return buffer
}

/// The readable bytes as lower-case hex.
func dimseHex(_ buffer: ByteBuffer) -> String {
    buffer.readableBytesView.map { byte in
        let hex = String(byte, radix: 16)
        return hex.count == 1 ? "0" + hex : hex
    }.joined()
}

/// Deterministic pseudo-random bytes (SplitMix64), so failures reproduce.
struct DIMSETestRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(upTo bound: Int) -> Int { Int(next() % UInt64(bound)) }
    mutating func bytes(_ count: Int) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        for _ in 0..<count / 8 { buffer.writeInteger(next()) }
        for _ in 0..<count % 8 { buffer.writeInteger(UInt8(truncatingIfNeeded: next())) }
        return buffer
    }
}
