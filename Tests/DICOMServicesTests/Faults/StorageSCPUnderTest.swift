import Foundation
import DICOMNetwork
import NIOCore
@testable import DICOMServices

/// The storage SCP as the fault tests drive it: a `DICOMServer` accepting Secondary Capture and CT,
/// streaming every C-STORE data set into a `ReceivedInstanceStore` (depot, then rename) and answering with
/// the store's status — the same path as the storage SCP service and C-GET.
struct StorageSCPUnderTest {
    let server: DICOMServer
    let store: ReceivedInstanceStore

    static let aeTitle = "FAULTSCP"

    static func start(directory: String, dimseTimeout: TimeAmount = .seconds(5)) async throws -> StorageSCPUnderTest {
        let store = try ReceivedInstanceStore(directory: directory)
        try store.prepare()
        var association = AssociationConfiguration(artimTimeout: .seconds(5), dimseTimeout: dimseTimeout)
        association.associationDataSetSinkProvider = { negotiated, _, ts, command in
            store.sink(for: command, transferSyntax: ts, callingAETitle: negotiated.callingAETitle)
        }
        var syntaxes: [String: [String]] = [AcceptancePolicy.verificationSOPClassUID: TransferSyntaxUID.uncompressed]
        for uid in StorageSOPClasses.uids { syntaxes[uid] = TransferSyntaxUID.uncompressed }
        let policy = AcceptancePolicy(calledAETitle: aeTitle, supportedAbstractSyntaxes: syntaxes)
        let server = try await DICOMServer.start(configuration: ServerConfiguration(policy: policy, association: association)) { a in
            try? await a.serve(store: { incoming in
                ReceivedInstanceStore.status(of: store.outcome(for: incoming, callingAETitle: a.negotiated.callingAETitle))
            })
        }
        return StorageSCPUnderTest(server: server, store: store)
    }

    var port: Int { server.port }

    func stop() async { await server.shutdown(gracePeriod: .seconds(5)) }
}
