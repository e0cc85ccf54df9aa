import XCTest

@testable import DICOMServices

/// The strict JSON reader behind configuration files: positions in errors, and what it accepts.
final class JSONReaderTests: XCTestCase {
    private func parse(_ text: String) throws -> JSONValue { try JSONReader.parse(Array(text.utf8)) }

    private func assertSyntaxError(
        _ text: String, _ message: String, line: Int, column: Int,
        file: StaticString = #filePath, sourceLine: UInt = #line
    ) {
        XCTAssertThrowsError(try parse(text), file: file, line: sourceLine) { error in
            guard let error = error as? JSONReader.SyntaxError else {
                return XCTFail("\(error)", file: file, line: sourceLine)
            }
            XCTAssertEqual(error.message, message, file: file, line: sourceLine)
            XCTAssertEqual(error.line, line, "line", file: file, line: sourceLine)
            XCTAssertEqual(error.column, column, "column", file: file, line: sourceLine)
        }
    }

    func testValuesAndEscapes() throws {
        XCTAssertEqual(
            try parse(#" {"a": [1, -2.5e3, true, false, null], "b": "x\"\\\/\n\u00e9\ud83d\ude00"} "#),
            .object([
                ("a", .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null])),
                ("b", .string("x\"\\/\né😀")),
            ]))
        XCTAssertEqual(try parse("\u{FEFF}{}"), .object([]), "a UTF-8 byte order mark is tolerated")
    }

    func testErrorsCarryLineAndColumn() {
        assertSyntaxError("{\"a\": 1,\n \"a\": 2}", "duplicate member name \"a\"", line: 2, column: 2)
        assertSyntaxError("[1 2]", "expected ',' or ']' in an array, found '2'", line: 1, column: 4)
        assertSyntaxError("{\"a\": 01}", "expected ',' or '}' in an object, found '1'", line: 1, column: 8)
        assertSyntaxError("\"abc", "unterminated string", line: 1, column: 1)
        assertSyntaxError("\"a\tb\"", "control character 0x9 in a string (write it as an escape)", line: 1, column: 3)
        assertSyntaxError("\"\\x\"", "invalid escape \\'x'", line: 1, column: 3)
        assertSyntaxError(
            "\"\\ud800\"", "a high surrogate \\ud800 must be followed by a low surrogate", line: 1, column: 8)
        assertSyntaxError("{} x", "expected the end of the document, found 'x'", line: 1, column: 4)
        assertSyntaxError("", "expected a value, found the end of the document", line: 1, column: 1)
        assertSyntaxError("tru", "expected true, found the end of the document", line: 1, column: 4)
        assertSyntaxError(String(repeating: "[", count: 40), "nesting deeper than 32 levels", line: 1, column: 33)
    }

    func testInvalidUTF8IsRejected() {
        XCTAssertThrowsError(try JSONReader.parse([0x22, 0xC3, 0x28, 0x22])) { error in
            XCTAssertEqual((error as? JSONReader.SyntaxError)?.message, "invalid UTF-8 in a string")
        }
    }

    func testWriterOutputReadsBack() throws {
        let value = JSONValue.object([
            ("text", .string("tab\t nul\u{0} quote\" é")), ("n", .number("42")), ("empty", .array([])),
            ("nested", .object([("x", .bool(true))])),
        ])
        let text = JSONWriter.prettyPrinted(value)
        XCTAssertEqual(try parse(text), value)
        XCTAssertTrue(text.contains("\"tab\\t nul\\u0000 quote\\\" é\""), text)
    }
}
