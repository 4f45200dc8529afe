/// How to reach and log in to a broker. Required values are in `init`; every other knob is a `var`
/// with a documented default. ``init(url:)`` reads an `amqp://` or `amqps://` URL.
public struct AMQPConfiguration: Sendable, CustomStringConvertible {
    /// How the client proves who it is.
    public enum Authentication: Sendable {
        /// User name and password (local development; production uses certificates).
        case plain(user: String, password: String)
        /// The TLS client certificate; the broker user is the certificate's common name.
        case external
    }

    /// TLS settings. Peer verification and host name verification are on unless turned off.
    public struct TLS: Sendable {
        /// PEM file with the CA certificate(s) that signed the broker's certificate.
        public var caFile: String
        /// PEM client certificate and key, needed for EXTERNAL login and for brokers that require one.
        public var certificateFile: String?
        public var keyFile: String?
        /// Verify that the broker's certificate chains to `caFile`. Default `true`.
        public var verifyPeer: Bool = true
        /// Verify that the broker's certificate names `host` (a DNS name: 0.11 does not check IPs). Default `true`.
        public var verifyHostname: Bool = true

        public init(caFile: String, certificateFile: String? = nil, keyFile: String? = nil) {
            self.caFile = caFile
            self.certificateFile = certificateFile
            self.keyFile = keyFile
        }
    }

    /// Reconnect with exponential backoff after the connection is lost. `nil` turns reconnecting off.
    public struct Reconnect: Sendable {
        /// Wait before the first attempt. Default 100 ms.
        public var initialDelay: Duration = .milliseconds(100)
        /// Upper bound of the wait between attempts. Default 5 s.
        public var maximumDelay: Duration = .seconds(5)
        public init() {}
    }

    /// One broker node: a host name (or IP address) and a port.
    public struct Address: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
        public var description: String { "\(host):\(port)" }
    }

    public var host: String
    public var port: Int
    /// The other nodes of the same cluster. The first connect tries `host:port`, then these in order;
    /// after a lost connection the client moves on to the next node (wrapping round) and keeps trying
    /// them in turn with the reconnect backoff. Default none: one node.
    public var otherNodes: [Address] = []
    public var virtualHost: String
    public var authentication: Authentication
    /// `nil` for plain TCP.
    public var tls: TLS?
    /// Heartbeat interval proposed to the broker; `.zero` turns heartbeats off. Default 10 s.
    public var heartbeat: Duration = .seconds(10)
    /// Bound on TCP/TLS connect and on the AMQP handshake. Default 5 s.
    public var connectTimeout: Duration = .seconds(5)
    /// Bound on a synchronous request (declare, bind, qos...). Default 30 s.
    public var requestTimeout: Duration = .seconds(30)
    /// How long a publish waits while the broker blocks publishers (connection.blocked). Default 10 s.
    public var blockedPublishTimeout: Duration = .seconds(10)
    /// Default: reconnect with backoff.
    public var reconnect: Reconnect? = Reconnect()
    /// Shown in the broker's connection list (`connection_name` client property).
    public var connectionName: String?
    /// Largest frame proposed to the broker. Default 131072 (RabbitMQ's default).
    public var frameMax: Int = 131_072

    public init(host: String, port: Int, virtualHost: String = "/", authentication: Authentication, tls: TLS? = nil) {
        self.host = host
        self.port = port
        self.virtualHost = virtualHost
        self.authentication = authentication
        self.tls = tls
    }

    /// Every node, `host:port` first.
    public var addresses: [Address] { [Address(host: host, port: port)] + otherNodes }

    /// The broker as `host:port` (nodes separated by commas), for messages.
    public var brokerAddress: String { addresses.map(\.description).joined(separator: ",") }

    /// Never contains the password.
    public var description: String {
        let scheme = tls == nil ? "amqp" : "amqps"
        let user: String =
            switch authentication {
            case .plain(let user, _): "\(user)@"
            case .external: "(certificate)@"
            }
        return "\(scheme)://\(user)\(brokerAddress)/\(virtualHost == "/" ? "" : virtualHost)"
    }
}

extension AMQPConfiguration {
    /// Reads `amqp://user:password@host:port/vhost` or `amqps://host:port/vhost` (percent-encoded parts).
    /// With `amqps` and no user, login is EXTERNAL; `tls` then supplies the files. The nodes of a cluster
    /// go in one URL separated by commas: `amqps://rmq1:5671,rmq2:5671,rmq3:5671/vum` (a node without a
    /// port gets the scheme's default).
    public init(url: String, tls: TLS? = nil) throws {
        func fail(_ why: String) -> AMQPError {
            AMQPError(.invalidArgument, replyText: "broker URL \(Self.redacted(url)): \(why)")
        }
        let secure: Bool
        var rest: Substring
        if url.hasPrefix("amqps://") {
            secure = true
            rest = url.dropFirst("amqps://".count)
        } else if url.hasPrefix("amqp://") {
            secure = false
            rest = url.dropFirst("amqp://".count)
        } else {
            throw fail("must start with amqp:// or amqps://")
        }
        var vhost = "/"
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            if !path.isEmpty { vhost = try Self.percentDecoded(path, fail) }
            rest = rest[..<slash]
        }
        var auth: Authentication = .external
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let parts = userinfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let user = try Self.percentDecoded(parts[0], fail)
            let password = parts.count > 1 ? try Self.percentDecoded(parts[1], fail) : ""
            auth = .plain(user: user, password: password)
        } else if !secure {
            throw fail("amqp:// needs user:password@ (EXTERNAL login needs amqps://)")
        }
        var nodes: [Address] = []
        for node in rest.split(separator: ",", omittingEmptySubsequences: false) {
            var host = String(node)
            var port = secure ? 5671 : 5672
            if let colon = node.lastIndex(of: ":") {
                host = String(node[..<colon])
                guard let p = Int(node[node.index(after: colon)...]), (1...65535).contains(p) else {
                    throw fail("the port of node \(nodes.count + 1) is not a number between 1 and 65535")
                }
                port = p
            }
            guard !host.isEmpty else {
                throw fail(nodes.isEmpty && !rest.contains(",") ? "no host" : "node \(nodes.count + 1) has no host")
            }
            nodes.append(Address(host: host, port: port))
        }
        if secure && tls == nil { throw fail("amqps:// needs TLS settings (a CA file at least)") }
        self.init(
            host: nodes[0].host, port: nodes[0].port, virtualHost: vhost, authentication: auth, tls: secure ? tls : nil)
        otherNodes = Array(nodes.dropFirst())
    }

    static func redacted(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@"), let scheme = url.range(of: "://") else { return url }
        let userinfo = url[scheme.upperBound..<at]
        guard let colon = userinfo.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }

    private static func percentDecoded(_ s: Substring, _ fail: (String) -> AMQPError) throws -> String {
        var bytes: [UInt8] = []
        var i = s.utf8.startIndex
        let u = s.utf8
        while i < u.endIndex {
            let c = u[i]
            if c == UInt8(ascii: "%") {
                let h1 = u.index(after: i)
                guard h1 < u.endIndex, u.index(after: h1) < u.endIndex,
                    let v = UInt8(String(s[h1...u.index(after: h1)]), radix: 16)
                else { throw fail("bad percent-encoding") }
                bytes.append(v)
                i = u.index(h1, offsetBy: 2)
            } else {
                bytes.append(c)
                i = u.index(after: i)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
