import DICOMNetwork

/// One uncommitted change of a `Configuration` (IDL reference §1.1: edits are buffered until `Commit`).
///
/// `commit()` replays the edits, in the order they were made, on top of the file as it is at that moment
/// (re-read under the lock), so changes another process committed meanwhile are kept.
enum PendingEdit: Equatable, Sendable {
    case setEntity(ApplicationEntity)
    case removeEntity(name: String)
    case setValue(ConfigurationKey, String)
    case setTLS(name: String, TLSSettings?)

    /// True when `other` makes this edit pointless if it directly follows it (same AE or same key):
    /// collapses loops that set the same thing over and over into one edit.
    func isSuperseded(by other: PendingEdit) -> Bool {
        switch (self, other) {
        case let (.setEntity(a), .setEntity(b)): return a.name == b.name
        case let (.setEntity(a), .removeEntity(name)): return a.name == name
        case let (.setValue(a, _), .setValue(b, _)): return a == b
        case let (.setTLS(a, _), .setTLS(b, _)): return a == b
        case let (.setTLS(a, _), .removeEntity(b)): return a == b
        case (.setEntity, .setValue), (.removeEntity, _), (.setValue, .setEntity), (.setValue, .removeEntity),
            (.setEntity, .setTLS), (.setValue, .setTLS), (.setTLS, .setEntity), (.setTLS, .setValue):
            return false
        }
    }

    /// Applies the edit to `document`. A removal of an AE that is already gone is not an error (another
    /// process removed it too).
    func apply(to document: inout ConfigurationDocument, method: String) throws {
        switch self {
        case .setEntity(let entity):
            try document.setApplicationEntity(entity, method: method)
        case .removeEntity(let name):
            guard document.applicationEntity(named: name) != nil else { return }
            try document.removeApplicationEntity(named: name, method: method)
        case let .setValue(key, text):
            try document.setValue(text, for: key, method: method)
        case let .setTLS(name, settings):
            try document.setTLS(settings, forEntityNamed: name, method: method)
        }
    }
}
