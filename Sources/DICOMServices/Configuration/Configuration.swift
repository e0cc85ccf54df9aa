import DICOMNetwork
import Foundation

/// A DICOM network configuration bound to one JSON file: IDL's `IDLffDicomExCfg` (reference §1) in Swift.
///
/// Reads come from the in-memory copy including uncommitted edits; `set...`/`remove...` change it and
/// record a `PendingEdit`; `commit()` writes the file atomically under an exclusive lock, replaying this
/// object's edits on top of the file as it is then, so concurrent committers lose nothing. Every misuse
/// throws a `ConfigurationError` whose message names the scripting method (`set_value: ...`).
///
/// Thread-safe (one internal lock); in practice one script thread uses it.
public final class Configuration: @unchecked Sendable {
    public let scope: ConfigurationScope
    public let locations: ConfigurationLocations

    private let lock = NSLock()
    /// The file as last read or written.
    private var base: ConfigurationDocument
    /// `base` with `edits` applied.
    private var working: ConfigurationDocument
    private var edits: [PendingEdit] = []
    /// Why the file could not be created when it was missing; `commit()` tries again and reports it.
    private var creationFailure: String?

    /// Binds to the file of `scope` (`cfg.new()` / `cfg.new{system = true}`), reading it, or creating it
    /// when missing (see `ConfigurationLoader`). Throws when the file cannot be read or parsed (naming the
    /// file and the place); such a file is never overwritten.
    public init(scope: ConfigurationScope = .user, locations: ConfigurationLocations = .fromEnvironment()) throws {
        self.scope = scope
        self.locations = locations
        let loaded = try ConfigurationLoader.load(scope: scope, locations: locations, method: "new")
        base = loaded.document
        working = loaded.document
        creationFailure = loaded.creationFailure
    }

    /// The path of the bound file (the `configfile` key).
    public var filePath: String { locations.file(for: scope).path }

    /// A snapshot including uncommitted edits, with typed accessors (`maxPDULength`, `storageSCP`, ...).
    public var current: ConfigurationDocument { locked { working } }

    /// True when the in-memory configuration differs from the file as last read or written (`is_dirty`).
    public var isDirty: Bool { locked { working != base } }

    /// Why the missing file could not be created at load, if it could not (the configuration then works
    /// from the in-memory content, and `commit()` fails with this reason unless the location became writable).
    public var fileCreationFailure: String? { locked { creationFailure } }

    // MARK: - Application entities

    /// Service list names in IDL's order (`get_service_lists`).
    public static var serviceLists: [String] { ServiceList.names }
    /// Service type names in IDL's order (`get_service_types`).
    public static var serviceTypes: [String] { ServiceType.names }

    /// Creates or changes an AE (`set_application_entity`), pending until `commit()`. The port may be a
    /// numeric string; the service list and type are matched ignoring case.
    public func setApplicationEntity(
        name: String, aeTitle: String, hostname: String, port: String,
        serviceList: String, serviceType: String
    ) throws {
        let entity = try ApplicationEntity(
            name: name, aeTitle: aeTitle, hostname: hostname, port: port,
            serviceList: serviceList, serviceType: serviceType)
        try setApplicationEntity(entity)
    }

    /// Creates or changes an AE (`set_application_entity`), pending until `commit()`.
    public func setApplicationEntity(
        name: String, aeTitle: String, hostname: String, port: Int,
        serviceList: ServiceList, serviceType: ServiceType
    ) throws {
        let entity = try ApplicationEntity(
            name: name, aeTitle: aeTitle, hostname: hostname, port: port,
            serviceList: serviceList, serviceType: serviceType)
        try setApplicationEntity(entity)
    }

    /// Creates or changes an AE, pending until `commit()`. A default AE keeps its service type.
    public func setApplicationEntity(_ entity: ApplicationEntity) throws {
        try record(.setEntity(entity), method: "set_application_entity")
    }

    /// The AE called `name` (`get_application_entity`); an unknown name throws.
    public func applicationEntity(named name: String) throws -> ApplicationEntity {
        guard let entity = current.applicationEntity(named: name) else {
            throw ConfigurationError("get_application_entity", "no application entity named \(quoted(name))")
        }
        return entity
    }

    /// All AEs in file order, or those of the service type named `serviceType` (any case;
    /// `get_application_entities`). An unknown service type throws.
    public func applicationEntities(serviceType: String? = nil) throws -> [ApplicationEntity] {
        guard let serviceType else { return current.applicationEntities }
        guard let type = ServiceType(named: serviceType) else {
            throw ConfigurationError(
                "get_application_entities",
                "service_type must be one of "
                    + "\(ServiceType.names.joined(separator: ", ")), got \(quoted(serviceType))")
        }
        return current.applicationEntities(ofType: type)
    }

    /// Removes an AE (`remove_application_entity`), pending until `commit()`. The default AEs and an AE
    /// named by a service key cannot be removed; an unknown name throws.
    public func removeApplicationEntity(named name: String) throws {
        try record(.removeEntity(name: name), method: "remove_application_entity")
    }

    // MARK: - TLS

