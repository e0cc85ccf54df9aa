import ArgumentParser
import DICOMNetwork
import DICOMServices
import Foundation

/// `dicomlua qrscp --dir DIR [--aet QRSCP] [--port N] [--dest AET=HOST:PORT[:tls] ...] [--max-associations N]
/// [--fault F ...] [--tls-cert F --tls-key F [--tls-ca F] [--tls-verify-peer]]`:
/// the test Query/Retrieve SCP over a folder (`QRSCP`), in the foreground until SIGINT/SIGTERM.
struct QRSCPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qrscp",
        abstract: "A small Query/Retrieve SCP serving a folder (test PACS, demo).")

    @Option(help: "Folder of DICOM files to serve (indexed recursively); received instances go to DIR/received.")
    var dir: String

    @Option(help: "Our AE title.") var aet = "QRSCP"
    @Option(help: "Interface to listen on.") var host = "127.0.0.1"
    @Option(help: "TCP port (0: a free one).") var port = 11112
    @Option(name: .customLong("dest"), help: "A C-MOVE destination AET=HOST:PORT (repeatable).")
    var destinations: [String] = []
    @Option(help: "Associations served at once.") var maxAssociations = 16
    @Option(
        name: .customLong("fault"),
        help: ArgumentHelp(
            "Test feature: misbehave as some archives do (repeatable; off by default). One of: \(QRSCPFaults.names.joined(separator: ", ")).",
            valueName: "fault"))
    var faultOptions: [String] = []
    @OptionGroup(title: "Logging") var logging: LoggingOptions
    @OptionGroup var tls: TLSOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535, got \(port)") }
        guard (1...1000).contains(maxAssociations) else {
            throw ValidationError("--max-associations must be in 1...1000, got \(maxAssociations)")
        }
        guard !aet.isEmpty, aet.count <= 16 else {
            throw ValidationError("--aet must have 1 to 16 characters, got \"\(aet)\"")
        }
        for destination in destinations {
            do { _ = try MoveDestination.parse(destination) } catch { throw ValidationError("--dest: \(error)") }
        }
        let tlsSettings: TLSSettings?
        do { tlsSettings = try tls.settings() } catch { throw ValidationError("\(error)") }
        if tlsSettings == nil, destinations.contains(where: { $0.lowercased().hasSuffix(":tls") }) {
            throw ValidationError("--dest ...:tls sends with qrscp's own certificate: give --tls-cert and --tls-key")
        }
        _ = try parsedFaults()
    }

    /// The `--fault` values as `QRSCPFaults`.
    func parsedFaults() throws -> QRSCPFaults {
        var faults = QRSCPFaults()
        for text in faultOptions {
            do { try faults.add(text) } catch { throw ValidationError("\(error)") }
        }
        return faults
    }

    func run() throws {
        logging.bootstrap()
        var table: [String: MoveDestination] = [:]
        for text in destinations {
            let (ae, destination) = try MoveDestination.parse(text)
            table[ae] = destination
        }
        var configuration = QRSCPConfiguration(
            directory: dir, aeTitle: aet, host: host, port: port, destinations: table,
            maximumAssociations: maxAssociations, log: { line in StandardError.write(line) })
        configuration.faults = try parsedFaults()
        if configuration.faults.any {
            StandardError.write("qrscp: test faults on: \(faultOptions.joined(separator: ", "))")
        }
        configuration.tls = try tls.settings()
        let outcome = BlockingResult<QRSCP>()
        Task {
            do { outcome.set(.success(try await QRSCP.start(configuration))) } catch { outcome.set(.failure(error)) }
        }
        let scp: QRSCP
        do {
            scp = try outcome.wait()
        } catch {
            StandardError.write("dicomlua qrscp: \(error)")
            throw ExitCode.failure
        }
        let stop = StopSignal.wait()
        StandardError.write("qrscp: \(stop), shutting down")
        let done = BlockingResult<Void>()
        Task {
            await scp.shutdown()
            done.set(.success(()))
        }
        try? done.wait()
    }
}

/// Serialised lines on stderr (the log of the services).
enum StandardError {
    private static let lock = NSLock()
    static func write(_ line: String) {
        lock.withLock { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
}

/// A value produced by a task and awaited by a blocking thread (the command's `run`).
final class BlockingResult<Value>: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private var result: Result<Value, Error>?

    func set(_ result: Result<Value, Error>) {
        self.result = result
        semaphore.signal()
    }

    func wait() throws -> Value {
        semaphore.wait()
        return try result!.get()
    }
}

/// Blocks until SIGINT or SIGTERM; returns the signal's name.
enum StopSignal {
    static func wait() -> String {
        let received = BlockingResult<String>()
        var sources: [DispatchSourceSignal] = []
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                received.set(.success(name))
            }
            source.resume()
            sources.append(source)
        }
        return (try? received.wait()) ?? "signal"
    }
}
