import DICOMCore
import Foundation

/// The matches of `dicomlua find` as a table (aligned columns, for people), CSV (RFC 4180, a header of
/// keywords, for `campaign --csv` and spreadsheets) or DICOM JSON (PS3.18 F.2, an array of objects).
enum FindOutput {
    enum Format {
        case table
        case csv
        case json
    }

    /// The columns: `order` (the keys asked, QueryKeyList.columnOrder), then any other tag a match returned,
    /// ascending; Query/Retrieve Level and Specific Character Set left out (they describe the query, not the
    /// match).
    static func columns(order: [Tag], matches: [DataSet]) -> [Tag] {
        let skipped: Set<Tag> = [Tag(0x0008, 0x0052), Tag(0x0008, 0x0005)]
        var columns = order.filter { !skipped.contains($0) }
        var seen = Set(columns)
        for tag in Set(matches.flatMap { $0.elements.map(\.tag) }).sorted()
        where !seen.contains(tag) && !skipped.contains(tag) && !tag.isGroupLength {
            columns.append(tag)
            seen.insert(tag)
        }
        return columns
    }

    /// The header name of a column: its keyword, else `(gggg,eeee)`.
    static func name(_ tag: Tag) -> String { DataDictionary.keyword(for: tag) ?? tag.description }

    /// The text of one cell: all values joined by backslashes.
    static func cell(_ match: DataSet, _ tag: Tag) -> String {
        if let values = match.strings(tag) { return values.joined(separator: "\\") }
        if let numbers = match.doubles(tag) { return numbers.map { String($0) }.joined(separator: "\\") }
        if let items = match.items(tag) { return "(\(items.count) items)" }
        return ""
    }

    static func render(_ format: Format, order: [Tag], matches: [DataSet]) -> String {
        let columns = columns(order: order, matches: matches)
        switch format {
        case .json:
            let array = matches.map { $0.dicomJSONObject() }
            let data =
                (try? JSONSerialization.data(withJSONObject: array, options: [.prettyPrinted, .sortedKeys]))
                ?? Data("[]".utf8)
            return String(decoding: data, as: UTF8.self) + "\n"
        case .csv:
            var lines = [columns.map { csvField(name($0)) }.joined(separator: ",")]
            for match in matches { lines.append(columns.map { csvField(cell(match, $0)) }.joined(separator: ",")) }
            return lines.map { $0 + "\r\n" }.joined()
        case .table:
            let header = columns.map(name)
            let rows = matches.map { match in columns.map { cell(match, $0) } }
            var widths = header.map(\.count)
            for row in rows { for (i, value) in row.enumerated() { widths[i] = max(widths[i], value.count) } }
            func line(_ cells: [String]) -> String {
                cells.enumerated().map { i, value in
                    i == cells.count - 1 ? value : value.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                }.joined(separator: "  ")
            }
            return ([line(header)] + rows.map(line)).map { $0 + "\n" }.joined()
        }
    }

    /// A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180 §2).
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
