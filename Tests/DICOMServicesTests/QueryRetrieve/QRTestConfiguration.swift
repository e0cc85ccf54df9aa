import Foundation
import TestSupport

@testable import DICOMServices

/// A user configuration in a temporary folder with the AEs of a `QRTestPeer`: `remote_qr` (QRSCP),
/// `dest` (DESTAE, the storescp), `unknown_dest` (an AE title dcmqrscp does not know), `dead` (a closed port).
enum QRTestConfiguration {
    static func make(
        peer: QRTestPeer?, maxQueryResponses: Int = 100, extra: (Configuration) throws -> Void = { _ in }
    )
        throws -> ConfigurationDocument
    {
        let folder = try makeTemporaryDirectory("qrcfg")
        let locations = ConfigurationLocations(
            userFile: folder.appendingPathComponent("user/config.json"),
            systemFile: folder.appendingPathComponent("system/config.json"),
            homeDirectory: folder.appendingPathComponent("home").path,
            userReceivedDirectory: folder.appendingPathComponent("received").path,
            systemReceivedDirectory: folder.appendingPathComponent("var").path)
        let configuration = try Configuration(scope: .user, locations: locations)
        if let peer {
            try configuration.setApplicationEntity(
                name: "remote_qr", aeTitle: "QRSCP", hostname: "127.0.0.1", port: peer.qrPort,
                serviceList: .querySCP, serviceType: .querySCP)
            try configuration.setApplicationEntity(
                name: "dest", aeTitle: "DESTAE", hostname: "127.0.0.1",
                port: peer.destinationPort, serviceList: .storageSCP, serviceType: .storageSCP)
        }
        try configuration.setApplicationEntity(
            name: "unknown_dest", aeTitle: "NOWHERE", hostname: "127.0.0.1", port: 104,
            serviceList: .storageSCP, serviceType: .storageSCP)
        try configuration.setApplicationEntity(
            name: "dead", aeTitle: "DEAD", hostname: "127.0.0.1", port: freeTCPPort(),
            serviceList: .querySCP, serviceType: .querySCP)
        try configuration.setValue(maxQueryResponses, forKey: "MaxQueryResponses")
        try configuration.setValue(3, forKey: "ConnectTimeout")
        try extra(configuration)
        try configuration.commit()
        return configuration.current
    }
}

/// Collects values from concurrent callbacks.
final class Collected<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []
    func append(_ item: T) { lock.withLock { items.append(item) } }
    var all: [T] { lock.withLock { items } }
}
