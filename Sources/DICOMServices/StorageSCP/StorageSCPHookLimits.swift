/// The limits of a storage SCP's hooks (docs/lua-api.md "Hooks under load"), from the configuration keys
/// `AssociationHookTimeout`, `HookQueueLimit`, `HookDrainTimeout`, `HookTimeLimit`, `LuaMemoryLimit`.
public struct StorageSCPHookLimits: Sendable, Equatable {
    /// Seconds an association waits for `on_association`; then it is refused (A-ASSOCIATE-RJ).
    public var associationTimeout: Double
    /// `on_stored` calls that may wait; beyond, the SCP delays its answers (and so stops reading).
    public var queueLimit: Int
    /// Seconds the queued hooks may still run once the SCP is stopping.
    public var drainTimeout: Double
    /// Seconds one hook may run in Lua; nil: no limit.
    public var timeLimit: Double?
    /// MiB the Lua state may hold; nil: no limit.
    public var memoryLimit: Int?

    public init(
        associationTimeout: Double = 30, queueLimit: Int = 1000, drainTimeout: Double = 30,
        timeLimit: Double? = 30, memoryLimit: Int? = nil
    ) {
        self.associationTimeout = associationTimeout
        self.queueLimit = max(1, queueLimit)
        self.drainTimeout = drainTimeout
        self.timeLimit = timeLimit
        self.memoryLimit = memoryLimit
    }

    public init(configuration doc: ConfigurationDocument) {
        self.init(
            associationTimeout: doc.associationHookTimeout, queueLimit: doc.hookQueueLimit,
            drainTimeout: doc.hookDrainTimeout, timeLimit: doc.hookTimeLimit, memoryLimit: doc.luaMemoryLimit)
    }
}
