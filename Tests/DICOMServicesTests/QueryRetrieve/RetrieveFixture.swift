import DICOMCore
import DICOMNetwork
import Foundation
import TestSupport

@testable import DICOMServices

/// The test Q/R SCP (in process, over sample data, with test faults) and a storage SCP of this process
/// (`SCRIPT_SCP`) that reports to an `ArrivalsTracker`: a C-MOVE's report can be compared with the files on
/// disk. AEs of the configuration: `pacs` (the Q/R SCP), `me` (the storage SCP).
final class RetrieveFixture: @unchecked Sendable {
    let directory: URL
    let received: URL
    let qrscp: QRSCP
    let storage: StorageSCP
    let tracker = ArrivalsTracker()
    let configuration: ConfigurationDocument
    let log = Collected<String>()

    init(
        faults: [String] = [], patients: Int = 1, series: Int = 2, instances: Int = 3, sleepBetweenStores: Bool = false
    ) async throws {
        directory = try makeTemporaryDirectory("retrieve-report")
        let pacs = directory.appendingPathComponent("pacs")
        received = directory.appendingPathComponent("received")
        _ = try SampleDataGenerator.generate(
            into: pacs.path,
            options: SampleDataOptions(patients: patients, studies: 1, series: series, instances: instances, rows: 8))
        let tracker = self.tracker
        storage = try await StorageSCP.start(
            settings: StorageSCPSettings(aeTitle: "SCRIPT_SCP", host: "127.0.0.1", port: 0, directory: received.path),
            storedBeforeAnswer: { tracker.record($0) })
        var settings = QRSCPConfiguration(
            directory: pacs.path, port: 0,
            destinations: ["SCRIPT_SCP": MoveDestination(host: "127.0.0.1", port: storage.port)])
        for fault in faults { try settings.faults.add(fault) }
        let log = self.log
        settings.log = { log.append($0) }
        qrscp = try await QRSCP.start(settings)
        let port = qrscp.port
        let storagePort = storage.port
        configuration = try QRTestConfiguration.make(peer: nil) { configuration in
            try configuration.setApplicationEntity(
                name: "pacs", aeTitle: "QRSCP", hostname: "127.0.0.1", port: port,
                serviceList: .querySCP, serviceType: .querySCP)
            try configuration.setApplicationEntity(
                name: "me", aeTitle: "SCRIPT_SCP", hostname: "127.0.0.1", port: storagePort,
                serviceList: .storageSCP, serviceType: .storageSCP)
        }
    }

    func stop() async {
        await qrscp.shutdown(gracePeriod: 2)
        await storage.stop(gracePeriod: 2)
        try? FileManager.default.removeItem(at: directory)
    }

    /// SOP Instance UIDs of the files in `folder` (default: the storage SCP's), from their names.
    func filesOnDisk(_ folder: URL? = nil) -> Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: (folder ?? received).path)) ?? []
        return Set(names.filter { $0.hasSuffix(".dcm") }.map { String($0.dropLast(4)) })
    }

    /// The Study Instance UID of the first patient's study.
    func studyUID() async throws -> String {
        let outcome = try await QueryService.query(
            QueryParameters(model: .studyRoot, level: .study), queryAE: "pacs", configuration: configuration)
        guard let uid = outcome.results.first?["study_instance_uid"] else { throw PeerError("no study") }
        return uid
    }

    /// A C-MOVE of the first study into the storage SCP.
    func move(
        _ options: RetrieveOptions, control: OperationControl = OperationControl(),
        onResponse: OperationEventHandler? = nil
    ) async throws -> RetrieveOutcome {
        try await RetrieveService.move(
            keys: RetrieveKeys(studyInstanceUID: try await studyUID()), model: .studyRoot, level: .study,
            queryAE: "pacs", storageAE: "me", configuration: configuration, control: control, onResponse: onResponse,
            options: options, destinationTracker: tracker)
    }

    struct PeerError: Error {
        let text: String
        init(_ text: String) { self.text = text }
    }
}

extension RetrieveOptions {
    /// Short pauses between rounds, for tests.
    static func fast(verify: Bool = true, retry: Int = 0, callFinal: Bool = false) -> RetrieveOptions {
        RetrieveOptions(verify: verify, retry: retry, settle: 2, callFinal: callFinal, firstPause: 0.1)
    }
}
