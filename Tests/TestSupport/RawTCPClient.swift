import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP client for protocol tests that must send arbitrary (malformed) bytes and observe the
/// peer's exact answer. Every read is bounded by `timeout`; the socket is closed on deinit.
public final class RawTCPClient {
    private var fd: Int32

    /// Connects to 127.0.0.1:`port`; nil if the connection fails.
    public init?(port: Int, timeout: TimeInterval = 10) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: __suseconds_t((timeout - floor(timeout)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if rc != 0 {
            close(fd)
            return nil
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    public func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads until the peer closes, `count` bytes arrived, or the read time-out passes.
    /// Returns the bytes and whether the peer closed the connection (EOF seen).
    public func read(upTo count: Int = 1 << 16) -> (bytes: [UInt8], closed: Bool) {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while result.count < count {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, min($0.count, count - result.count), 0) }
            if n == 0 { return (result, true) }
            if n < 0 { return (result, errno == ECONNRESET) }
            result += chunk[0..<n]
        }
        return (result, false)
    }

    /// Waits (bounded by the read time-out) until the peer closes; true if it did.
    public func waitForClose() -> Bool {
        while true {
            let (bytes, closed) = read(upTo: 4096)
            if closed { return true }
            if bytes.isEmpty { return false }
        }
    }
}
