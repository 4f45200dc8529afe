import AMQPClient
import Foundation
import Testing
import VUMAggregator
import VUMExchange
import VUMStandaard
import VUMTesting

extension FederationSuites {
    @Suite(
        "Reliability: a flood of zoekvragen is bounded and answered 503, not queued without end",
        .timeLimit(.minutes(2)))
    struct FloodTests {
        @Test(
            "beyond the open-zoekvragen limit each asker gets 503 busy with a zoekvraag.geweigerd event; the exchange recovers"
        )
        func flood() async throws {
            let federation = try await TestFederation.start()
            // A bron that announces itself and never answers keeps every admitted zoekvraag open until its deadline.
            let stil = try await federation.addBron("stil")
            let limit = 5
            let exchange = try await TestExchange.start(bronnen: [stil: broker.user]) {
                $0.maximumOpenZoekvragen = limit
            }
            defer {
                Task {
                    await exchange.stop()
                    await federation.stop()
                }
            }
            try await federation.announceByHand(stil)
            try await exchange.waitOnline([stil])

            let question = #"{"selectiegebied":{"postcode":"3511AB","afstand":10}}"#
            let sent = 40
            let started = ContinuousClock.now
            let results = try await withThrowingTaskGroup(of: TestExchange.HTTPResult.self) { group in
                for _ in 0..<sent { group.addTask { try await exchange.zoek(question, deadlineMs: 1500) } }
                var all: [TestExchange.HTTPResult] = []
                for try await r in group { all.append(r) }
                return all
            }
            let took = ContinuousClock.now - started
            let answered = results.filter { $0.status == 200 }
            let busy = results.filter { $0.status == 503 }
            #expect(answered.count + busy.count == sent, "\(results.map(\.status))")
            #expect(answered.count >= limit)
            #expect(busy.count >= sent - 3 * limit, "\(answered.count) answered, \(busy.count) busy")
            for b in busy {
                #expect(b.json["code"]?.string == "503")
                #expect(b.json["message"]?.string == "the exchange is busy")
            }
            // The admitted ones waited for the silent bron until their deadline and are partial, not lost.
            for a in answered {
                #expect(a.json["vumBronnen"]?.array.first?["status"]?.string == "te_laat", "\(a.json.serialized())")
            }
            #expect(took < .seconds(10), "the flood took \(took)")
            // Every refusal is in the audit trail.
            try await eventually("a zoekvraag.geweigerd event for every 503") {
                let events = await exchange.audit.items.compactMap {
                    try? MessageCodec.decode(Procesgebeurtenis.self, from: $0.body)
                }
                return events.filter { $0.soort == .zoekvraagGeweigerd && $0.uitkomst == "503" }.count == busy.count
            }
            print(
                "flood: \(sent) zoekvragen at once against max-open-zoekvragen \(limit): \(answered.count) answered (partial: the bron "
                    + "never answers), \(busy.count) refused 503 busy, all within \(took)")
            // Once the flood has passed, the exchange takes questions again.
            let after = try await exchange.zoek(question, deadlineMs: 500)
            #expect(after.status == 200, "\(after.json.serialized())")
        }
    }
}
