import Foundation

/// A daily time window `HH:MM-HH:MM` in local time (docs/lua-api.md "campaign — bulk retrieval that
/// survives", option `window`): associations to the archive are opened only inside it. A window whose end is
/// before its start runs over midnight (`19:00-06:00`).
public struct CampaignWindow: Sendable, Equatable {
    /// Minutes after midnight.
    public var start: Int
    public var end: Int

    public init(parsing text: String) throws {
        let parts = text.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
        func minutes(_ s: String) -> Int? {
            let hm = s.split(separator: ":")
            guard hm.count == 2, let h = Int(hm[0]), let m = Int(hm[1]), (0...24).contains(h), (0...59).contains(m),
                h * 60 + m <= 24 * 60
            else { return nil }
            return h * 60 + m
        }
        guard parts.count == 2, let start = minutes(parts[0]), let end = minutes(parts[1]), start != end else {
            throw CampaignError("window must be 'HH:MM-HH:MM' (local time, e.g. '19:00-06:00'), got '\(text)'")
        }
        self.start = start
        self.end = end
    }

    /// Whether `date` (local time of `calendar`) is inside the window.
    public func contains(_ date: Date, calendar: Calendar = .current) -> Bool {
        let c = calendar.dateComponents([.hour, .minute], from: date)
        let now = (c.hour ?? 0) * 60 + (c.minute ?? 0)
        if start < end { return now >= start && now < end }
        return now >= start || now < end
    }

    /// Seconds from `date` until the window opens (0 inside it).
    public func secondsUntilOpen(from date: Date, calendar: Calendar = .current) -> Double {
        if contains(date, calendar: calendar) { return 0 }
        let c = calendar.dateComponents([.hour, .minute, .second], from: date)
        let now = (c.hour ?? 0) * 3600 + (c.minute ?? 0) * 60 + (c.second ?? 0)
        var delta = start * 60 - now
        if delta <= 0 { delta += 86_400 }
        return Double(delta)
    }

    public var description: String {
        String(format: "%02d:%02d-%02d:%02d", start / 60, start % 60, end / 60, end % 60)
    }
}
