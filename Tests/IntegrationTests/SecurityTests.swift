import AMQPClient
import Foundation
import Testing
import VUMAggregator
import VUMDeploy
import VUMExchange
import VUMStandaard
import VUMTesting

/// Least privilege on the broker, proved on a node shaped like production: TLS only, a client
/// certificate required, EXTERNAL login (the user is the certificate's common name), and the
/// definitions `vum deploy definitions` generates. Each test asserts the broker's refusal.
@Suite(
    "Security: a TLS-only broker with generated definitions refuses what a partner may not do", .serialized,
    .timeLimit(.minutes(4)))
struct SecurityTests {
    static let federatie = """
        bronnen:
          - {id: bron-a, gegevenssets: [werkzoekenden]}
          - {id: bron-b, gegevenssets: [vacatures]}
        bemiddelaars:
          - {oin: "00000001002220647000", naam: Gemeente, suwi: true, gegevenssets: [werkzoekenden, vacatures], amqp: gemeente}
          - {oin: "00000003012345678000", naam: Uitzendbureau, suwi: false, gegevenssets: [werkzoekenden, vacatures]}
        auditors:
          - {naam: inspectie}
        """
    static let users = [
        "bron-bron-a", "bron-bron-b", "aggregator", "auditor-inspectie", "bemiddelaar-gemeente", "operator",
    ]

    /// A TLS-only node loaded with the generated definitions and a certificate per user; `body` gets a
    /// way to connect as any of them.
    func withNode(
        _ body: (PrivateBroker, (String) async throws -> AMQPConnection, BrokerEnvironment) async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vum-security-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let definitions = folder.appendingPathComponent("definitions.json")
        try BrokerDefinitions(try Federatie(yaml: Self.federatie)).json.serializedPretty().write(
            to: definitions, atomically: true, encoding: .utf8)
        try await PrivateBroker.with(
            name: "security",
            arguments: [
                "--tls-only", "--definitions", definitions.path,
                "--client-certs", Self.users.joined(separator: " "),
            ]
        ) { node in
            let env = try node.environment()
            let dir = try #require(env.brokerDirectory)
            func connect(_ user: String) async throws -> AMQPConnection {
                try await AMQPConnection.connect(
                    self.configuration(
                        env, certificate: "\(dir)/tls/clients/\(user).pem",
                        key: "\(dir)/tls/clients/\(user).key"))
            }
            try await body(node, connect, env)
        }
    }

