import Crypto
import Foundation
import Testing
import VUMConfiguration
import VUMExchange
import VUMStandaard

@testable import VUMAggregator

let bronA = try! BronID(validating: "gemeente-a")
let bronB = try! BronID(validating: "uwv")
let bronC = try! BronID(validating: "uitzendbureau")

func antwoord(
    _ bron: BronID, vraagID: String = "v1", matches: Int = 2, fout: Fout? = nil,
    gegevensset: Gegevensset = .werkzoekenden
) -> GegevenssetBericht {
    if let fout { return GegevenssetBericht(vraagID: vraagID, bronID: bron, gegevensset: gegevensset, fout: fout) }
    return GegevenssetBericht(
        vraagID: vraagID, bronID: bron, gegevensset: gegevensset,
        matches: (0..<matches).map { _ in .object(JSONObject()) }, maximumAantalResultatenBereikt: false,
        genegeerdeCriteria: [], duurMs: 3)
}

@Suite("Aggregator state machines (no broker)")
struct AggregatorStateTests {
    @Test("a zoekvraag completes when every expected bron answered; statuses say who did what")
    func completion() {
        var w = ZoekvraagWindow(
            vraagID: "v1", gegevensset: .werkzoekenden, startedMs: 1000, deadlineMs: 6000,
            expected: [bronA, bronB], offline: [bronC])
        #expect(
            w.receive(antwoord(bronA), userID: "bron-a", registeredUser: "bron-a", nowMs: 1010)
                == .accepted(complete: false))
        #expect(
            w.receive(antwoord(bronB, matches: 0), userID: "bron-b", registeredUser: "bron-b", nowMs: 1020)
                == .accepted(complete: true))
        let uitkomsten = w.close()
        #expect(uitkomsten.map(\.status) == [.beantwoord, .offline, .geenResultaten])
        #expect(uitkomsten.map(\.bron) == [bronA, bronC, bronB])
    }

    @Test("forged, duplicate, late and wrong-dataset answers are never merged")
    func refusedAnswers() {
        var w = ZoekvraagWindow(
            vraagID: "v1", gegevensset: .werkzoekenden, startedMs: 1000, deadlineMs: 6000,
            expected: [bronA, bronB], offline: [])
        #expect(
            w.receive(antwoord(bronA), userID: "bron-b", registeredUser: "bron-a", nowMs: 1010)
                == .forged(claimedBron: bronA, userID: "bron-b"))
        #expect(
            w.receive(antwoord(bronA), userID: "x", registeredUser: nil, nowMs: 1010)
                == .forged(claimedBron: bronA, userID: "x"))
        #expect(
            w.receive(antwoord(bronA, gegevensset: .vacatures), userID: "a", registeredUser: "a", nowMs: 1010)
                == .wrongDataset)
        #expect(w.receive(antwoord(bronA), userID: "a", registeredUser: "a", nowMs: 1010) == .accepted(complete: false))
        #expect(w.receive(antwoord(bronA, matches: 9), userID: "a", registeredUser: "a", nowMs: 1011) == .duplicate)
        #expect(w.receive(antwoord(bronB), userID: "b", registeredUser: "b", nowMs: 6500) == .late(byMs: 500))
        let uitkomsten = w.close()
        #expect(uitkomsten.first { $0.bron == bronA }?.aantal == 2)
        #expect(uitkomsten.first { $0.bron == bronB }?.status == .teLaat)
        // After closing, everything is late.
        #expect(w.receive(antwoord(bronB), userID: "b", registeredUser: "b", nowMs: 2000) == .late(byMs: 0))
    }

    @Test("what the window says it would do with an answer is what receiving it does; asking takes nothing")
    func outcomeAsked() {
        var w = ZoekvraagWindow(
            vraagID: "v1", gegevensset: .werkzoekenden, startedMs: 1000, deadlineMs: 6000,
            expected: [bronA, bronB], offline: [])
        typealias Answer = (
            GegevenssetBericht, userID: String, registeredUser: String, nowMs: Int64,
            ZoekvraagWindow.AnswerOutcome
        )
        let answers: [Answer] = [
            (antwoord(bronA), "bron-b", "bron-a", 1010, .forged(claimedBron: bronA, userID: "bron-b")),
            (antwoord(bronA, gegevensset: .vacatures), "a", "a", 1010, .wrongDataset),
            (antwoord(bronA), "a", "a", 1010, .accepted(complete: false)),
            (antwoord(bronA, matches: 9), "a", "a", 1011, .duplicate),
            (antwoord(bronB), "b", "b", 6500, .late(byMs: 500)),
            (antwoord(bronB), "b", "b", 1020, .accepted(complete: true)),
        ]
        for (bericht, userID, registeredUser, nowMs, expected) in answers {
            let asked = w.outcome(of: bericht, userID: userID, registeredUser: registeredUser, nowMs: nowMs)
            #expect(asked == expected)
            #expect(w.outcome(of: bericht, userID: userID, registeredUser: registeredUser, nowMs: nowMs) == asked)
            #expect(w.receive(bericht, userID: userID, registeredUser: registeredUser, nowMs: nowMs) == asked)
        }
        #expect(w.isComplete)
    }

    @Test("an error answer is status fout with its code")
    func errorAnswer() {
        var w = ZoekvraagWindow(
            vraagID: "v1", gegevensset: .werkzoekenden, startedMs: 0, deadlineMs: 100, expected: [bronA], offline: [])
        _ = w.receive(antwoord(bronA, fout: .internalError("store")), userID: "a", registeredUser: "a", nowMs: 5)
        let u = w.close()
        #expect(u.first?.status == .fout && u.first?.fout?.code == "500.1")
    }

    @Test("presence: aanmelding, heartbeats, afmelding, and offline after missed heartbeats")
    func presence() {
        var p = PresenceRegistry()
        let aanmelding = AanmeldingBericht(
            bronID: bronA, soort: .aanmelding, gegevenssets: [.werkzoekenden], versie: "t",
            ondersteundeCriteria: [], heartbeatIntervalMs: 1000)
        #expect(p.receive(aanmelding, nowMs: 0) == .aangemeld(bronA))
        #expect(p.expected(for: .werkzoekenden, nowMs: 500).online == [bronA])
        #expect(p.expected(for: .vacatures, nowMs: 500).online.isEmpty)
        var heartbeat = aanmelding
        heartbeat.soort = .heartbeat
        #expect(p.receive(heartbeat, nowMs: 2500) == nil)
        #expect(p.expire(nowMs: 5000).isEmpty)
        #expect(p.expire(nowMs: 6000) == [.offline(bronA)])
        #expect(p.expected(for: .werkzoekenden, nowMs: 6000) == ([], [bronA]))
        #expect(p.receive(heartbeat, nowMs: 7000) == .aangemeld(bronA))
        var afmelding = aanmelding
        afmelding.soort = .afmelding
        #expect(p.receive(afmelding, nowMs: 7100) == .afgemeld(bronA))
        #expect(p.expected(for: .werkzoekenden, nowMs: 7100).offline == [bronA])
    }

    @Test("a bron's clock: the smallest of its last five differences, kept across heartbeats, off beyond 2 s")
    func bronClock() throws {
        var p = PresenceRegistry()
        let bron = try BronID(validating: "klok")
        func beat(_ soort: AanmeldingBericht.Soort, sent: Int64, received: Int64) {
            _ = p.receive(
                AanmeldingBericht(
                    bronID: bron, soort: soort, gegevenssets: [.werkzoekenden], versie: "t",
                    ondersteundeCriteria: [], heartbeatIntervalMs: 1000), nowMs: received, sentAtMs: sent)
        }
        _ = p.receive(
            AanmeldingBericht(
                bronID: bron, soort: .aanmelding, gegevenssets: [.werkzoekenden], versie: "t",
                ondersteundeCriteria: [], heartbeatIntervalMs: 1000), nowMs: 1000)
        #expect(p.entries[bron]?.klokverschilMs == nil, "no sending time in milliseconds, no estimate")
        // The bron is 3 s behind; the message took 40 ms, one waited 900 ms in a queue.
        beat(.heartbeat, sent: 10_000 - 3000, received: 10_040)
        beat(.heartbeat, sent: 11_000 - 3000, received: 11_900)
        #expect(p.entries[bron]?.klokverschilMs == -3040)
        #expect(p.entries[bron]?.clock.isOff == true)
        // Its machine starts keeping time: after five heartbeats the old differences are forgotten.
        for i in 0..<5 { beat(.heartbeat, sent: Int64(20_000 + i * 1000), received: Int64(20_010 + i * 1000)) }
        #expect(p.entries[bron]?.klokverschilMs == -10)
        #expect(p.entries[bron]?.clock.isOff == false)
        beat(.afmelding, sent: 40_000 + 2500, received: 40_000)
        #expect(p.entries[bron]?.klokverschilMs == 2500, "an afmelding says when it was sent too")
        #expect(ClockDifference.describe(2500) == "2.5 s ahead" && ClockDifference.describe(-12_400) == "12 s behind")
        // A sending time more than a century away is not a clock, and no value traps the arithmetic.
        for absurd: Int64 in [Int64.min, Int64.max, 40_000 - 200 * 365 * 86_400_000] {
            beat(.heartbeat, sent: absurd, received: 40_000)
        }
        #expect(p.entries[bron]?.klokverschilMs == 2500)
        var lost = ClockDifference()
        lost.add(sentAtMs: 0, receivedAtMs: 1_764_000_000_000)
        #expect(lost.estimateMs == -1_764_000_000_000, "a machine that thinks it is 1970 is counted")
        #expect(ClockDifference.describe(-1_764_000_000_000) == "1764000000 s behind")
    }

    @Test("vumIDs resolve to their zoekvraag and position; a changed character, another key or junk does not")
    func vumIDs() {
        let ids = VumIDs(secret: VumIDs.randomSecret())
        let id = ids.issue(vraagID: "3f1c2a", index: 17)
        #expect(ids.resolve(id.rawValue)! == ("3f1c2a", 17))
        var tampered = Array(id.rawValue)
        tampered[tampered.count - 3] = tampered[tampered.count - 3] == "A" ? "B" : "A"
        #expect(ids.resolve(String(tampered)) == nil)
        #expect(ids.resolve("3f1c2a.18." + id.rawValue.split(separator: ".")[2]) == nil)
        #expect(VumIDs(secret: VumIDs.randomSecret()).resolve(id.rawValue) == nil)
        for junk in ["", "a", "a.b.c", "..", "x.1"] { #expect(ids.resolve(junk) == nil) }
    }

    @Test("while the secret rotates, vumIDs of the previous secret resolve and new ones are sealed with the new")
    func vumIDsRotation() {
        let (old, new) = (VumIDs.randomSecret(), VumIDs.randomSecret())
        let before = VumIDs(secret: old).issue(vraagID: "3f1c2a", index: 3)
        let rotating = VumIDs(secret: new, previous: old)
        #expect(rotating.resolve(before.rawValue)! == ("3f1c2a", 3))
        let during = rotating.issue(vraagID: "3f1c2a", index: 4)
        #expect(VumIDs(secret: new).resolve(during.rawValue)! == ("3f1c2a", 4), "sealed with the new secret")
        #expect(VumIDs(secret: old).resolve(during.rawValue) == nil)
        // Once the previous secret is dropped, its vumIDs are gone; a changed one never resolved.
        #expect(VumIDs(secret: new).resolve(before.rawValue) == nil)
        var tampered = Array(before.rawValue)
        tampered[tampered.count - 3] = tampered[tampered.count - 3] == "A" ? "B" : "A"
        #expect(rotating.resolve(String(tampered)) == nil)
        #expect(VumIDs(secret: VumIDs.randomSecret(), previous: VumIDs.randomSecret()).resolve(before.rawValue) == nil)
    }

    @Test("vumIDs issued before the hand-written base64url are the same: stored ones keep resolving after an upgrade")
    func vumIDsStable() throws {
        // 48 bytes: padded to SHA-256's block; the longer secret is hashed first (RFC 2104).
        for secret in [Data((0..<48).map { UInt8($0 * 7 % 256) }), Data((0..<100).map { UInt8($0 * 13 % 256) })] {
            try vumIDsStable(secret: secret)
        }
    }

    private func vumIDsStable(secret: Data) throws {
        let ids = VumIDs(secret: secret)
        // The first implementation: Foundation's base64 of the first 16 bytes, made url-safe, unpadded.
        func reference(_ body: String) -> String {
            let code = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: secret))
            return Data(Array(code).prefix(16)).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        var sawURLSafe = false
        for i in 0..<2000 {
            let body = "\(UUID().uuidString.lowercased()).\(i)"
            let mac = ids.mac(body)
            #expect(mac == reference(body), "\(body)")
            sawURLSafe = sawURLSafe || mac.contains("-") || mac.contains("_")
        }
        #expect(sawURLSafe, "2000 MACs should include the url-safe characters")
        #expect(ids.issue(vraagID: "3f1c2a", index: 17).rawValue == "3f1c2a.17." + reference("3f1c2a.17"))
        // As the merge writes them: after the answer's bytes so far, sealing only the vumID's own body.
        var answer = Array(#"[{"a":1,"vumID":""#.utf8)
        ids.writeIssued(vraagID: "3f1c2a", index: 17, to: &answer)
        let expected = #"[{"a":1,"vumID":""# + "3f1c2a.17." + reference("3f1c2a.17")
        #expect(String(decoding: answer, as: UTF8.self) == expected)
    }

    @Test("policy: unknown parties 401, datasets not granted 403, job-seeker profiles only for SUWI parties")
    func policy() throws {
        let suwi = try OIN(validating: "00000001234567890001")
        let privaat = try OIN(validating: "00000001234567890002")
        var r = Registry(bemiddelaars: [
            .init(oin: suwi, naam: "Gemeente", suwi: true, gegevenssets: [.werkzoekenden, .vacatures]),
            .init(oin: privaat, naam: "Uitzendbureau", suwi: false, gegevenssets: [.werkzoekenden, .vacatures]),
        ])
        #expect(r.refusal(of: suwi, for: .werkzoekenden) == nil)
        #expect(r.refusal(of: privaat, for: .vacatures) == nil)
        #expect(r.refusal(of: privaat, for: .werkzoekenden)?.code == "403")
        #expect(r.refusal(of: try OIN(validating: "00000009999999999999"), for: .vacatures)?.code == "401")
        r.werkzoekendenVoorNietSuwi = true
        #expect(r.refusal(of: privaat, for: .werkzoekenden) == nil)
    }

    @Test("the registry reads its JSON and names the path of what is wrong")
    func registryJSON() throws {
        let r = try Registry(
            json: JSONValue.parse(
                """
                {"bronnen":[{"id":"gemeente-a"},{"id":"uwv","brokerUser":"uwv-cert"}],
                 "bemiddelaars":[{"oin":"00000001234567890001","naam":"Gemeente","suwi":true,"gegevenssets":["werkzoekenden"]}]}
                """))
        #expect(r.bronnen == [bronA: "bron-gemeente-a", bronB: "uwv-cert"])
        #expect(r.bemiddelaars.count == 1)
        #expect(throws: ConfigurationError.self) {
            try Registry(json: JSONValue.parse(#"{"bemiddelaars":[{"oin":"123","suwi":true}]}"#))
        }
        do {
            _ = try Registry(
                json: JSONValue.parse(
                    #"{"bemiddelaars":[{"oin":"00000001234567890001","suwi":true,"gegevenssets":["banen"]}]}"#))
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("bemiddelaars[0].gegevenssets"))
        }
    }

    @Test("the merged answer written around the matches' bytes is the body the tree gives, over REST and AMQP")
    func zoekantwoordBytes() throws {
        let uitkomsten = [
            BronUitkomst(
                bron: bronA, status: .beantwoord, aantal: 2, duurMs: 4, fout: nil, maximumAantalResultatenBereikt: true,
                genegeerdeCriteria: ["leeftijd"]),
            BronUitkomst(
                bron: bronB, status: .teLaat, aantal: 0, duurMs: nil, fout: nil, maximumAantalResultatenBereikt: false,
                genegeerdeCriteria: []),
        ]
        for matches in [#"[{"a":1,"vumID":"x"},{"b":"é","vumID":"y"}]"#, "[]"] {
            let antwoord = Zoekantwoord(
                vraagID: "v\"1", matchesJSON: Array(matches.utf8), matchCount: 2,
                maximumAantalResultatenBereikt: true, bronnen: uitkomsten, gedeeltelijk: true, duurMs: 5)
            let (head, tail) = antwoord.framing()
            #expect(head + antwoord.matchesJSON + tail == antwoord.json.serializedBytes())
            #expect(
                VerzoekantwoordBericht.encode(serializedAntwoord: [head, antwoord.matchesJSON, tail])
                    == MessageCodec.encode(VerzoekantwoordBericht(antwoord: antwoord.json)))
            #expect(
                VerzoekantwoordBericht.encode(serializedAntwoord: [head + antwoord.matchesJSON + tail])
                    == MessageCodec.encode(VerzoekantwoordBericht(antwoord: antwoord.json)))
        }
    }
}
