import DICOMNetwork

/// The JSON file format `dicomlua-config/1`: a pretty-printed object with members in this order:
///
/// ```json
/// {
///   "format": "dicomlua-config/1",
///   "values": { "QRScuServiceAE": "IDL_AE_QUERY_SCU", "MaxQueryResponses": 100, ... },
///   "applicationEntities": [
///     { "applentityname": "IDL_AE_STOR_SCP", "aet": "DICOMLUA_STORE", "hostname": "localhost",
///       "port": 2510, "servicelistname": "Storage_SCP_Service_List", "servicetype": "Storage_SCP",
///       "tls": { "certificate": "/etc/dicomlua/me.crt", "private_key": "/etc/dicomlua/me.key",
///                "ca": "/etc/dicomlua/ca.pem", "profile": "bcp195-nd", "verify_peer": true,
///                "verify_hostname": false } }
///   ]
/// }
/// ```
///
/// Reading is strict about what it understands (unknown members, wrong types and invalid values are errors
/// naming the file and the JSON path) and lenient about what it can supply: missing keys take their
/// defaults, missing default AEs are added, numbers may also be written as strings, and key names are
/// matched case-insensitively. An entity's `tls` member is optional (absent: plain TCP; docs/lua-api.md
/// "DICOM TLS"); its files are checked when it is set and when it is used, not when the file is read.
enum ConfigurationFileFormat {
    static let formatMarker = "dicomlua-config/1"

    private enum Member {
        static let format = "format"
        static let values = "values"
        static let applicationEntities = "applicationEntities"
        static let entityFields = ["applentityname", "aet", "hostname", "port", "servicelistname", "servicetype"]
        static let tls = "tls"
        static let tlsFields = [
            "certificate", "private_key", "ca", "profile", "verify_peer", "verify_hostname",
        ]
    }

    // MARK: - Writing

    static func encode(_ document: ConfigurationDocument) -> String {
        let values: [(key: String, value: JSONValue)] = ConfigurationKey.settableKeys.map { key in
            let text = document.value(of: key)
            return (key.rawValue, ConfigurationValueRules.isNumeric(key) ? .number(text) : .string(text))
        }
        let entities: [JSONValue] = document.applicationEntities.map { entity in
            var fields: [(key: String, value: JSONValue)] = [
                ("applentityname", .string(entity.name)),
                ("aet", .string(entity.aeTitle)),
                ("hostname", .string(entity.hostname)),
                ("port", .number(String(entity.port))),
                ("servicelistname", .string(entity.serviceList.rawValue)),
                ("servicetype", .string(entity.serviceType.rawValue)),
            ]
            if let tls = entity.tls { fields.append((Member.tls, encodeTLS(tls))) }
            return .object(fields)
        }
        return JSONWriter.prettyPrinted(
            .object([
                (Member.format, .string(formatMarker)),
                (Member.values, .object(values)),
                (Member.applicationEntities, .array(entities)),
            ]))
    }

    // MARK: - Reading

    /// Parses `bytes` read from `filePath`. Errors name `method`, the file and the place (line and column for
    /// a syntax error, the JSON path for a wrong value).
    static func decode(
        _ bytes: [UInt8], filePath: String, scope: ConfigurationScope,
        locations: ConfigurationLocations, method: String
    ) throws -> ConfigurationDocument {
        let root: JSONValue
        do {
            root = try JSONReader.parse(bytes)
        } catch let error as JSONReader.SyntaxError {
            throw ConfigurationError(
                method,
                "cannot parse \(filePath) at line \(error.line), column \(error.column) "
                    + "(byte offset \(error.offset)): \(error.message)")
        }
        func fail(_ path: String, _ problem: String) -> ConfigurationError {
            ConfigurationError(method, "invalid configuration \(filePath) at \(path): \(problem)")
        }
        guard case .object(let members) = root else { throw fail("$", "expected an object, got \(root.kindName)") }
        for member in members where ![Member.format, Member.values, Member.applicationEntities].contains(member.key) {
            throw fail("$.\(member.key)", "unknown member (expected format, values, applicationEntities)")
        }
        guard let format = members.first(where: { $0.key == Member.format })?.value else {
            throw fail("$.format", "missing; expected \"\(formatMarker)\"")
        }
        guard case .string(let formatText) = format, formatText == formatMarker else {
            throw fail("$.format", "expected \"\(formatMarker)\", got \(describe(format))")
        }

        var document = ConfigurationDocument(
            applicationEntities: [],
            values: ConfigurationDefaults.values(scope: scope, locations: locations),
            filePath: filePath, homeDirectory: locations.homeDirectory)
        // Entities first: the service keys refer to them.
        if let entities = members.first(where: { $0.key == Member.applicationEntities })?.value {
            guard case .array(let elements) = entities else {
                throw fail("$.applicationEntities", "expected an array, got \(entities.kindName)")
            }
            for (position, element) in elements.enumerated() {
                let path = "$.applicationEntities[\(position)]"
                let entity = try decodeEntity(element, path: path, method: method, fail: fail)
                if document.applicationEntity(named: entity.name) != nil {
                    throw fail(path, "duplicate application entity name \(quoted(entity.name))")
                }
                if let builtIn = ConfigurationDefaults.applicationEntities.first(where: { $0.name == entity.name }),
                    builtIn.serviceType != entity.serviceType
                {
                    throw fail(
                        path,
                        "\(entity.name) is a default AE and must have service type \(builtIn.serviceType.rawValue), "
                            + "got \(entity.serviceType.rawValue)")
                }
                try rethrowing(path, fail) { try document.setApplicationEntity(entity, method: method) }
            }
        }
        for builtIn in ConfigurationDefaults.applicationEntities
        where document.applicationEntity(named: builtIn.name) == nil {
            try document.setApplicationEntity(builtIn, method: method)
        }
        if let values = members.first(where: { $0.key == Member.values })?.value {
            guard case .object(let entries) = values else {
                throw fail("$.values", "expected an object, got \(values.kindName)")
            }
            var seen = Set<ConfigurationKey>()
            for entry in entries {
                let path = "$.values.\(entry.key)"
                guard let key = ConfigurationKey(named: entry.key), key != .configFile else {
                    throw fail(
                        path,
                        "unknown key (expected one of \(ConfigurationKey.settableKeys.map(\.rawValue).joined(separator: ", ")))"
                    )
                }
                guard seen.insert(key).inserted else { throw fail(path, "\(key.rawValue) is given twice") }
                let text: String
                switch entry.value {
                case .string(let string): text = string
                case .number(let number) where ConfigurationValueRules.isNumeric(key): text = number
                case .null, .bool, .number, .array, .object:
                    throw fail(
                        path,
                        "expected \(ConfigurationValueRules.isNumeric(key) ? "a number or a string" : "a string"), "
                            + "got \(entry.value.kindName)")
                }
                try rethrowing(path, fail) { try document.setValue(text, for: key, method: method) }
            }
        }
        return document
    }