    /// Sets the DICOM TLS settings of the AE `name` (`set_tls`), pending until `commit()`; nil goes back to
    /// plain TCP. The settings are checked first (files exist and are readable, the private key is private:
    /// `TLSSettingsValidation`); an unknown AE throws.
    public func setTLS(_ settings: TLSSettings?, forEntityNamed name: String) throws {
        if let settings {
            do {
                try TLSSettingsValidation.check(settings)
            } catch let error as TLSSettingsError {
                throw ConfigurationError("set_tls", error.description)
            }
        }
        try record(.setTLS(name: name, settings), method: "set_tls")
    }

    /// The DICOM TLS settings of the AE `name` (`get_tls`), nil when it uses plain TCP; an unknown AE throws.
    public func tls(forEntityNamed name: String) throws -> TLSSettings? {
        guard let entity = current.applicationEntity(named: name) else {
            throw ConfigurationError("get_tls", "no application entity named \(quoted(name))")
        }
        return entity.tls
    }

    // MARK: - Keys

    /// The value of `key` (any case) as a string (`get_value`); an unknown key throws.
    public func value(forKey key: String) throws -> String {
        guard let known = ConfigurationKey(named: key) else { throw unknownKey(key, method: "get_value") }
        return value(of: known)
    }

    /// The value of `key` as a string.
    public func value(of key: ConfigurationKey) -> String { current.value(of: key) }

    /// Sets `key` (any case) from text (`set_value`), pending until `commit()`. Unknown keys, `configfile`,
    /// and invalid values throw; a key naming an AE must name an existing AE of the matching service type.
    public func setValue(_ value: String, forKey key: String) throws {
        guard let known = ConfigurationKey(named: key) else { throw unknownKey(key, method: "set_value") }
        try setValue(value, for: known)
    }

    /// Sets a numeric key (`MaxQueryResponses`, ports, lengths, timeouts) from a number.
    public func setValue(_ value: Int, forKey key: String) throws { try setValue(String(value), forKey: key) }

    /// Sets a timeout key from a number of seconds.
    public func setValue(_ value: Double, forKey key: String) throws {
        guard value.isFinite else {
            throw ConfigurationError("set_value", "\(key) must be a finite number, got \(value)")
        }
        try setValue(ConfigurationValueRules.formatSeconds(value), forKey: key)
    }

    /// Sets a Yes/No key (`AcceptAny`, `CalledAECheck`) from a Boolean.
    public func setValue(_ value: Bool, forKey key: String) throws { try setValue(value ? "Yes" : "No", forKey: key) }

    /// Sets `key` from text, pending until `commit()`.
    public func setValue(_ value: String, for key: ConfigurationKey) throws {
        try record(.setValue(key, value), method: "set_value")
    }

    // MARK: - Commit

    /// Writes the configuration (`commit`): under the file's exclusive lock, re-reads the file, replays this
    /// object's pending edits on top of it, and replaces the file atomically. Afterwards this object shows
    /// the merged result and is not dirty. Throws (leaving the file as it was) when the location is not
    /// writable, the file on disk cannot be parsed, or an edit conflicts with what another process committed.
    public func commit() throws {
        lock.lock()
        defer { lock.unlock() }
        let file = ConfigurationFile(url: locations.file(for: scope))
        let pending = edits
        let fallback = base
        let mustCreate = creationFailure != nil
        let merged: ConfigurationDocument
        do {
            merged = try file.withExclusiveLock { () throws -> ConfigurationDocument in
                let onDisk = try ConfigurationLoader.readExisting(
                    file, scope: scope, locations: locations, method: "commit")
                var result = onDisk ?? fallback
                for edit in pending {
                    do {
                        try edit.apply(to: &result, method: "commit")
                    } catch let error as ConfigurationError {
                        throw ConfigurationError(
                            "commit",
                            "cannot apply the pending changes to \(file.path) as another process "
                                + "left it: \(error.problem); nothing was written")
                    }
                }
                if onDisk == nil || !pending.isEmpty || mustCreate {
                    try file.writeAtomically(ConfigurationFileFormat.encode(result))
                }
                return result
            }
        } catch let error as ConfigurationFile.SystemError {
            let inMemory =
                mustCreate ? " (this configuration has been working from in-memory defaults: \(creationFailure!))" : ""
            throw ConfigurationError(
                "commit", "cannot write \(file.path): \(error.message)\(inMemory); nothing was saved")
        }
        base = merged
        working = merged
        edits = []
        creationFailure = nil
    }

    /// Drops the pending edits and re-reads the file (IDL's GUI does this by making a new object).
    public func revert() throws {
        let reloaded = try ConfigurationLoader.load(scope: scope, locations: locations, method: "revert")
        locked {
            base = reloaded.document
            working = reloaded.document
            edits = []
            creationFailure = reloaded.creationFailure
        }
    }

    // MARK: - Helpers

    private func record(_ edit: PendingEdit, method: String) throws {
        try locked {
            var changed = working
            if case .removeEntity(let name) = edit {
                try changed.removeApplicationEntity(named: name, method: method)  // an unknown name throws here
            } else {
                try edit.apply(to: &changed, method: method)
            }
            working = changed
            if let last = edits.last, last.isSuperseded(by: edit) { edits.removeLast() }
            edits.append(edit)
        }
    }

    private func unknownKey(_ key: String, method: String) -> ConfigurationError {
        ConfigurationError(
            method,
            "unknown key \(quoted(key)) (expected one of "
                + "\(ConfigurationKey.allCases.map(\.rawValue).joined(separator: ", ")))")
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
