import DICOMCore
import XCTest

@testable import DICOMDeidentify

/// Every row of the generated PS3.15 Table E.1-1 applied to a data set that has the attribute, at the top
/// level and inside a sequence the table does not list, for the Basic Profile and for each option.
final class ProfileTableTests: XCTestCase {
    /// A sequence the table does not list (kept, its items de-identified).
    static let container = Tag(0x0018, 0x9346)  // CTDI Phantom Type Code Sequence

    static func sampleValue(_ vr: VR) -> DataValue {
        switch vr {
        case .AE: return .bytes(Array("STATION1".utf8))
        case .AS: return .bytes(Array("045Y".utf8))
        case .CS: return .bytes(Array("VALUE1".utf8))
        case .DA: return .bytes(Array("20200102".utf8))
        case .DS: return .bytes(Array("1.5".utf8))
        case .DT: return .bytes(Array("20200102030405".utf8))
        case .IS: return .bytes(Array("12".utf8))
        case .LO, .LT, .SH, .ST, .UC, .UT: return .bytes(Array("Some Words".utf8))
        case .PN: return .bytes(Array("Doe^John".utf8))
        case .TM: return .bytes(Array("101010".utf8))
        case .UI: return .bytes(Array("1.2.826.0.1.3680043.2.1143.77".utf8))
        case .UR: return .bytes(Array("http://example.org/x".utf8))
        case .US, .SS, .OW, .OB, .UN: return .bytes([1, 2])
        case .AT: return .bytes([0x10, 0, 0x10, 0])
        case .UL, .SL, .FL, .OF, .OL: return .bytes([1, 2, 3, 4])
        case .FD, .OD, .SV, .UV, .OV: return .bytes([1, 2, 3, 4, 5, 6, 7, 8])
        case .SQ:
            var item = DataSet()
            item.insert(DataElement(tag: Tag(0x0008, 0x0100), vr: .SH, bytes: Array("ABC".utf8)))
            return .sequence([item])
        }
    }

    /// The tag a row stands for ('x' digits of repeating groups as 0, Curve Data's element as 3000).
    static func concreteTag(_ row: ConfidentialityProfile.Row) -> Tag {
        if row.mask == 0xFF00_0000 { return Tag(row.tag | 0x3000) }
        return Tag(row.tag)
    }

    /// What the table says for this row and option, read from its codes independently of the engine.
    static func expected(_ row: ConfidentialityProfile.Row, _ option: DeidentificationOption?) -> String {
        if let option, let code = row.options[option] { return code }
        switch row.basic {
        case "X/Z": return "Z"
        case "X/D", "X/Z/D", "Z/D": return "D"
        case "X/Z/U*": return "U"
        default: return row.basic
        }
    }

    /// Tags the engine sets itself at the top level after applying the table.
    static let overwritten: Set<Tag> = [
        Tag(0x0010, 0x0010), Tag(0x0010, 0x0020), Tag(0x0012, 0x0062), Tag(0x0012, 0x0063), Tag(0x0012, 0x0064),
        Tag(0x0028, 0x0303),
    ]

    func testTheTableHasEveryRowOfTheEdition() {
        XCTAssertEqual(ConfidentialityProfile.rows.count, 620)  // + the private-attributes row, applied in code
        XCTAssertTrue(ConfidentialityProfile.edition.contains("7f4749d"))
        XCTAssertNil(ConfidentialityProfile.row(for: Self.container))
        XCTAssertEqual(ConfidentialityProfile.row(for: Tag(0x6002, 0x3000))?.name, "Overlay Data")
        XCTAssertEqual(ConfidentialityProfile.row(for: Tag(0x5010, 0x0005))?.name, "Curve Data")
    }

