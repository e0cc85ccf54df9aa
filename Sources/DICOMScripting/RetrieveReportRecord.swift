import DICOMServices
import LuaBridge

/// The `report` of `retrieve` and `get` (docs/lua-api.md "Retrieve reports, verification and retry"): the
/// DICOMServices `RetrieveReport` as a record with lowercase keys.
enum RetrieveReportRecord {
    static func make(_ report: RetrieveReport, _ arguments: LuaArguments) throws -> LuaValue {
        func strings(_ values: [String]) -> LuaValue { LuaValue(values.map { LuaValue($0) }) }
        var fields: [String: LuaValue] = [
            "failed_uids": strings(report.failedUIDs),
            "expected": strings(report.expected),
            "missing": strings(report.missing),
            "attempts": .integer(Int64(report.attempts)),
            "verdict": LuaValue(report.verdict.rawValue),
        ]
        if let status = report.status {
            fields["status"] = .integer(Int64(status.code))
            fields["category"] = LuaValue(status.category.rawValue)
        }
        if let v = report.completed { fields["completed"] = .integer(Int64(v)) }
        if let v = report.failed { fields["failed"] = .integer(Int64(v)) }
        if let v = report.warning { fields["warning"] = .integer(Int64(v)) }
        if let v = report.remaining { fields["remaining"] = .integer(Int64(v)) }
        if let v = report.expectedCount { fields["expected_count"] = .integer(Int64(v)) }
        if let message = report.message { fields["message"] = LuaValue(message) }
        if let arrived = report.arrived {
            fields["arrived"] = try arguments.makeRecordList(arrived) { StorageSCPHooks.write($0, into: $1) }
        }
        return try arguments.makeRecord(fields)
    }
}
