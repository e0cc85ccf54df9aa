import Foundation

/// Why TLS settings cannot be used, in words naming the file or the field.
public struct TLSSettingsError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The checks of `TLSSettings` before use (docs/lua-api.md "DICOM TLS"): every named file exists and is
/// readable, the private key is readable by its owner only, certificate and key come together, and
/// `verify_peer` has a CA to verify against.
public enum TLSSettingsValidation {
    /// Checks `settings`; `requireCertificate` for an acceptor (a TLS server always presents one).
    public static func check(_ settings: TLSSettings, requireCertificate: Bool = false) throws {
        switch (settings.certificate, settings.privateKey) {
        case (nil, nil):
            if requireCertificate {
                throw TLSSettingsError("a TLS server needs a certificate and a private_key, got neither")
            }
        case (.some, nil): throw TLSSettingsError("certificate is set but private_key is not")
        case (nil, .some): throw TLSSettingsError("private_key is set but certificate is not")
        case let (certificate?, key?):
            try checkReadable(certificate, what: "certificate")
            try checkReadable(key, what: "private key")
            try checkPrivate(key)
        }
        if let ca = settings.ca { try checkReadable(ca, what: "ca") }
        if settings.verifyPeer && settings.ca == nil {
            throw TLSSettingsError("verify_peer needs a ca file to verify the peer's certificate against")
        }
    }

    /// The profile named `name` (`bcp195-nd`, `bcp195`, `bcp195-ex`).
    public static func profile(named name: String) throws -> TLSProfile {
        guard let profile = TLSProfile(rawValue: name.lowercased()) else {
            throw TLSSettingsError(
                "profile must be one of \(TLSProfile.names.joined(separator: ", ")), got \"\(name)\"")
        }
        return profile
    }

    static func checkReadable(_ path: String, what: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw TLSSettingsError("\(what) file \(path) cannot be used: \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & 0o170000 == 0o100000 else {  // S_IFMT, S_IFREG
            throw TLSSettingsError("\(what) file \(path) is not a regular file")
        }
        guard access(path, R_OK) == 0 else {
            throw TLSSettingsError("\(what) file \(path) is not readable: \(String(cString: strerror(errno)))")
        }
    }

    /// A private key readable by group or others is refused (as ssh does), naming the file.
    static func checkPrivate(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw TLSSettingsError(
                "private key file \(path) can be read or changed by other users (mode \(String(mode, radix: 8))); "
                    + "allow only its owner: chmod 600 \(path)")
        }
    }
}
