import DICOMCore
import DICOMNetwork
import Foundation

/// `dicomlua probe` (docs/cli.md "probe"): one report of what an archive supports, made of the services
/// that scripts use (EchoService's association, `QueryService.queryModelsSupported`, `QueryService.find`,
/// `RetrieveService.move`, `StorageSCP`), so that what it says holds for them.
public enum ProbeService {
    /// What to try.
    public struct Options: Sendable {
        /// Try a C-MOVE of one instance to our storage SCP (started here for the test).
        public var tryMove: Bool = true
        /// Our storage AE while the move is tried: its AE name in the configuration (default: the
        /// `StorScpServiceAE`), and the port to listen on (default: that AE's port).
        public var storageAE: String?
        public var listenPort: Int?
        /// How long to wait for the moved instance, in seconds.
        public var moveTimeout: Double = 20

        public init() {}
    }

    /// Probes the AE named `queryAE`.
    /// - Throws: only misuse (an unknown AE name).
    public static func probe(
        queryAE: String, configuration: ConfigurationDocument, options: Options = Options()
    ) async throws -> ProbeReport {
        let remote = try SCUConnection.remote(
            named: queryAE, property: "QUERY_SCP", method: "probe", configuration: configuration)
        var report = ProbeReport()
        await echo(remote: remote, configuration: configuration, into: &report)
        switch try await QueryService.queryModelsSupported(queryAE: queryAE, configuration: configuration) {
        case .failure(let failure):
            report.negotiationFailure = failure.message
        case .success(let codes):
            for service in ["FIND", "MOVE", "GET"] {
                for model in [IDLQueryModel.patientRoot, .studyRoot, .patientStudyOnly] {
                    let uid: String
                    switch service {
                    case "FIND": uid = model.findSOPClassUID
                    case "MOVE": uid = model.moveSOPClassUID
                    default: uid = model.getSOPClassUID
                    }
                    let accepted = QueryModelCode.all.contains { codes.contains($0.code) && $0.sopClassUID == uid }
                    report.models.append(.init(service: service, model: model, accepted: accepted))
                }
            }
        }
        let instance = try await levels(queryAE: queryAE, configuration: configuration, into: &report)
        report.moveTest = try await moveTest(
            instance: instance, queryAE: queryAE, configuration: configuration, options: options, report: report)
        return report
    }

    /// C-ECHO on its own association; keeps what the A-ASSOCIATE-AC says about the peer.
    private static func echo(
        remote: ApplicationEntity, configuration: ConfigurationDocument, into report: inout ProbeReport
    ) async {
        let association: DICOMAssociation
        do {
            association = try await EchoService.connect(to: remote, configuration: configuration)
        } catch {
            report.echoFailure = SCUConnection.describe(error, remote: remote)
            return
        }
        report.implementationClassUID = association.negotiated.peerImplementationClassUID
        report.implementationVersionName = association.negotiated.peerImplementationVersionName
        report.maximumPDULength = association.negotiated.maximumPDULengthToSend
        do {
            let status = try await association.echo()
            if !status.isSuccess { report.echoFailure = "C-ECHO answered \(status.description(for: .echo))" }
            try? await association.release()
        } catch {
            await association.abort()
            report.echoFailure = SCUConnection.describe(error, remote: remote)
        }
    }

