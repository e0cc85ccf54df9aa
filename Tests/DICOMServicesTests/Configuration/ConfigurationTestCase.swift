import TestSupport
import XCTest

@testable import DICOMServices

/// Each test gets its own folder with a user and a system file location inside it, so no test touches
/// `~/.config` or `/etc`.
class ConfigurationTestCase: XCTestCase {
    var folder: URL!
    var locations: ConfigurationLocations!

    override func setUpWithError() throws {
        folder = try makeTemporaryDirectory("cfg")
        locations = Self.locations(in: folder)
    }

    override func tearDownWithError() throws {
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    static func locations(in folder: URL) -> ConfigurationLocations {
        ConfigurationLocations(
            userFile: folder.appendingPathComponent("user/config.json"),
            systemFile: folder.appendingPathComponent("system/config.json"),
            homeDirectory: folder.appendingPathComponent("home").path,
            userReceivedDirectory: folder.appendingPathComponent("home/received").path,
            systemReceivedDirectory: folder.appendingPathComponent("var/received").path)
    }

    func userConfiguration() throws -> Configuration { try Configuration(scope: .user, locations: locations) }
    func systemConfiguration() throws -> Configuration { try Configuration(scope: .system, locations: locations) }

    /// Asserts that `body` throws a `ConfigurationError` whose message is exactly `message`.
    func assertError(_ message: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
        do {
            try body()
            XCTFail("expected the error \"\(message)\", nothing was thrown", file: file, line: line)
        } catch let error as ConfigurationError {
            XCTAssertEqual(error.description, message, file: file, line: line)
        } catch {
            XCTFail("expected a ConfigurationError, got \(error)", file: file, line: line)
        }
    }

    /// Asserts that `body` throws a `ConfigurationError` whose message contains every one of `parts`.
    func assertError(
        containing parts: [String], file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void
    ) {
        do {
            try body()
            XCTFail("expected an error containing \(parts), nothing was thrown", file: file, line: line)
        } catch let error as ConfigurationError {
            for part in parts where !error.description.contains(part) {
                XCTFail("\"\(error.description)\" does not contain \"\(part)\"", file: file, line: line)
            }
        } catch {
            XCTFail("expected a ConfigurationError, got \(error)", file: file, line: line)
        }
    }
}
