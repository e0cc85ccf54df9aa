import Foundation

/// What `dicomlua sample-data` writes. Defaults per field; every count is at least 1.
public struct SampleDataOptions: Sendable, Equatable {
    /// Patients (IDs PAT0001, PAT0002, …). Default 3, at most 9999.
    public var patients: Int
    /// Studies per patient. Default 1, at most 99.
    public var studies: Int
    /// Series per study (modalities alternate CT, MR). Default 2, at most 99.
    public var series: Int
    /// Instances per series. Default 5, at most 9999.
    public var instances: Int
    /// Rows (= columns) of each 16-bit image. Default 64, 8…1024.
    public var rows: Int

    public init(patients: Int = 3, studies: Int = 1, series: Int = 2, instances: Int = 5, rows: Int = 64) {
        self.patients = patients
        self.studies = studies
        self.series = series
        self.instances = instances
        self.rows = rows
    }

    /// Throws a message naming the option and the allowed range when a value is out of range.
    public func validate() throws {
        func check(_ name: String, _ value: Int, _ range: ClosedRange<Int>) throws {
            guard range.contains(value) else {
                throw SampleDataError("--\(name) must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
            }
        }
        try check("patients", patients, 1...9999)
        try check("studies", studies, 1...99)
        try check("series", series, 1...99)
        try check("instances", instances, 1...9999)
        try check("rows", rows, 8...1024)
        let total = patients * studies * series * instances
        guard total <= 1_000_000 else { throw SampleDataError("at most 1000000 instances at once, asked for \(total)") }
    }
}

/// A sample-data problem, saying what was expected.
public struct SampleDataError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// What was written.
public struct SampleDataSummary: Sendable, Equatable {
    public var patients: Int
    public var studies: Int
    public var series: Int
    public var instances: Int
    public var bytes: Int
    public var directory: String

    /// `sample-data: wrote 30 instance(s) (3 patient(s), 3 study(ies), 6 series, 1.2 MB) in DIR`.
    public var line: String {
        let megabytes = Double(bytes) / 1_000_000
        return
            "sample-data: wrote \(instances) instance(s) (\(patients) patient(s), \(studies) study(ies), \(series) series, "
            + String(format: "%.1f MB", megabytes) + ") in \(directory)"
    }
}
