import AMQPClient
import Foundation
import Testing
import VUMAdapter
import VUMAggregator
import VUMExchange
import VUMStandaard
import VUMTesting

extension FederationSuites {
    @Suite(
        "Reliability: oversized and poison messages are refused with a trace, and every daemon keeps serving",
        .timeLimit(.minutes(2)))
    struct HostileMessagesTests {
        let people = (0..<200).map(SyntheticData(seed: 61, table: testPC4Table).werkzoekende)
        let question = #"{"selectiegebied":{"postcode":"3511AB","afstand":50}}"#

        @Test("an oversized zoekvraag at an adapter is dead-lettered and answered 400.01; the next question is served")
        func oversizedAtAdapter() async throws {
            let federation = try await TestFederation.start()
            let bron = try await federation.addBron("groot")
            let (service, task) = federation.adapter(
                bron, source: InMemorySource(werkzoekenden: people, table: testPC4Table)
            ) {
                $0.maximumMessageSize = 64 << 10
            }
            _ = try await federation.announcement(from: bron, .aanmelding)
            // A well-formed question with 100 KiB of padding under a key the standard does not know.
            let padded =
                #"{"selectiegebied":{"postcode":"3511AB","afstand":50},"opvulling":""#
                + String(repeating: "x", count: 100 << 10) + #""}"#
            let oversizedID = try await federation.ask(padded)
            let (_, refusal) = try await federation.answer(to: oversizedID, from: bron)
            #expect(refusal.fout?.code == "400.01")
            #expect(refusal.fout?.details?.contains("65536") == true, "\(String(describing: refusal.fout))")
            let dead = try await federation.dead.first(timeout: .seconds(10), "the oversized message dead-lettered") {
                $0.properties.correlationID == oversizedID
            }
            #expect(dead.body.count > 100 << 10)
            let (_, next) = try await federation.answer(to: try await federation.ask(question), from: bron)
            #expect(next.fout == nil)
            #expect(!next.matches.isEmpty)
            #expect(service.counters.rejected == 1)
            task.cancel()
            try await task.value
            await federation.stop()
        }

        @Test(
            "an answer the aggregator cannot read (garbage, or above its size limit) is that bron's fout, audited; the others count"
        )
        func undecodableAnswers() async throws {
            let federation = try await TestFederation.start()
            let goed = try await federation.addBron("goed")
            let rommel = try await federation.addBron("rommel")
            let groot = try await federation.addBron("groot")
            let exchange = try await TestExchange.start(bronnen: [
                goed: broker.user, rommel: broker.user, groot: broker.user,
            ]) {
                $0.maximumMessageSize = 16 << 10
            }
            let (_, adapter) = federation.adapter(
                goed, source: InMemorySource(werkzoekenden: Array(people.prefix(20)), table: testPC4Table))
            // Two rogue bronnen answer by hand: one with bytes that are no gegevensset, one with 40 KiB of matches.
            for bron in [rommel, groot] { try await federation.announceByHand(bron) }
            let rogue = try await federation.connection.openChannel()
            let (questions, questionsTask) = try await rogue.consume(queue: Topology.bronQueue(rommel), noAck: true)
                .collect()
            let (questions2, questionsTask2) = try await rogue.consume(queue: Topology.bronQueue(groot), noAck: true)
                .collect()
            let big = people.map(\.matchingProfiel.json)
            let replying = Task {
                for (inbox, bron) in [(questions, rommel), (questions2, groot)] {
                    let d = try await inbox.first(timeout: .seconds(15), "the zoekvraag at \(bron)") { _ in true }
                    let vraag = try MessageCodec.decode(ZoekvraagBericht.self, from: d.body)
                    var envelope = Envelope(
                        type: .gegevensset, correlationID: vraag.vraagID, appID: "rogue/1", userID: broker.user)
                    envelope.bron = bron
                    let body =
                        bron == rommel
                        ? Data("{\"vraagID\": [not json".utf8)
                        : MessageCodec.encode(
                            GegevenssetBericht(
                                vraagID: vraag.vraagID, bronID: bron, gegevensset: .werkzoekenden,
                                matches: big, maximumAantalResultatenBereikt: false,
                                genegeerdeCriteria: [], duurMs: 1))
                    try await rogue.publish(
                        body, exchange: Topology.antwoorden, routingKey: d.properties.replyTo ?? "",
                        properties: envelope.properties())
                }
            }
            try await exchange.waitOnline([goed, rommel, groot])
            let result = try await exchange.zoek(question, deadlineMs: 5000)
            try await replying.value
            #expect(result.status == 200, "\(result.json.serialized())")
            let statuses = Dictionary(
                uniqueKeysWithValues: (result.json["vumBronnen"]?.array ?? []).compactMap { b -> (String, String)? in
                    guard let id = b["bronID"]?.string, let s = b["status"]?.string else { return nil }
                    return (id, s)
                })
            #expect(statuses[goed.rawValue] == "beantwoord")
            #expect(statuses[rommel.rawValue] == "fout", "\(statuses)")
            #expect(statuses[groot.rawValue] == "fout", "\(statuses)")
            let vraagID = try #require(result.json["vraagID"]?.string)
            try await eventually("bron.fout events for both rogue bronnen") {
                let fouten = await exchange.events(vraagID).filter { $0.soort == .bronFout }
                return Set(fouten.compactMap(\.bronID)) == [rommel.rawValue, groot.rawValue]
                    && fouten.allSatisfy { $0.uitkomst == "400.01" && $0.reden == "undecodable answer" }
            }
            // The aggregator keeps serving.
            let again = try await exchange.zoek(question, deadlineMs: 1000)
            #expect(again.status == 200)
            adapter.cancel()
            questionsTask.cancel()
            questionsTask2.cancel()
            await exchange.stop()
            await federation.stop()
        }

