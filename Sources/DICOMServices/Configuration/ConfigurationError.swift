import Foundation

/// A misuse of the configuration API or a configuration file that cannot be used.
///
/// The message names the method (in the scripting API's snake_case spelling, see docs/lua-api.md `cfg`) and
/// the problem, e.g. `set_application_entity: port must be 1-65535, got 70000`; the Lua binding passes
/// `description` through unchanged as the Lua error message.
public struct ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// The method that failed: `new`, `set_application_entity`, `get_value`, `commit`, ...
    public var method: String
    /// What was expected and what arrived.
    public var problem: String

    public init(_ method: String, _ problem: String) {
        self.method = method
        self.problem = problem
    }

    public var description: String { "\(method): \(problem)" }
    public var errorDescription: String? { description }
}
