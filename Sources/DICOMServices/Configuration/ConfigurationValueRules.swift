import DICOMCore

/// What each key accepts, and the canonical text it is stored as. `get_value` returns the canonical text
/// (a string, as IDL's `GetValue` does); typed accessors parse it back (see `ConfigurationDocument+Typed`).
///
/// Limits (documented in the README):
/// - `MaxQueryResponses` integer 1–99999 (IDL: at most 5 digits); `StorScpCtrlPort` 1–65535;
///   `MaxPduLength` 4096–2097152 bytes (PS3.8 §D.1: the receiver's maximum; 0 "unlimited" is not offered);
///   `MaxAssociations` 1–1024; `MaxPendingConnections` 1–4096.
/// - `ConnectTimeout`, `AcseTimeout` seconds, > 0 and ≤ 3600, decimals allowed; `DimseTimeout` and
///   `IdleTimeout` 0 (none) or up to 86400.
/// - `AcceptAny`, `CalledAECheck` `Yes`/`No`, any case; stored as `Yes`/`No`.
/// - `DuplicatePolicy` `overwrite` or `keep`, any case; stored lower-case.
/// - `FileExtension` 1–16 of `A-Z a-z 0-9 _ -` (no dot, no path separator; IDL demanded exactly 3).
/// - `QueryCharacterSet` empty, or the value of a Specific Character Set (0008,0005): defined terms of
///   PS3.3 C.12.1.1.2 separated by backslashes (`ISO_IR 126`, `\ISO 2022 IR 87`); common misspellings are
///   stored corrected.
/// - `StorScpDir`, `LogDir` an absolute path (a leading `~` is the home directory), at most 4096 bytes;
///   `HooksFile` the same or empty. Trailing slashes are removed. The directory need not exist yet.
enum ConfigurationValueRules {
    static let maximumPathLength = 4096
    static let maxQueryResponsesRange = 1...99999
    static let maxPDULengthRange = 4096...(131072 * 16)
    static let maxAssociationsRange = 1...1024
    static let maxPendingConnectionsRange = 1...4096
    static let connectTimeoutRange = 0.001...3600.0
    static let dimseTimeoutRange = 0.0...86400.0
    static let maximumFileExtensionLength = 16
    static let hookQueueLimitRange = 1...1_000_000
    /// MiB; 0: no limit.
    static let luaMemoryLimitRange = 0...1_048_576

