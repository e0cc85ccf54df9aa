import Foundation

/// One synthetic instance of the Q/R test data (Secondary Capture, Explicit VR Little Endian).
public struct TestInstance: Sendable {
    public var patientID: String
    public var patientName: String
    public var studyUID: String
    public var studyDescription: String
    public var seriesUID: String
    public var seriesDescription: String
    public var seriesNumber: Int
    public var modality: String
    public var sopInstanceUID: String
    public var instanceNumber: Int

    public static let secondaryCapture = "1.2.840.10008.5.1.4.1.1.7"

    public init(
        patientID: String, patientName: String, studyUID: String, studyDescription: String, seriesUID: String,
        seriesDescription: String, seriesNumber: Int, modality: String, sopInstanceUID: String, instanceNumber: Int
    ) {
        self.patientID = patientID
        self.patientName = patientName
        self.studyUID = studyUID
        self.studyDescription = studyDescription
        self.seriesUID = seriesUID
        self.seriesDescription = seriesDescription
        self.seriesNumber = seriesNumber
        self.modality = modality
        self.sopInstanceUID = sopInstanceUID
        self.instanceNumber = instanceNumber
    }

    /// Two patients: DOE^JOHN (P1: one study, two series of 2 and 1 images) and SMITH^ANNA (P2: one study,
    /// one series of 2 images). UIDs under 1.2.826.0.1.3680043.2.1143.77.
    public static let standardSet: [TestInstance] = {
        let root = "1.2.826.0.1.3680043.2.1143.77"
        func make(
            _ p: String, _ name: String, _ st: Int, _ stDesc: String, _ se: Int, _ seDesc: String, _ mod: String,
            _ i: Int
        ) -> TestInstance {
            TestInstance(
                patientID: p, patientName: name, studyUID: "\(root).\(st)", studyDescription: stDesc,
                seriesUID: "\(root).\(st).\(se)", seriesDescription: seDesc, seriesNumber: se, modality: mod,
                sopInstanceUID: "\(root).\(st).\(se).\(i)", instanceNumber: i)
        }
        return [
            make("P1", "DOE^JOHN", 1, "HEAD", 1, "AXIAL", "CT", 1),
            make("P1", "DOE^JOHN", 1, "HEAD", 1, "AXIAL", "CT", 2),
            make("P1", "DOE^JOHN", 1, "HEAD", 2, "CORONAL", "CT", 1),
            make("P2", "SMITH^ANNA", 2, "KNEE", 1, "SAGITTAL", "MR", 1),
            make("P2", "SMITH^ANNA", 2, "KNEE", 1, "SAGITTAL", "MR", 2),
        ]
    }()

    /// The Part 10 file bytes: preamble, "DICM", meta group, data set (hand-encoded, PS3.10 §7.1, PS3.5 §7.1.2).
    public func part10Bytes() -> [UInt8] {
        func element(_ group: UInt16, _ elem: UInt16, _ vr: String, _ value: [UInt8]) -> [UInt8] {
            var v = value
            if v.count % 2 == 1 { v.append(vr == "UI" || vr == "OB" ? 0 : 0x20) }
            var out: [UInt8] =
                [UInt8(group & 0xFF), UInt8(group >> 8), UInt8(elem & 0xFF), UInt8(elem >> 8)] + Array(vr.utf8)
            if vr == "OB" || vr == "OW" {
                out += [0, 0] + withUnsafeBytes(of: UInt32(v.count).littleEndian, Array.init)
            } else {
                out += withUnsafeBytes(of: UInt16(v.count).littleEndian, Array.init)
            }
            return out + v
        }
        func s(_ t: String) -> [UInt8] { Array(t.utf8) }
        var meta = element(2, 1, "OB", [0, 1]) + element(2, 2, "UI", s(Self.secondaryCapture))
        meta += element(2, 3, "UI", s(sopInstanceUID)) + element(2, 0x10, "UI", s("1.2.840.10008.1.2.1"))
        meta += element(2, 0x12, "UI", s("1.2.826.0.1.3680043.2.1143.77.0"))
        let header =
            [UInt8](repeating: 0, count: 128) + s("DICM")
            + element(2, 0, "UL", []).prefix(6) + [4, 0]
            + withUnsafeBytes(of: UInt32(meta.count).littleEndian, Array.init) + meta
        var body = element(8, 0x16, "UI", s(Self.secondaryCapture)) + element(8, 0x18, "UI", s(sopInstanceUID))
        body += element(8, 0x20, "DA", s("20240102")) + element(8, 0x30, "TM", s("101500"))
        body +=
            element(8, 0x50, "SH", s("ACC-\(patientID)")) + element(8, 0x60, "CS", s(modality))
            + element(8, 0x64, "CS", s("WSD"))
        body += element(8, 0x1030, "LO", s(studyDescription)) + element(8, 0x103E, "LO", s(seriesDescription))
        body += element(0x10, 0x10, "PN", s(patientName)) + element(0x10, 0x20, "LO", s(patientID))
        body += element(0x20, 0x0D, "UI", s(studyUID)) + element(0x20, 0x0E, "UI", s(seriesUID))
        body += element(0x20, 0x10, "SH", s("S\(patientID)")) + element(0x20, 0x11, "IS", s("\(seriesNumber)"))
        body += element(0x20, 0x13, "IS", s("\(instanceNumber)"))
        return header + body
    }
}

