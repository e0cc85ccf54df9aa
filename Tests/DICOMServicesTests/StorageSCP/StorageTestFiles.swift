import DICOMCore
import Foundation
import XCTest

/// Part 10 files for storage tests, and the data set bytes of a stored file.
enum StorageTestFiles {
    /// Writes `count` Secondary Capture instances (Explicit VR Little Endian) with `pixelBytes` of pixel
    /// data each into `folder`; returns (SOP Instance UID, path) pairs.
    static func make(
        count: Int, in folder: URL, pixelBytes: Int = 512, patientID: String = "PAT1"
    ) throws -> [(uid: String, path: String)] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var out: [(String, String)] = []
        for index in 0..<count {
            let uid = UIDGenerator.make()
            var ds = DataSet()
            try ds.set(.sopClassUID, string: "1.2.840.10008.5.1.4.1.1.7")
            try ds.set(.sopInstanceUID, string: uid)
            try ds.set(Tag(0x0010, 0x0010), string: "TEST^STORE")
            try ds.set(Tag(0x0010, 0x0020), string: patientID)
            try ds.set(Tag(0x0020, 0x000D), string: "1.2.826.0.1.3680043.2.1143.1")
            try ds.set(Tag(0x0020, 0x000E), string: "1.2.826.0.1.3680043.2.1143.1.1")
            try ds.set(Tag(0x0020, 0x0013), string: "\(index + 1)")
            let side = Int(Double(pixelBytes).squareRoot())
            try ds.set(Tag(0x0028, 0x0010), int: side, vr: .US)
            try ds.set(Tag(0x0028, 0x0011), int: side, vr: .US)
            try ds.set(Tag(0x0028, 0x0002), int: 1, vr: .US)
            try ds.set(Tag(0x0028, 0x0100), int: 8, vr: .US)
            try ds.set(Tag(0x0028, 0x0101), int: 8, vr: .US)
            try ds.set(Tag(0x0028, 0x0102), int: 7, vr: .US)
            try ds.set(Tag(0x0028, 0x0103), int: 0, vr: .US)
            try ds.set(Tag(0x0028, 0x0004), string: "MONOCHROME2")
            let count = side * side + (side * side) % 2
            // Large images: one byte value (a memset; a computed pattern takes seconds in a debug build).
            let pixels =
                count > 1 << 20
                ? [UInt8](repeating: UInt8(truncatingIfNeeded: index &+ 1), count: count)
                : (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) }
            ds.insert(DataElement(tag: Tag(0x7FE0, 0x0010), vr: .OB, bytes: pixels))
            let path = folder.appendingPathComponent("src\(index).dcm").path
            try DICOMFile(dataSet: ds, transferSyntax: .explicitVRLittleEndian).write(to: path)
            out.append((uid, path))
        }
        return out
    }

    /// The bytes after the file meta group of a Part 10 file.
    static func dataSetBytes(ofFile path: String) throws -> [UInt8] {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        guard bytes.count >= 144, bytes[128..<132].elementsEqual("DICM".utf8) else {
            throw NSError(
                domain: "test", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(path) is not a Part 10 file"])
        }
        let groupLength = Int(bytes[140]) | Int(bytes[141]) << 8 | Int(bytes[142]) << 16 | Int(bytes[143]) << 24
        return Array(bytes[(144 + groupLength)...])
    }

    /// Waits (bounded) until `condition` holds.
    static func waitUntil(timeout: TimeInterval = 20, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() > deadline { return false }
            usleep(20_000)
        }
        return true
    }
}
