import Foundation

/// Thread-safe list of values recorded by callbacks (server handlers, observers) on other threads.
public final class Recorder<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Value] = []
    public init() {}
    public func append(_ value: Value) { lock.withLock { values.append(value) } }
    public var all: [Value] { lock.withLock { values } }
}
