import AMQPClient
import Foundation
import Testing
import VUMAdapter
import VUMExchange
import VUMStandaard
import VUMTesting

/// The aggregator's side of a test federation in vhost `vum`: the exchanges, a reply queue, a presence
/// queue and a dead-letter queue of its own, and bron queues created per test.
struct TestFederation {
    let connection: AMQPConnection
    let channel: AMQPChannel
    let replyQueue: String
    let answers: Inbox<AMQPDelivery>
    let presence: Inbox<AMQPDelivery>
    let dead: Inbox<AMQPDelivery>
    let tasks: [Task<Void, Never>]

    /// `configuration`: another broker than the run's; `durable`: queues that survive a broker restart;
    /// `quorum`: bron queues as a cluster's definitions declare them (replicated quorum queues).
    static func start(configuration: AMQPConfiguration? = nil, durable: Bool = false, quorum: Bool = false) async throws
        -> TestFederation
    {
        let connection: AMQPConnection
        if var configuration {
            configuration.virtualHost = Topology.virtualHost
            connection = try await AMQPConnection.connect(configuration)
        } else {
            connection = try await connect { $0.virtualHost = Topology.virtualHost }
        }
        let channel = try await connection.openChannel()
        try await channel.declareExchange(Topology.zoekvragen, type: .fanout)
        try await channel.declareExchange(Topology.detailverzoeken, type: .direct)
        try await channel.declareExchange(Topology.antwoorden, type: .direct)
        try await channel.declareExchange(Topology.aanmeldingen, type: .fanout)
        try await channel.declareExchange(Topology.deadLetterExchange, type: .fanout)
        let reply =
            durable
            ? try await channel.declareQueue("test.replies.\(UUID().uuidString.prefix(8))", durable: true)
            : try await channel.declareQueue(exclusive: true)
        try await channel.bindQueue(reply.name, exchange: Topology.antwoorden, routingKey: reply.name)
        let presence = try await channel.declareQueue(exclusive: true)
        try await channel.bindQueue(presence.name, exchange: Topology.aanmeldingen)
        let dead = try await channel.declareQueue(exclusive: true)
        try await channel.bindQueue(dead.name, exchange: Topology.deadLetterExchange)
        let (answers, t1) = try await channel.consume(queue: reply.name, noAck: true).collect()
        let (present, t2) = try await channel.consume(queue: presence.name, noAck: true).collect()
        let (deadLetters, t3) = try await channel.consume(queue: dead.name, noAck: true).collect()
        return TestFederation(
            connection: connection, channel: channel, replyQueue: reply.name, answers: answers,
            presence: present, dead: deadLetters, tasks: [t1, t2, t3], durable: durable, quorum: quorum)
    }

    let durable: Bool
    let quorum: Bool

    init(
        connection: AMQPConnection, channel: AMQPChannel, replyQueue: String, answers: Inbox<AMQPDelivery>,
        presence: Inbox<AMQPDelivery>, dead: Inbox<AMQPDelivery>, tasks: [Task<Void, Never>], durable: Bool,
        quorum: Bool = false
    ) {
        self.connection = connection
        self.channel = channel
        self.replyQueue = replyQueue
        self.answers = answers
        self.presence = presence
        self.dead = dead
        self.tasks = tasks
        self.durable = durable
        self.quorum = quorum
    }

    /// A bron queue as the definitions declare it: dead-lettering to vum.dlx, bound to both exchanges.
    func addBron(_ name: String) async throws -> BronID {
        let bron = try BronID(validating: "\(name)-\(UUID().uuidString.prefix(6).lowercased())")
        let queue = Topology.bronQueue(bron)
        // Not auto-delete: it must outlive an adapter's restart. x-expires removes it a minute after last use.
        if quorum {
            try await channel.declareQueue(
                queue, durable: true,
                arguments: [
                    "x-dead-letter-exchange": .string(Topology.deadLetterExchange),
                    "x-queue-type": .string("quorum"),
                ])
        } else {
            try await channel.declareQueue(
                queue, durable: durable,
                arguments: [
                    "x-dead-letter-exchange": .string(Topology.deadLetterExchange),
                    "x-expires": .int32(60_000),
                ])
        }
        try await channel.bindQueue(queue, exchange: Topology.zoekvragen)
        try await channel.bindQueue(queue, exchange: Topology.detailverzoeken, routingKey: bron.rawValue)
        return bron
    }

