import Foundation

/// This implementation's identity in file meta information (PS3.10 §7.1) and association negotiation
/// (PS3.7 §D.3.3.2): a UUID-derived UID under the 2.25 root (PS3.5 §B.2).
public enum DICOMLuaImplementation {
    public static let classUID = "2.25.267651663169728077386618025833191658895"
    public static let versionName = "DICOMLUA_0.1"
}

/// Makes UIDs under the 2.25 root from random UUIDs (PS3.5 §B.2): `2.25.<UUID as a decimal integer>`,
/// at most 44 characters.
public enum UIDGenerator {
    public static func make() -> String { "2.25." + decimalString(of: UUID()) }

    /// The 128 bits of `uuid` as an unsigned decimal integer without leading zeros.
    static func decimalString(of uuid: UUID) -> String {
        let u = uuid.uuid
        var bytes = [u.0, u.1, u.2, u.3, u.4, u.5, u.6, u.7, u.8, u.9, u.10, u.11, u.12, u.13, u.14, u.15]
        var digits: [UInt8] = []
        // Repeated division of the 128-bit big-endian number by 10.
        while bytes.contains(where: { $0 != 0 }) {
            var remainder = 0
            for i in 0..<bytes.count {
                let v = remainder << 8 | Int(bytes[i])
                bytes[i] = UInt8(v / 10)
                remainder = v % 10
            }
            digits.append(UInt8(remainder) + UInt8(ascii: "0"))
        }
        if digits.isEmpty { return "0" }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }
}

/// True when `uid` is a valid UID (PS3.5 §9.1): 1–64 characters, components of digits separated by dots,
/// no empty component, no leading zero in a multi-digit component. Such a string is also safe as a file
/// name (digits and dots only, never "." or "..").
public func isValidUID(_ uid: String) -> Bool {
    let bytes = Array(uid.utf8)
    guard !bytes.isEmpty, bytes.count <= 64 else { return false }
    var componentStart = true
    var leadingZero = false
    for b in bytes {
        if b == UInt8(ascii: ".") {
            if componentStart { return false }
            componentStart = true
            leadingZero = false
            continue
        }
        guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { return false }
        if leadingZero { return false }
        if componentStart { leadingZero = b == UInt8(ascii: "0") }
        componentStart = false
    }
    return !componentStart
}
