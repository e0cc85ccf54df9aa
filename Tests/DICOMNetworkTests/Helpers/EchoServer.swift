import DICOMNetwork
import Foundation
import NIOCore

/// Starts one of our servers that answers C-ECHO-RQ with C-ECHO-RSP (status 0) and records, per
/// association, how it ended.
func startEchoServer(
    calledAETitle: String? = "DICOMLUA", maximumAssociations: Int = 4,
    association: AssociationConfiguration = AssociationConfiguration(),
    extraAbstractSyntaxes: [String: [String]] = [:],
    onMessage: (@Sendable (AssociationMessage) -> Void)? = nil,
    onEnd: (@Sendable (Error?) -> Void)? = nil, pendingConnectionTimeout: TimeAmount? = nil
) async throws -> DICOMServer {
    var supported: [String: [String]] = [TestCommands.verification: TransferSyntaxUID.uncompressed]
    supported.merge(extraAbstractSyntaxes) { a, _ in a }
    let policy = AcceptancePolicy(calledAETitle: calledAETitle, supportedAbstractSyntaxes: supported)
    var configuration = ServerConfiguration(
        policy: policy, association: association, maximumAssociations: maximumAssociations)
    configuration.pendingConnectionTimeout = pendingConnectionTimeout
    return try await DICOMServer.start(port: 0, configuration: configuration) { association in
        do {
            for try await message in association.messages {
                onMessage?(message)
                let field = TestCommands.us(0x0100, in: message.command)
                let id = TestCommands.us(0x0110, in: message.command) ?? 0
                if field == 0x0030 {
                    try await association.send(
                        command: TestCommands.echoRSP(respondingTo: id), contextID: message.contextID)
                } else if field == 0x0001 {
                    let sopClass = association.negotiated.acceptedContexts[message.contextID]?.abstractSyntax ?? ""
                    try await association.send(
                        command: TestCommands.command([
                            (0x0002, .uid(sopClass)), (0x0100, .us(0x8001)), (0x0120, .us(id)),
                            (0x0800, .us(0x0101)), (0x0900, .us(0)),
                        ]),
                        contextID: message.contextID)
                }
            }
            onEnd?(nil)
        } catch {
            onEnd?(error)
        }
    }
}

/// Polls `condition` every 20 ms until it holds or `timeout` seconds pass (a bounded wait, not a timing
/// assertion); returns whether it held.
func eventually(timeout: Double = 10, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(nanoseconds: 20_000_000)
    }
    return condition()
}

let verificationContext = ProposedPresentationContext(
    abstractSyntax: TestCommands.verification,
    transferSyntaxes: [TransferSyntaxUID.implicitVRLittleEndian])

/// Connects to `port` as a C-GET SCU: the GET SOP class, and `storageSOPClass` with the SCP role for its
/// sub-operations (PS3.7 D.3.3.4).
func connectAsGetSCU(
    port: Int, getSOPClass: String, storageSOPClass: String,
    configuration: AssociationConfiguration = AssociationConfiguration()
) async throws -> DICOMAssociation {
    try await DICOMAssociation.connect(
        host: "127.0.0.1", port: port, callingAETitle: "SCU", calledAETitle: "ANY",
        contexts: [
            ProposedPresentationContext(abstractSyntax: getSOPClass, transferSyntaxes: TransferSyntaxUID.uncompressed),
            ProposedPresentationContext(
                abstractSyntax: storageSOPClass, transferSyntaxes: TransferSyntaxUID.uncompressed, role: .scuAndSCP),
        ],
        configuration: configuration)
}