    /// Announces `bron` by hand (werkzoekenden, online for a minute), without an adapter: a bron that never
    /// answers, or one the test answers for itself.
    /// `sentAtMs`: the sending time the aanmelding claims (a bron's clock that is off).
    func announceByHand(
        _ bron: BronID, _ soort: AanmeldingBericht.Soort = .aanmelding, sentAtMs: Int64 = Envelope.nowMs(),
        heartbeatIntervalMs: Int = 60_000
    ) async throws {
        var envelope = Envelope(type: .aanmelding, appID: "tests/1", userID: broker.user, sentAtMs: sentAtMs)
        envelope.bron = bron
        try await channel.publish(
            MessageCodec.encode(
                AanmeldingBericht(
                    bronID: bron, soort: soort, gegevenssets: [.werkzoekenden], versie: "t",
                    ondersteundeCriteria: [], heartbeatIntervalMs: heartbeatIntervalMs)),
            exchange: Topology.aanmeldingen, routingKey: "", properties: envelope.properties())
    }

    func adapter(
        _ bron: BronID, source: some BronSource, connection: AMQPConnection? = nil,
        configure: (inout AdapterConfiguration) -> Void = { _ in }
    ) -> (AdapterService, Task<Void, any Error>) {
        var configuration = AdapterConfiguration(bron: bron)
        configuration.brokerUser = broker.user
        configuration.heartbeatInterval = .seconds(1)
        configure(&configuration)
        let service = AdapterService(
            configuration: configuration, connection: connection ?? self.connection, source: source,
            table: testPC4Table)
        return (service, Task { try await service.run() })
    }

    func ask(
        _ vraagObject: String, gegevensset: Gegevensset = .werkzoekenden, vraagID: String = UUID().uuidString,
        deadlineMs: Int64 = Envelope.nowMs() + 5000, sentAtMs: Int64 = Envelope.nowMs()
    ) async throws -> String {
        let payload = ZoekvraagBericht(
            vraagID: vraagID, gegevensset: gegevensset, vraagObject: try JSONValue.parse(vraagObject))
        let envelope = Envelope(
            type: .zoekvraag, correlationID: vraagID, appID: "tests/1", userID: broker.user,
            replyTo: replyQueue, sentAtMs: sentAtMs, deadlineMs: deadlineMs)
        try await channel.publish(
            MessageCodec.encode(payload), exchange: Topology.zoekvragen, routingKey: "",
            properties: envelope.properties())
        return vraagID
    }

    /// The answer to `vraagID` from `bron` (other tests' adapters may answer too; nothing is taken away).
    func answer(to vraagID: String, from bron: BronID, timeout: Duration = .seconds(10)) async throws -> (
        Envelope, GegevenssetBericht
    ) {
        let d = try await answers.first(timeout: timeout, "answer from \(bron)") {
            $0.properties.correlationID == vraagID && $0.properties.headers?[Header.bron]?.stringValue == bron.rawValue
        }
        return (try Envelope(properties: d.properties), try MessageCodec.decode(GegevenssetBericht.self, from: d.body))
    }

    func announcement(from bron: BronID, _ soort: AanmeldingBericht.Soort) async throws -> AanmeldingBericht {
        let d = try await presence.first(timeout: .seconds(10), "\(soort) from \(bron)") {
            guard let a = try? MessageCodec.decode(AanmeldingBericht.self, from: $0.body) else { return false }
            return a.bronID == bron && a.soort == soort
        }
        return try MessageCodec.decode(AanmeldingBericht.self, from: d.body)
    }

    func stop() async {
        for t in tasks { t.cancel() }
        await connection.close()
    }
}