        @Test(
            "poison on vum.verzoeken: answered 400.01 when it can be, dead-lettered when it cannot, audited both ways")
        func poisonAtTheAMQPEntry() async throws {
            let federation = try await TestFederation.start()
            let goed = try await federation.addBron("goed")
            let exchange = try await TestExchange.start(bronnen: [goed: broker.user])
            let (_, adapter) = federation.adapter(
                goed, source: InMemorySource(werkzoekenden: people, table: testPC4Table))
            try await exchange.waitOnline([goed])
            let channel = exchange.federation.channel
            let replies = try await channel.declareQueue(exclusive: true)
            let (inbox, inboxTask) = try await channel.consume(queue: replies.name, noAck: true).collect()
            let dlq = try await channel.declareQueue(exclusive: true)
            try await channel.bindQueue(dlq.name, exchange: Topology.deadLetterExchange)
            let (dead, deadTask) = try await channel.consume(queue: dlq.name, noAck: true).collect()

            let poisonID = UUID().uuidString
            var e = Envelope(
                type: .verzoek, correlationID: poisonID, appID: "tests/1", userID: broker.user, replyTo: replies.name)
            e.fromParty = gemeenteOIN
            try await channel.publish(
                Data("{\"soort\": \"zoek\", ".utf8), exchange: Topology.verzoeken, routingKey: "",
                properties: e.properties())
            let d = try await inbox.first(timeout: .seconds(10), "the answer to the poison") {
                $0.properties.correlationID == poisonID
            }
            let answer = try MessageCodec.decode(VerzoekantwoordBericht.self, from: d.body)
            #expect(answer.fout?.code == "400.01", "\(answer)")
            try await eventually("a zoekvraag.geweigerd event for the poison") {
                await exchange.audit.items.contains {
                    guard let e = try? MessageCodec.decode(Procesgebeurtenis.self, from: $0.body) else { return false }
                    return e.soort == .zoekvraagGeweigerd && e.uitkomst == "400.01"
                        && e.fromParty == gemeenteOIN.rawValue
                }
            }

            let orphanID = UUID().uuidString
            var orphan = Envelope(type: .verzoek, messageID: orphanID, appID: "tests/1", userID: broker.user)
            orphan.fromParty = gemeenteOIN
            try await channel.publish(
                Data("nothing to answer".utf8), exchange: Topology.verzoeken, routingKey: "",
                properties: orphan.properties())
            let deadLetter = try await dead.first(timeout: .seconds(10), "the orphan dead-lettered") {
                $0.properties.messageID == orphanID
            }
            #expect(deadLetter.body == Data("nothing to answer".utf8))
            try await eventually("a zoekvraag.geweigerd event for the orphan") {
                await exchange.audit.items.contains {
                    guard let e = try? MessageCodec.decode(Procesgebeurtenis.self, from: $0.body) else { return false }
                    return e.soort == .zoekvraagGeweigerd && e.reden?.hasPrefix("verzoek without reply_to") == true
                }
            }

            // A proper request after both is answered.
            let okID = UUID().uuidString
            var ok = Envelope(
                type: .verzoek, correlationID: okID, appID: "tests/1", userID: broker.user, replyTo: replies.name)
            ok.fromParty = gemeenteOIN
            try await channel.publish(
                MessageCodec.encode(VerzoekBericht(zoek: .werkzoekenden, vraagObject: JSONValue.parse(question))),
                exchange: Topology.verzoeken, routingKey: "", properties: ok.properties())
            let okAnswer = try await inbox.first(timeout: .seconds(10), "the proper answer") {
                $0.properties.correlationID == okID
            }
            #expect(try MessageCodec.decode(VerzoekantwoordBericht.self, from: okAnswer.body).antwoord != nil)
            adapter.cancel()
            inboxTask.cancel()
            deadTask.cancel()
            await exchange.stop()
            await federation.stop()
        }
    }
}
