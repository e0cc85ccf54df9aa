import Foundation

/// Reads the CSV of `add_csv` (docs/lua-api.md "campaign — bulk retrieval that survives"): a header row
/// naming the columns as snake_case (`study_instance_uid`) or DICOM keywords (`StudyInstanceUID`), so that
/// the CSV of `dicomlua find --csv` reads back as it is. Key columns make the item; the other columns are
/// kept as its data. RFC 4180 quoting (`"a,b"`, `""` for a quote); a comma or semicolon separator, whichever
/// the header uses.
public enum CampaignCSV {
    /// DICOM keywords of the key columns and their snake_case names.
    static let keywords: [String: String] = [
        "patientid": "patient_id", "accessionnumber": "accession_number",
        "studyinstanceuid": "study_instance_uid", "seriesinstanceuid": "series_instance_uid",
        "sopinstanceuid": "sop_instance_uid",
    ]

    /// The key name of a header cell (nil for a data column).
    static func keyName(_ header: String) -> String? {
        let h = header.trimmingCharacters(in: .whitespaces)
        if CampaignKeys.names.contains(h.lowercased()) { return h.lowercased() }
        return keywords[h.lowercased().replacingOccurrences(of: "_", with: "")]
    }

    /// The rows of `text` as items (keys and data). Rows without any key are skipped and counted.
    /// - Throws: `CampaignError` when the header names no key column or a row is malformed.
    public static func parse(
        _ text: String, source: String
    ) throws -> (rows: [(CampaignKeys, [String: String])], skipped: Int) {
        var records = try records(text, source: source)
        guard !records.isEmpty else { throw CampaignError("\(source): empty, expected a header row") }
        let header = records.removeFirst().map { $0.trimmingCharacters(in: .whitespaces) }
        let keyColumns = header.map(keyName)
        guard keyColumns.contains(where: { $0 != nil }) else {
            throw CampaignError(
                "\(source): the header names no key column; expected one of \(CampaignKeys.names.joined(separator: ", ")) "
                    + "(or their DICOM keywords), got \(header.joined(separator: ", "))")
        }
        var rows: [(CampaignKeys, [String: String])] = []
        var skipped = 0
        for (number, record) in records.enumerated() {
            if record.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            var values: [String: String] = [:]
            var data: [String: String] = [:]
            for (index, cell) in record.enumerated() where index < header.count {
                if let key = keyColumns[index] { values[key] = cell } else { data[header[index]] = cell }
            }
            let keys = CampaignKeys(
                patientID: values["patient_id"], accessionNumber: values["accession_number"],
                studyInstanceUID: values["study_instance_uid"], seriesInstanceUID: values["series_instance_uid"],
                sopInstanceUID: values["sop_instance_uid"])
            if keys.isEmpty {
                skipped += 1
                continue
            }
            do { try keys.validate() } catch let error as CampaignError {
                throw CampaignError("\(source), row \(number + 2): \(error.description)")
            }
            rows.append((keys, data))
        }
        return (rows, skipped)
    }

    /// Splits CSV text into records of fields.
    static func records(_ text: String, source: String) throws -> [[String]] {
        let firstLine = text.prefix { $0 != "\n" && $0 != "\r\n" }
        let separator: Character = firstLine.contains(",") || !firstLine.contains(";") ? "," : ";"
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var iterator = Array(text.replacingOccurrences(of: "\r\n", with: "\n")).makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let p = pending {
                pending = nil
                return p
            }
            return iterator.next()
        }
        while let c = next() {
            if quoted {
                if c == "\"" {
                    if let n = next() {
                        if n == "\"" {
                            field.append("\"")
                        } else {
                            quoted = false
                            pending = n
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty: quoted = true
            case separator:
                record.append(field)
                field = ""
            case "\n", "\r":
                record.append(field)
                records.append(record)
                record = []
                field = ""
            default: field.append(c)
            }
        }
        if quoted { throw CampaignError("\(source): a quoted field is not closed") }
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        return records
    }

    /// One CSV field, quoted when needed.
    public static func escape(_ value: String) -> String {
        if value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return value
    }
}
