import Foundation

/// Runs `body` on the concurrency pool and waits for it on the calling (main) thread: the subcommands are
/// synchronous `ParsableCommand`s over the async services.
func runBlocking<Value: Sendable>(_ body: @escaping @Sendable () async throws -> Value) throws -> Value {
    let result = BlockingResult<Value>()
    Task {
        do { result.set(.success(try await body())) } catch { result.set(.failure(error)) }
    }
    return try result.wait()
}
