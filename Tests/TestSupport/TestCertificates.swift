import Foundation

/// Throw-away TLS certificates made once per test process by `scripts/make-test-certificates` (openssl):
/// a CA with server and client certificates, a second CA with a client, and an expired client.
public enum TestCertificates {
    nonisolated(unsafe) private static var made: URL?
    private static let lock = NSLock()

    /// The folder holding ca/server/client/other-ca/other-client/expired `.pem` and `.key`.
    public static func directory() throws -> URL {
        try lock.withLock {
            if let made { return made }
            let dir = try makeTemporaryDirectory("tls-certs")
            let script = packageRoot.appendingPathComponent("scripts/make-test-certificates").path
            let result = try ChildProcess.run("/bin/bash", [script, dir.path], timeout: 60)
            guard result.status == 0 else {
                throw NSError(
                    domain: "TestCertificates", code: 1,
                    userInfo: [NSLocalizedDescriptionKey: "make-test-certificates failed: \(result.stderr)"])
            }
            made = dir
            return dir
        }
    }

    /// The path of `name` (e.g. `server.pem`).
    public static func path(_ name: String) throws -> String {
        try directory().appendingPathComponent(name).path
    }
}
