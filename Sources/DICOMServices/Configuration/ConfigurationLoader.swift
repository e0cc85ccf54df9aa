/// Reads a configuration file, creating it when it is missing (docs/lua-api.md "Files", docs/idl-reference.md §1.2):
/// a missing system file from the built-in defaults; a missing user file from the system file (its AEs and
/// its settings, except the machine paths `StorScpDir`, `LogDir`, `HooksFile`, which take the user
/// defaults). When the file cannot be created (e.g. `/etc/dicomlua` is not writable), the configuration
/// works from the in-memory content and the reason is kept for `commit()` to report.
enum ConfigurationLoader {
    struct Loaded {
        var document: ConfigurationDocument
        /// Why the missing file could not be created, or nil when the file exists.
        var creationFailure: String?
    }

    static func load(scope: ConfigurationScope, locations: ConfigurationLocations, method: String) throws -> Loaded {
        let file = ConfigurationFile(url: locations.file(for: scope))
        if let document = try readExisting(file, scope: scope, locations: locations, method: method) {
            return Loaded(document: document, creationFailure: nil)
        }
        let seed = try initialContent(scope: scope, locations: locations, method: method)
        do {
            let document = try file.withExclusiveLock { () throws -> ConfigurationDocument in
                // Another process may have created it while we waited for the lock.
                if let existing = try readExisting(file, scope: scope, locations: locations, method: method) {
                    return existing
                }
                try file.writeAtomically(ConfigurationFileFormat.encode(seed))
                return seed
            }
            return Loaded(document: document, creationFailure: nil)
        } catch let error as ConfigurationFile.SystemError {
            return Loaded(document: seed, creationFailure: error.message)
        }
    }

    /// The parsed file, or nil when it does not exist.
    static func readExisting(
        _ file: ConfigurationFile, scope: ConfigurationScope, locations: ConfigurationLocations,
        method: String
    ) throws -> ConfigurationDocument? {
        let bytes: [UInt8]?
        do {
            bytes = try file.read()
        } catch let error as ConfigurationFile.SystemError {
            throw ConfigurationError(method, error.message)
        }
        guard let bytes else { return nil }
        return try ConfigurationFileFormat.decode(
            bytes, filePath: file.path, scope: scope, locations: locations, method: method)
    }

    /// What a missing file of `scope` starts with.
    private static func initialContent(
        scope: ConfigurationScope, locations: ConfigurationLocations,
        method: String
    ) throws -> ConfigurationDocument {
        let defaults = ConfigurationDocument.defaults(scope: scope, locations: locations)
        switch scope {
        case .system:
            return defaults
        case .user:
            let system = try load(scope: .system, locations: locations, method: method).document
            var seeded = ConfigurationDocument(
                applicationEntities: system.applicationEntities, values: [:],
                filePath: defaults.filePath, homeDirectory: defaults.homeDirectory)
            for key in ConfigurationKey.settableKeys {
                let text = key.isMachinePath ? defaults.value(of: key) : system.value(of: key)
                try seeded.setValue(text, for: key, method: method)
            }
            return seeded
        }
    }
}
