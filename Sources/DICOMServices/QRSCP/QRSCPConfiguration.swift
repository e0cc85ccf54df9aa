import DICOMNetwork
import Foundation

/// Where a C-MOVE destination AE title is reached (PS3.4 C.4.2: the SCP maps Move Destination to an address).
public struct MoveDestination: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// Send over DICOM TLS with the SCP's own TLS settings (`AET=HOST:PORT:tls`; docs/lua-api.md "DICOM TLS").
    public var tls = false

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `AET=HOST:PORT` or `AET=HOST:PORT:tls` (the `--dest` option) into the AE title and its address.
    public static func parse(_ text: String) throws -> (aeTitle: String, destination: MoveDestination) {
        if text.lowercased().hasSuffix(":tls") {
            let (ae, plain) = try parse(String(text.dropLast(4)))
            var destination = plain
            destination.tls = true
            return (ae, destination)
        }
        let usage = "expected AET=HOST:PORT or AET=HOST:PORT:tls, got \"\(text)\""
        guard let equals = text.firstIndex(of: "="), let colon = text.lastIndex(of: ":"), equals < colon else {
            throw QRSCPConfigurationError(usage)
        }
        let ae = String(text[..<equals]).trimmingCharacters(in: .whitespaces)
        let host = String(text[text.index(after: equals)..<colon])
        guard !ae.isEmpty, ae.count <= 16, !host.isEmpty, let port = Int(text[text.index(after: colon)...]),
            (1...65535).contains(port)
        else {
            throw QRSCPConfigurationError(usage + " (AE title of 1–16 characters, port 1–65535)")
        }
        return (ae, MoveDestination(host: host, port: port))
    }
}

/// A wrong `qrscp` option, saying what was expected.
public struct QRSCPConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Settings of the test Q/R SCP (`dicomlua qrscp`). Defaults are given per field.
public struct QRSCPConfiguration: Sendable {
    /// The folder served (indexed recursively at start) and where received instances are stored
    /// (under `received/`).
    public var directory: String
    /// Our AE title, used as calling AE title of C-MOVE sub-associations. Default `QRSCP`. Any called AE
    /// title is accepted (it is a test PACS).
    public var aeTitle: String
    /// Interface to listen on. Default 127.0.0.1 (loopback only).
    public var host: String
    /// TCP port; 0 picks a free one. Default 11112.
    public var port: Int
    /// C-MOVE destinations by AE title; any other Move Destination gets 0xA801.
    public var destinations: [String: MoveDestination]
    /// Associations served at once; more are rejected (transient, local limit exceeded). Default 16.
    public var maximumAssociations: Int
    /// Maximum PDU length advertised and used for sub-associations. Default 131072.
    public var maximumPDULength: Int
    /// One line per association and per operation (the CLI writes them to stderr).
    public var log: @Sendable (String) -> Void
    /// Test faults (off by default).
    public var faults = QRSCPFaults()
    /// The C-MOVE/C-GET requests served so far (faults apply to the first).
    let retrieveRequests = RetrieveRequestCounter()
    /// DICOM TLS: listen with TLS, and send to `tls` destinations with the same certificate. Default nil.
    public var tls: TLSSettings? = nil

    public init(
        directory: String, aeTitle: String = "QRSCP", host: String = "127.0.0.1", port: Int = 11112,
        destinations: [String: MoveDestination] = [:], maximumAssociations: Int = 16,
        maximumPDULength: Int = 131_072, log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.directory = directory
        self.aeTitle = aeTitle
        self.host = host
        self.port = port
        self.destinations = destinations
        self.maximumAssociations = maximumAssociations
        self.maximumPDULength = maximumPDULength
        self.log = log
    }

    /// The presentation contexts accepted: Verification, the FIND/MOVE/GET classes of the three models,
    /// and the storage classes (also with the SCP role for the requestor, for C-GET, PS3.7 D.3.3.4).
    var acceptancePolicy: AcceptancePolicy {
        var syntaxes: [String: [String]] = [AcceptancePolicy.verificationSOPClassUID: TransferSyntaxUID.uncompressed]
        for uid in QueryRetrieveModel.allSOPClassUIDs { syntaxes[uid] = TransferSyntaxUID.uncompressed }
        for sopClass in StorageSOPClasses.all { syntaxes[sopClass.uid] = StorageSOPClasses.transferSyntaxes }
        return AcceptancePolicy(
            supportedAbstractSyntaxes: syntaxes,
            requestorSCPRoleAbstractSyntaxes: Set(StorageSOPClasses.commonUIDs),
            maximumPDULength: maximumPDULength)
    }
}
