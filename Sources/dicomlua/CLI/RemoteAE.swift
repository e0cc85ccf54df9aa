import DICOMServices
import Foundation

/// How the subcommands name a remote application entity (docs/cli.md "Naming an archive"): `AET@HOST:PORT`
/// (as DCMTK's `-aec AET HOST PORT` in one word), or the name of an AE of the user configuration
/// (`cfg.new()`, docs/lua-api.md "Files").
enum RemoteAE: Equatable {
    case address(aeTitle: String, host: String, port: Int)
    case name(String)

    /// Parses `text`: with an `@`, `AET@HOST:PORT` (the host may be `[v6]`); without, an AE name.
    /// - Throws: `CLIUsageError` when `@` is there but the rest is not `HOST:PORT` with a port 1...65535.
    static func parse(_ text: String) throws -> RemoteAE {
        guard let at = text.lastIndex(of: "@") else { return .name(text) }
        let title = String(text[..<at])
        let address = String(text[text.index(after: at)...])
        guard !title.isEmpty else { throw CLIUsageError("'\(text)': the AE title before '@' is empty") }
        guard let colon = address.lastIndex(of: ":") else {
            throw CLIUsageError("'\(text)': expected AET@HOST:PORT, the port is missing")
        }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let portText = address[address.index(after: colon)...]
        guard !host.isEmpty else { throw CLIUsageError("'\(text)': expected AET@HOST:PORT, the host is empty") }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw CLIUsageError("'\(text)': the port must be a number from 1 to 65535, got '\(portText)'")
        }
        return .address(aeTitle: title, host: host, port: port)
    }
}

/// The user configuration as a subcommand uses it: never committed; a remote given as `AET@HOST:PORT`
/// becomes an in-memory AE, `--aet` changes the calling AE title in memory only.
struct CLIConfiguration {
    let configuration: Configuration

    /// Loads the user configuration (`$DICOMLUA_CONFIG`, else the XDG location).
    init() throws {
        configuration = try Configuration(scope: .user)
    }

    var document: ConfigurationDocument { configuration.current }

    /// The AE name for `text` (`AET@HOST:PORT` or a configured name), of `serviceType` when it is created.
    /// - Throws: `CLIUsageError` for a malformed address or an unknown name (listing the known ones).
    func remote(_ text: String, serviceType: ServiceType = .querySCP) throws -> String {
        if document.applicationEntity(named: text) != nil { return text }
        switch try RemoteAE.parse(text) {
        case .name(let name):
            guard document.applicationEntity(named: name) != nil else {
                let known = document.applicationEntities.filter { $0.serviceType == serviceType }.map(\.name)
                throw CLIUsageError(
                    "'\(name)' is neither AET@HOST:PORT nor an application entity of \(configuration.filePath)"
                        + (known.isEmpty ? "" : " (known: \(known.joined(separator: ", ")))"))
            }
            return name
        case .address(let title, let host, let port):
            // The text itself names the in-memory AE (an AE name is 1-30 characters, any but control ones).
            let name = String(text.prefix(30))
            do {
                try configuration.setApplicationEntity(
                    ApplicationEntity(
                        name: name, aeTitle: title, hostname: host, port: port,
                        serviceList: serviceType.serviceList, serviceType: serviceType, method: "dicomlua"))
            } catch {
                throw CLIUsageError("'\(text)': \(error)")
            }
            return name
        }
    }

    /// Sets the AE title of the calling AE `entity` (in memory), as DCMTK's `-aet`.
    func setCallingTitle(_ title: String?, of entity: ApplicationEntity) throws {
        guard let title else { return }
        do {
            try configuration.setApplicationEntity(
                ApplicationEntity(
                    name: entity.name, aeTitle: title, hostname: entity.hostname, port: entity.port,
                    serviceList: entity.serviceList, serviceType: entity.serviceType, method: "dicomlua"))
        } catch {
            throw CLIUsageError("--aet: \(error)")
        }
    }

    /// Sets a key of the configuration in memory (a command-line override).
    func set(_ key: String, _ value: String) throws {
        do { try configuration.setValue(value, forKey: key) } catch { throw CLIUsageError("\(error)") }
    }
}
