import DICOMCore

/// Attribute matching of the test Q/R SCP (PS3.4 C.2.2.2), as pure functions of the key (the value in the
/// request identifier) and the stored value (text, several values separated by backslashes).
///
/// - Universal (C.2.2.2.3): an empty key, or `*` alone, matches everything (even a missing value).
/// - List of UID (C.2.2.2.2): a UI key with backslashes matches any of its UIDs. More generally, a key with
///   several values matches when any of them matches any stored value (e.g. ModalitiesInStudy `CT\MR`).
/// - Range (C.2.2.2.5) for DA, TM and DT: `A-B`, `A-` and `-B`, bounds included; a TM upper bound of lower
///   precision covers its whole minute/hour (`-1200` includes 12:00:59).
/// - Wild card (C.2.2.2.4) for AE, CS, LO, LT, PN, SH, ST, UC, UR, UT: `*` any run of characters (also
///   none), `?` exactly one character.
/// - Single value (C.2.2.2.1): equality after removing padding.
/// - Case: every comparison is case-sensitive except for PN, which is compared case-insensitively
///   (PS3.4 leaves PN case and wild-card behaviour to the implementation).
/// - Text: keys and values are compared as decoded text (each in its own Specific Character Set), so
///   `Διονυσιος` sent in ISO_IR 192 matches a name stored in ISO_IR 126. A PN key without `=` is also
///   matched against each component group of the stored name.
/// - A missing or empty stored value only matches a universal key.
public enum AttributeMatcher {
    /// Does the stored `value` match the request `key` for an attribute of `vr`?
    public static func matches(key rawKey: String, value rawValue: String?, vr: VR) -> Bool {
        let key = trim(rawKey)
        if isUniversal(key) { return true }
        guard let rawValue else { return false }
        let value = trim(rawValue)
        if value.isEmpty { return false }
        let keys =
            splitsValues(vr)
            ? key.split(separator: "\\", omittingEmptySubsequences: false).map { trim(String($0)) } : [key]
        let values = splitsValues(vr) ? value.split(separator: "\\").map { trim(String($0)) } : [value]
        for k in keys where !k.isEmpty {
            for v in values where matchesOne(key: k, value: v, vr: vr) { return true }
        }
        return false
    }

    /// An empty key or `*` alone (PS3.4 C.2.2.2.3, C.2.2.2.4).
    public static func isUniversal(_ key: String) -> Bool {
        let k = trim(key)
        return k.isEmpty || k == "*"
    }

    static func matchesOne(key: String, value: String, vr: VR) -> Bool {
        switch vr {
        case .DA, .TM, .DT:
            if key.contains("-") { return inRange(key: key, value: value, vr: vr) }
            if vr == .TM { return inRange(key: key + "-" + key, value: value, vr: vr) }
            return normalized(key, vr: vr, upper: false) == normalized(value, vr: vr, upper: false)
        case .PN:
            let k = key.lowercased(), v = value.lowercased()
            func matches(_ text: String) -> Bool { hasWildcard(k) ? wildcardMatch(pattern: k, text: text) : k == text }
            if matches(v) { return true }
            // A key of one component group also matches each group of the stored name: `山田*` finds
            // `Yamada^Tarou=山田^太郎=やまだ^たろう` (PS3.4 C.2.2.2.1 leaves PN matching to the implementation).
            guard !k.contains("=") else { return false }
            return v.split(separator: "=").contains { matches(String($0)) }
        case .AE, .CS, .LO, .LT, .SH, .ST, .UC, .UR, .UT:
            return hasWildcard(key) ? wildcardMatch(pattern: key, text: value) : key == value
        case .AS, .AT, .DS, .FD, .FL, .IS, .OB, .OD, .OF, .OL, .OV, .OW, .SL, .SQ, .SS, .SV, .UI, .UL, .UN, .US, .UV:
            return key == value
        }
    }

    /// Range matching (PS3.4 C.2.2.2.5); bounds are compared as normalized digit strings.
    static func inRange(key: String, value: String, vr: VR) -> Bool {
        guard let dash = key.firstIndex(of: "-") else { return false }
        let lower = trim(String(key[..<dash])), upper = trim(String(key[key.index(after: dash)...]))
        let v = normalized(value, vr: vr, upper: false)
        if !lower.isEmpty && v < normalized(lower, vr: vr, upper: false) { return false }
        if !upper.isEmpty && v > normalized(upper, vr: vr, upper: true) { return false }
        return !(lower.isEmpty && upper.isEmpty)
    }

    /// DA: digits (`YYYY.MM.DD` of old ACR-NEMA accepted); TM: `HHMMSS.FFFFFF` (colons removed), padded with
    /// zeros, or for an upper bound with the largest value of the missing components; DT: digits padded with
    /// zeros (lower bound, values) or nines (upper bound).
    static func normalized(_ text: String, vr: VR, upper: Bool) -> String {
        switch vr {
        case .DA:
            return String(text.filter { $0.isNumber })
        case .TM:
            let cleaned = text.filter { $0 != ":" }
            let parts = cleaned.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            var hms = String(parts.first ?? "")
            var fraction = parts.count > 1 ? String(parts[1]) : ""
            let filler = upper ? "595959" : "000000"
            if hms.count < 6 {
                let missing = 6 - hms.count
                hms += String(filler.suffix(missing))
                if upper { fraction = "999999" }
            }
            fraction = String(fraction.prefix(6))
            fraction += String(repeating: upper ? "9" : "0", count: 6 - fraction.count)
            return hms + "." + fraction
        case .DT:
            let digits = String(text.prefix { $0.isNumber || $0 == "." }.filter { $0.isNumber }.prefix(20))
            return digits + String(repeating: upper ? "9" : "0", count: 20 - digits.count)
        default:
            return text
        }
    }

    static func hasWildcard(_ key: String) -> Bool { key.contains("*") || key.contains("?") }

    /// `*` matches any run of characters (including none), `?` exactly one (PS3.4 C.2.2.2.4).
    public static func wildcardMatch(pattern: String, text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == t[ti]) {
                pi += 1
                ti += 1
            } else if pi < p.count && p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// Text VRs whose backslashes are text, not value separators (PS3.5 §6.4).
    static func splitsValues(_ vr: VR) -> Bool {
        switch vr {
        case .LT, .ST, .UT, .UR: return false
        default: return true
        }
    }

    static func trim(_ s: String) -> String {
        var sub = Substring(s)
        while let c = sub.last, c == " " || c == "\0" { sub = sub.dropLast() }
        while sub.first == " " { sub = sub.dropFirst() }
        return String(sub)
    }
}
