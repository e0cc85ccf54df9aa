import DICOMServices
import Foundation
import TestSupport

/// `/usr/bin/dcmqrscp` (AE `QRSCP`, verbose log) loaded with synthetic studies, which knows the campaign's
/// C-MOVE destination `CAMPAIGN` at `destinationPort`; and a user configuration with `pacs` (the archive)
/// and `me` (the destination). The log counts associations and C-STORE sub-operations on the archive side.
final class ArchivePeer: @unchecked Sendable {
    let folder: URL
    let instances: [TestInstance]
    let port: Int
    let destinationPort: Int
    let qrscp: ChildProcess
    let configuration: Configuration
    let received: URL
    /// Our associations to the archive go through it.
    let counter: ConnectionCounter

    /// `studies` studies of `perStudy` instances (two series), or the given instances.
    init(studies: Int = 0, perStudy: Int = 3, instances given: [TestInstance]? = nil, rejectSeconds: Double = 0) throws
    {
        folder = try makeTemporaryDirectory("campaign-archive")
        instances = given ?? Self.make(studies: studies, perStudy: perStudy)
        let source = folder.appendingPathComponent("source")
        let database = folder.appendingPathComponent("db")
        received = folder.appendingPathComponent("received")
        for dir in [source, database, received] {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        var files: [String] = []
        for instance in instances {
            let path = source.appendingPathComponent("\(instance.sopInstanceUID).dcm").path
            try Data(instance.part10Bytes()).write(to: URL(fileURLWithPath: path))
            files.append(path)
        }
        destinationPort = freeTCPPort()
        port = freeTCPPort()
        let config = """
            NetworkTCPPort  = \(port)
            MaxPDUSize      = 16384
            MaxAssociations = 16
            HostTable BEGIN
            campaign = (CAMPAIGN, 127.0.0.1, \(destinationPort))
            HostTable END
            VendorTable BEGIN
            VendorTable END
            AETable BEGIN
            QRSCP   \(database.path)   RW   (1000, 1024mb)   ANY
            AETable END
            """
        let configFile = folder.appendingPathComponent("dcmqrscp.cfg")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        qrscp = try ChildProcess("/usr/bin/dcmqrscp", ["-v", "-c", configFile.path, "\(port)"])
        guard waitForPort(port) else { throw CampaignTestError("dcmqrscp did not start: \(qrscp.stderr)") }
        for start in stride(from: 0, to: files.count, by: 200) {
            let load = try ChildProcess.run(
                "/usr/bin/storescu",
                ["-aec", "QRSCP", "127.0.0.1", "\(port)"] + files[start..<min(start + 200, files.count)],
                timeout: 60)
            guard load.status == 0 else { throw CampaignTestError("storescu into dcmqrscp failed: \(load.stderr)") }
        }
        counter = try ConnectionCounter(target: port, rejectSeconds: rejectSeconds)
        configuration = try Self.configuration(
            folder: folder, received: received, pacsPort: counter.port, destinationPort: destinationPort)
        logMark = 0
    }

    deinit { stop() }

    /// A user configuration in `folder` with `pacs` (QRSCP at `pacsPort`) and `me` (CAMPAIGN at
    /// `destinationPort`).
    static func configuration(folder: URL, received: URL, pacsPort: Int, destinationPort: Int) throws -> Configuration {
        let locations = ConfigurationLocations(
            userFile: folder.appendingPathComponent("user/config.json"),
            systemFile: folder.appendingPathComponent("system/config.json"),
            homeDirectory: folder.appendingPathComponent("home").path,
            userReceivedDirectory: received.path,
            systemReceivedDirectory: folder.appendingPathComponent("var").path)
        let configuration = try Configuration(scope: .user, locations: locations)
        try configuration.setApplicationEntity(
            name: "pacs", aeTitle: "QRSCP", hostname: "127.0.0.1", port: pacsPort, serviceList: .querySCP,
            serviceType: .querySCP)
        try configuration.setApplicationEntity(
            name: "me", aeTitle: "CAMPAIGN", hostname: "127.0.0.1", port: destinationPort,
            serviceList: .storageSCP, serviceType: .storageSCP)
        try configuration.setValue(3, forKey: "ConnectTimeout")
        try configuration.commit()
        return configuration
    }

    func stop() {
        qrscp.stop(grace: 1)
        counter.process.stop(grace: 0.5)
        try? FileManager.default.removeItem(at: folder)
    }

    /// The environment that makes a `dicomlua` child use this configuration.
    var environment: [String: String] {
        ["DICOMLUA_CONFIG": configuration.filePath, "HOME": folder.appendingPathComponent("home").path]
    }

    static func make(studies: Int, perStudy: Int, root: String = "1.2.826.0.1.3680043.2.1143.88") -> [TestInstance] {
        var all: [TestInstance] = []
        for s in 1...max(1, studies) where studies > 0 {
            for i in 1...perStudy {
                let series = i <= (perStudy + 1) / 2 ? 1 : 2
                all.append(
                    TestInstance(
                        patientID: "P\(s)", patientName: "PATIENT^\(s)", studyUID: "\(root).\(s)",
                        studyDescription: "STUDY \(s)", seriesUID: "\(root).\(s).\(series)",
                        seriesDescription: "SERIES \(series)", seriesNumber: series, modality: "CT",
                        sopInstanceUID: "\(root).\(s).\(series).\(i)", instanceNumber: i))
            }
        }
        return all
    }

    var studyUIDs: [String] { Array(Set(instances.map(\.studyUID))).sorted() }

    /// Where the log starts to count (associations of the loading are not ours).
    var logMark: Int

    func markLog() { logMark = qrscp.stderr.utf8.count + qrscp.stdout.utf8.count }

    /// C-STORE sub-operations dcmqrscp completed since `markLog()` (counted by a phrase of its log, which
    /// its forked children write unsynchronised, so lines may interleave but the phrase stays whole).
    var storeSubOperations: Int { log.components(separatedBy: "Received Store SCU RSP").count - 1 }

    /// `storeSubOperations` once it reaches `expected`, or after `timeout` seconds: dcmqrscp's forked child
    /// may still be writing its last lines, and this process reads the pipe on its own thread, when a
    /// campaign has already ended (a CI run once counted 149 of 150 that had all arrived).
    func storeSubOperations(reaching expected: Int, timeout: TimeInterval = 10) -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        var count = storeSubOperations
        while count < expected && Date() < deadline {
            usleep(50_000)
            count = storeSubOperations
        }
        return count
    }

