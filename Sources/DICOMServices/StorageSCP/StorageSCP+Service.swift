import ServiceLifecycle

/// The storage SCP as a swift-service-lifecycle `Service`: run it in a `ServiceGroup` whose
/// `gracefulShutdownSignals` (SIGTERM, SIGINT) stop it gracefully.
extension StorageSCP: Service {
    /// Serves until a graceful shutdown is triggered (a `ServiceGroup` signal, e.g. SIGTERM from
    /// `systemctl stop`), then stops as `stop(gracePeriod:)` does with `settings.shutdownGracePeriod`: no new
    /// connection, transfers in flight finish, what is left after the grace period is aborted (its
    /// incomplete files removed). When the task is cancelled instead, it stops without grace.
    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            await stop(gracePeriod: 0)
            return
        }
        await stop(gracePeriod: settings.shutdownGracePeriod)
    }
}
