import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a `DICOMServer` could not listen, in words an administrator acts on (the port and address named).
public struct ServerStartError: Error, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// The system error number of the failed `bind`/`listen` (0 when unknown).
    public var errno: Int32
    /// The underlying error's own text.
    public var detail: String

    public var description: String {
        switch errno {
        case EADDRINUSE:
            return "port \(port) on \(host) is already in use (another process listens there)"
        case EACCES:
            return "port \(port) on \(host) needs privileges (ports below 1024 need root or CAP_NET_BIND_SERVICE)"
        case EADDRNOTAVAIL:
            return "cannot listen on \(host) port \(port): \(host) is not an address of this machine"
        default:
            return "cannot listen on \(host) port \(port): \(detail)"
        }
    }

    /// Wraps an error of `bind`: an `IOError` keeps its errno; anything else (an unresolvable host) its text.
    init(host: String, port: Int, error: any Error) {
        self.host = host
        self.port = port
        self.errno = (error as? IOError)?.errnoCode ?? 0
        self.detail = "\(error)"
    }
}