    func configuration(_ env: BrokerEnvironment, certificate: String?, key: String?) throws -> AMQPConfiguration {
        var tls = AMQPConfiguration.TLS(caFile: try #require(env.caFile), certificateFile: certificate, keyFile: key)
        tls.verifyPeer = true
        tls.verifyHostname = true
        var c = AMQPConfiguration(
            host: "localhost", port: try #require(env.tlsPort), virtualHost: Topology.virtualHost,
            authentication: .external, tls: tls)
        c.reconnect = nil
        return c
    }

    /// Publishes on a confirm channel and returns what the broker did: a refusal closes the channel.
    func publish(_ connection: AMQPConnection, exchange: String, routingKey: String = "", userID: String? = nil)
        async throws
    {
        let channel = try await connection.openChannel()
        try await channel.enableConfirms()
        _ = try await channel.publish(
            Data("{}".utf8), exchange: exchange, routingKey: routingKey,
            properties: AMQPProperties(userID: userID))
        await channel.close()
    }

    @Test(
        "a bron: only its own queue, only vum.antwoorden and vum.aanmeldingen, nothing declared or deleted, no forged user_id"
    )
    func bron() async throws {
        try await withNode { _, connect, _ in
            let a = try await connect("bron-bron-a")
            // Its own queue: yes.
            let own = try await a.openChannel()
            _ = try await own.consume(queue: "vum.bron.bron-a")
            // Another bron's queue: refused.
            await expectAMQPError(.accessRefused) { _ = try await a.openChannel().consume(queue: "vum.bron.bron-b") }
            // Answers and presence: allowed, as itself.
            try await publish(a, exchange: Topology.antwoorden, routingKey: "amq.gen-x", userID: "bron-bron-a")
            try await publish(a, exchange: Topology.aanmeldingen, userID: "bron-bron-a")
            // Questions, procesgegevens, the default exchange: refused.
            for exchange in [Topology.zoekvragen, Topology.procesgegevens, Topology.detailverzoeken, ""] {
                await expectAMQPError(.accessRefused) {
                    try await publish(a, exchange: exchange, routingKey: "vum.bron.bron-b")
                }
            }
            // An answer in another's name: the broker checks user_id.
            await expectAMQPError(.preconditionFailed) {
                try await publish(a, exchange: Topology.antwoorden, routingKey: "amq.gen-x", userID: "bron-bron-b")
            }
            // Declare or delete anything: refused (configure permission is empty).
            await expectAMQPError(.accessRefused) {
                _ = try await a.openChannel().declareQueue("vum.bron.bron-a.extra")
            }
            await expectAMQPError(.accessRefused) { _ = try await a.openChannel().declareQueue(exclusive: true) }
            await expectAMQPError(.accessRefused) { _ = try await a.openChannel().deleteQueue("vum.bron.bron-a") }
            await expectAMQPError(.accessRefused) {
                try await a.openChannel().declareExchange("vum.eigen", type: .fanout)
            }
            await expectAMQPError(.accessRefused) { try await a.openChannel().deleteExchange(Topology.antwoorden) }
            await expectAMQPError(.accessRefused) {
                try await a.openChannel().bindQueue(
                    "vum.bron.bron-a", exchange: Topology.procesgegevens, routingKey: "#")
            }
            await a.close()
        }
    }

    @Test("an auditor reads the audit queue and nothing else; it cannot publish a procesgebeurtenis")
    func auditor() async throws {
        try await withNode { _, connect, _ in
            let auditor = try await connect("auditor-inspectie")
            _ = try await auditor.openChannel().consume(queue: Topology.audit)
            for queue in ["vum.bron.bron-a", Topology.verzoeken, Topology.deadLetterQueue] {
                await expectAMQPError(.accessRefused) { _ = try await auditor.openChannel().consume(queue: queue) }
            }
            await expectAMQPError(.accessRefused) {
                try await publish(auditor, exchange: Topology.procesgegevens, routingKey: "zoekvraag.ontvangen")
            }
            // (RabbitMQ ties queue.purge to the read permission: an auditor could purge the queue it reads.
            // Docs/operations.md says so; the trail already stored is not touched by it.)
            await auditor.close()
        }
    }

    @Test("a bemiddelaar on the bus asks on vum.verzoeken only; it cannot read answers or questions")
    func bemiddelaar() async throws {
        try await withNode { _, connect, _ in
            let b = try await connect("bemiddelaar-gemeente")
            let channel = try await b.openChannel()
            let replies = try await channel.declareQueue(exclusive: true)
            _ = try await channel.consume(queue: replies.name)
            try await publish(b, exchange: Topology.verzoeken, userID: "bemiddelaar-gemeente")
            await expectAMQPError(.accessRefused) { try await publish(b, exchange: Topology.zoekvragen) }
            await expectAMQPError(.accessRefused) {
                try await b.openChannel().bindQueue(
                    replies.name, exchange: Topology.antwoorden, routingKey: "amq.gen-aggregator")
            }
            await expectAMQPError(.accessRefused) { _ = try await b.openChannel().consume(queue: Topology.verzoeken) }
            await b.close()
        }
    }

    @Test("no certificate, a certificate of another CA, an expired certificate, a password: all refused")
    func certificates() async throws {
        try await withNode { _, _, env in
            let dir = try #require(env.brokerDirectory)
            // No client certificate: the TLS handshake fails (fail_if_no_peer_cert).
            await expectRefused {
                _ = try await AMQPConnection.connect(try self.configuration(env, certificate: nil, key: nil))
            }
            await expectRefused {
                _ = try await AMQPConnection.connect(
                    try self.configuration(
                        env, certificate: "\(dir)/tls/rogue-client.pem",
                        key: "\(dir)/tls/rogue-client.key"))
            }
            await expectRefused {
                _ = try await AMQPConnection.connect(
                    try self.configuration(
                        env, certificate: "\(dir)/tls/expired-client.pem",
                        key: "\(dir)/tls/expired-client.key"))
            }
            // A password over TLS: PLAIN is not offered.
            var plain = try self.configuration(
                env, certificate: "\(dir)/tls/clients/bron-bron-a.pem", key: "\(dir)/tls/clients/bron-bron-a.key")
            plain.authentication = .plain(user: "bron-bron-a", password: "x")
            await expectRefused { _ = try await AMQPConnection.connect(plain) }
            // And no plain listener at all.
            var tcp = AMQPConfiguration(
                host: "localhost", port: env.port, virtualHost: Topology.virtualHost,
                authentication: .plain(user: "operator", password: "x"))
            tcp.reconnect = nil
            await expectRefused { _ = try await AMQPConnection.connect(tcp) }
        }
    }

    @Test("a revoked partner is cut off at once, without restarting the broker, and cannot come back")
    func revoke() async throws {
        try await withNode { node, connect, _ in
            let a = try await connect("bron-bron-a")
            let consumer = try await a.openChannel().consume(queue: "vum.bron.bron-a")
            // The operator revokes: permissions cleared, connections closed (Docs/operations.md).
            try await node.ctl(["clear_permissions", "-p", Topology.virtualHost, "bron-bron-a"])
            try await node.ctl(["close_all_user_connections", "bron-bron-a", "revoked by the operator"])
            let ended: Bool = await {
                do { for try await _ in consumer {} } catch { return true }
                return true
            }()
            #expect(ended)
            // Its certificate still verifies, but the vhost is closed to it.
            await expectRefused { _ = try await connect("bron-bron-a") }
            // Others are untouched.
            let b = try await connect("bron-bron-b")
            _ = try await b.openChannel().consume(queue: "vum.bron.bron-b")
            await b.close()
        }
    }

    @Test(
        "the aggregator with least privilege on TLS: an answer from bron B in bron A's name is dropped; a non-SUWI party gets no werkzoekenden"
    )
    func aggregator() async throws {
        try await withNode { _, connect, _ in
            let registry = try Registry(json: BrokerDefinitions(try Federatie(yaml: Self.federatie)).registry)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "vum-security-agg-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let exchangeOIN = try OIN(validating: "00000009000000000001")
            let aggregatorConnection = try await connect("aggregator")
            let aggregator = AggregatorService(
                configuration: AggregatorConfiguration(brokerUser: "aggregator", exchangeOIN: exchangeOIN),
                registry: registry,
                connection: aggregatorConnection,
                store: try SQLiteRequestStore(path: folder.appendingPathComponent("requests.sqlite").path),
                vumIDSecret: VumIDs.randomSecret(), table: testPC4Table)
            let running = Task { try await aggregator.run() }
            defer { running.cancel() }
            try await aggregator.waitUntilReady()

            // Bron A, by hand: announces itself, then answers the question it receives.
            let bronA = try BronID(validating: "bron-a")
            let a = try await connect("bron-bron-a")
            let b = try await connect("bron-bron-b")
            let aChannel = try await a.openChannel()
            var announce = Envelope(type: .aanmelding, appID: "tests/1", userID: "bron-bron-a")
            announce.bron = bronA
            try await aChannel.publish(
                MessageCodec.encode(
                    AanmeldingBericht(
                        bronID: bronA, soort: .aanmelding, gegevenssets: [.werkzoekenden],
                        versie: "t", ondersteundeCriteria: [], heartbeatIntervalMs: 60_000)),
                exchange: Topology.aanmeldingen, routingKey: "", properties: announce.properties())
            let end = ContinuousClock.now + .seconds(10)
            while aggregator.presence.entries[bronA]?.online != true, ContinuousClock.now < end {
                try await Task.sleep(for: .milliseconds(20))
            }
            let inbox = try await aChannel.consume(queue: "vum.bron.bron-a", noAck: true)
            let profile = SyntheticData(seed: 5, table: testPC4Table).werkzoekende(0).matchingProfiel
            let answering = Task {
                for try await delivery in inbox {
                    guard let vraag = try? MessageCodec.decode(ZoekvraagBericht.self, from: delivery.body),
                        let replyTo = delivery.properties.replyTo
                    else { continue }
                    // Bron B, as itself (the broker allows its own user_id), claims to be bron A, with a match.
                    var forged = Envelope(
                        type: .gegevensset, correlationID: vraag.vraagID, appID: "tests/1", userID: "bron-bron-b")
                    forged.bron = bronA
                    try await b.openChannel().publish(
                        MessageCodec.encode(
                            GegevenssetBericht(
                                vraagID: vraag.vraagID, bronID: bronA, gegevensset: .werkzoekenden,
                                matches: [profile.json],
                                maximumAantalResultatenBereikt: false, genegeerdeCriteria: [])),
                        exchange: Topology.antwoorden,
                        routingKey: replyTo, properties: forged.properties())
                    try await Task.sleep(for: .milliseconds(200))
                    // Bron A's own answer: nothing found.
                    var genuine = Envelope(
                        type: .gegevensset, correlationID: vraag.vraagID, appID: "tests/1", userID: "bron-bron-a")
                    genuine.bron = bronA
                    try await aChannel.publish(
                        MessageCodec.encode(
                            GegevenssetBericht(
                                vraagID: vraag.vraagID, bronID: bronA, gegevensset: .werkzoekenden, matches: [],
                                maximumAantalResultatenBereikt: false, genegeerdeCriteria: [])),
                        exchange: Topology.antwoorden,
                        routingKey: replyTo, properties: genuine.properties())
                    return
                }
            }
            let vraag = try JSONValue.parse(#"{"selectiegebied":{"postcode":"3511AB","afstand":50}}"#)
            let antwoord = try await aggregator.zoek(
                Zoekverzoek(
                    gegevensset: .werkzoekenden, vraagObject: vraag,
                    fromParty: try OIN(validating: "00000001002220647000"), deadline: .seconds(5)))
            try await answering.value
            #expect(antwoord.matches.isEmpty, "the forged match was merged")
            #expect(antwoord.bronnen.first { $0.bron == bronA }?.status == .geenResultaten, "\(antwoord.bronnen)")
            // A party that is not SUWI is refused job-seeker profiles before anything is asked.
            do {
                _ = try await aggregator.zoek(
                    Zoekverzoek(
                        gegevensset: .werkzoekenden, vraagObject: vraag,
                        fromParty: try OIN(validating: "00000003012345678000")))
                Issue.record("a non-SUWI party got werkzoekenden")
            } catch {
                #expect((error as? Fout)?.code == "403", "\(error)")
            }
            await a.close()
            await b.close()
            running.cancel()
            _ = try? await running.value
            await aggregatorConnection.close()
        }
    }

    /// The connection attempt fails with any AMQP error (TLS, login or access): refused is refused.
    func expectRefused(sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("expected the broker to refuse, but it accepted", sourceLocation: sourceLocation)
        } catch let error as AMQPError {
            #expect(
                [
                    .tls, .loginRefused, .accessRefused, .connectionClosed, .connectionLost, .notAllowed,
                    .connectionRefused,
                ].contains(error.code),
                "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }
}
