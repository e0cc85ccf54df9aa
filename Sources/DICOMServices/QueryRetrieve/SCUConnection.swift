import DICOMNetwork
import Foundation
import NIOCore

/// Opens associations as the SCU AEs of a configuration: calling AE title from the service AE
/// (`QRScuServiceAE`, `StorScuServiceAE`, `EchoScuServiceAE`), time-outs and maximum PDU length from the
/// configuration keys (`ConnectTimeout`, `AcseTimeout`, `MaxPDULength`).
public enum SCUConnection {
    /// The AE named `name` in `configuration`, for `property` of `method`.
    /// - Throws: `ConfigurationError(method, …)` when unset or unknown (misuse).
    public static func remote(
        named name: String?, property: String, method: String,
        configuration: ConfigurationDocument
    ) throws -> ApplicationEntity {
        guard let name, !name.isEmpty else { throw ConfigurationError(method, "\(property) is not set") }
        guard let entity = configuration.applicationEntity(named: name) else {
            throw ConfigurationError(
                method, "\(property) '\(name)' is not an application entity of \(configuration.filePath)")
        }
        return entity
    }

    /// The association settings of `configuration`.
    /// `DimseTimeout` bounds the peer's silence while an operation waits for a response (0: no limit).
    public static func associationConfiguration(
        _ configuration: ConfigurationDocument,
        sinkProvider: AssociationDataSetSinkProvider? = nil
    ) -> AssociationConfiguration {
        var settings = AssociationConfiguration(
            maximumPDULength: max(4096, configuration.maxPDULength),
            connectTimeout: .milliseconds(Int64(configuration.connectTimeout * 1000)),
            artimTimeout: .milliseconds(Int64(configuration.acseTimeout * 1000)),
            dimseTimeout: configuration.dimseTimeout.map { .milliseconds(Int64($0 * 1000)) })
        settings.associationDataSetSinkProvider = sinkProvider
        return settings
    }

    /// Connects from `calling` to `remote`, over TLS when `remote` has TLS settings (docs/lua-api.md
    /// "DICOM TLS"; unusable settings fail as `.connectionFailed` naming the file).
    public static func connect(
        calling: ApplicationEntity, remote: ApplicationEntity, contexts: [ProposedPresentationContext],
        configuration: ConfigurationDocument, sinkProvider: AssociationDataSetSinkProvider? = nil
    ) async throws
        -> DICOMAssociation
    {
        var settings = associationConfiguration(configuration, sinkProvider: sinkProvider)
        settings.transportSecurity = try transportSecurity(for: remote)
        return try await DICOMAssociation.connect(
            host: remote.hostname, port: remote.port, callingAETitle: calling.aeTitle,
            calledAETitle: remote.aeTitle, contexts: contexts, configuration: settings)
    }

    /// TLS towards `remote` when it has TLS settings, nil for plain TCP.
    public static func transportSecurity(for remote: ApplicationEntity) throws -> TransportSecurity? {
        guard let tls = remote.tls else { return nil }
        do {
            return try TransportSecurity(settings: tls, role: .requestor)
        } catch {
            throw AssociationError.connectionFailed("TLS settings of \(remote.name): \(error)")
        }
    }

    /// A one-line description of a network failure, naming the remote.
    public static func describe(_ error: Error, remote: ApplicationEntity) -> String {
        let text = (error as? AssociationError)?.description ?? String(describing: error)
        return "\(remote.name) (\(remote.aeTitle) at \(remote.hostname):\(remote.port)): \(text)"
    }
}
