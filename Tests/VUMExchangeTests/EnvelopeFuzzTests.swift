import AMQPClient
import Foundation
import Testing
import VUMExchange
import VUMStandaard
import VUMTesting

/// Hostile messages: every payload decoder on mutated bodies, and the envelope on properties with
/// random types and headers, must refuse with a `Fout` (400.01) or decode, never crash.
@Suite(
    "Fuzz: mutated messages and envelopes are refused with 400.01 or read, never crash",
    .timeLimit(.minutes(Int(Mutator.timeLimit(default: 4_000).components.seconds / 60))))
struct EnvelopeFuzzTests {
    static let iterations = Mutator.iterations(default: 4_000)

    @Test("every payload decoder")
    func payloads() async throws {
        try await offPool {
            let bron = try BronID(validating: "gemeente-utrecht")
            let data = SyntheticData(seed: 41, table: testPC4Table)
            var event = Procesgebeurtenis(eventID: "e", soort: .zoekvraagAfgerond, tijdMs: 1, component: "c")
            event.statusPerBron = ["uwv": "beantwoord"]
            event.aantallenPerStatus = ["beantwoord": 1]
            let corpus: [[UInt8]] = [
                ZoekvraagBericht(
                    vraagID: "v", gegevensset: .werkzoekenden,
                    vraagObject: SyntheticQuestions(seed: 1, table: testPC4Table).werkzoekenden(0)
                ).json,
                GegevenssetBericht(
                    vraagID: "v", bronID: bron, gegevensset: .werkzoekenden,
                    matches: (0..<3).map { data.werkzoekende($0).matchingProfiel.json },
                    maximumAantalResultatenBereikt: false, genegeerdeCriteria: ["x"]
                ).json,
                DetailverzoekBericht(vraagID: "v", gegevensset: .vacatures, recordID: try RecordID(validating: "r-1"))
                    .json,
                DetailBericht(bronID: bron, werkzoekende: data.werkzoekende(1)).json,
                AanmeldingBericht(
                    bronID: bron, soort: .heartbeat, gegevenssets: [.werkzoekenden], versie: "1",
                    ondersteundeCriteria: [],
                    heartbeatIntervalMs: 5000
                ).json,
                event.json,
                VerzoekBericht(
                    zoek: .werkzoekenden, vraagObject: SyntheticQuestions(seed: 2, table: testPC4Table).werkzoekenden(1)
                ).json,
                DatakwaliteitBericht(
                    meldingID: "m", vraagID: "v", gegevensset: .vacatures, recordID: try RecordID(validating: "r"),
                    reden: .dubbel, toelichting: "t"
                ).json,
            ].map { $0.serializedBytes() }
            var mutator = Mutator(seed: 2029, corpus: corpus)
            var refused = 0
            for _ in 0..<Self.iterations {
                let body = Data(mutator.next())
                func attempt<P: Payload>(_ type: P.Type) {
                    do { _ = try MessageCodec.decode(type, from: body) } catch {
                        refused += 1
                        #expect(error.code == "400.01", "\(error)")
                    }
                }
                attempt(ZoekvraagBericht.self)
                attempt(GegevenssetBericht.self)
                attempt(DetailverzoekBericht.self)
                attempt(DetailBericht.self)
                attempt(AanmeldingBericht.self)
                attempt(Procesgebeurtenis.self)
                attempt(VerzoekBericht.self)
                attempt(DatakwaliteitBericht.self)
                if let g = try? MessageCodec.decode(GegevenssetBericht.self, from: body) {
                    _ = g.matchingProfielen(as: WerkzoekendeMatchingProfiel.self)
                }
                if let z = try? MessageCodec.decode(ZoekvraagBericht.self, from: body) { _ = try? z.selectievraag() }
            }
            #expect(refused > 0)
        }
    }

    @Test("the envelope on random properties and headers")
    func envelopes() async throws {
        try await offPool {
            var random = SeededRandom(seed: 2030)
            func pick<T>(_ xs: [T]) -> T { xs[Int(random.next() % UInt64(xs.count))] }
            let strings = [
                "", "x", "vum.zoekvraag.v1", "vum.gegevensset.v1", "vum.onbekend.v9", "00000001002220647000", "-1",
                "1e3",
                "9223372036854775807", String(repeating: "a", count: 300), "gemeente-utrecht", "Gemeente Utrecht",
                "\u{0}",
            ]
            let values: [AMQPFieldValue] = [
                .string("x"), .string("00000001002220647000"), .int64(-5), .int64(1_780_000_000_000),
                .int32(7), .bool(true), .bool(false), .table(["a": .string("b")]), .string("gemeente-utrecht"),
            ]
            let headerNames = [
                Header.deadline, Header.fromParty, Header.viaParty, Header.suwiParty, Header.bron, Header.sentAt,
                "x-other",
            ]
            var (read, refused) = (0, 0)
            for _ in 0..<Self.iterations {
                var p = AMQPProperties()
                if random.next() % 4 != 0 { p.type = pick(strings) }
                if random.next() % 2 == 0 { p.messageID = pick(strings) }
                if random.next() % 2 == 0 { p.correlationID = pick(strings) }
                if random.next() % 2 == 0 { p.replyTo = pick(strings) }
                if random.next() % 2 == 0 { p.userID = pick(strings) }
                if random.next() % 2 == 0 { p.appID = pick(strings) }
                if random.next() % 3 == 0 { p.expiration = pick(strings) }
                var headers: AMQPTable = [:]
                for _ in 0..<Int(random.next() % 5) { headers[pick(headerNames)] = pick(values) }
                if !headers.isEmpty { p.headers = headers }
                do {
                    _ = try Envelope(properties: p)
                    read += 1
                } catch {
                    refused += 1
                    #expect((error as? Fout)?.code == "400.01", "\(error)")
                }
            }
            #expect(read > 0 && refused > 0, "read \(read), refused \(refused)")
        }
    }
}
