import ArgumentParser
import DICOMNetwork
import DICOMServices
import Foundation

/// `dicomlua send REMOTE FILES|DIRS…`: C-STORE (PS3.4 Annex B) through `StorageSCU.send`, as DCMTK's
/// `storescu +sd +r`: folders are walked recursively, files sent in name order on one association.
struct SendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send DICOM files (folders recursively) to a storage AE (C-STORE).",
        discussion: """
            Hidden files and DICOMDIR are skipped; a file that is not DICOM is reported and not sent.
            Exit status: 0 when every file was sent, 1 when one was not, 2 for a usage error.

            Examples:
              dicomlua send ORTHANC@localhost:4242 ./study1 ./study2
              dicomlua send MyPACS image.dcm --aet MODALITY1
            """)

    @Argument(help: ArgumentHelp("The storage AE: AET@HOST:PORT or a configured AE name.", valueName: "REMOTE"))
    var remote: String

    @Argument(help: ArgumentHelp("Files and folders to send (folders recursively).", valueName: "PATH"))
    var paths: [String]

    @OptionGroup var progress: ProgressOptions
    @OptionGroup var common: CommonOptions

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one file or folder to send") }
    }

    func run() throws {
        common.logging.bootstrap()
        let files = try Self.expand(paths)
        let cli = try CLIConfiguration()
        let name = try cli.remote(remote, serviceType: .storageSCP)
        try cli.setCallingTitle(common.aet, of: cli.document.storageSCU)
        let document = cli.document
        guard !files.isEmpty else {
            StandardError.write("no files to send")
            return
        }
        let line = ProgressLine(label: "send", quiet: progress.quiet)
        let counter = SendCounter()
        let control = InterruptToCancel { counter.requestCancel() }
        defer { control.cancel() }
        let total = files.count
        CLILogging.logger.info("C-STORE", metadata: ["peer": "\(remote)", "files": "\(total)"])
        let outcome = try runBlocking {
            try await StorageSCU.send(files: files, storageAE: name, configuration: document) { event in
                let failed = event.status.map { $0.category != .success && $0.category != .warning } ?? true
                counter.record(file: event.file, failed: failed, lines: event.statusLines)
                line.update(done: counter.done, total: total, bytes: counter.bytes)
                return counter.cancelRequested ? .cancel : .proceed
            }
        }
        for problem in counter.problems { StandardError.write(problem) }
        var summary = "sent \(outcome.sent) of \(total) file\(total == 1 ? "" : "s")"
        if counter.bytes > 0 { summary += String(format: ", %.1f MB", Double(counter.bytes) / 1_000_000) }
        if outcome.cancelled { summary += " (cancelled)" }
        line.finish(summary: summary)
        if let message = outcome.message { throw CLIFailure(message) }
        if outcome.sent < total { throw CLIFailure("\(total - outcome.sent) file(s) not sent") }
    }

    /// Regular files of `paths`, folders walked recursively in name order; hidden files and DICOMDIR skipped.
    /// - Throws: `CLIUsageError` for a path that does not exist.
    static func expand(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CLIUsageError("'\(path)': no such file or folder")
            }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            let base = URL(fileURLWithPath: path, isDirectory: true)
            guard
                let walker = manager.enumerator(
                    at: base, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
            else { continue }
            var found: [String] = []
            for case let url as URL in walker {
                guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
                if url.lastPathComponent.uppercased() == "DICOMDIR" { continue }
                found.append(url.path)
            }
            files += found.sorted()
        }
        return files
    }
}

/// What the send did, file by file.
final class SendCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var byteCount: Int64 = 0
    private var failures: [String] = []
    private var cancel = false

    func record(file: String?, failed: Bool, lines: [String]) {
        let size = file.flatMap { try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? NSNumber }
        lock.withLock {
            count += 1
            byteCount += size?.int64Value ?? 0
            if failed { failures.append("\(file ?? "?"): \(lines.joined(separator: " "))") }
        }
    }

    func requestCancel() { lock.withLock { cancel = true } }
    var cancelRequested: Bool { lock.withLock { cancel } }
    var done: Int { lock.withLock { count } }
    var bytes: Int64 { lock.withLock { byteCount } }
    var problems: [String] { lock.withLock { failures } }
}
