import DICOMNetwork
import Foundation

/// The test Query/Retrieve SCP behind `dicomlua qrscp`: serves a folder of Part 10 files with C-ECHO,
/// C-FIND, C-MOVE, C-GET (the three Q/R models) and stores what it receives by C-STORE into the folder.
public final class QRSCP: Sendable {
    public let configuration: QRSCPConfiguration
    public let index: InstanceIndex
    private let server: DICOMServer

    /// The port listened on.
    public var port: Int { server.port }

    private init(configuration: QRSCPConfiguration, index: InstanceIndex, server: DICOMServer) {
        self.configuration = configuration
        self.index = index
        self.server = server
    }

    /// Indexes `configuration.directory` and starts listening.
    public static func start(_ configuration: QRSCPConfiguration) async throws -> QRSCP {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: configuration.directory, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            throw QRSCPConfigurationError("--dir must be an existing folder, got \"\(configuration.directory)\"")
        }
        let log = configuration.log
        let (index, skipped) = InstanceIndex.scan(directory: configuration.directory, log: log)
        log(
            "qrscp: indexed \(index.count) instance(s) in \(configuration.directory)"
                + (skipped > 0 ? ", skipped \(skipped) file(s)" : ""))
        let storage = try ReceivedInstanceWriter(directory: configuration.directory, index: index)
        let serverConfiguration = ServerConfiguration(
            policy: configuration.acceptancePolicy,
            association: try configuration.serverAssociationConfiguration(),
            maximumAssociations: configuration.maximumAssociations)
        let server = try await DICOMServer.start(
            host: configuration.host, port: configuration.port,
            configuration: serverConfiguration
        ) { association in
            await QRSCPAssociationService(
                association: association, configuration: configuration, index: index,
                storage: storage
            ).run()
        }
        log(
            "qrscp: \(configuration.aeTitle) listening on \(configuration.host):\(server.port)"
                + (configuration.tls == nil ? "" : " with TLS"))
        return QRSCP(configuration: configuration, index: index, server: server)
    }

    /// Stops accepting and ends the associations in flight (after `gracePeriod` seconds at most).
    public func shutdown(gracePeriod: Int64 = 5) async {
        await server.shutdown(gracePeriod: .seconds(gracePeriod))
    }
}
