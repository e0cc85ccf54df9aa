import DICOMNetwork
import Foundation

/// The status lines passed to callbacks (IDL leaves their text open, docs/idl-reference.md §3; this is
/// dicomlua's documented format). Line 1 always names the operation, the DICOM status code and its meaning:
///
///     Query: 0xFF00 Pending: matches are continuing
///     Match 3 (Study Root / Study level)
///     Patient: DOE^JOHN [ID 0001]
///     Study: 1.2.3 [2024-01-01] CT HEAD
///
///     Retrieve (C-MOVE to MY_STOR_SCP): 0xFF00 Pending: sub-operations are continuing
///     Remaining: 3, Completed: 2, Failed: 0, Warning: 0
///     Elapsed: 1.5 s
///
///     Retrieve (C-MOVE to MY_STOR_SCP): waiting, no response for 3 s
///     Remaining: 3, Completed: 2, Failed: 0, Warning: 0    (of the last response; "-" when unknown)
///     Elapsed: 4.5 s
///
///     Send: 0x0000 Success
///     File 2 of 5: /data/b.dcm
///     SOP Instance UID: 1.2.3.4
public enum StatusLines {
    public static func match(_ result: QueryResult, number: Int, status: DIMSEStatus) -> [String] {
        var lines = [
            "Query: \(status.description(for: .find))",
            "Match \(number) (\(result.queryModel) / \(result.queryLevel) level)",
            "Patient: \(result["patient_name"]) [ID \(result["patient_id"])]",
        ]
        if result.queryLevel != .patient {
            lines.append(
                "Study: \(result["study_instance_uid"]) [\(result["study_date"])] \(result["study_description"])")
        }
        if result.queryLevel == .series || result.queryLevel == .image {
            lines.append(
                "Series: \(result["series_instance_uid"]) [\(result["modality"])] \(result["series_description"])")
        }
        if result.queryLevel == .image {
            lines.append("Image: \(result["sop_instance_uid"]) [number \(result["instance_number"])]")
        }
        return lines
    }

    /// The first words of a retrieve's lines: "Retrieve (C-MOVE to DEST)" or "Get (C-GET)".
    public static func retrieveTitle(destination: String?) -> String {
        destination.map { "Retrieve (C-MOVE to \($0))" } ?? "Get (C-GET)"
    }

    public static func retrieveResponse(
        title: String, status: DIMSEStatus, service: DIMSEService,
        counts: SubOperationCounts, elapsed: Double
    ) -> [String] {
        ["\(title): \(status.description(for: service))", counters(counts), elapsedLine(elapsed)]
    }

    public static func retrieveWaiting(
        title: String, silence: Double, counts: SubOperationCounts, elapsed: Double
    ) -> [String] {
        ["\(title): waiting, no response for \(Int(silence.rounded())) s", counters(counts), elapsedLine(elapsed)]
    }

    public static func counters(_ counts: SubOperationCounts) -> String {
        func text(_ value: UInt16?) -> String { value.map(String.init) ?? "-" }
        return "Remaining: \(text(counts.remaining)), Completed: \(text(counts.completed)), "
            + "Failed: \(text(counts.failed)), Warning: \(text(counts.warning))"
    }

    public static func elapsedLine(_ seconds: Double) -> String {
        "Elapsed: " + String(format: "%.1f", seconds) + " s"
    }

    public static func sent(
        file: String, number: Int, total: Int, status: DIMSEStatus, sopInstanceUID: String
    ) -> [String] {
        [
            "Send: \(status.description(for: .store))", "File \(number) of \(total): \(file)",
            "SOP Instance UID: \(sopInstanceUID)",
        ]
    }

    public static func notSent(file: String, number: Int, total: Int, reason: String) -> [String] {
        ["Send: failed, \(reason)", "File \(number) of \(total): \(file)"]
    }
}
