import DICOMServices
import Foundation

/// What `dicomlua storescp` writes for each event of its storage SCP — the line of its log files, its swift-log
/// line, `stored <path>` on standard output, an error on standard error — written in the order of the events by a
/// thread of its own. The SCP reports an instance on the event loop that received it (docs/design.md "Work on the
/// event loop"), which must never wait on a standard output nobody reads or on the log file's disk.
///
/// The command's own lines on standard output (`listening`, `stopping`, `stopped`) go through the same queue, so
/// they keep their place among the `stored` lines, and the process can end even when standard output is never read
/// (`flush(timeout:)` returns false and the command ends with `_exit`).
///
/// The first entry of a batch wakes the writer, which waits `batchWindow` for more and then writes them all: one
/// `write` per output for the batch instead of one per file. At most `limit` entries wait; past it an event's lines
/// are dropped and counted, and the count is written (log file and standard error) once the writer catches up.
final class StorageSCPOutput: @unchecked Sendable {
    static let limit = 100_000
    static let batchWindow: TimeInterval = 0.005

    private enum Entry {
        case event(StorageSCPEvent, Date)
        case line(String)
    }

    private let log: StorageSCPLog?
    private let format: LoggingOptions.Format
    private let condition = NSCondition()
    private var waiting: [Entry] = []
    private var dropped = 0
    private var writing = false

    init(log: StorageSCPLog?, format: LoggingOptions.Format) {
        self.log = log
        self.format = format
        let thread = Thread { [self] in run() }
        thread.name = "dicomlua storescp output"
        thread.start()
    }

    /// Queues the event's lines; never blocks on the outputs.
    func record(_ event: StorageSCPEvent) {
        enqueue(.event(event, Date()))
    }

    /// Queues a line for standard output, after everything queued before it.
    func printLine(_ text: String) {
        enqueue(.line(text))
    }

    private func enqueue(_ entry: Entry) {
        condition.lock()
        defer { condition.unlock() }
        guard waiting.count < Self.limit else {
            dropped += 1
            return
        }
        waiting.append(entry)
        if waiting.count == 1 && !writing { condition.signal() }
    }

    /// Waits until every event queued so far is written, at most `timeout` seconds; false if the writer is still
    /// held (standard output not read).
    @discardableResult
    func flush(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        condition.broadcast()
        while !waiting.isEmpty || writing {
            if !condition.wait(until: deadline) { return false }
        }
        return true
    }

    /// The writer's loop; the thread lives as long as the process.
    private func run() -> Never {
        while true {
            condition.lock()
            while waiting.isEmpty { condition.wait() }
            writing = true
            if waiting.count == 1 { _ = condition.wait(until: Date().addingTimeInterval(Self.batchWindow)) }
            let batch = waiting
            waiting.removeAll(keepingCapacity: true)
            let lost = dropped
            dropped = 0
            condition.unlock()

            write(batch, lost: lost)

            condition.lock()
            writing = false
            condition.broadcast()
            condition.unlock()
        }
    }

    private func write(_ batch: [Entry], lost: Int) {
        // The stop line is written when the process really stops (StoreSCPRunner), not when the port closes.
        log?.record(
            batch.compactMap { entry in
                guard case .event(let event, let date) = entry, event != .stopped else { return nil }
                return (event, date)
            })
        var standardOutput = ""
        var errors = ""
        for entry in batch {
            guard case .event(let event, _) = entry else {
                if case .line(let text) = entry { standardOutput += text + "\n" }
                continue
            }
            StorageSCPEventLog.log(event, format: format)
            switch event {
            case .instanceStored(let file, _): standardOutput += "stored \(file.path)\n"
            case .error(let message): errors += "dicomlua storescp: \(message)\n"
            default: break
            }
        }
        if lost > 0 {
            let message = "\(lost) event(s) were not written: standard output or the log did not keep up"
            log?.write(type: "error", message)
            errors += "dicomlua storescp: \(message)\n"
        }
        if !standardOutput.isEmpty {
            print(standardOutput, terminator: "")
            flushStandardOutput()
        }
        if !errors.isEmpty { FileHandle.standardError.write(Data(errors.utf8)) }
    }
}
