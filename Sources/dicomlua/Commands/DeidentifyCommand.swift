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
        flushStandardOutput()
        if summary.failed > 0 { throw ExitCode(1) }
    }

    /// Regular files under `root`, recursively, in a stable order; symbolic links are not followed. A POSIX
    /// walk (`readdir`, its entry types, `lstat` only where a file system does not give them): Foundation's
    /// enumerator with resource values read the password and group files once per file (BENCHMARKS.md "Case 8").
    static func files(under root: String) -> [String] {
        var out: [String] = []
        var pending = [URL(fileURLWithPath: root).standardizedFileURL.path]
        while let folder = pending.popLast() {
            guard let stream = opendir(folder) else { continue }
            defer { closedir(stream) }
            let prefix = folder.hasSuffix("/") ? folder : folder + "/"
            while let entry = readdir(stream) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
                }
                if name == "." || name == ".." { continue }
                let path = prefix + name
                var type = Int32(entry.pointee.d_type)
                if type == Int32(DT_UNKNOWN) {
                    var info = stat()
                    guard lstat(path, &info) == 0 else { continue }
                    let format = info.st_mode & S_IFMT
                    type = format == S_IFDIR ? Int32(DT_DIR) : format == S_IFREG ? Int32(DT_REG) : Int32(DT_UNKNOWN)
                }
                if type == Int32(DT_DIR) {
                    pending.append(path)
                } else if type == Int32(DT_REG) {
                    out.append(path)
                }
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
