import DICOMNetwork

/// The content of one configuration file: its application entities (in file order) and the canonical text
/// of every key. A value is always consistent: every AE-name key names an AE of the right service type and
/// the four default AEs are present (the mutating functions below keep it so or throw).
///
/// It is `Sendable`: services take a snapshot (`Configuration.current`) and read it from any thread.
public struct ConfigurationDocument: Equatable, Sendable {
    public private(set) var applicationEntities: [ApplicationEntity]
    /// Canonical text of every settable key (`configfile` is not stored; see `value(of:)`).
    private(set) var values: [ConfigurationKey: String]
    /// The bound file (the value of `configfile`).
    public let filePath: String
    /// Expands a leading `~` in path values.
    let homeDirectory: String

    init(
        applicationEntities: [ApplicationEntity], values: [ConfigurationKey: String], filePath: String,
        homeDirectory: String
    ) {
        self.applicationEntities = applicationEntities
        self.values = values
        self.filePath = filePath
        self.homeDirectory = homeDirectory
    }

    /// The built-in defaults for a file of `scope`.
    static func defaults(scope: ConfigurationScope, locations: ConfigurationLocations) -> ConfigurationDocument {
        ConfigurationDocument(
            applicationEntities: ConfigurationDefaults.applicationEntities,
            values: ConfigurationDefaults.values(scope: scope, locations: locations),
            filePath: locations.file(for: scope).path, homeDirectory: locations.homeDirectory)
    }

    // MARK: - Reading

    /// The AE named `name` (exact, case-sensitive match), if any.
    public func applicationEntity(named name: String) -> ApplicationEntity? {
        applicationEntities.first { $0.name == name }
    }

    /// The canonical text of `key` (for `configfile`, the bound file's path).
    public func value(of key: ConfigurationKey) -> String {
        if key == .configFile { return filePath }
        // Every settable key is present: documents are built from the defaults and only ever updated.
        return values[key] ?? ""
    }

    // MARK: - Changing

    /// Creates or replaces the AE of the same name. A default AE keeps its service type; an AE named by a
    /// service key keeps the type that key requires.
    mutating func setApplicationEntity(_ entity: ApplicationEntity, method: String) throws {
        if let index = applicationEntities.firstIndex(where: { $0.name == entity.name }) {
            let old = applicationEntities[index]
            if old.serviceType != entity.serviceType {
                if ConfigurationDefaults.isDefaultEntity(entity.name) {
                    throw ConfigurationError(
                        method,
                        "\(entity.name) is a default AE; its service type must stay "
                            + "\(old.serviceType.rawValue), got \(entity.serviceType.rawValue)")
                }
                if let key = keyReferencing(entity.name) {
                    throw ConfigurationError(
                        method,
                        "\(entity.name) is the \(key.rawValue); its service type must stay "
                            + "\(old.serviceType.rawValue) (set \(key.rawValue) to another AE first), got "
                            + "\(entity.serviceType.rawValue)")
                }
            }
            var replacement = entity
            if replacement.tls == nil { replacement.tls = old.tls }  // set_application_entity knows no TLS
            applicationEntities[index] = replacement
        } else {
            applicationEntities.append(entity)
        }
    }

    /// Sets (or, with nil, removes) the TLS settings of the AE named `name` (`set_tls`).
    mutating func setTLS(_ settings: TLSSettings?, forEntityNamed name: String, method: String) throws {
        guard let index = applicationEntities.firstIndex(where: { $0.name == name }) else {
            throw ConfigurationError(method, "no application entity named \(quoted(name))")
        }
        applicationEntities[index].tls = settings
    }

    /// Removes the AE named `name`; the default AEs and an AE named by a service key cannot be removed.
    mutating func removeApplicationEntity(named name: String, method: String) throws {
        guard let index = applicationEntities.firstIndex(where: { $0.name == name }) else {
            throw ConfigurationError(method, "no application entity named \(quoted(name))")
        }
        if ConfigurationDefaults.isDefaultEntity(name) {
            throw ConfigurationError(method, "\(name) is a default AE and cannot be removed")
        }
        if let key = keyReferencing(name) {
            throw ConfigurationError(
                method, "\(name) is the \(key.rawValue); set \(key.rawValue) to another AE before removing it")
        }
        applicationEntities.remove(at: index)
    }

    /// Sets `key` from text, checking it (`set_value`). An AE-name key must name an existing AE of the
    /// service type the key requires.
    mutating func setValue(_ text: String, for key: ConfigurationKey, method: String) throws {
        let canonical = try ConfigurationValueRules.canonicalText(
            for: key, text, homeDirectory: homeDirectory, method: method)
        if let requiredType = key.requiredServiceType {
            guard let entity = applicationEntity(named: canonical) else {
                throw ConfigurationError(
                    method, "\(key.rawValue) must name an existing application entity, got \(quoted(canonical))")
            }
            guard entity.serviceType == requiredType else {
                throw ConfigurationError(
                    method,
                    "\(key.rawValue) must name an AE of service type \(requiredType.rawValue), "
                        + "got \(canonical) of type \(entity.serviceType.rawValue)")
            }
        }
        values[key] = canonical
    }

    /// The service key that names the AE `name`, if any.
    func keyReferencing(_ name: String) -> ConfigurationKey? {
        ConfigurationKey.settableKeys.first { $0.requiredServiceType != nil && values[$0] == name }
    }
}