    /// Checks `text` for `key` and returns the canonical text to store. AE-name keys are checked only for
    /// form here; that the AE exists (with the right type) is the document's check.
    static func canonicalText(
        for key: ConfigurationKey, _ text: String, homeDirectory: String,
        method: String
    ) throws -> String {
        switch key {
        case .queryRetrieveSCUServiceAE, .storageSCPServiceAE, .storageSCUServiceAE, .echoSCUServiceAE:
            return try ApplicationEntityValidation.checkName(text, method: method)
        case .maxQueryResponses:
            return String(try integer(text, in: maxQueryResponsesRange, key: key, method: method))
        case .storageSCPControlPort:
            return String(try integer(text, in: 1...65535, key: key, method: method))
        case .maxPDULength:
            return String(try integer(text, in: maxPDULengthRange, key: key, method: method))
        case .maxAssociations:
            return String(try integer(text, in: maxAssociationsRange, key: key, method: method))
        case .maxPendingConnections:
            return String(try integer(text, in: maxPendingConnectionsRange, key: key, method: method))
        case .connectTimeout, .acseTimeout:
            return try seconds(text, in: connectTimeoutRange, key: key, method: method, meaning: "seconds, more than 0")
        case .dimseTimeout, .idleTimeout, .hookTimeLimit:
            return try seconds(text, in: dimseTimeoutRange, key: key, method: method, meaning: "seconds, 0 for none")
        case .associationHookTimeout, .hookDrainTimeout:
            return try seconds(text, in: connectTimeoutRange, key: key, method: method, meaning: "seconds, more than 0")
        case .hookQueueLimit:
            return String(try integer(text, in: hookQueueLimitRange, key: key, method: method))
        case .luaMemoryLimit:
            return String(try integer(text, in: luaMemoryLimitRange, key: key, method: method))
        case .acceptAny, .calledAECheck:
            switch text.trimmingSpaces.lowercased() {
            case "yes": return "Yes"
            case "no": return "No"
            default: throw ConfigurationError(method, "\(key.rawValue) must be Yes or No, got \(quoted(text))")
            }
        case .duplicatePolicy:
            let lowered = text.trimmingSpaces.lowercased()
            guard lowered == "overwrite" || lowered == "keep" else {
                throw ConfigurationError(method, "\(key.rawValue) must be overwrite or keep, got \(quoted(text))")
            }
            return lowered
        case .fileExtension:
            let allowed = text.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
                    || $0 == "-"
            }
            guard !text.isEmpty, text.count <= maximumFileExtensionLength, allowed else {
                throw ConfigurationError(
                    method,
                    "\(key.rawValue) must be 1-\(maximumFileExtensionLength) characters of "
                        + "A-Z a-z 0-9 _ - (no dot, no path separator), got \(quoted(text))")
            }
            return text
        case .storageSCPDirectory, .logDirectory:
            return try path(text, key: key, homeDirectory: homeDirectory, method: method)
        case .hooksFile:
            if text.isEmpty { return "" }
            return try path(text, key: key, homeDirectory: homeDirectory, method: method)
        case .configFile:
            throw ConfigurationError(method, "configfile is read-only (it is the path of the bound file)")
        case .queryCharacterSet:
            return try characterSet(text, key: key, method: method)
        }
    }

    /// True when the key is stored as a JSON number in the file.
    static func isNumeric(_ key: ConfigurationKey) -> Bool {
        switch key {
        case .maxQueryResponses, .storageSCPControlPort, .maxPDULength, .maxAssociations, .maxPendingConnections,
            .connectTimeout, .acseTimeout, .dimseTimeout, .idleTimeout, .associationHookTimeout, .hookQueueLimit,
            .hookDrainTimeout, .hookTimeLimit, .luaMemoryLimit:
            return true
        case .queryRetrieveSCUServiceAE, .storageSCPServiceAE, .storageSCUServiceAE, .echoSCUServiceAE,
            .storageSCPDirectory, .acceptAny, .fileExtension, .configFile, .duplicatePolicy, .hooksFile,
            .calledAECheck, .logDirectory, .queryCharacterSet:
            return false
        }
    }

    /// A Specific Character Set value whose every term is defined (or a known misspelling, corrected).
    private static func characterSet(_ text: String, key: ConfigurationKey, method: String) throws -> String {
        let values = text.trimmingSpaces.split(separator: "\\", omittingEmptySubsequences: false).map {
            String($0).trimmingSpaces
        }
        if values.allSatisfy(\.isEmpty) { return "" }
        var terms: [String] = []
        for (index, value) in values.enumerated() {
            if value.isEmpty && index == 0 {
                terms.append("")
                continue
            }
            guard
                let term = CharacterSetTerm(definedTerm: value)
                    ?? CharacterSetTerm.correctedSpelling(of: value)
                    .flatMap(CharacterSetTerm.init(definedTerm:)), !term.definedTerm.isEmpty || index == 0
            else {
                throw ConfigurationError(
                    method,
                    "\(key.rawValue) must be empty or Specific Character Set defined terms (ISO_IR 100, ISO_IR 192, GB18030, \\ISO 2022 IR 87 ...), got \(quoted(text))"
                )
            }
            if index > 0 && term.isStandalone {
                throw ConfigurationError(
                    method,
                    "\(key.rawValue): \(term.definedTerm) allows no code extensions (PS3.3 Table C.12-5), got \(quoted(text))"
                )
            }
            terms.append(term.definedTerm)
        }
        return terms.joined(separator: "\\")
    }

    private static func integer(
        _ text: String, in range: ClosedRange<Int>, key: ConfigurationKey,
        method: String
    ) throws -> Int {
        let trimmed = text.trimmingSpaces
        let digits = trimmed.hasPrefix("-") || trimmed.hasPrefix("+") ? trimmed.dropFirst() : Substring(trimmed)
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy(\.isASCIIDigit), let value = Int(trimmed) else {
            throw ConfigurationError(
                method,
                "\(key.rawValue) must be an integer \(range.lowerBound)-\(range.upperBound), got \(quoted(text))")
        }
        guard range.contains(value) else {
            throw ConfigurationError(
                method, "\(key.rawValue) must be \(range.lowerBound)-\(range.upperBound), got \(value)")
        }
        return value
    }

    private static func seconds(
        _ text: String, in range: ClosedRange<Double>, key: ConfigurationKey,
        method: String, meaning: String
    ) throws -> String {
        let trimmed = text.trimmingSpaces
        let wellFormed =
            !trimmed.isEmpty && trimmed.count <= 20
            && trimmed.allSatisfy { $0.isASCIIDigit || $0 == "." } && trimmed.filter({ $0 == "." }).count <= 1
            && trimmed.first != "." && trimmed.last != "."
        guard wellFormed, let value = Double(trimmed) else {
            throw ConfigurationError(method, "\(key.rawValue) must be a number of \(meaning), got \(quoted(text))")
        }
        guard range.contains(value) else {
            throw ConfigurationError(
                method, "\(key.rawValue) must be \(meaning), at most \(formatSeconds(range.upperBound)), got \(trimmed)"
            )
        }
        return formatSeconds(value)
    }

    /// `10` for whole seconds, otherwise the shortest decimal form (`2.5`).
    static func formatSeconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    private static func path(
        _ text: String, key: ConfigurationKey, homeDirectory: String, method: String
    ) throws -> String {
        var expanded = text
        if text == "~" {
            expanded = homeDirectory
        } else if text.hasPrefix("~/") {
            expanded = homeDirectory + text.dropFirst(1)
        }
        guard !expanded.unicodeScalars.contains(where: ApplicationEntityValidation.isControl) else {
            throw ConfigurationError(method, "\(key.rawValue) must not contain control characters, got \(quoted(text))")
        }
        guard expanded.hasPrefix("/") else {
            throw ConfigurationError(
                method, "\(key.rawValue) must be an absolute path (or start with ~/), got \(quoted(text))")
        }
        guard expanded.utf8.count <= maximumPathLength else {
            throw ConfigurationError(
                method, "\(key.rawValue) must be at most \(maximumPathLength) bytes, got \(expanded.utf8.count)")
        }
        while expanded.count > 1 && expanded.hasSuffix("/") { expanded.removeLast() }
        return expanded
    }
}
