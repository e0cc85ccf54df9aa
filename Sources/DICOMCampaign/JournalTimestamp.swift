import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The journal's times: ISO 8601 in UTC with milliseconds (`2026-12-07T06:49:28.123Z`, what
/// `ISO8601DateFormatter` with `.withInternetDateTime` and `.withFractionalSeconds` writes and reads), formatted
/// and parsed by hand: the journal writes one per arrival and per state change, and a Foundation formatter made
/// per call cost more CPU than the SQLite commit it went with (BENCHMARKS.md "Case 10").
enum JournalTimestamp {
    static func string(_ date: Date) -> String {
        let total = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var seconds = time_t(total >= 0 ? total / 1000 : (total - 999) / 1000)
        let millis = Int(total - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var out = ""
        out.reserveCapacity(24)
        func put(_ value: Int, _ width: Int) {
            let digits = String(value)
            if digits.count < width { out += String(repeating: "0", count: width - digits.count) }
            out += digits
        }
        put(Int(parts.tm_year) + 1900, 4)
        out += "-"
        put(Int(parts.tm_mon) + 1, 2)
        out += "-"
        put(Int(parts.tm_mday), 2)
        out += "T"
        put(Int(parts.tm_hour), 2)
        out += ":"
        put(Int(parts.tm_min), 2)
        out += ":"
        put(Int(parts.tm_sec), 2)
        out += "."
        put(millis, 3)
        out += "Z"
        return out
    }

    /// Parses what `string` writes; other ISO 8601 forms through `ISO8601DateFormatter`.
    static func date(_ text: String) -> Date? {
        let u = Array(text.utf8)
        guard u.count == 24, u[4] == 0x2D, u[7] == 0x2D, u[10] == 0x54, u[13] == 0x3A, u[16] == 0x3A,
            u[19] == 0x2E, u[23] == 0x5A
        else { return fallback(text) }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                guard u[i] >= 0x30 && u[i] <= 0x39 else { return nil }
                value = value * 10 + Int(u[i] - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            let millis = number(20..<23)
        else { return fallback(text) }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return Date(timeIntervalSince1970: Double(timegm(&parts)) + Double(millis) / 1000)
    }

    private static func fallback(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
