import Foundation

/// The live line of a long operation on a terminal (docs/cli.md "Progress"): `done/total`, MB/s and the time
/// left, redrawn at most 10 times a second on standard error; nothing when `--quiet` or when standard error
/// is not a terminal. `finish(summary:)` clears the line and prints the summary (the summary is printed even
/// without a terminal, unless quiet).
final class ProgressLine: @unchecked Sendable {
    private let label: String
    private let live: Bool
    private let quiet: Bool
    private let started = Date()
    private let lock = NSLock()
    private var lastDraw = Date.distantPast
    private var drawn = false

    /// - Parameters:
    ///   - quiet: no live line and no summary.
    ///   - terminal: whether standard error is a terminal (default: `isatty(2)`).
    init(label: String, quiet: Bool, terminal: Bool = isatty(STDERR_FILENO) != 0) {
        self.label = label
        self.quiet = quiet
        self.live = terminal && !quiet
    }

    /// The text of the line: `label 12/40 instances  3.4 MB/s  0:07 left`.
    static func text(label: String, done: Int, total: Int?, bytes: Int64, elapsed: Double) -> String {
        var parts = ["\(label) \(done)" + (total.map { "/\($0)" } ?? "")]
        if bytes > 0 && elapsed > 0 {
            parts.append(String(format: "%.1f MB/s", Double(bytes) / 1_000_000 / elapsed))
        }
        if let total, done > 0, total > done, elapsed > 0 {
            let left = Int((elapsed / Double(done) * Double(total - done)).rounded())
            parts.append(String(format: "%d:%02d left", left / 60, left % 60))
        }
        return parts.joined(separator: "  ")
    }

    /// Redraws the line (throttled).
    func update(done: Int, total: Int?, bytes: Int64 = 0) {
        guard live else { return }
        let now = Date()
        let line = lock.withLock { () -> String? in
            guard now.timeIntervalSince(lastDraw) >= 0.1 || (total != nil && done == total) else { return nil }
            lastDraw = now
            drawn = true
            return Self.text(
                label: label, done: done, total: total, bytes: bytes,
                elapsed: now.timeIntervalSince(started))
        }
        if let line { FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8)) }
    }

    /// Clears the line and prints `summary` on standard error (unless quiet).
    func finish(summary: String) {
        let clear = lock.withLock { () -> Bool in
            defer { drawn = false }
            return drawn
        }
        if clear { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        guard !quiet else { return }
        let seconds = Date().timeIntervalSince(started)
        StandardError.write(summary + String(format: " in %.1f s", seconds))
    }
}
