import Foundation

/// The campaign report (docs/lua-api.md "campaign — bulk retrieval that survives"): one row per item with
/// its keys, state, expected_count, arrived, missing, attempts, message, and the item's own data columns.
public enum CampaignReport {
    /// The report as CSV text (RFC 4180). `missing` holds the missing SOP Instance UIDs separated by spaces.
    public static func csv(_ items: [CampaignItem]) -> String {
        let dataColumns = Array(Set(items.flatMap { $0.data.keys })).sorted()
        let header =
            CampaignKeys.names + [
                "state", "expected_count", "arrived", "missing_count", "missing", "attempts", "bytes", "message",
                "started", "finished",
            ] + dataColumns
        var lines = [header.map(CampaignCSV.escape).joined(separator: ",")]
        for item in items {
            var row = CampaignKeys.names.map { item.keys[$0] ?? "" }
            row += [
                item.state.rawValue, item.expectedCount.map(String.init) ?? "", "\(item.arrived)",
                "\(item.missing.count)",
                item.missing.joined(separator: " "), "\(item.attempts)", "\(item.bytes)", item.message ?? "",
                item.started.map(CampaignJournal.timestamp) ?? "", item.finished.map(CampaignJournal.timestamp) ?? "",
            ]
            row += dataColumns.map { item.data[$0] ?? "" }
            lines.append(row.map(CampaignCSV.escape).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The report as a JSON array of objects (the same fields; `missing` as an array).
    public static func json(_ items: [CampaignItem]) -> String {
        let objects: [[String: Any]] = items.map { item in
            var object: [String: Any] = [:]
            var keys: [String: String] = [:]
            for name in CampaignKeys.names { if let v = item.keys[name] { keys[name] = v } }
            object["keys"] = keys
            object["data"] = item.data
            object["state"] = item.state.rawValue
            if let e = item.expectedCount { object["expected_count"] = e }
            object["arrived"] = item.arrived
            object["missing"] = item.missing
            object["failed_uids"] = item.failedUIDs
            object["attempts"] = item.attempts
            object["bytes"] = item.bytes
            if let m = item.message { object["message"] = m }
            if let s = item.started { object["started"] = CampaignJournal.timestamp(s) }
            if let f = item.finished { object["finished"] = CampaignJournal.timestamp(f) }
            return object
        }
        let data =
            (try? JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// `complete 12 · partial 1 · …` for the states that occur, in the order of `CampaignItemState`.
    public static func countsLine(_ summary: CampaignSummary) -> String {
        let parts = CampaignItemState.allCases.flatMap { state -> [String] in
            // Running items that wait for their turn are shown as waiting, with until when.
            let waiting = state == .running ? min(summary.waiting, summary.count(.running)) : 0
            let n = summary.count(state) - waiting
            var parts = n > 0 ? ["\(state.rawValue) \(n)"] : []
            if waiting > 0 {
                let until = summary.waitingUntil.map { " (until \(waitingTime($0)))" } ?? ""
                parts.append("waiting \(waiting)\(until)")
            }
            return parts
        }
        return "\(summary.total) item(s): " + (parts.isEmpty ? "none" : parts.joined(separator: ", "))
            + "; \(summary.instances) instance(s), \(ByteCountFormatter.string(fromByteCount: summary.bytes, countStyle: .file))"
    }

    /// `21:30:00` today, `2026-12-08 21:30:00` another day (local time, as the window is).
    static func waitingTime(_ date: Date, now: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat =
            Calendar.current.isDate(date, inSameDayAs: now) ? "HH:mm:ss" : "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }
}
