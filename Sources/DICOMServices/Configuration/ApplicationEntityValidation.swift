/// The rules for each field of an application entity. Each check returns the value to store or throws a
/// `ConfigurationError` naming `method`, what was expected and what arrived.
public enum ApplicationEntityValidation {
    /// IDL's limit for an AE name (reference §1.5).
    public static let maximumNameLength = 30
    /// PS3.5 §6.2, VR AE: at most 16 characters.
    public static let maximumAETitleLength = 16
    /// RFC 1035 §2.3.4: a domain name is at most 255 octets.
    public static let maximumHostnameLength = 255

    static func checkName(_ name: String, method: String) throws -> String {
        if name.unicodeScalars.allSatisfy({ $0 == " " }) {
            throw ConfigurationError(method, "AE name must not be empty or blank, got \(quoted(name))")
        }
        if name.count > maximumNameLength {
            throw ConfigurationError(
                method, "AE name must be at most \(maximumNameLength) characters, got \(name.count) (\(quoted(name)))")
        }
        if name.unicodeScalars.contains(where: isControl) {
            throw ConfigurationError(method, "AE name must not contain control characters, got \(quoted(name))")
        }
        return name
    }

    /// PS3.5 §6.2 VR AE: characters of the default repertoire (ISO-IR 6, here ASCII 0x20–0x7E) except
    /// backslash; leading and trailing spaces are not significant and are removed; not all spaces.
    public static func checkAETitle(_ title: String, method: String) throws -> String {
        if let bad = title.unicodeScalars.first(where: { !($0.value >= 0x20 && $0.value <= 0x7E) || $0 == "\\" }) {
            let what =
                bad == "\\"
                ? "a backslash" : isControl(bad) ? "a control character" : "the non-ASCII character '\(bad)'"
            throw ConfigurationError(
                method,
                "AE title must use the DICOM default character repertoire without "
                    + "backslash or control characters (PS3.5 §6.2), got \(what) in \(quoted(title))")
        }
        let trimmed = String(title.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
        if trimmed.isEmpty {
            throw ConfigurationError(
                method,
                "AE title must be 1-\(maximumAETitleLength) characters, not empty or all spaces, got \(quoted(title))")
        }
        if trimmed.count > maximumAETitleLength {
            throw ConfigurationError(
                method,
                "AE title must be 1-\(maximumAETitleLength) characters, got \(trimmed.count) (\(quoted(trimmed)))")
        }
        return trimmed
    }

    public static func checkHostname(_ host: String, method: String) throws -> String {
        if host.isEmpty {
            throw ConfigurationError(method, "hostname must not be empty")
        }
        if host.utf8.count > maximumHostnameLength {
            throw ConfigurationError(
                method, "hostname must be at most \(maximumHostnameLength) bytes, got \(host.utf8.count)")
        }
        if host.unicodeScalars.contains(where: { isControl($0) || $0 == " " }) {
            throw ConfigurationError(
                method, "hostname must not contain spaces or control characters, got \(quoted(host))")
        }
        return host
    }

    static func checkPort(_ port: Int, method: String) throws -> Int {
        guard (1...65535).contains(port) else {
            throw ConfigurationError(method, "port must be 1-65535, got \(port)")
        }
        return port
    }

    /// A port given as text: decimal digits, surrounding spaces allowed (IDL accepts "2510" and 2510).
    static func parsePort(_ text: String, method: String) throws -> Int {
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty, trimmed.count <= 10, trimmed.allSatisfy(\.isASCIIDigit), let port = Int(trimmed) else {
            throw ConfigurationError(method, "port must be a number 1-65535, got \(quoted(text))")
        }
        return try checkPort(port, method: method)
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
