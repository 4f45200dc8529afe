import AMQPClient
import Foundation
import Testing
import VUMAdapter
import VUMConformance
import VUMExchange
import VUMStandaard
import VUMTesting

/// A deliberately broken bron, on the bron's queue: it answers every zoekvraag with the evaluator's
/// matches, but leaks a detail-only field into each, or answers after the deadline.
func brokenBron(_ bron: BronID, records: [Werkzoekende], connection: AMQPConnection, leak: Bool, delay: Duration)
    async throws
    -> Task<Void, any Error>
{
    let channel = try await connection.openChannel()
    let consumer = try await channel.consume(queue: Topology.bronQueue(bron), noAck: true)
    let evaluator = Evaluator(table: testPC4Table)
    return Task {
        for try await delivery in consumer {
            guard delivery.properties.type == MessageType.zoekvraag.rawValue,
                let zoekvraag = try? MessageCodec.decode(ZoekvraagBericht.self, from: delivery.body),
                let replyTo = delivery.properties.replyTo
            else { continue }
            var matches: [JSONValue] = []
            if let vraag = try? zoekvraag.selectievraag(), let prepared = try? evaluator.prepare(vraag) {
                matches = evaluator.select(records.map(\.matchingProfiel), prepared).matches.map { profile in
                    guard leak, case .object(var o) = profile.json else { return profile.json }
                    o["emailadres"] = .array([.string("lek@example.nl")])
                    return .object(o)
                }
            }
            try await Task.sleep(for: delay)
            let bericht = GegevenssetBericht(
                vraagID: zoekvraag.vraagID, bronID: bron, gegevensset: zoekvraag.gegevensset, matches: matches,
                maximumAantalResultatenBereikt: false, genegeerdeCriteria: [])
            var envelope = Envelope(
                type: .gegevensset, correlationID: zoekvraag.vraagID, appID: "broken/1", userID: broker.user)
            envelope.bron = bron
            _ = try await channel.publish(
                MessageCodec.encode(bericht), exchange: Topology.antwoorden, routingKey: replyTo,
                properties: envelope.properties())
        }
    }
}

extension FederationSuites {
    @Suite("vum conformance: the aansluitkit against a real adapter and broken ones", .timeLimit(.minutes(3)))
    struct ConformanceTests {
        func configuration(_ bron: BronID, records: [Werkzoekende]) -> ConformanceConfiguration {
            var c = ConformanceConfiguration(bron: bron, ownUser: broker.user)
            c.bronUser = broker.user
            c.werkzoekenden = records
            c.questions = 4
            c.deadline = .seconds(2)
            c.presenceWait = .seconds(5)
            return c
        }

        @Test("vum-adapter passes every check, with its records given")
        func adapterPasses() async throws {
            let federation = try await TestFederation.start()
            defer { Task { await federation.stop() } }
            let bron = try await federation.addBron("conform")
            let records = (0..<600).map(SyntheticData(seed: 61, table: testPC4Table).werkzoekende)
            let (_, task) = federation.adapter(
                bron, source: InMemorySource(werkzoekenden: records, table: testPC4Table))
            defer { task.cancel() }
            let results = try await ConformanceKit(
                configuration: configuration(bron, records: records),
                connection: federation.connection, table: testPC4Table
            ).run()
            #expect(results.count == 8)
            for r in results { #expect(r.passed, "\(r)") }
        }

        @Test("an adapter that leaks emailadres into matching profiles fails, with the field named")
        func leakFails() async throws {
            let federation = try await TestFederation.start()
            defer { Task { await federation.stop() } }
            let bron = try await federation.addBron("lek")
            let records = (0..<400).map(SyntheticData(seed: 62, table: testPC4Table).werkzoekende)
            let fake = try await brokenBron(
                bron, records: records, connection: federation.connection, leak: true, delay: .zero)
            defer { fake.cancel() }
            var c = configuration(bron, records: records)
            c.presenceWait = .milliseconds(300)
            let results = try await ConformanceKit(
                configuration: c, connection: federation.connection, table: testPC4Table
            ).run()
            let byName = Dictionary(uniqueKeysWithValues: results.map { ($0.name, $0) })
            let leak = try #require(byName["never sends a detail-only field in a matching profile"])
            #expect(!leak.passed)
            #expect(
                leak.evidence.first?.contains("leaked: werkzoekenden question 1, match 0: emailadres") == true,
                "\(leak)")
            #expect(byName["answers every zoekvraag within its deadline"]?.passed == true)
            #expect(byName["announces itself and heartbeats on vum.aanmeldingen"]?.passed == false)
            #expect(byName["rejects a malformed question with 400.01"]?.passed == false)
        }