/// What the evaluator answers to `question` over `people`: what every source must answer.
func evaluatorAnswer(_ people: [Werkzoekende], _ question: String, limit: Int = 100) throws
    -> (matches: [WerkzoekendeMatchingProfiel], maximumAantalResultatenBereikt: Bool)
{
    let evaluator = Evaluator(table: testPC4Table)
    let prepared = try evaluator.prepare(Selectievraag(json: JSONValue.parse(question), gegevensset: .werkzoekenden))
    return evaluator.select(people.map(\.matchingProfiel), prepared, limit: limit)
}

extension FederationSuites {
    @Suite("vum-adapter against a real broker", .timeLimit(.minutes(2)))
    struct AdapterTests {
        let data = SyntheticData(seed: 99, table: testPC4Table)
        let question =
            #"{"selectiegebied":{"postcode":"3511AB","afstand":60},"werktijden.aantalWerkurenPerWeekMaximaal":{"$gte":24},"leeftijd":{"$gte":18}}"#

        @Test("announces itself, answers a zoekvraag with what the evaluator finds, and says goodbye on shutdown")
        func answersAndAnnounces() async throws {
            let federation = try await TestFederation.start()
            let bron = try await federation.addBron("gemeente")
            let people = (0..<400).map(data.werkzoekende)
            let (service, task) = federation.adapter(
                bron, source: InMemorySource(werkzoekenden: people, table: testPC4Table))
            let aanmelding = try await federation.announcement(from: bron, .aanmelding)
            #expect(aanmelding.gegevenssets == [.werkzoekenden])
            #expect(aanmelding.ondersteundeCriteria.contains("werktijden.aantalWerkurenPerWeekMaximaal"))
            _ = try await federation.announcement(from: bron, .heartbeat)

            let vraagID = try await federation.ask(question)
            let (envelope, antwoord) = try await federation.answer(to: vraagID, from: bron)
            let expected = try evaluatorAnswer(people, question)
            #expect(antwoord.fout == nil)
            #expect(!expected.matches.isEmpty)
            #expect(
                antwoord.matchingProfielen(as: WerkzoekendeMatchingProfiel.self).valid.map(\.idWerkzoekende)
                    == expected.matches.map(\.idWerkzoekende))
            #expect(antwoord.genegeerdeCriteria == ["leeftijd"])
            #expect(
                envelope.type == .gegevensset && envelope.userID == broker.user && envelope.correlationID == vraagID)

