import DICOMNetwork

/// A sink of the storage SCP's own: it holds the outcome of its C-STORE, so the code that answers asks the sink
/// through this one protocol instead of casting it back to each kind (docs/design.md "The storage SCP streams").
/// The network layer carries sinks as `any DataSetSink`; `ReceivedInstanceStore.outcome(for:callingAETitle:)`
/// and `completedOutcome(for:callingAETitle:)` are the only places that look through it.
protocol StoreOutcomeSink: DataSetSink {
    /// The outcome once the last fragment has arrived (or a write failed), on the caller's thread; nil when
    /// the sink does not know it.
    func arrivedOutcome() -> Result<StoredInstance, StoreFailure>?
    /// The outcome after work that must not run on the event loop or the caller's thread (de-identification on
    /// `DeidentificationPool`); by default `arrivedOutcome()`.
    func completedOutcome() async -> Result<StoredInstance, StoreFailure>?
}

extension StoreOutcomeSink {
    func completedOutcome() async -> Result<StoredInstance, StoreFailure>? { arrivedOutcome() }
}

extension RefusingSink: StoreOutcomeSink {
    func arrivedOutcome() -> Result<StoredInstance, StoreFailure>? { .failure(failure) }
}

extension IncomingInstance: StoreOutcomeSink {
    /// A sink whose write or finish threw holds that failure as its outcome.
    func arrivedOutcome() -> Result<StoredInstance, StoreFailure>? { outcome }
}

extension DeidentifyingInstance: StoreOutcomeSink {
    func arrivedOutcome() -> Result<StoredInstance, StoreFailure>? { instance.outcome ?? instance.completeNow() }
    func completedOutcome() async -> Result<StoredInstance, StoreFailure>? { await complete() }
}