    private static func decodeEntity(
        _ element: JSONValue, path: String, method: String,
        fail: (String, String) -> ConfigurationError
    ) throws -> ApplicationEntity {
        guard case .object(let fields) = element else {
            throw fail(path, "expected an object, got \(element.kindName)")
        }
        for field in fields where !Member.entityFields.contains(field.key) && field.key != Member.tls {
            throw fail(
                "\(path).\(field.key)",
                "unknown field (expected \(Member.entityFields.joined(separator: ", ")), optionally tls)")
        }
        var texts: [String: String] = [:]
        for name in Member.entityFields {
            guard let value = fields.first(where: { $0.key == name })?.value else {
                throw fail("\(path).\(name)", "missing")
            }
            switch value {
            case .string(let string): texts[name] = string
            case .number(let number) where name == "port": texts[name] = number
            case .null, .bool, .number, .array, .object:
                throw fail(
                    "\(path).\(name)", "expected \(name == "port" ? "a number" : "a string"), got \(value.kindName)")
            }
        }
        var entity = try rethrowing(path, fail) {
            try ApplicationEntity(
                name: texts["applentityname"]!, aeTitle: texts["aet"]!, hostname: texts["hostname"]!,
                port: texts["port"]!, serviceList: texts["servicelistname"]!,
                serviceType: texts["servicetype"]!, method: method)
        }
        if let tls = fields.first(where: { $0.key == Member.tls })?.value {
            entity.tls = try decodeTLS(tls, path: "\(path).\(Member.tls)", fail: fail)
        }
        return entity
    }

    private static func encodeTLS(_ tls: TLSSettings) -> JSONValue {
        var fields: [(key: String, value: JSONValue)] = []
        if let certificate = tls.certificate { fields.append(("certificate", .string(certificate))) }
        if let key = tls.privateKey { fields.append(("private_key", .string(key))) }
        if let ca = tls.ca { fields.append(("ca", .string(ca))) }
        fields.append(("profile", .string(tls.profile.rawValue)))
        fields.append(("verify_peer", .bool(tls.verifyPeer)))
        fields.append(("verify_hostname", .bool(tls.verifyHostname)))
        return .object(fields)
    }

    private static func decodeTLS(
        _ value: JSONValue, path: String, fail: (String, String) -> ConfigurationError
    ) throws -> TLSSettings? {
        if case .null = value { return nil }
        guard case .object(let fields) = value else {
            throw fail(path, "expected an object or null, got \(value.kindName)")
        }
        var strings: [String: String] = [:]
        var flags: [String: Bool] = [:]
        for field in fields {
            let fieldPath = "\(path).\(field.key)"
            guard Member.tlsFields.contains(field.key) else {
                throw fail(fieldPath, "unknown field (expected \(Member.tlsFields.joined(separator: ", ")))")
            }
            switch (field.key, field.value) {
            case ("verify_peer", .bool(let flag)), ("verify_hostname", .bool(let flag)): flags[field.key] = flag
            case ("verify_peer", _), ("verify_hostname", _):
                throw fail(fieldPath, "expected a boolean, got \(field.value.kindName)")
            case (_, .string(let text)): strings[field.key] = text
            default: throw fail(fieldPath, "expected a string, got \(field.value.kindName)")
            }
        }
        let profile: TLSProfile
        do {
            profile = try TLSSettingsValidation.profile(
                named: strings["profile"] ?? TLSProfile.bcp195NonDowngrading.rawValue)
        } catch {
            throw fail("\(path).profile", "\(error)")
        }
        return TLSSettings(
            certificate: strings["certificate"], privateKey: strings["private_key"], ca: strings["ca"],
            profile: profile, verifyPeer: flags["verify_peer"], verifyHostname: flags["verify_hostname"] ?? false)
    }

    /// Runs `body`, turning a `ConfigurationError` into one that names the file and `path`.
    private static func rethrowing<T>(
        _ path: String, _ fail: (String, String) -> ConfigurationError,
        _ body: () throws -> T
    ) throws -> T {
        do { return try body() } catch let error as ConfigurationError { throw fail(path, error.problem) }
    }

    private static func describe(_ value: JSONValue) -> String {
        if case .string(let text) = value { return quoted(text) }
        return value.kindName
    }
}
