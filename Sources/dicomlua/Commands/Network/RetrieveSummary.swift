import DICOMServices
import Foundation

/// The end of `move` and `get` (docs/cli.md "move and get"): the summary line from the retrieval model's
/// report (docs/lua-api.md "Retrieve reports, verification and retry"), the SOP Instance UIDs still missing
/// on standard output, and the exit status.
enum RetrieveSummary {
    /// - Parameters:
    ///   - verify: `--verify` or `--retry` was given: the verdict decides the exit status.
    ///   - destination: the C-MOVE destination (nil for C-GET), named when nothing arrived.
    ///   - observedHere: whether this process receives the files (`--dir` or C-GET).
    static func finish(
        outcome: RetrieveOutcome, counter: TransferCounter, progress: ProgressLine, verb: String, verify: Bool,
        destination: ApplicationEntity? = nil, observedHere: Bool = true
    ) throws {
        let report = outcome.report
        progress.finish(summary: summary(outcome: outcome, counter: counter, verb: verb, verify: verify))
        if outcome.cancelled || report.verdict == .cancelled { throw CLIFailure("cancelled") }
        guard verify else {
            if !outcome.succeeded { throw CLIFailure(outcome.message ?? "failed") }
            if let failed = report.failed, failed > 0 {
                throw CLIFailure("the archive reported \(failed) failed sub-operation\(failed == 1 ? "" : "s")")
            }
            return
        }
        switch report.verdict {
        case .complete, .empty:
            return
        case .partial, .failed:
            for uid in report.missing { print(uid) }
            flushStandardOutput()
            let missing = report.missing.isEmpty ? "" : " (missing SOP Instance UIDs on standard output)"
            let named = report.message?.contains("the destination was") ?? false
            let hint = report.verdict == .failed && !named ? whereTo(destination) : ""
            throw CLIFailure("\(report.verdict.rawValue): \(report.message ?? "")\(missing)\(hint)")
        case .unverified:
            let hint =
                observedHere
                ? "" : "; give --dir so that dicomlua receives the files itself, or move to this host's storage SCP"
            throw CLIFailure("\(report.message ?? "not verified")\(hint)")
        case .cancelled:
            throw CLIFailure("cancelled")
        }
    }

    /// `moved 6 instances, 1.2 MB`, then what verification found (`verified: 2 of 6 missing after 2 rounds`).
    static func summary(outcome: RetrieveOutcome, counter: TransferCounter, verb: String, verify: Bool) -> String {
        let report = outcome.report
        let completed = max(outcome.count, counter.completed)
        var summary = "\(verb) \(completed) instance\(completed == 1 ? "" : "s")"
        let failed = report.failed ?? counter.failed
        let warning = report.warning ?? counter.warning
        if failed > 0 { summary += ", \(failed) failed" }
        if warning > 0 { summary += ", \(warning) with warnings" }
        if outcome.cancelled { summary += " (cancelled)" }
        if counter.bytes > 0 { summary += String(format: ", %.1f MB", Double(counter.bytes) / 1_000_000) }
        guard verify, let expected = report.expectedCount, report.verdict != .unverified else { return summary }
        let rounds = report.attempts > 1 ? " after \(report.attempts) rounds" : ""
        switch report.verdict {
        case .complete: summary += "; verified: all \(expected) arrived\(rounds)"
        case .empty: summary += "; verified: nothing matched"
        case .partial, .failed: summary += "; verified: \(report.missing.count) of \(expected) missing\(rounds)"
        case .cancelled, .unverified: break
        }
        return summary
    }

    /// Where the archive was asked to send (a C-MOVE where nothing arrived), as RetrieveService words it for a
    /// refusal.
    private static func whereTo(_ destination: ApplicationEntity?) -> String {
        guard let destination else { return "" }
        return
            "; the destination was AE title '\(destination.aeTitle)', expected at \(destination.hostname):\(destination.port)"
    }
}