    /// dcmqrscp's log since `markLog()`.
    var log: String {
        let all = qrscp.stdout + qrscp.stderr
        return String(all.dropFirst(min(logMark, all.count)))
    }
}

struct CampaignTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A TCP relay in front of the archive that counts our connections: how many were open at once at most,
/// and how many in all (a python3 child; it prints `open N max M total T` at every change).
final class ConnectionCounter: @unchecked Sendable {
    let port: Int
    let process: ChildProcess

    /// `rejectSeconds`: for that long after it starts, every association is answered with A-ASSOCIATE-RJ
    /// rejected-transient, local-limit-exceeded (2/3/2), as a busy archive does; counted as `rejected N`.
    init(target: Int, rejectSeconds: Double = 0) throws {
        port = freeTCPPort()
        let script = """
            import asyncio, sys, time
            cur = 0; top = 0; total = 0; rejected = 0
            until = time.time() + \(rejectSeconds)
            def say():
                print(f"open {cur} max {top} total {total} rejected {rejected}", flush=True)
            async def pipe(r, w, on_pdu):
                buf = b""; need = None
                try:
                    while True:
                        data = await r.read(65536)
                        if not data: break
                        w.write(data); await w.drain()
                        buf += data
                        while len(buf) >= 6:
                            length = int.from_bytes(buf[2:6], 'big')
                            if len(buf) < 6 + length: break
                            on_pdu(buf[0]); buf = buf[6 + length:]
                except Exception: pass
                finally:
                    try: w.close()
                    except Exception: pass
            async def handle(r, w):
                # An association ends with our A-RELEASE-RQ (0x05), an A-ABORT (0x07) from either side, an
                # A-ASSOCIATE-RJ (0x03), or the connection's end, whichever comes first.
                global cur, top, total, rejected
                if time.time() < until:
                    try:
                        await r.readexactly(6)
                        w.write(bytes([3, 0, 0, 0, 0, 4, 0, 2, 3, 2])); await w.drain()
                    except Exception: pass
                    rejected += 1; say(); w.close(); return
                cur += 1; total += 1; top = max(top, cur); say()
                done = False
                def end():
                    global cur
                    nonlocal done
                    if not done:
                        done = True; cur -= 1; say()
                def ours(t):
                    if t in (5, 7): end()
                def theirs(t):
                    if t in (3, 7): end()
                try:
                    ur, uw = await asyncio.open_connection('127.0.0.1', \(target))
                    await asyncio.gather(pipe(r, uw, ours), pipe(ur, w, theirs))
                except Exception: pass
                finally:
                    end()
            async def main():
                server = await asyncio.start_server(handle, '127.0.0.1', \(port))
                async with server: await server.serve_forever()
            asyncio.run(main())
            """
        process = try ChildProcess("/usr/bin/python3", ["-c", script])
        guard waitForPort(port) else { throw CampaignTestError("relay did not start: \(process.stderr)") }
    }

    deinit { process.stop(grace: 0.5) }

    /// The most connections open at once so far, and how many were made.
    var counts: (maximum: Int, total: Int) {
        guard let last = process.stdout.split(separator: "\n").last?.split(separator: " "), last.count == 8 else {
            return (0, 0)
        }
        return (Int(last[3]) ?? 0, Int(last[5]) ?? 0)
    }

    /// Associations answered with A-ASSOCIATE-RJ.
    var rejected: Int {
        guard let last = process.stdout.split(separator: "\n").last?.split(separator: " "), last.count == 8 else {
            return 0
        }
        return Int(last[7]) ?? 0
    }
}
