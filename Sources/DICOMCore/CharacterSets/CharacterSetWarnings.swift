import Foundation
import Logging

/// Warnings about (0008,0005) values that are not defined terms, logged once per distinct message
/// (docs/lua-api.md "Character sets").
enum CharacterSetWarnings {
    private static let logger = Logger(label: "dicomlua.charset")
    private static let seen = SeenMessages()

    static func once(_ message: String) {
        if seen.insert(message) { logger.warning("\(message)") }
    }
}

/// The messages already logged.
private final class SeenMessages: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: Set<String> = []

    /// True when `message` was not seen before.
    func insert(_ message: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return messages.insert(message).inserted
    }
}
