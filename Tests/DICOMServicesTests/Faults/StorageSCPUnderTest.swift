import DICOMNetwork
import Foundation
import NIOCore

@testable import DICOMServices

/// The storage SCP as the fault tests drive it: the real `StorageSCP` (streaming every C-STORE data set
/// into its `ReceivedInstanceStore`: depot, then rename) on loopback, a free port, AE title `FAULTSCP`.
struct StorageSCPUnderTest {
    let scp: StorageSCP

    static let aeTitle = "FAULTSCP"

    static func start(directory: String, dimseTimeout: TimeAmount = .seconds(5)) async throws -> StorageSCPUnderTest {
        var settings = StorageSCPSettings(
            aeTitle: aeTitle, host: "127.0.0.1", port: 0, directory: directory, artimTimeout: 5)
        settings.dimseTimeout = Double(dimseTimeout.nanoseconds) / 1e9
        return StorageSCPUnderTest(scp: try await StorageSCP.start(settings: settings))
    }

    var port: Int { scp.port }
    var store: ReceivedInstanceStore { scp.store }

    func stop() async { await scp.stop(gracePeriod: 5) }
}
