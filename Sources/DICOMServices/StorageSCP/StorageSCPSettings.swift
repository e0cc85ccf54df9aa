import DICOMNetwork
import Foundation

/// How a storage SCP runs: its AE title and port, where files go, and who may associate.
/// `init(configuration:)` reads them from a configuration document (keys in the README).
public struct StorageSCPSettings: Sendable, Equatable {
    /// Our AE title (the called AE title peers must use unless `checkCalledAETitle` is false).
    public var aeTitle: String
    /// Address to listen on. Default all interfaces (`0.0.0.0`), as a storage SCP must be reachable.
    public var host: String
    /// TCP port; 0 picks a free one.
    public var port: Int
    /// `StorScpDir`: where instances are written (created if needed).
    public var directory: String
    /// `FileExtension` without the dot.
    public var fileExtension: String
    public var duplicatePolicy: DuplicatePolicy
    /// nil accepts any calling AE title (`AcceptAny=Yes`); otherwise only these (A-ASSOCIATE-RJ 1/1/3).
    public var allowedCallingAETitles: Set<String>?
    /// `CalledAECheck`: reject another called AE title with A-ASSOCIATE-RJ 1/1/7.
    public var checkCalledAETitle: Bool
    /// `MaxAssociations`: simultaneous associations; more are rejected 2/3/2.
    public var maximumAssociations: Int
    /// `MaxPendingConnections`: connections without a complete A-ASSOCIATE-RQ yet, held at once (they take no
    /// association slot and are closed after `artimTimeout`); at the limit the oldest is closed.
    public var maximumPendingConnections: Int = 256
    /// `MaxPDULength`: the Maximum Length we announce.
    public var maximumPDULength: Int
    /// `AcseTimeout` (ARTIM), seconds; also how long a connection may stay without a complete
    /// A-ASSOCIATE-RQ.
    public var artimTimeout: Double
    /// Flush each file to disk before renaming it into place.
    public var fsync: Bool
    /// `DimseTimeout`, seconds: a peer silent this long in the middle of a message (e.g. mid-instance) is
    /// aborted and its partial file removed. nil (the default): no limit.
    public var dimseTimeout: Double? = nil
    /// `IdleTimeout`, seconds: an association silent this long between messages is aborted (it would
    /// otherwise hold one of `maximumAssociations` until it closes). nil (the default): no limit.
    public var idleTimeout: Double? = nil
    /// DICOM TLS (docs/lua-api.md "DICOM TLS"): listen with TLS with these settings (those of the SCP's AE
    /// when read from a configuration). nil (the default): plain TCP.
    public var tls: TLSSettings? = nil
    /// Seconds that transfers in flight may take to finish when the SCP is stopped as a `Service` (graceful
    /// shutdown, e.g. SIGTERM); what is left then is aborted. Default 30.
    public var shutdownGracePeriod: Double = 30

    public init(
        aeTitle: String, host: String = "0.0.0.0", port: Int, directory: String, fileExtension: String = "dcm",
        duplicatePolicy: DuplicatePolicy = .overwrite, allowedCallingAETitles: Set<String>? = nil,
        checkCalledAETitle: Bool = true, maximumAssociations: Int = 16, maximumPDULength: Int = 131_072,
        artimTimeout: Double = 30, fsync: Bool = false
    ) {
        self.aeTitle = aeTitle
        self.host = host
        self.port = port
        self.directory = directory
        self.fileExtension = fileExtension
        self.duplicatePolicy = duplicatePolicy
        self.allowedCallingAETitles = allowedCallingAETitles
        self.checkCalledAETitle = checkCalledAETitle
        self.maximumAssociations = maximumAssociations
        self.maximumPDULength = maximumPDULength
        self.artimTimeout = artimTimeout
        self.fsync = fsync
    }

    /// From a configuration: the AE named by `StorScpServiceAE` (or `aeName`), `StorScpDir`,
    /// `FileExtension`, `DuplicatePolicy`, `AcceptAny` (with `No`, the AE titles of the document),
    /// `CalledAECheck`, `MaxAssociations`, `MaxPendingConnections`, `MaxPDULength`, `AcseTimeout`, `DimseTimeout`, `IdleTimeout`.
    public init(configuration doc: ConfigurationDocument, aeName: String? = nil) throws {
        let entity: ApplicationEntity
        if let aeName {
            guard let named = doc.applicationEntity(named: aeName) else {
                throw ConfigurationError("storage_scp", "no application entity named '\(aeName)' in \(doc.filePath)")
            }
            entity = named
        } else {
            entity = doc.storageSCP
        }
        self.init(
            aeTitle: entity.aeTitle, port: entity.port, directory: doc.storageDirectory.path,
            fileExtension: doc.fileExtension, duplicatePolicy: doc.duplicatePolicy,
            allowedCallingAETitles: doc.acceptAny ? nil : doc.knownAETitles,
            checkCalledAETitle: doc.calledAECheck, maximumAssociations: max(1, doc.maxAssociations),
            maximumPDULength: doc.maxPDULength > 0 ? doc.maxPDULength : 131_072,
            artimTimeout: doc.acseTimeout)
        dimseTimeout = doc.dimseTimeout
        idleTimeout = doc.idleTimeout
        tls = entity.tls
        maximumPendingConnections = max(1, doc.maxPendingConnections)
    }
}
