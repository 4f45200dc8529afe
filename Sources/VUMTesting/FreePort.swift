import Glibc
import VUMStandaard

/// A TCP port on 127.0.0.1 that nothing listens on right now, for a daemon or broker node under test.
///
/// Picked below the kernel's ephemeral range (`ip_local_port_range`), so that no outgoing connection can
/// be given it as its own port: a client that reconnects to a stopped node on an ephemeral port can, now
/// and then, be handed that very port and connect to itself (TCP simultaneous open), and the node then
/// cannot listen on it again when it restarts (`eaddrinuse`). Another process could still take the port
/// before the daemon binds it, which on a test machine is rare.
public func freeTCPPort() -> Int {
    let low = ephemeralLow()
    // Below the ephemeral range when there is room there, else anywhere the kernel gives.
    if low > 11_000 {
        for _ in 0..<200 {
            let port = Int.random(in: 10_000..<low)
            if canBind(port) { return port }
        }
    }
    return kernelPort()
}

/// The first port the kernel gives outgoing connections (`ip_local_port_range`; Linux's default 32768).
func ephemeralLow() -> Int {
    let text = try? FileContents.text("/proc/sys/net/ipv4/ip_local_port_range")
    return text?.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
}

/// Binds 127.0.0.1:`port` (0: the kernel picks) and returns the port bound, or nil.
private func bound(_ port: Int) -> Int? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port)).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    return ok ? Int(UInt16(bigEndian: address.sin_port)) : nil
}

private func canBind(_ port: Int) -> Bool { bound(port) == port }

private func kernelPort() -> Int { bound(0) ?? 0 }