    /// The levels of each accepted FIND model, walking down the hierarchy with the unique keys of the first
    /// match of the level above (PS3.4 C.4.1.2.2: a hierarchical query needs them). Returns the unique keys of
    /// one instance (from an IMAGE-level match), if any.
    private static func levels(
        queryAE: String, configuration: ConfigurationDocument, into report: inout ProbeReport
    ) async throws -> RetrieveKeys? {
        var instance: RetrieveKeys?
        let findModels = report.models.filter { $0.service == "FIND" && $0.accepted }.map(\.model)
        for model in findModels {
            let levels: [IDLQueryLevel]
            switch model {
            case .patientRoot: levels = [.patient, .study, .series, .image]
            case .studyRoot: levels = [.study, .series, .image]
            case .patientStudyOnly: levels = [.patient, .study]
            }
            var parent = RetrieveKeys()
            for level in levels {
                var identifier = DataSet()
                try identifier.set(Tag(0x0008, 0x0052), string: level.keyword)
                let keys: [(Tag, String?)] = [
                    (Tag(0x0010, 0x0020), parent.patientID), (Tag(0x0020, 0x000D), parent.studyInstanceUID),
                    (Tag(0x0020, 0x000E), parent.seriesInstanceUID), (Tag(0x0008, 0x0018), nil),
                ]
                let needed: Int
                switch level {
                case .patient: needed = 1
                case .study: needed = 2
                case .series: needed = 3
                case .image: needed = 4
                }
                for (tag, value) in keys.prefix(needed) { try identifier.set(tag, string: value ?? "") }
                if level == .patient { try identifier.set(Tag(0x0010, 0x0010), string: "") }
                let outcome = try await QueryService.find(
                    identifier: identifier, model: model, queryAE: queryAE, configuration: configuration
                ) { _, _ in .cancel }
                let match = outcome.matches.first
                report.levels.append(
                    .init(model: model, level: level, matched: match != nil, failure: outcome.failure))
                guard let match else { break }
                if level == .patient && report.patientMatchHasSpecificCharacterSet == nil {
                    report.patientMatchHasSpecificCharacterSet = match.contains(Tag(0x0008, 0x0005))
                }
                parent.patientID = match.string(Tag(0x0010, 0x0020)) ?? parent.patientID
                parent.studyInstanceUID = match.string(Tag(0x0020, 0x000D)) ?? parent.studyInstanceUID
                parent.seriesInstanceUID = match.string(Tag(0x0020, 0x000E)) ?? parent.seriesInstanceUID
                if level == .image, let sop = match.string(Tag(0x0008, 0x0018)), instance == nil {
                    parent.sopInstanceUID = sop
                    instance = parent
                }
            }
        }
        return instance
    }

    /// Moves `instance` to our storage SCP listening here, and explains the outcome.
    private static func moveTest(
        instance: RetrieveKeys?, queryAE: String, configuration: ConfigurationDocument, options: Options,
        report: ProbeReport
    ) async throws -> ProbeReport.MoveTest {
        guard options.tryMove else { return .skipped("--no-move") }
        let moveModels = report.models.filter { $0.service == "MOVE" && $0.accepted }.map(\.model)
        guard let model = moveModels.first(where: { $0 != .patientStudyOnly }) else {
            return .skipped("no C-MOVE model accepted")
        }
        guard let instance else { return .noInstance }
        var settings = try StorageSCPSettings(configuration: configuration, aeName: options.storageAE)
        settings.port = options.listenPort ?? settings.port
        settings.allowedCallingAETitles = nil
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("dicomlua-probe-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        settings.directory = directory.path
        defer { try? FileManager.default.removeItem(at: directory) }
        let arrived = ArrivalFlag()
        let scp: StorageSCP
        do {
            scp = try await StorageSCP.start(
                settings: settings,
                observer: { event in
                    if case .instanceStored = event { arrived.set() }
                })
        } catch {
            return .failed("cannot listen as \(settings.aeTitle) on port \(settings.port): \(error)")
        }
        let listening = settings
        let control = OperationControl()
        let timer = Task {
            try await Task.sleep(nanoseconds: UInt64(options.moveTimeout * 1_000_000_000))
            arrived.timeOut()
            control.cancel()
        }
        let outcome = try await RetrieveService.move(
            keys: instance, model: model, level: .image, queryAE: queryAE,
            storageAE: options.storageAE ?? configuration.storageSCP.name, configuration: configuration,
            control: control)
        timer.cancel()
        await scp.stop(gracePeriod: 2)
        if arrived.isSet { return .received(aeTitle: listening.aeTitle, port: scp.port) }
        if arrived.timedOut {
            return .timedOut(aeTitle: listening.aeTitle, port: scp.port, seconds: options.moveTimeout)
        }
        if let status = outcome.finalStatus, status.code == 0xA801 || status.code & 0xF000 == 0xC000 {
            return .unknownDestination(aeTitle: listening.aeTitle, status: status.description(for: .move))
        }
        if let status = outcome.finalStatus, status.category == .warning || status.category == .failure {
            return .notReached(aeTitle: listening.aeTitle, port: scp.port, status: status.description(for: .move))
        }
        return .failed(outcome.message ?? "the move ended without sending the instance")
    }
}

/// Set once by the storage SCP's observer (a NIO thread), read by the probe.
private final class ArrivalFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    private var expired = false
    func set() { lock.withLock { value = true } }
    func timeOut() { lock.withLock { expired = true } }
    var isSet: Bool { lock.withLock { value } }
    var timedOut: Bool { lock.withLock { expired } }
}