            task.cancel()
            try await task.value
            _ = try await federation.announcement(from: bron, .afmelding)
            #expect(service.counters.answered >= 1)
            await federation.stop()
        }

        @Test("skips a question whose deadline passed, and ignores one for a dataset it does not hold")
        func expiredAndOtherDataset() async throws {
            let federation = try await TestFederation.start()
            let bron = try await federation.addBron("uitzendbureau")
            let (service, task) = federation.adapter(
                bron, source: InMemorySource(vacatures: (0..<50).map(data.vacature), table: testPC4Table))
            _ = try await federation.announcement(from: bron, .aanmelding)
            // A deadline in the past without an expiration property: the adapter itself must notice.
            var properties = Envelope(
                type: .zoekvraag, correlationID: "late", appID: "tests/1", userID: broker.user,
                replyTo: federation.replyQueue, deadlineMs: Envelope.nowMs() - 1000
            ).properties()
            properties.expiration = nil
            let payload = ZoekvraagBericht(
                vraagID: "late", gegevensset: .vacatures, vraagObject: try JSONValue.parse(question))
            try await federation.channel.publish(
                MessageCodec.encode(payload), exchange: Topology.zoekvragen, routingKey: "",
                properties: properties)
            let otherDataset = try await federation.ask(question, gegevensset: .werkzoekenden)
            let vraagID = try await federation.ask(
                #"{"selectiegebied":{"postcode":"3511AB","afstand":100}}"#, gegevensset: .vacatures)
            let (_, antwoord) = try await federation.answer(to: vraagID, from: bron)
            #expect(antwoord.fout == nil)
            #expect(service.counters.expired == 1)
            // Fan-out questions of tests running beside this one reach this adapter too, so count at least ours,
            // and check that neither of our two skipped questions got an answer from this bron.
            #expect(service.counters.ignoredOtherDataset >= 1)
            let fromThisBron = await federation.answers.items.filter {
                ($0.properties.correlationID == otherDataset || $0.properties.correlationID == "late")
                    && $0.properties.headers?[Header.bron]?.stringValue == bron.rawValue
            }
            #expect(fromThisBron.isEmpty)
            task.cancel()
            try await task.value
            await federation.stop()
        }

        @Test("answers a detail request, with contact data only when the record and the policy allow it")
        func details() async throws {
            let federation = try await TestFederation.start()
            let bron = try await federation.addBron("uwv")
            let people = (0..<100).map(data.werkzoekende)
            let withContact = try #require(
                people.first {
                    $0.matchingProfiel.indicatieBeschikbaarheidContactgegevens == .ja && !$0.emailadres.isEmpty
                })
            let (_, task) = federation.adapter(bron, source: InMemorySource(werkzoekenden: people, table: testPC4Table))
            _ = try await federation.announcement(from: bron, .aanmelding)

            func request(_ id: String) async throws -> DetailBericht {
                let requestID = UUID().uuidString
                let payload = DetailverzoekBericht(
                    vraagID: "v", gegevensset: .werkzoekenden, recordID: try RecordID(validating: id))
                var envelope = Envelope(
                    type: .detailverzoek, correlationID: requestID, appID: "tests/1", userID: broker.user,
                    replyTo: federation.replyQueue, deadlineMs: Envelope.nowMs() + 5000)
                envelope.bron = bron
                try await federation.channel.publish(
                    MessageCodec.encode(payload), exchange: Topology.detailverzoeken,
                    routingKey: bron.rawValue, properties: envelope.properties())
                let d = try await federation.answers.first(timeout: .seconds(10), "detail") {
                    $0.properties.correlationID == requestID
                }
                return try MessageCodec.decode(DetailBericht.self, from: d.body)
            }
            let detail = try await request(withContact.recordID.rawValue)
            #expect(try detail.werkzoekendeRecord() == withContact)
            let missing = try await request("does-not-exist")
            #expect(missing.fout?.code == "404")
            task.cancel()
            try await task.value

            let (_, private_) = federation.adapter(
                bron, source: InMemorySource(werkzoekenden: people, table: testPC4Table)
            ) {
                $0.releaseContactData = false
            }
            let withheld = try await request(withContact.recordID.rawValue)
            #expect(try withheld.werkzoekendeRecord()?.emailadres == [])
            #expect(try withheld.werkzoekendeRecord()?.matchingProfiel == withContact.matchingProfiel)
            private_.cancel()
            try await private_.value
            await federation.stop()
        }

        @Test("a malformed message goes to the dead-letter queue and is answered 400.01; the adapter keeps serving")
        func malformedMessage() async throws {
            let federation = try await TestFederation.start()
            let bron = try await federation.addBron("regio")
            let (service, task) = federation.adapter(
                bron, source: InMemorySource(werkzoekenden: (0..<20).map(data.werkzoekende), table: testPC4Table))
            _ = try await federation.announcement(from: bron, .aanmelding)
            let poisonID = UUID().uuidString
            let properties = Envelope(
                type: .zoekvraag, messageID: poisonID, correlationID: "poison", appID: "tests/1",
                userID: broker.user, replyTo: federation.replyQueue, deadlineMs: Envelope.nowMs() + 5000
            )
            .properties()
            try await federation.channel.publish(
                Data("{\"vraagID\": 12".utf8), exchange: Topology.detailverzoeken,
                routingKey: bron.rawValue, properties: properties)
            let (_, refusal) = try await federation.answer(to: "poison", from: bron)
            #expect(refusal.fout?.code == "400.01")
            let deadLetter = try await federation.dead.first(timeout: .seconds(10), "dead letter") {
                $0.properties.messageID == poisonID
            }
            #expect(deadLetter.body == Data("{\"vraagID\": 12".utf8))
            let vraagID = try await federation.ask(#"{"selectiegebied":{"postcode":"3511AB","afstand":999}}"#)
            let (_, antwoord) = try await federation.answer(to: vraagID, from: bron)
            #expect(antwoord.fout == nil)
            #expect(service.counters.rejected == 1)
            task.cancel()
            try await task.value
            await federation.stop()
        }

        @Test("two adapters with different data both answer the same fan-out")
        func twoAdapters() async throws {
            let federation = try await TestFederation.start()
            let a = try await federation.addBron("noord")
            let b = try await federation.addBron("zuid")
            let (_, ta) = federation.adapter(
                a, source: InMemorySource(werkzoekenden: (0..<100).map(data.werkzoekende), table: testPC4Table))
            let other = SyntheticData(seed: 100, table: testPC4Table)
            let (_, tb) = federation.adapter(
                b, source: InMemorySource(werkzoekenden: (0..<100).map(other.werkzoekende), table: testPC4Table))
            _ = try await federation.announcement(from: a, .aanmelding)
            _ = try await federation.announcement(from: b, .aanmelding)
            let vraagID = try await federation.ask(#"{"selectiegebied":{"postcode":"3511AB","afstand":999}}"#)
            let (_, fromA) = try await federation.answer(to: vraagID, from: a)
            let (_, fromB) = try await federation.answer(to: vraagID, from: b)
            #expect(fromA.matches.count == 100 && fromB.matches.count == 100)
            #expect(Set(fromA.matches.map { $0.serialized() }).isDisjoint(with: fromB.matches.map { $0.serialized() }))
            ta.cancel()
            tb.cancel()
            try await ta.value
            try await tb.value
            await federation.stop()
        }

        @Test("when its queue is deleted under it, the adapter says goodbye and run() throws instead of ending cleanly")
        func queueDeletedUnderAdapter() async throws {
            let federation = try await TestFederation.start()
            let bron = try await federation.addBron("verdwijnt")
            let (_, task) = federation.adapter(
                bron, source: InMemorySource(werkzoekenden: [data.werkzoekende(0)], table: testPC4Table))
            _ = try await federation.announcement(from: bron, .aanmelding)
            // The aanmelding goes out before consuming starts: wait until the broker counts the adapter's consumer.
            let deadline = ContinuousClock.now + .seconds(10)
            while try await federation.connection.queueInfo(Topology.bronQueue(bron))?.consumerCount ?? 0 < 1 {
                guard ContinuousClock.now < deadline else { throw InboxError("the adapter never consumed its queue") }
                try await Task.sleep(for: .milliseconds(20))
            }
            try await federation.channel.deleteQueue(Topology.bronQueue(bron))
            await #expect {
                try await task.value
            } throws: { "\($0)".contains("consuming \(Topology.bronQueue(bron)) stopped") }
            _ = try await federation.announcement(from: bron, .afmelding)
            await federation.stop()
        }

        @Test("an adapter whose queue does not exist refuses to start and says what is missing")
        func missingTopology() async throws {
            let federation = try await TestFederation.start()
            let bron = try BronID(validating: "nergens-\(UUID().uuidString.prefix(6).lowercased())")
            let (_, task) = federation.adapter(
                bron, source: InMemorySource(werkzoekenden: [data.werkzoekende(0)], table: testPC4Table))
            await #expect {
                try await task.value
            } throws: { "\($0)".contains("queue vum.bron.\(bron.rawValue)") && "\($0)".contains("broker definitions") }
            await federation.stop()
        }

        @Test(
            "a consumer the broker stopped feeding is noticed and replaced on a fresh channel; the waiting zoekvraag is answered",
            .timeLimit(.minutes(2)))
        func starvedConsumerReplaced() async throws {
            try await PrivateBroker.with(name: "starved-consumer") { node in
                let configuration = try node.environment().configuration(virtualHost: Topology.virtualHost)
                let federation = try await TestFederation.start(configuration: configuration)
                let bron = try await federation.addBron("vergeten")
                let (service, task) = federation.adapter(
                    bron,
                    source: InMemorySource(
                        werkzoekenden: (0..<50).map(data.werkzoekende),
                        table: testPC4Table)
                ) {
                    $0.consumerCheckInterval = .milliseconds(400)
                }
                _ = try await federation.announcement(from: bron, .aanmelding)
                let question = #"{"selectiegebied":{"postcode":"3511AB","afstand":999}}"#
                _ = try await federation.answer(to: try await federation.ask(question), from: bron)

                // The queue forgets the consumer without telling the channel or the client: the state RabbitMQ 3.10
                // left a quorum queue's consumer in after a leader change in ClusterTests (listed, never fed).
                let queue = Topology.bronQueue(bron)
                try await node.ctl([
                    "eval",
                    """
                    Q = rabbit_misc:r(<<"\(Topology.virtualHost)">>, queue, <<"\(queue)">>), {ok, A} = rabbit_amqqueue:lookup(Q),
                    [C] = [C || C <- rabbit_amqqueue:consumers_all(<<"\(Topology.virtualHost)">>), proplists:get_value(queue_name, C) =:= Q],
                    gen_server2:call(amqqueue:get_pid(A), {basic_cancel, proplists:get_value(channel_pid, C),
                                                           proplists:get_value(consumer_tag, C), undefined, <<"vum-tests">>}, infinity).
                    """,
                ])
                let waiting = try await federation.ask(question, deadlineMs: Envelope.nowMs() + 30_000)
                // Starved: nothing arrives for a while (without the watchdog, nothing ever would).
                let early = try? await federation.answer(to: waiting, from: bron, timeout: .milliseconds(300))
                #expect(early == nil, "the broker still fed the consumer; the test did not starve it")
                // Two checks find the zoekvraag waiting and no delivery: the adapter consumes again and answers it.
                let (_, antwoord) = try await federation.answer(to: waiting, from: bron, timeout: .seconds(10))
                #expect(antwoord.fout == nil)
                #expect(service.counters.consumerRestarts == 1)
                // And goes on answering on its fresh channel.
                _ = try await federation.answer(to: try await federation.ask(question), from: bron)
                #expect(service.counters.consumerRestarts == 1)
                task.cancel()
                try await task.value
                await federation.stop()
            }
        }

        @Test("an adapter survives a restart of the broker node and answers again", .timeLimit(.minutes(3)))
        func survivesBrokerRestart() async throws {
            try await PrivateBroker.with(name: "adapter-restart") { node in
                var configuration = try node.environment().configuration(virtualHost: Topology.virtualHost)
                configuration.reconnect?.maximumDelay = .milliseconds(500)
                configuration.heartbeat = .seconds(2)
                let federation = try await TestFederation.start(configuration: configuration, durable: true)
                let bron = try await federation.addBron("herstart")
                let adapterConnection = try await AMQPConnection.connect(configuration)
                let (service, task) = federation.adapter(
                    bron,
                    source: InMemorySource(
                        werkzoekenden: (0..<50).map(data.werkzoekende),
                        table: testPC4Table),
                    connection: adapterConnection)
                _ = try await federation.announcement(from: bron, .aanmelding)
                let before = try await federation.ask(#"{"selectiegebied":{"postcode":"3511AB","afstand":999}}"#)
                _ = try await federation.answer(to: before, from: bron)

                try await node.stop()
                try await node.restart()
                // Both connections come back by themselves; ask until the adapter answers again.
                let deadline = ContinuousClock.now + .seconds(60)
                var answered = false
                while !answered && ContinuousClock.now < deadline {
                    if let vraagID = try? await federation.ask(
                        #"{"selectiegebied":{"postcode":"3511AB","afstand":999}}"#),
                        (try? await federation.answer(to: vraagID, from: bron, timeout: .seconds(2))) != nil
                    {
                        answered = true
                    } else {
                        try await Task.sleep(for: .milliseconds(500))
                    }
                }
                #expect(answered, "no answer within 60 s of the broker's restart")
                #expect(adapterConnection.isConnected)
                #expect(service.counters.answered >= 2)
                task.cancel()
                try await task.value
                await adapterConnection.close()
                await federation.stop()
            }
        }
    }
}
