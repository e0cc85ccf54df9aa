import Foundation

/// The instances the test Q/R SCP serves, by SOP Instance UID; safe to use from any thread.
public final class InstanceIndex: @unchecked Sendable {
    private let lock = NSLock()
    private var records: [String: InstanceRecord] = [:]

    public init(records: [InstanceRecord] = []) {
        for record in records { self.records[record.sopInstanceUID] = record }
    }

    /// Adds or replaces (same SOP Instance UID) a record.
    public func add(_ record: InstanceRecord) {
        lock.withLock { records[record.sopInstanceUID] = record }
    }

    public var count: Int { lock.withLock { records.count } }

    /// All records, ordered by path (deterministic answers).
    public func snapshot() -> [InstanceRecord] {
        lock.withLock { Array(records.values) }.sorted { $0.path < $1.path }
    }

    /// Indexes every regular file under `directory` (recursively); files that are not Part 10 DICOM are
    /// skipped with a line to `log`. Returns the index and the number of skipped files.
    public static func scan(directory: String, log: (String) -> Void) -> (index: InstanceIndex, skipped: Int) {
        let index = InstanceIndex()
        var skipped = 0
        let root = URL(fileURLWithPath: directory)
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            // Temporary files: the stream writer's hidden ones, and what a crash left in `received/depot/`.
            if url.lastPathComponent.hasPrefix(".") || url.pathExtension == "part" { continue }
            do {
                index.add(try Part10HeaderReader.record(path: url.path))
            } catch {
                skipped += 1
                log("qrscp: skipped \(error)")
            }
        }
        return (index, skipped)
    }
}
