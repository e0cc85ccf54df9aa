import Foundation

/// Moves DA and DT values by a whole number of days (PS3.15 E.3.6, Retain Longitudinal Temporal Information
/// with Modified Dates): the intervals between one patient's dates are kept. Times (TM) are not moved.
enum DateShift {
    private static let calendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()

    /// Shifts each value of a DA (YYYYMMDD, ranges "A-B" included) or DT (YYYYMMDD... prefix) text.
    /// A value that is not a date (or only a year / year and month) is replaced with an empty value.
    static func shift(_ text: String, days: Int) -> String {
        text.split(separator: "\\", omittingEmptySubsequences: false).map { value in
            value.split(separator: "-", omittingEmptySubsequences: false).map { part -> String in
                shiftOne(String(part).trimmingCharacters(in: .whitespaces), days: days)
            }.joined(separator: "-")
        }.joined(separator: "\\")
    }

    private static func shiftOne(_ value: String, days: Int) -> String {
        if value.isEmpty { return value }
        let utf8 = Array(value.utf8)
        guard utf8.count >= 8, utf8[0..<8].allSatisfy({ (48...57).contains($0) }),
            let y = Int(String(decoding: utf8[0..<4], as: UTF8.self)),
            let m = Int(String(decoding: utf8[4..<6], as: UTF8.self)),
            let d = Int(String(decoding: utf8[6..<8], as: UTF8.self)),
            let date = calendar.date(from: DateComponents(year: y, month: m, day: d)),
            let moved = calendar.date(byAdding: .day, value: days, to: date)
        else { return "" }
        let c = calendar.dateComponents([.year, .month, .day], from: moved)
        let head = String(format: "%04d%02d%02d", c.year ?? 1900, c.month ?? 1, c.day ?? 1)
        return head + String(decoding: utf8[8...], as: UTF8.self)
    }
}
