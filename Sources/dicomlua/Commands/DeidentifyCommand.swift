import ArgumentParser
import DICOMDeidentify
import Foundation

/// `dicomlua deidentify IN_DIR OUT_DIR [--option NAME ...] [--map FILE] [--lookup CSV] [--quarantine DIR]`:
/// de-identifies every DICOM file under IN_DIR (recursively, in parallel) into OUT_DIR, flat, named by the new
/// SOP Instance UIDs (PS3.15 Annex E Basic Profile and options; docs/lua-api.md "De-identification").
struct DeidentifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deidentify",
        abstract: "De-identifies DICOM files (PS3.15 Annex E Basic Profile and options) into a flat folder.")

    @Argument(help: "Folder read recursively; files that are not DICOM are skipped with a line.")
    var input: String
    @Argument(help: "Output folder (created if missing): only de-identified files, named <new SOP Instance UID>.dcm.")
    var output: String
    @OptionGroup var deidentify: DeidentifyOptions
    @Option(help: "Files de-identified at once (default: the number of processors).")
    var jobs: Int?

    func run() throws {
        let deidentifier: Deidentifier
        do {
            deidentifier = try deidentify.makeDeidentifier()
        } catch {
            FileHandle.standardError.write(Data("dicomlua deidentify: \(error)\n".utf8))
            throw ExitCode(2)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory), isDirectory.boolValue else {
            FileHandle.standardError.write(Data("dicomlua deidentify: \(input) is not a folder\n".utf8))
            throw ExitCode(2)
        }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let outputPath = URL(fileURLWithPath: output).standardizedFileURL.path
        let files = Self.files(under: input).filter { !$0.hasPrefix(outputPath + "/") }
        let counter = DeidentifyCounter(total: files.count)
        let queue = DispatchQueue(label: "deidentify.lines")
        let workers = max(1, jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        let next = DeidentifyCounter(total: files.count)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let index = next.take() {
                let path = files[index]
                let line: String?
                do {
                    let result = try deidentifier.deidentifyFile(
                        at: path, outputDirectory: output, quarantineDirectory: deidentify.quarantine)
                    counter.record(result.quarantined ? .quarantined : .written)
                    line = result.quarantined ? "quarantined \(path): Burned In Annotation is YES" : nil
                } catch let error as NotDICOMError {
                    counter.record(.skipped)
                    line = "skipped \(error)"
                } catch {
                    counter.record(.failed)
                    let text = "\(error)"
                    line = text.contains(path) ? "failed: \(text)" : "failed \(path): \(text)"
                }
                queue.sync {
                    if let line { print(line) }
                    counter.progress()
                }
            }
        }
        let summary = counter.summary
        print(
            "deidentify: \(summary.written) written, \(summary.quarantined) quarantined, \(summary.skipped) skipped, \(summary.failed) failed"
        )
        fflush(stdout)
        if summary.failed > 0 { throw ExitCode(1) }
    }

    /// Regular files under `root`, recursively, in a stable order.
    static func files(under root: String) -> [String] {
        let base = URL(fileURLWithPath: root).standardizedFileURL
        guard
            let walker = FileManager.default.enumerator(
                at: base, includingPropertiesForKeys: [.isRegularFileKey], options: [])
        else { return [] }
        var out: [String] = []
        for case let url as URL in walker {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                out.append(url.standardizedFileURL.path)
            }
        }
        return out.sorted()
    }
}

/// Counts outcomes across worker threads; also hands out file indexes.
final class DeidentifyCounter: @unchecked Sendable {
    enum Outcome { case written, quarantined, skipped, failed }
    private let lock = NSLock()
    private let total: Int
    private var nextIndex = 0
    private var counts: [Outcome: Int] = [:]
    private let isTerminal = isatty(2) != 0

    init(total: Int) { self.total = total }

    func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard nextIndex < total else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }

    func record(_ outcome: Outcome) {
        lock.lock()
        counts[outcome, default: 0] += 1
        lock.unlock()
    }

    /// A progress line on a terminal (standard error), rewritten in place.
    func progress() {
        guard isTerminal else { return }
        lock.lock()
        let done = counts.values.reduce(0, +)
        lock.unlock()
        FileHandle.standardError.write(Data("\r\(done)/\(total) files\(done == total ? "\n" : "")".utf8))
    }

    var summary: (written: Int, quarantined: Int, skipped: Int, failed: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (counts[.written] ?? 0, counts[.quarantined] ?? 0, counts[.skipped] ?? 0, counts[.failed] ?? 0)
    }
}
