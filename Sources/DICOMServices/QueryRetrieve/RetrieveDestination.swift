import Foundation

/// How a retrieve sees what arrived (docs/lua-api.md "Retrieve reports, verification and retry", observable
/// destinations).
public enum RetrieveDestination: Sendable {
    /// A storage SCP of this process reports each stored instance to this tracker (C-MOVE).
    case tracker(ArrivalsTracker)
    /// This host's storage SCP service writes `<SOP Instance UID>.<fileExtension>` into `directory`: the
    /// expected instances are looked for by name (C-MOVE with `verify`).
    case directory(String, fileExtension: String)
    /// Nothing can be seen of the destination: the verdict can only be `unverified`.
    case unobservable

    /// The destination of a C-MOVE to `destinationAETitle`: `tracker` when an SCP of this process with
    /// that AE title has one, else this host's storage SCP service when `system` names it as
    /// `StorScpServiceAE` with that title, else unobservable.
    public static func resolve(
        destinationAETitle: String, tracker: ArrivalsTracker?, system: ConfigurationDocument?
    ) -> RetrieveDestination {
        if let tracker { return .tracker(tracker) }
        if let system, system.storageSCP.aeTitle == destinationAETitle {
            return .directory(system.storageDirectory.path, fileExtension: system.fileExtension)
        }
        return .unobservable
    }
}