/// A Query/Retrieve SCP for tests: `/usr/bin/dcmqrscp` (AE `QRSCP`) loaded with `instances`, and a
/// `/usr/bin/storescp` (AE `DESTAE`) known to it as move destination. Stop with `stop()` (also on deinit).
public final class QRTestPeer: @unchecked Sendable {
    public let folder: URL
    /// The instances as Part 10 files (also what was loaded into dcmqrscp).
    public let sourceFiles: [String]
    public let instances: [TestInstance]
    public let qrPort: Int
    public let destinationPort: Int
    public let destinationDirectory: URL
    public let qrscp: ChildProcess
    public let storescp: ChildProcess

    /// `destinationSleepSeconds`: storescp sleeps that long after each store (`--sleep-after`), so a
    /// C-CANCEL surely arrives while sub-operations remain.
    /// `moveDestinations`: more C-MOVE destinations dcmqrscp knows (AE title → port on 127.0.0.1), e.g. a
    /// storage SCP inside a script.
    /// `verbose`: dcmqrscp logs each DIMSE message (`-v`), e.g. a C-CANCEL it received.
    public init(
        instances: [TestInstance] = TestInstance.standardSet, destinationSleepSeconds: Int = 0,
        moveDestinations: [String: Int] = [:], verbose: Bool = false
    ) throws {
        folder = try makeTemporaryDirectory("qrpeer")
        self.instances = instances
        let source = folder.appendingPathComponent("source")
        let database = folder.appendingPathComponent("db")
        destinationDirectory = folder.appendingPathComponent("dest")
        for dir in [source, database, destinationDirectory] {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        var files: [String] = []
        for instance in instances {
            let path = source.appendingPathComponent("\(instance.sopInstanceUID).dcm").path
            try Data(instance.part10Bytes()).write(to: URL(fileURLWithPath: path))
            files.append(path)
        }
        sourceFiles = files
        destinationPort = freeTCPPort()
        storescp = try ChildProcess(
            dcmtk("storescp"),
            ["-aet", "DESTAE", "-od", destinationDirectory.path]
                + (destinationSleepSeconds > 0 ? ["--sleep-after", "\(destinationSleepSeconds)"] : [])
                + ["\(destinationPort)"])
        qrPort = freeTCPPort()
        let config = """
            NetworkTCPPort  = \(qrPort)
            MaxPDUSize      = 16384
            MaxAssociations = 8
            HostTable BEGIN
            dest = (DESTAE, 127.0.0.1, \(destinationPort))
            \(moveDestinations.sorted { $0.key < $1.key }.enumerated().map { "extra\($0.offset) = (\($0.element.key), 127.0.0.1, \($0.element.value))" }.joined(separator: "\n"))
            HostTable END
            VendorTable BEGIN
            VendorTable END
            AETable BEGIN
            QRSCP   \(database.path)   RW   (100, 1024mb)   ANY
            AETable END
            """
        let configFile = folder.appendingPathComponent("dcmqrscp.cfg")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        qrscp = try ChildProcess(dcmtk("dcmqrscp"), (verbose ? ["-v"] : []) + ["-c", configFile.path, "\(qrPort)"])
        guard waitForPort(qrPort), waitForPort(destinationPort) else {
            throw PeerError("dcmqrscp or storescp did not start: \(qrscp.stderr) \(storescp.stderr)")
        }
        let load = try ChildProcess.run(
            dcmtk("storescu"), ["-aec", "QRSCP", "127.0.0.1", "\(qrPort)"] + files, timeout: 60)
        guard load.status == 0 else { throw PeerError("storescu into dcmqrscp failed: \(load.stderr)") }
    }

    deinit { stop() }

    public func stop() {
        qrscp.stop(grace: 1)
        storescp.stop(grace: 0.2)
        try? FileManager.default.removeItem(at: folder)
    }

    /// Files storescp has written so far.
    public var destinationFiles: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: destinationDirectory.path)) ?? []).filter {
            !$0.hasPrefix(".")
        }
    }

    public struct PeerError: Error, CustomStringConvertible {
        public let description: String
        init(_ text: String) { description = text }
    }
}