    func testEveryRowFollowsItsActionForTheProfileAndEachOption() throws {
        let options: [DeidentificationOption?] =
            [nil] + DeidentificationOption.allCases.filter { $0 != .retainSafePrivate }
        var checked = 0
        for option in options {
            let deidentifier = Deidentifier(settings: try DeidentificationSettings(options: option.map { [$0] } ?? []))
            var input = DataSet()
            try input.set(Tag(0x0010, 0x0020), string: "PID-1")
            var item = DataSet()
            for row in ConfidentialityProfile.rows {
                let tag = Self.concreteTag(row)
                let vr = DataDictionary.vr(for: tag)
                let element = DataElement(tag: tag, vr: vr, value: Self.sampleValue(vr))
                if tag != Tag(0x0010, 0x0020) { input.insert(element) }
                item.insert(element)
            }
            input.set(Self.container, items: [item])
            let output = try deidentifier.deidentify(input).dataSet
            let nested = try XCTUnwrap(output.items(Self.container)?.first)
            for row in ConfidentialityProfile.rows {
                let tag = Self.concreteTag(row)
                let vr = DataDictionary.vr(for: tag)
                let code = Self.expected(row, option)
                let context = "\(row.name) \(tag) \(vr.rawValue) with \(option?.rawValue ?? "basic") → \(code)"
                if !Self.overwritten.contains(tag) && tag != Tag(0x0010, 0x0020) {
                    check(output[tag], original: Self.sampleValue(vr), vr: vr, code: code, context + " (top level)")
                }
                check(nested[tag], original: Self.sampleValue(vr), vr: vr, code: code, context + " (in a sequence)")
                checked += 1
            }
        }
        XCTAssertEqual(checked, 620 * 10)
    }

    private func check(_ element: DataElement?, original: DataValue, vr: VR, code: String, _ context: String) {
        switch code {
        case "X":
            XCTAssertNil(element, context)
        case "Z":
            guard let element else { return XCTFail("missing: " + context) }
            switch element.value {
            case .bytes(let b): XCTAssertTrue(b.isEmpty, context)
            case .sequence(let items): XCTAssertTrue(items.isEmpty, context)
            case .encapsulated: XCTFail(context)
            }
        case "K":
            guard let element else { return XCTFail("missing: " + context) }
            if case .sequence(let items) = element.value {
                XCTAssertEqual(items.first?.string(Tag(0x0008, 0x0100)), "ABC", context)
            } else {
                XCTAssertEqual(element.value, original, context)
            }
        case "D", "U":
            guard let element else { return XCTFail("missing: " + context) }
            switch element.value {
            case .bytes(let b):
                XCTAssertFalse(b.isEmpty, context)
                XCTAssertNotEqual(element.value, original, context)
                if vr == .UI { XCTAssertTrue(String(decoding: b, as: UTF8.self).hasPrefix("2.25."), context) }
                if vr == .DA { XCTAssertEqual(b.count, 8, context) }
            case .sequence(let items): XCTAssertEqual(items.count, 1, context)
            case .encapsulated: XCTFail(context)
            }
        case "C":
            switch vr {
            case .OB, .OW, .OF, .OD, .OL, .OV, .UN:
                XCTAssertNil(element, context)  // binary values cannot be cleaned: removed
            case .DA, .DT:
                guard let b = element?.bytes else { return XCTFail("missing: " + context) }
                let text = String(decoding: b, as: UTF8.self)
                XCTAssertNotEqual(element?.value, original, context)
                XCTAssertTrue(text.count >= 8 && text.prefix(8).allSatisfy(\.isNumber), context + ": " + text)
            case .UI:
                XCTAssertTrue(String(decoding: element?.bytes ?? [], as: UTF8.self).hasPrefix("2.25."), context)
            case .SQ:
                XCTAssertEqual(element?.items?.first?.string(Tag(0x0008, 0x0100)), "ABC", context)
            default:
                XCTAssertNotNil(element, context)
            }
        default:
            XCTFail("unexpected code \(code): " + context)
        }
    }

    func testCombinedActionsFollowTheContract() {
        XCTAssertEqual(ConfidentialityProfile.resolve("X/Z"), .zero)
        XCTAssertEqual(ConfidentialityProfile.resolve("X/D"), .dummy)
        XCTAssertEqual(ConfidentialityProfile.resolve("X/Z/D"), .dummy)
        XCTAssertEqual(ConfidentialityProfile.resolve("Z/D"), .dummy)
        XCTAssertEqual(ConfidentialityProfile.resolve("X/Z/U*"), .uid)
    }
}
