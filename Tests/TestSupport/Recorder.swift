import Foundation

/// Thread-safe list of values recorded by callbacks (server handlers, observers) on other threads.
public final class Recorder<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Value] = []
    public init() {}
    public func append(_ value: Value) { lock.withLock { values.append(value) } }
    public var all: [Value] { lock.withLock { values } }
}

/// Runs `body` `count` times at once (`DispatchQueue.concurrentPerform`) and returns the errors it threw, as text:
/// several openers racing on one new file.
public func failuresOfConcurrentRuns(_ count: Int, _ body: @Sendable () throws -> Void) -> [String] {
    let failures = Recorder<String>()
    DispatchQueue.concurrentPerform(iterations: count) { _ in
        do {
            try body()
        } catch {
            failures.append("\(error)")
        }
    }
    return failures.all
}
