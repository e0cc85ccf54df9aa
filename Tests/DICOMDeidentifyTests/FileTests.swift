import DICOMCore
import Foundation
import TestSupport
import XCTest

@testable import DICOMDeidentify

/// Files: pydicom's test corpus and `dicomlua sample-data` de-identified read in pydicom and DCMTK's dcmdump
/// without errors; no original identifier left in the output; burned-in instances quarantined; two processes
/// sharing a map agree; a 256 MiB instance de-identified with flat memory.
final class FileTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("deid-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static let pydicomTestFiles: String? = {
        guard
            let r = try? ChildProcess.run(
                "/usr/bin/env",
                [
                    "python3", "-c",
                    "import pydicom, os; print(os.path.join(os.path.dirname(pydicom.__file__), 'data', 'test_files'))",
                ], timeout: 60), r.status == 0
        else { return nil }
        let path = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }()

    func requireBinary() throws {
        guard FileManager.default.isExecutableFile(atPath: dicomluaBinary) else {
            throw XCTSkip("dicomlua is not built: \(dicomluaBinary)")
        }
    }

    /// Reads every file of `folder` with pydicom (all elements decoded) and dcmdump; fails on any error.
    func assertReadable(_ folder: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let script = """
            import glob, sys, warnings, pydicom
            warnings.simplefilter("error")
            n = 0
            for f in sorted(glob.glob(sys.argv[1] + "/*.dcm")):
                ds = pydicom.dcmread(f)
                ds.walk(lambda d, e: e.value)
                assert ds.PatientIdentityRemoved == "YES", f
                n += 1
            print(n)
            """
        let py = try ChildProcess.run("/usr/bin/env", ["python3", "-c", script, folder], timeout: 90)
        XCTAssertEqual(py.status, 0, py.stderr, file: file, line: line)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".dcm") }
        XCTAssertEqual(
            Int(py.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), files.count, file: file, line: line)
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/dcmdump") else { return }
        for name in files {
            let r = try ChildProcess.run("/usr/bin/dcmdump", ["-q", folder + "/" + name], timeout: 30)
            XCTAssertEqual(r.status, 0, "\(name): \(r.stderr)", file: file, line: line)
            XCTAssertEqual(r.stderr, "", "\(name)", file: file, line: line)
        }
    }

    func testPydicomCorpusDeidentifiedReadsInPydicomAndDcmdump() throws {
        guard let corpus = Self.pydicomTestFiles else { throw XCTSkip("pydicom is not installed") }
        let deidentifier = try Deidentifier(settings: DeidentificationSettings(allowBurnedIn: true))
        let out = path("out")
        var written = 0
        var originals: [(uid: String, name: String)] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: corpus).sorted() where name.hasSuffix(".dcm") {
            let input = corpus + "/" + name
            guard let original = try? DICOMFile.read(path: input) else { continue }  // broken on purpose
            do {
                let result = try deidentifier.deidentifyFile(at: input, outputDirectory: out)
                XCTAssertEqual(result.path, out + "/" + result.sopInstanceUID + ".dcm")
                XCTAssertEqual(result.originalSOPInstanceUID, original.dataSet.string(.sopInstanceUID))
                originals.append((result.originalSOPInstanceUID, original.dataSet.string(Tag(0x0010, 0x0010)) ?? ""))
                written += 1
            } catch is NotDICOMError {
                continue  // not a stored instance
            }
        }
        XCTAssertGreaterThan(written, 50)
        try assertReadable(out)
        // No output holds an original SOP Instance UID or a patient name.
        let blobs = try FileManager.default.contentsOfDirectory(atPath: out).map {
            try Data(contentsOf: URL(fileURLWithPath: out + "/" + $0))
        }
        for original in originals {
            for blob in blobs {
                XCTAssertNil(blob.range(of: Data(original.uid.utf8)), "original UID \(original.uid) left")
                if original.name.count >= 6 {
                    XCTAssertNil(blob.range(of: Data(original.name.utf8)), "patient name \(original.name) left")
                }
            }
        }
    }

    func testSampleDataThroughTheCLIInTwoProcessesGivesTheSameFiles() throws {
        try requireBinary()
        let input = path("in")
        let sample = try ChildProcess.run(
            dicomluaBinary, ["sample-data", input, "--patients", "3", "--series", "2", "--instances", "3"])
        XCTAssertEqual(sample.status, 0, sample.stderr)
        try "not dicom".write(toFile: input + "/notes.txt", atomically: true, encoding: .utf8)
        let map = path("cohort.db")
        // Two processes at once on one map, then a third run.
        let a = try ChildProcess(dicomluaBinary, ["deidentify", input, path("a"), "--map", map])
        let b = try ChildProcess(dicomluaBinary, ["deidentify", input, path("b"), "--map", map])
        XCTAssertEqual(a.wait(timeout: 60), 0, a.stderr)
        XCTAssertEqual(b.wait(timeout: 60), 0, b.stderr)
        XCTAssertTrue(
            a.stdout.contains("skipped \(URL(fileURLWithPath: input + "/notes.txt").standardizedFileURL.path)"),
            a.stdout)
        XCTAssertTrue(a.stdout.contains("18 written, 0 quarantined, 1 skipped, 0 failed"), a.stdout)
        let c = try ChildProcess.run(dicomluaBinary, ["deidentify", input, path("c"), "--map", map])
        XCTAssertEqual(c.status, 0, c.stderr)
        let names = try ["a", "b", "c"].map { Set(try FileManager.default.contentsOfDirectory(atPath: path($0))) }
        XCTAssertEqual(names[0].count, 18)
        XCTAssertEqual(names[0], names[1])
        XCTAssertEqual(names[0], names[2])
        let pseudonyms = try Set(
            names[0].map { try DICOMFile.read(path: path("a") + "/" + $0).dataSet.string(Tag(0x0010, 0x0020)) ?? "" })
        XCTAssertEqual(pseudonyms.count, 3)
        for name in names[0] {
            XCTAssertEqual(
                try Data(contentsOf: URL(fileURLWithPath: path("a") + "/" + name)),
                try Data(contentsOf: URL(fileURLWithPath: path("c") + "/" + name)))
        }
        try assertReadable(path("a"))
    }

    func testBurnedInAnnotationGoesToTheQuarantine() throws {
        var ds = try MapTests.instance(patient: "P1", study: "1.2.3", sop: "1.2.3.9")
        try ds.set(Tag(0x0028, 0x0301), string: "YES", vr: .CS)
        let input = path("burned.dcm")
        try DICOMFile(dataSet: ds).write(to: input)
        let out = path("out")
        let result = try Deidentifier(settings: DeidentificationSettings()).deidentifyFile(
            at: input, outputDirectory: out)
        XCTAssertTrue(result.quarantined)
        XCTAssertEqual(result.path, out + ".quarantine/" + result.sopInstanceUID + ".dcm")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/" + result.sopInstanceUID + ".dcm"))
        let allowed = try Deidentifier(settings: DeidentificationSettings(allowBurnedIn: true))
            .deidentifyFile(at: input, outputDirectory: out)
        XCTAssertFalse(allowed.quarantined)
    }

    /// Writes a CT instance whose Pixel Data is `size` bytes of a pattern, streamed (never whole in memory).
    func writeLargeInstance(_ file: String, pixelBytes size: Int) throws {
        var ds = try MapTests.instance(patient: "BIG", study: "1.2.3.77", sop: "1.2.3.77.1")
        try ds.set(Tag(0x0028, 0x0010), int: 8192, vr: .US)
        try ds.set(Tag(0x0028, 0x0011), int: size / 8192 / 2, vr: .US)
        try ds.set(Tag(0x0028, 0x0100), int: 16, vr: .US)
        let meta = FileMetaInformation(
            mediaStorageSOPClassUID: "1.2.840.10008.5.1.4.1.1.2", mediaStorageSOPInstanceUID: "1.2.3.77.1",
            transferSyntaxUID: TransferSyntax.explicitVRLittleEndian.uid)
        let writer = try Part10StreamWriter(inDirectory: directory.path, meta: meta)
        try writer.append(try DataSetWriter.encode(ds, transferSyntax: .explicitVRLittleEndian))
        try writer.append(
            [0xE0, 0x7F, 0x10, 0x00, 0x4F, 0x57, 0, 0] + withUnsafeBytes(of: UInt32(size).littleEndian, Array.init))
        let chunk = [UInt8]((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        for _ in 0..<(size / chunk.count) { try writer.append(chunk) }
        try writer.finish(renamingTo: file)
    }

    /// Peak resident memory (KiB) of `dicomlua deidentify IN OUT` measured by /usr/bin/time -v.
    func peakKiB(_ input: String, _ output: String) throws -> Int {
        let r = try ChildProcess.run(
            "/usr/bin/time", ["-v", dicomluaBinary, "deidentify", input, output, "--jobs", "1"], timeout: 120)
        XCTAssertEqual(r.status, 0, r.stderr + r.stdout)
        let line = try XCTUnwrap(r.stderr.split(separator: "\n").first { $0.contains("Maximum resident set size") })
        return try XCTUnwrap(Int(line.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)))
    }

    func testA256MiBInstanceIsDeidentifiedWithFlatMemory() throws {
        try requireBinary()
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else { throw XCTSkip("no /usr/bin/time") }
        let size = 256 << 20
        try FileManager.default.createDirectory(atPath: path("big"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: path("small"), withIntermediateDirectories: true)
        try writeLargeInstance(path("big/big.dcm"), pixelBytes: size)
        try writeLargeInstance(path("small/small.dcm"), pixelBytes: 1 << 20)
        let small = try peakKiB(path("small"), path("small-out"))
        let big = try peakKiB(path("big"), path("big-out"))
        // Flat: the 256 MiB instance costs less than 16 MiB more than a 1 MiB one.
        XCTAssertLessThan(big - small, 16 * 1024, "peak RSS \(big) KiB for 256 MiB against \(small) KiB for 1 MiB")
        let outputs = try FileManager.default.contentsOfDirectory(atPath: path("big-out"))
        XCTAssertEqual(outputs.count, 1)
        let outPath = path("big-out") + "/" + outputs[0]
        let attributes = try FileManager.default.attributesOfItem(atPath: outPath)
        XCTAssertGreaterThan((attributes[.size] as? Int) ?? 0, size)
        // The pixel data is unchanged: its last megabyte equals the input's.
        let tail = { (p: String) throws -> Data in
            let h = try XCTUnwrap(FileHandle(forReadingAtPath: p))
            defer { try? h.close() }
            let end = try h.seekToEnd()
            try h.seek(toOffset: end - (1 << 20))
            return try h.read(upToCount: 1 << 20) ?? Data()
        }
        XCTAssertEqual(try tail(outPath), try tail(path("big/big.dcm")))
    }
}
