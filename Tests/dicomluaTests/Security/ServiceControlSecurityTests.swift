import Foundation
import TestSupport
import XCTest

/// The storage SCP service's control channel (RELIABILITY.md, "Security"): it is signals to a process
/// checked by pid file, `/proc/<pid>/cmdline` and owner — never a TCP port. So another host cannot reach it
/// (nothing listens on `StorScpCtrlPort`, on any address), and another local user (`nobody`, through
/// `setpriv`) cannot stop the service: the answer is a refusal and the service keeps running.
final class ServiceControlSecurityTests: XCTestCase {
    private var directory: URL!
    private var dicomPort = 0
    private var controlPort = 0

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built (run `swift build` first): \(dicomluaBinary)")
        }
        directory = try makeTemporaryDirectory("svc-control")
        chmod(directory.path, 0o755)
        dicomPort = freeTCPPort()
        controlPort = freeTCPPort()
        let setup = try dicomlua(
            """
            local dir = ...
            local sc = cfg.new{system = true}
            sc:set_application_entity('\(Self.storageSCPName)', 'SVCSCP', 'localhost', \(dicomPort), 'Storage_SCP_Service_List', 'Storage_SCP')
            sc:set_value('StorScpDir', dir .. '/received')
            sc:set_value('LogDir', dir .. '/log')
            sc:set_value('StorScpCtrlPort', '\(controlPort)')
            sc:commit()
            print(sc:storage_scp_service('start'))
            """)
        XCTAssertEqual(setup.stdout, "start request issued\n", setup.stderr)
    }

    override func tearDownWithError() throws {
        if let directory {
            _ = try? dicomlua("print(cfg.new{system = true}:storage_scp_service('stop'))")
            try? FileManager.default.removeItem(at: directory)
        }
    }

    static let storageSCPName = "IDL_AE_STOR_SCP"

    private func environment(user: String) -> [String: String] {
        [
            "DICOMLUA_CONFIG": directory.appendingPathComponent("\(user)/user.json").path,
            "DICOMLUA_SYSTEM_CONFIG": directory.appendingPathComponent("system.json").path,
            "HOME": directory.appendingPathComponent(user).path,
        ]
    }

    private func dicomlua(_ code: String) throws -> (status: Int32?, stdout: String, stderr: String) {
        try ChildProcess.run(
            dicomluaBinary, ["-e", code, directory.path], environment: environment(user: "owner"), timeout: 60)
    }

    private var status: String {
        (try? dicomlua("print(cfg.new{system = true}:storage_scp_service('status'))").stdout) ?? ""
    }

    func testAnotherUserCannotStopTheService() throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
            throw XCTSkip("needs root and /usr/bin/setpriv to run a client as another user (nobody)")
        }
        XCTAssertEqual(status, "service running\n")
        let home = directory.appendingPathComponent("nobody")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        chmod(home.path, 0o777)
        let other = try ChildProcess.run(
            "/usr/bin/setpriv",
            [
                "--reuid=nobody", "--regid=nogroup", "--clear-groups", dicomluaBinary, "-e",
                "print(cfg.new{system = true}:storage_scp_service('stop'))",
            ],
            environment: environment(user: "nobody"), timeout: 60)
        XCTAssertNotEqual(
            other.stdout, "stop request issued\n", "another user must not stop the service: \(other.stderr)")
        XCTAssertEqual(
            status, "service running\n",
            "the service is still running after nobody's attempt (\(other.stdout)\(other.stderr))")
        XCTAssertTrue(waitForPort(dicomPort, timeout: 5), "and still accepts associations")
        XCTAssertEqual(
            try dicomlua("print(cfg.new{system = true}:storage_scp_service('stop'))").stdout, "stop request issued\n",
            "its owner can stop it")
    }

    func testNothingListensOnTheControlPortFromAnyHost() throws {
        XCTAssertEqual(status, "service running\n")
        XCTAssertTrue(waitForPort(dicomPort, timeout: 5), "the DICOM port is open")
        XCTAssertNil(RawTCPClient(port: controlPort, timeout: 1), "nothing listens on StorScpCtrlPort (loopback)")
        for address in externalIPv4Addresses() {
            XCTAssertFalse(canConnect(address, controlPort), "nothing listens on StorScpCtrlPort at \(address)")
        }
    }

    /// This host's non-loopback IPv4 addresses (what another host would connect to).
    private func externalIPv4Addresses() -> [String] {
        var result: [String] = []
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(list) }
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            if let addr = entry.pointee.ifa_addr, addr.pointee.sa_family == sa_family_t(AF_INET) {
                var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                if getnameinfo(
                    addr, socklen_t(MemoryLayout<sockaddr_in>.size), &host, socklen_t(host.count), nil, 0,
                    NI_NUMERICHOST) == 0
                {
                    let text = String(cString: host)
                    if !text.hasPrefix("127.") { result.append(text) }
                }
            }
            cursor = entry.pointee.ifa_next
        }
        return result
    }

    private func canConnect(_ address: String, _ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr(address)
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        } == 0
    }
}
