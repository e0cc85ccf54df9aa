import ArgumentParser
import Foundation
import Logging

/// `--log-level` and `--log-format` of every subcommand (docs/cli.md "Logging"): swift-log's levels, lines on
/// standard error as text or as one JSON object per line (`time`, `level`, `label`, `message`, `metadata`).
/// The storage SCP service's own log files (storscp1.log/storscp2.log) are not affected.
struct LoggingOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @Option(help: "Least severe log message shown: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .warning

    @Option(help: "Log lines on standard error as 'text' or 'json' (one object per line).")
    var logFormat: Format = .text

    /// Installs the handler for the whole process (once; later calls do nothing).
    func bootstrap() {
        CLILogging.bootstrap(level: logLevel, format: logFormat)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// The process's logging set-up, done once by the subcommand that runs.
enum CLILogging {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var done = false

    static func bootstrap(level: Logger.Level, format: LoggingOptions.Format) {
        let first = lock.withLock { () -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label, format: format)
            handler.logLevel = level
            return handler
        }
    }

    /// The logger of the command line (`dicomlua.cli`).
    static var logger: Logger { Logger(label: "dicomlua.cli") }
}

/// Writes one line per message on standard error: `2026-12-07T01:02:03.456Z warning dicomlua.cli: message
/// key=value` as text, or `{"time":…,"level":…,"label":…,"message":…,"metadata":{…}}` as JSON.
struct LineLogHandler: LogHandler {
    let label: String
    let format: LoggingOptions.Format
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    init(label: String, format: LoggingOptions.Format) {
        self.label = label
        self.format = format
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let level = event.level
        let message = event.message
        var all = metadata
        if let explicit = event.metadata { all.merge(explicit) { $1 } }
        let time = Self.timestamp()
        let text: String
        switch format {
        case .text:
            let pairs = all.keys.sorted().map { "\($0)=\(all[$0]!)" }.joined(separator: " ")
            text = "\(time) \(level) \(label): \(message)" + (pairs.isEmpty ? "" : " " + pairs)
        case .json:
            var object: [String: Any] = [
                "time": time, "level": level.rawValue, "label": label, "message": message.description,
            ]
            object["metadata"] = all.mapValues { Self.json($0) }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            text = String(decoding: data, as: UTF8.self)
        }
        StandardError.write(text)
    }

    private static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let s): return s
        case .stringConvertible(let c): return c.description
        case .array(let a): return a.map { json($0) }
        case .dictionary(let d): return d.mapValues { json($0) }
        }
    }

    private static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
