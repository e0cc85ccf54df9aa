import DICOMCore
import XCTest

/// Asserts that `actual` holds what `expected` holds, as a user reading values would see it: same text,
/// same numbers, same bytes (in little endian order, allowing one pad byte), same items, same fragments.
/// Group lengths are ignored (writers may add or drop them).
func assertSameContent(
    _ expected: DataSet, _ actual: DataSet, _ context: String = "",
    file: StaticString = #filePath, line: UInt = #line
) {
    let want = expected.filter { !$0.tag.isGroupLength }
    let got = actual.filter { !$0.tag.isGroupLength }
    XCTAssertEqual(want.map(\.tag), got.map(\.tag), "\(context): tags differ", file: file, line: line)
    for e in want {
        guard let g = actual[e.tag] else { continue }
        switch e.value {
        case .sequence(let items):
            guard let gotItems = g.items, gotItems.count == items.count else {
                XCTFail("\(context): \(e.tag) items differ", file: file, line: line)
                continue
            }
            for (a, b) in zip(items, gotItems) {
                assertSameContent(a, b, "\(context) > \(e.tag)", file: file, line: line)
            }
        case .encapsulated(let pixels):
            XCTAssertEqual(g.encapsulated, pixels, "\(context): \(e.tag) fragments", file: file, line: line)
        case .bytes(let bytes):
            if e.vr.isString {
                XCTAssertEqual(
                    expected.string(e.tag), actual.string(e.tag), "\(context): \(e.tag)", file: file, line: line)
            } else {
                let a = littleEndianBytes(bytes, vr: e.vr, order: expected.byteOrder)
                let b = littleEndianBytes(g.bytes ?? [], vr: e.vr, order: actual.byteOrder)
                XCTAssertTrue(
                    b.count - a.count <= 1 && b.count >= a.count && Array(b.prefix(a.count)) == a,
                    "\(context): \(e.tag) bytes \(a.prefix(16)) vs \(b.prefix(16))", file: file, line: line)
            }
        }
    }
}

private func littleEndianBytes(_ bytes: [UInt8], vr: VR, order: ByteOrder) -> [UInt8] {
    guard order == .bigEndian, let w = vr.binaryWordSize else { return bytes }
    var out = bytes
    for i in stride(from: 0, to: bytes.count - bytes.count % w, by: w) {
        for k in 0..<w { out[i + k] = bytes[i + w - 1 - k] }
    }
    return out
}
