import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A misbehaving TCP peer for fault tests: sends whatever bytes it is given, can stop half-way, reset the
/// connection (RST via `SO_LINGER` 0) or just go quiet. Reads are bounded by `timeout`; the socket is closed
/// on deinit. (`RawTCPClient` cannot reset: its descriptor is private.)
public final class FaultyPeer {
    private var fd: Int32

    /// Connects to 127.0.0.1:`port`; nil if the connection fails.
    public init?(port: Int, timeout: TimeInterval = 10) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: __suseconds_t((timeout - floor(timeout)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
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
            fd = -1
            return nil
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Sends all of `bytes` (or as much as the connection takes before failing).
    public func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count, fd >= 0 {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    /// Reads exactly `count` bytes unless the peer closes or the read time-out passes first.
    public func read(exactly count: Int) -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while result.count < count, fd >= 0 {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, min($0.count, count - result.count), 0) }
            if n <= 0 { break }
            result += chunk[0..<n]
        }
        return result
    }

    /// Reads one PDU (6-byte header, then its body); nil on close or time-out. Bodies above 1 MiB are not
    /// read (a test peer never expects one).
    public func readPDU() -> (type: UInt8, body: [UInt8])? {
        let header = read(exactly: 6)
        guard header.count == 6 else { return nil }
        let length = header[2...5].reduce(0) { $0 << 8 | Int($1) }
        guard length <= 1 << 20 else { return nil }
        let body = read(exactly: length)
        guard body.count == length else { return nil }
        return (header[0], body)
    }

    /// Waits (bounded by the read time-out) until the peer closes; true if it did.
    public func waitForClose() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while fd >= 0 {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
        return true
    }

    /// Aborts the connection with a TCP RST (linger 0, then close): the other side sees ECONNRESET.
    public func reset() {
        guard fd >= 0 else { return }
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close(fd)
        fd = -1
    }
}
