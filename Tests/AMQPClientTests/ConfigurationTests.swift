import Testing

@testable import AMQPClient

@Suite("Configuration")
struct ConfigurationTests {
    @Test("an amqp URL gives host, port, vhost and PLAIN credentials")
    func plainURL() throws {
        let c = try AMQPConfiguration(url: "amqp://bron-a:s%40cret@broker.example:5673/vum")
        #expect(c.host == "broker.example")
        #expect(c.port == 5673)
        #expect(c.virtualHost == "vum")
        guard case .plain(let user, let password) = c.authentication else {
            Issue.record("expected PLAIN")
            return
        }
        #expect(user == "bron-a")
        #expect(password == "s@cret")
        #expect(c.tls == nil)
    }

    @Test("an amqps URL without user logs in with EXTERNAL and defaults to port 5671")
    func externalURL() throws {
        let c = try AMQPConfiguration(url: "amqps://broker.example/vum", tls: .init(caFile: "/etc/ca.pem"))
        #expect(c.port == 5671)
        guard case .external = c.authentication else {
            Issue.record("expected EXTERNAL")
            return
        }
        #expect(c.tls?.verifyPeer == true)
        #expect(c.tls?.verifyHostname == true)
    }

    @Test(
        "bad URLs are refused with what is wrong, and never show the password",
        arguments: [
            ("http://a:b@host", "must start with amqp://"),
            ("amqp://host", "needs user:password@"),
            ("amqp://u:secretpw@host:99999", "port"),
            ("amqps://host", "needs TLS settings"),
            ("amqp://u:secretpw@:5672", "no host"),
            ("amqp://u:secretpw@a:5672,:5673/vum", "node 2 has no host"),
            ("amqp://u:secretpw@a:5672,b:x/vum", "the port of node 2"),
            ("amqp://u:secretpw@a,,b/vum", "node 2 has no host"),
        ])
    func badURLs(url: String, why: String) {
        #expect {
            try AMQPConfiguration(url: url)
        } throws: { error in
            let text = "\(error)"
            return text.contains(why) && !text.contains("secretpw")
        }
    }

    @Test("a cluster's nodes in one URL, separated by commas; a node without a port gets the scheme's default")
    func clusterURL() throws {
        let c = try AMQPConfiguration(url: "amqp://u:p@rmq1:5673,rmq2,10.0.0.3:5674/vum")
        #expect(
            c.addresses == [
                .init(host: "rmq1", port: 5673), .init(host: "rmq2", port: 5672), .init(host: "10.0.0.3", port: 5674),
            ])
        #expect(c.host == "rmq1" && c.port == 5673)
        #expect(c.virtualHost == "vum")
        #expect(c.brokerAddress == "rmq1:5673,rmq2:5672,10.0.0.3:5674")
        #expect(c.description == "amqp://u@rmq1:5673,rmq2:5672,10.0.0.3:5674/vum")
        let single = try AMQPConfiguration(url: "amqp://u:p@rmq1/vum")
        #expect(single.otherNodes.isEmpty && single.brokerAddress == "rmq1:5672")
    }

    @Test("the description of a configuration never contains the password")
    func descriptionHidesPassword() {
        let c = AMQPConfiguration(host: "h", port: 1, authentication: .plain(user: "u", password: "hunter2"))
        #expect(!c.description.contains("hunter2"))
        #expect(c.description.contains("u@h:1"))
    }
}

@Suite("Reconnect backoff")
struct ReconnectBackoffTests {
    @Test("doubles from the initial delay up to the maximum, and starts over after reset")
    func doubling() {
        var b = ReconnectBackoff(initial: .milliseconds(100), maximum: .seconds(1))
        let delays = (0..<6).map { _ in b.nextDelay(jitter: 0) }
        #expect(
            delays == [
                .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1),
                .seconds(1),
            ])
        b.reset()
        #expect(b.nextDelay(jitter: 0) == .milliseconds(100))
    }

    @Test("jitter shortens a delay by at most a fifth")
    func jitter() {
        var b = ReconnectBackoff(initial: .seconds(1), maximum: .seconds(1))
        #expect(b.nextDelay(jitter: 1) == .milliseconds(800))
        #expect(b.nextDelay(jitter: 0.5) == .milliseconds(900))
    }

    @Test("a huge number of attempts does not overflow")
    func noOverflow() {
        var b = ReconnectBackoff(initial: .milliseconds(100), maximum: .seconds(5))
        for _ in 0..<100 { _ = b.nextDelay(jitter: 0) }
        #expect(b.nextDelay(jitter: 0) == .seconds(5))
    }
}

@Suite("Topology record")
struct TopologyRecordTests {
    @Test("a renamed server-named queue carries its bindings along; deletes forget")
    func renameAndDelete() {
        var t = TopologyRecord()
        t.record(
            .exchange(name: "x", type: .direct, durable: true, autoDelete: false, isInternal: false, arguments: [:]))
        t.record(
            .queue(
                name: "amq.gen-1", serverNamed: true, durable: false, exclusive: true, autoDelete: true, arguments: [:])
        )
        t.record(.binding(queue: "amq.gen-1", exchange: "x", routingKey: "k", arguments: [:]))
        t.record(.binding(queue: "amq.gen-1", exchange: "x", routingKey: "k", arguments: [:]))
        #expect(t.entries.count == 3)
        t.rename("amq.gen-1", to: "amq.gen-2")
        #expect(t.entries.contains { if case .binding("amq.gen-2", "x", "k", _) = $0 { true } else { false } })
        t.removeQueue("amq.gen-2")
        #expect(t.entries.count == 1)
        t.removeExchange("x")
        #expect(t.entries.isEmpty)
    }
}
