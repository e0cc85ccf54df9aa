import ArgumentParser
import DICOMServices
import Foundation

/// `dicomlua probe REMOTE`: what an archive supports, in one report (`ProbeService`), explained in words.
struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Find out what an archive supports and whether it can send to us.",
        discussion: """
            Tries, in order: C-ECHO; which FIND, MOVE and GET models are accepted; which query levels answer \
            (one match each, the query cancelled after it); whether a PATIENT-level match carries Specific \
            Character Set (0008,0005); then the C-MOVE of one instance (found by an IMAGE-level query) to our \
            storage AE while dicomlua listens as that AE on --port (default: the port of the configuration's \
            storage SCP AE). --no-move skips the move.
            Exit status: 0 when the archive could be reached (whatever it lacks), 1 when neither the echo nor \
            the negotiation got an answer, 2 for a usage error. --json prints the report as JSON.

            Examples:
              dicomlua probe PACS@10.0.0.5:104 --port 11113
              dicomlua probe MyPACS --no-move
            """)

    @Argument(help: ArgumentHelp("The archive: AET@HOST:PORT or a configured AE name.", valueName: "REMOTE"))
    var remote: String

    @Flag(help: "Do not try the C-MOVE to us.")
    var noMove = false

    @Option(
        help: ArgumentHelp(
            "Our storage AE title for the move test (default: the configured storage SCP AE's).", valueName: "AET"))
    var dest: String?

    @Option(help: "Port to listen on during the move test.")
    var port: Int?

    @Option(help: "Seconds to wait for the moved instance.")
    var moveTimeout: Double = 20

    @Flag(help: "Print the report as JSON.")
    var json = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be in 0...65535, got \(port)") }
        if !(moveTimeout > 0 && moveTimeout <= 3600) {
            throw ValidationError("--move-timeout must be in (0, 3600] seconds, got \(moveTimeout)")
        }
    }

    func run() throws {
        common.logging.bootstrap()
        let cli = try CLIConfiguration()
        let name = try cli.remote(remote)
        try cli.setCallingTitle(common.aet, of: cli.document.queryRetrieveSCU)
        try cli.setCallingTitle(common.aet, of: cli.document.echoSCU)
        if let dest { try cli.setCallingTitle(dest, of: cli.document.storageSCP) }
        let document = cli.document
        var options = ProbeService.Options()
        options.tryMove = !noMove
        options.listenPort = port
        options.moveTimeout = moveTimeout
        let chosen = options
        let report = try runBlocking {
            try await ProbeService.probe(queryAE: name, configuration: document, options: chosen)
        }
        if json {
            print(ProbeText.json(report))
        } else {
            print(ProbeText.lines(report, remote: remote).joined(separator: "\n"))
        }
        if report.echoFailure != nil && report.models.isEmpty { throw CLIFailure("") }
    }
}

/// The report in words (and as JSON).
enum ProbeText {
    static func lines(_ report: ProbeReport, remote: String) -> [String] {
        var lines: [String] = ["Probe of \(remote)"]
        lines.append("C-ECHO: " + (report.echoFailure.map { "failed: \($0)" } ?? "ok"))
        if let uid = report.implementationClassUID { lines.append("Implementation class UID: \(uid)") }
        if let version = report.implementationVersionName { lines.append("Implementation version name: \(version)") }
        if let length = report.maximumPDULength {
            lines.append("Maximum PDU length: " + (length == 0 ? "no limit" : "\(length) bytes"))
        }
        if let failure = report.negotiationFailure {
            lines.append("Query/Retrieve models: not negotiated: \(failure)")
        } else {
            lines.append("Query/Retrieve models (accepted in association negotiation):")
            for service in ["FIND", "MOVE", "GET"] {
                let entries = report.models.filter { $0.service == service }
                let text = entries.map { "\($0.model) \($0.accepted ? "yes" : "no")" }.joined(separator: ", ")
                lines.append("  C-\(service): \(text)")
            }
            if !report.models.contains(where: { $0.service == "GET" && $0.accepted }) {
                lines.append("  (no C-GET: use 'dicomlua move', the archive must know our AE as a destination)")
            }
        }
        if !report.levels.isEmpty {
            lines.append("Query levels (one C-FIND each):")
            for answer in report.levels {
                let state =
                    answer.failure.map { "failed: \($0)" } ?? (answer.matched ? "answers" : "no match (nothing below)")
                lines.append("  \(answer.model) \(answer.level.keyword): \(state)")
            }
        }
        switch report.patientMatchHasSpecificCharacterSet {
        case true?: lines.append("Specific Character Set (0008,0005) in a PATIENT-level match: yes")
        case false?:
            lines.append(
                "Specific Character Set (0008,0005) in a PATIENT-level match: no (names are read as the default repertoire)"
            )
        case nil: break
        }
        lines.append("C-MOVE to us: " + moveText(report.moveTest))
        return lines
    }

    static func moveText(_ test: ProbeReport.MoveTest) -> String { test.explanation }

    static func json(_ report: ProbeReport) -> String {
        var object: [String: Any] = [
            "echo": report.echoFailure == nil ? "ok" : report.echoFailure!,
            "models": report.models.map {
                ["service": $0.service, "model": "\($0.model)", "accepted": $0.accepted] as [String: Any]
            },
            "levels": report.levels.map {
                var level: [String: Any] = [
                    "model": "\($0.model)", "level": $0.level.keyword, "matched": $0.matched,
                ]
                if let failure = $0.failure { level["failure"] = failure }
                return level
            },
            "move": moveText(report.moveTest),
            "move_result": report.moveTest.kind,
        ]
        if let v = report.implementationClassUID { object["implementation_class_uid"] = v }
        if let v = report.implementationVersionName { object["implementation_version_name"] = v }
        if let v = report.maximumPDULength { object["max_pdu_length"] = v }
        if let v = report.patientMatchHasSpecificCharacterSet { object["patient_match_has_specific_character_set"] = v }
        if let v = report.negotiationFailure { object["negotiation_failure"] = v }
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
