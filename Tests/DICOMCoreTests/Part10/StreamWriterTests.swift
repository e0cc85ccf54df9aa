import DICOMCore
import TestSupport
import XCTest

final class StreamWriterTests: XCTestCase {
    private func meta(_ ts: TransferSyntax) -> FileMetaInformation {
        FileMetaInformation(
            mediaStorageSOPClassUID: Fixtures.ctImageStorage,
            mediaStorageSOPInstanceUID: "1.2.826.0.1.3680043.2.1125.1.42",
            transferSyntaxUID: ts.uid, sourceApplicationEntityTitle: "STORESCU")
    }

    func testStreamedFileIsTheSameFileDCMTKReads() throws {
        let dir = try makeTemporaryDirectory("core-stream")
        defer { try? FileManager.default.removeItem(at: dir) }
        var ds = try Fixtures.sampleDataSet()
        // A large pixel value so the data set crosses the (small) buffer many times.
        ds.set(.pixelData, bytes: (0..<600_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }, vr: .OB)
        for ts in [TransferSyntax.implicitVRLittleEndian, .explicitVRLittleEndian, .deflatedExplicitVRLittleEndian] {
            let body = try DataSetWriter.encode(ds, transferSyntax: ts)
            let writer = try Part10StreamWriter(inDirectory: dir.path, meta: meta(ts), bufferSize: 64 * 1024)
            // PDV-sized fragments of uneven sizes, some larger than the buffer.
            var offset = 0, step = 0
            let sizes = [16_372, 1, 70_000, 333, 131_066, 16_384, 7]
            while offset < body.count {
                let n = min(sizes[step % sizes.count], body.count - offset)
                try body[offset..<offset + n].withUnsafeBytes { try writer.append($0) }
                offset += n
                step += 1
            }
            XCTAssertEqual(writer.dataSetLength, body.count)
            let final = dir.appendingPathComponent("CT.\(ts.uid).dcm").path
            try writer.finish(renamingTo: final)
            XCTAssertFalse(FileManager.default.fileExists(atPath: writer.temporaryPath))

            let back = try DICOMFile.read(path: final)
            XCTAssertEqual(back.transferSyntax, ts)
            XCTAssertEqual(back.meta.string(.sourceApplicationEntityTitle), "STORESCU")
            XCTAssertEqual(back.meta.string(.implementationClassUID), DICOMLuaImplementation.classUID)
            assertSameContent(ds, back.dataSet, "streamed \(ts.name)")
            if dcmtkAvailable {
                let dump = try Fixtures.runDCMTK("dcmdump", ["-dc", final])
                XCTAssertTrue(dump.contains("(0010,0020) LO [ID-1]"), dump)
                XCTAssertTrue(dump.contains("(0002,0016) AE [STORESCU]"), dump)
                XCTAssertFalse(dump.contains("E: "), dump)
            }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }, [])
    }

    /// A write that ends inside a new file-system block makes the kernel zero the rest of the block first:
    /// large fragments are written up to a block boundary and their tail waits in the buffer.
    func testDirectWritesEndOnABlockBoundaryAndTheFileIsComplete() throws {
        let dir = try makeTemporaryDirectory("core-stream-blocks")
        defer { try? FileManager.default.removeItem(at: dir) }
        let body = (0..<400_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let writer = try Part10StreamWriter(
            inDirectory: dir.path, meta: meta(.explicitVRLittleEndian), bufferSize: 64 * 1024)
        var offset = 0
        for n in [131_060, 5, 131_060, 16_384, 100_000] {
            try body[offset..<offset + n].withUnsafeBytes { try writer.append($0) }
            offset += n
            let size = try XCTUnwrap(
                FileManager.default.attributesOfItem(atPath: writer.temporaryPath)[.size] as? Int)
            XCTAssertEqual(size % Part10StreamWriter.blockSize, 0, "after \(offset) bytes the file has \(size)")
            XCTAssertGreaterThan(size, writer.headerLength + offset - Part10StreamWriter.blockSize)
        }
        try body[offset...].withUnsafeBytes { try writer.append($0) }
        let final = dir.appendingPathComponent("blocks.dcm").path
        try writer.finish(renamingTo: final)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: final)))
        XCTAssertEqual(bytes.count, writer.headerLength + body.count)
        XCTAssertEqual(Array(bytes.suffix(body.count)), body)
    }

    func testDiscardLeavesNothingAndIsIdempotent() throws {
        let dir = try makeTemporaryDirectory("core-discard")
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = try Part10StreamWriter(inDirectory: dir.path, meta: meta(.explicitVRLittleEndian))
        try writer.append([UInt8](repeating: 1, count: 3_000_000))
        writer.discard()
        writer.discard()
        XCTAssertThrowsError(try writer.append([1, 2]))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])

        // Dropped without finish or discard (an aborted association): deinit removes the file.
        do {
            let abandoned = try Part10StreamWriter(inDirectory: dir.path, meta: meta(.explicitVRLittleEndian))
            try abandoned.append([1, 2, 3, 4])
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).count, 1)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
    }

    func testWriteErrorsNameErrnoText() throws {
        XCTAssertThrowsError(
            try Part10StreamWriter(inDirectory: "/nonexistent-dicomlua-dir", meta: meta(.explicitVRLittleEndian))
        ) { error in
            XCTAssertTrue("\(error)".contains("No such file or directory"), "\(error)")
        }
        // A write failure mid-stream (here EFBIG from a file size limit, standing in for ENOSPC) is thrown
        // with errno's text, and the partial file is removed.
        let dir = try makeTemporaryDirectory("core-efbig")
        defer { try? FileManager.default.removeItem(at: dir) }
        var saved = rlimit()
        getrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        var limited = saved
        limited.rlim_cur = 1 << 20
        let oldHandler = signal(SIGXFSZ, SIG_IGN)
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limited)
        defer {
            setrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
            signal(SIGXFSZ, oldHandler)
        }
        let writer = try Part10StreamWriter(
            inDirectory: dir.path, meta: meta(.explicitVRLittleEndian), bufferSize: 256 * 1024)
        XCTAssertThrowsError(
            try {
                for _ in 0..<12 { try writer.append([UInt8](repeating: 7, count: 256 * 1024)) }
                try writer.finish(renamingTo: dir.appendingPathComponent("never.dcm").path)
            }()
        ) { error in
            XCTAssertTrue("\(error)".contains("File too large"), "\(error)")
        }
        writer.discard()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
    }
}
