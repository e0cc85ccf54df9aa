/// Keyword lookup ignoring case, for scripts (`ds.patientname` as `ds.PatientName`).
extension DataDictionary {
    /// Lowercased keyword → entry; keywords that differ only in case map to nil (ambiguous).
    private static let byLowercasedKeyword: [String: DictionaryEntry?] = {
        var map: [String: DictionaryEntry?] = [:]
        map.reserveCapacity(5200)
        for line in table.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 5, let entry = entry(forKeyword: String(fields[3])) else { continue }
            let lowered = entry.keyword.lowercased()
            if let existing = map[lowered] {
                if existing?.keyword != entry.keyword { map[lowered] = .some(nil) }
            } else {
                map[lowered] = entry
            }
        }
        return map
    }()

    /// The entry whose keyword equals `keyword` ignoring case, when exactly one keyword does: the exact
    /// spelling first (`entry(forKeyword:)`), then a case-insensitive match; nil when none or several match.
    public static func entry(forKeywordIgnoringCase keyword: String) -> DictionaryEntry? {
        if let exact = entry(forKeyword: keyword) { return exact }
        return byLowercasedKeyword[keyword.lowercased()] ?? nil
    }
}