        @Test("a bron whose clock runs 5 s ahead fails the presence check, with how far and which way")
        func clockAheadFails() async throws {
            let federation = try await TestFederation.start()
            defer { Task { await federation.stop() } }
            let bron = try await federation.addBron("vooruit")
            let records = (0..<200).map(SyntheticData(seed: 64, table: testPC4Table).werkzoekende)
            let fake = try await brokenBron(
                bron, records: records, connection: federation.connection, leak: false, delay: .zero)
            defer { fake.cancel() }
            // Its aanmeldingen say they were sent five seconds from now.
            let announcing = Task {
                var soort = AanmeldingBericht.Soort.aanmelding
                while !Task.isCancelled {
                    try await federation.announceByHand(
                        bron, soort, sentAtMs: Envelope.nowMs() + 5000, heartbeatIntervalMs: 300)
                    soort = .heartbeat
                    try await Task.sleep(for: .milliseconds(300))
                }
            }
            defer { announcing.cancel() }
            var c = configuration(bron, records: records)
            c.questions = 1
            let results = try await ConformanceKit(
                configuration: c, connection: federation.connection, table: testPC4Table
            ).run()
            let presence = try #require(
                results.first { $0.name == "announces itself and heartbeats on vum.aanmeldingen" })
            #expect(!presence.passed)
            #expect(
                presence.evidence.contains { $0.hasPrefix("its clock is 5.0 s ahead of this machine's") }
                    || presence.evidence.contains { $0.hasPrefix("its clock is 4.9 s ahead of this machine's") },
                "\(presence)")
            #expect(results.first { $0.name == "answers every zoekvraag within its deadline" }?.passed == true)
        }

        @Test("an adapter that ignores the deadline fails the deadline check, with how late it was")
        func lateFails() async throws {
            let federation = try await TestFederation.start()
            defer { Task { await federation.stop() } }
            let bron = try await federation.addBron("laat")
            let records = (0..<200).map(SyntheticData(seed: 63, table: testPC4Table).werkzoekende)
            let fake = try await brokenBron(
                bron, records: records, connection: federation.connection, leak: false,
                delay: .milliseconds(1500))
            defer { fake.cancel() }
            var c = configuration(bron, records: records)
            c.presenceWait = .milliseconds(300)
            c.questions = 2
            c.deadline = .seconds(1)
            let results = try await ConformanceKit(
                configuration: c, connection: federation.connection, table: testPC4Table
            ).run()
            let late = try #require(results.first { $0.name == "answers every zoekvraag within its deadline" })
            #expect(!late.passed)
            #expect(
                late.evidence.contains {
                    $0.contains("past the deadline") || $0.contains("no answer within the deadline")
                }, "\(late)")
        }

        @Test("vum conformance from the command line: exit 0 and a PASS per check against vum-adapter")
        func commandLine() async throws {
            let federation = try await TestFederation.start()
            defer { Task { await federation.stop() } }
            let bron = try await federation.addBron("cli")
            let records = (0..<300).map(SyntheticData(seed: 64, table: testPC4Table).werkzoekende)
            let (_, task) = federation.adapter(
                bron, source: InMemorySource(werkzoekenden: records, table: testPC4Table))
            defer { task.cancel() }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent(
                "conformance-\(UUID().uuidString).ndjson")
            try records.map { $0.json.serialized() }.joined(separator: "\n").write(
                to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            let vum = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
                "vum"
            ).path
            let result = try await ChildProcess.run(
                "/usr/bin/env",
                [
                    "VUM_BROKER_PASSWORD=\(broker.password)", vum, "conformance", "--bron", bron.rawValue,
                    "--broker", "amqp://\(broker.user)@\(broker.host):\(broker.port)/vum", "--bron-user", broker.user,
                    "--data", file.path, "--vragen", "3", "--deadline", "3000", "--wacht-op-aanmelding", "5", "--pc4",
                    testPC4TablePath,
                ])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("all 8 checks passed"), "\(result.output)")
            #expect(result.output.components(separatedBy: "PASS ").count == 9)
        }
    }
}
