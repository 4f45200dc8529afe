import Foundation
import Testing
import VUMExchange
import VUMStandaard
import VUMTesting

@testable import VUMAudit

/// One zoekvraag's trail as the aggregator writes it: received, sent to two bronnen, their answers, closed.
func zoekvraagTrail(
    vraagID: String, from party: String, suwi: Bool, gegevensset: Gegevensset = .werkzoekenden,
    at t: Int64, latencies: [String: Int], statuses: [String: String], aantal: Int = 3
) -> [Procesgebeurtenis] {
    func base(_ soort: Procesgebeurtenis.Soort, _ dt: Int64) -> Procesgebeurtenis {
        event(soort, tijdMs: t + dt) {
            $0.vraagID = vraagID
            $0.gegevensset = gegevensset.rawValue
        }
    }
    var ontvangen = base(.zoekvraagOntvangen, 0)
    ontvangen.fromParty = party
    ontvangen.viaParty = party
    ontvangen.suwi = suwi
    ontvangen.criteriaSleutels = ["mobiliteit.bemiddelingspostcode"]
    var verstuurd = ontvangen
    verstuurd.eventID = UUID().uuidString.lowercased()
    verstuurd.soort = .zoekvraagVerstuurd
    verstuurd.verwachteBronnen = statuses.filter { $0.value != "offline" }.keys.sorted()
    var trail = [ontvangen, verstuurd]
    for (bron, ms) in latencies.sorted(by: { $0.key < $1.key }) {
        var g = base(.gegevenssetOntvangen, Int64(ms))
        g.bronID = bron
        g.aantal = statuses[bron] == "beantwoord" ? aantal : 0
        g.antwoordMs = ms
        g.duurMs = ms / 2
        g.genegeerdeCriteria = bron == "uwv" ? ["arbeidsmarktkwalificatie.rijbewijs.codeSoortRijbewijs"] : []
        trail.append(g)
    }
    var afgerond = ontvangen
    afgerond.eventID = UUID().uuidString.lowercased()
    afgerond.soort = .zoekvraagAfgerond
    afgerond.tijdMs = t + 50
    afgerond.statusPerBron = statuses
    afgerond.aantal = statuses.values.filter { $0 == "beantwoord" }.count * aantal
    afgerond.gedeeltelijk = statuses.values.contains { $0 == "te_laat" || $0 == "offline" }
    trail.append(afgerond)
    return trail
}

func detail(
    _ soort: Procesgebeurtenis.Soort, vraagID: String, from party: String, suwi: Bool, at t: Int64,
    uitkomst: String = "ok"
) -> Procesgebeurtenis {
    event(soort, tijdMs: t) {
        $0.vraagID = vraagID
        $0.fromParty = party
        $0.suwi = suwi
        $0.gegevensset = "werkzoekenden"
        $0.vumID = "abc.def"
        $0.uitkomst = uitkomst
    }
}

let gemeente = "00000001111111111111"
let uitzend = "00000002222222222222"

@Suite("Audit rules check: each rule flags its violation, and a clean trail passes")
struct RulesCheckTests {
    @Test("a clean trail breaks no rule") func clean() throws {
        try withStore { store in
            var events = zoekvraagTrail(
                vraagID: "v1", from: gemeente, suwi: true, at: 1_000,
                latencies: ["gemeente-a": 12, "uwv": 30], statuses: ["gemeente-a": "beantwoord", "uwv": "beantwoord"])
            events += (0..<10).map {
                detail(.detailGeleverd, vraagID: "v1", from: gemeente, suwi: true, at: 2_000 + Int64($0))
            }
            // A non-SUWI party that asked for vacatures, and one whose werkzoekenden question found nothing.
            events += zoekvraagTrail(
                vraagID: "v2", from: uitzend, suwi: false, gegevensset: .vacatures, at: 3_000,
                latencies: ["uitzend-b": 10], statuses: ["uitzend-b": "beantwoord"])
            events += zoekvraagTrail(
                vraagID: "v3", from: uitzend, suwi: false, at: 4_000, latencies: ["uwv": 10],
                statuses: ["uwv": "geen_resultaten"], aantal: 0)
            _ = try store.appendSynchronously(events.map(received))
            #expect(try RulesCheck().run(store) == [])
        }
    }

    @Test("the eleventh detail of one zoekvraag") func tooManyDetails() throws {
        try withStore { store in
            let events = (0..<11).map {
                detail(.detailGeleverd, vraagID: "v1", from: gemeente, suwi: true, at: 2_000 + Int64($0))
            }
            _ = try store.appendSynchronously(events.map(received))
            let violations = try RulesCheck().run(store)
            #expect(violations.map(\.rule) == [.tooManyDetails])
            #expect(violations.first?.seq == 11)
            #expect(violations.first?.detail.contains("detail 11") == true)
            #expect(try RulesCheck(maximumDetails: 11).run(store).isEmpty)
        }
    }

    @Test("werkzoekenden matches and a detail delivered to a non-SUWI party") func nonSUWI() throws {
        try withStore { store in
            var events = zoekvraagTrail(
                vraagID: "v1", from: uitzend, suwi: false, at: 1_000, latencies: ["uwv": 10],
                statuses: ["uwv": "beantwoord"])
            events.append(detail(.detailGeleverd, vraagID: "v1", from: uitzend, suwi: false, at: 2_000))
            _ = try store.appendSynchronously(events.map(received))
            let violations = try RulesCheck().run(store)
            #expect(violations.map(\.rule) == [.werkzoekendenToNonSUWI, .werkzoekendenToNonSUWI])
            #expect(violations[0].detail.contains("3 werkzoekende profiles delivered to \(uitzend)"))
            #expect(violations[1].detail.contains("detail"))
        }
    }

    @Test("personal data: an e-mail address, a phone number, a record field, an unknown field") func personalData()
        throws
    {
        try withStore { store in
            let email = event(.zoekvraagGeweigerd) { $0.reden = "vraag van j.jansen@example.nl afgewezen" }
            let phone = event(.bronFout) { $0.reden = "bel 06-12345678 voor uitleg" }
            let clean = event(.bronFout) {
                $0.reden = "timeout na 5000 ms; OIN 00000001111111111111"
                $0.fromParty = gemeente
            }
            _ = try store.appendSynchronously([
                received(email), received(phone), received(clean),
                received(
                    json:
                        #"{"eventID":"e4","soort":"detail.geleverd","tijdMs":1,"component":"x","uitkomst":"ok","emailadres":["a@b.nl"]}"#
                ),
                received(
                    json:
                        #"{"eventID":"e5","soort":"detail.geleverd","tijdMs":1,"component":"x","uitkomst":"ok","extra":{"matchingProfiel":{}}}"#
                ),
            ])
            let violations = try RulesCheck().run(store)
            #expect(violations.allSatisfy { $0.rule == .personalData })
            let bySeq = Dictionary(grouping: violations, by: \.seq).mapValues { $0.map(\.detail) }
            #expect(bySeq[1] == ["reden: holds an e-mail address"])
            #expect(bySeq[2] == ["reden: holds a phone number"])
            #expect(bySeq[3] == nil)
            #expect(bySeq[4]?.contains("emailadres: a field of a person's record") == true)
            #expect(bySeq[4]?.contains("emailadres[0]: holds an e-mail address") == true)
            #expect(bySeq[5]?.contains("extra: not a procesgegevens field") == true)
            #expect(
                bySeq[5]?.contains("extra.matchingProfiel: matchingProfiel is a field of a person's record") == true)
        }
    }

    @Test(
        "phone and e-mail scanners",
        arguments: [
            ("0612345678", true), ("+31 6 12345678", true), ("0031612345678", true), ("020-1234567", true),
            ("00000001111111111111", false), ("5000 ms", false), ("1234567890", false), ("v-0612345678901", false),
        ])
    func phone(text: String, expected: Bool) {
        #expect(PersonalDataPatterns.containsPhoneNumber(text) == expected)
    }

    @Test(
        "e-mail scanner",
        arguments: [
            ("a@b.nl", true), ("x j.jansen@gemeente.example.nl y", true), ("@", false),
            ("user@localhost", false), ("a@b.c", false),
        ])
    func email(text: String, expected: Bool) {
        #expect(PersonalDataPatterns.containsEmail(text) == expected)
    }

    @Test("the record fields the check looks for are fields of the standard's records")
    func recordFieldsInStep() throws {
        let data = SyntheticData(seed: 7, table: testPC4Table)
        var keys = Set<String>()
        func collect(_ v: JSONValue) {
            switch v {
            case .object(let o):
                for (k, x) in o {
                    keys.insert(k)
                    collect(x)
                }
            case .array(let a): a.forEach(collect)
            default: break
            }
        }
        for i in 0..<200 {
            collect(data.werkzoekende(i).json)
            collect(data.vacature(i).json)
        }
        // Not record fields but message keys that carry records; and two fields of DOMAIN.md section 2 the
        // generator leaves out.
        let notInStandard = RulesCheck.recordFields.subtracting(keys)
            .subtracting(["matchingProfiel", "matches", "webadres", "toelichtingWerkervaring"])
        #expect(notInStandard.isEmpty, "not a record field: \(notInStandard.sorted())")
    }
}

@Suite("Audit report: figures per bron and per bemiddelaar, in four formats")
struct AuditReportTests {
    func filled(_ body: (AuditStore) throws -> Void) throws {
        try withStore { store in
            var events: [Procesgebeurtenis] = []
            for i in 0..<10 {
                let late = i == 9
                // The last three zoekvragen taken by a second aggregator sharing the load.
                let instance = i >= 7 ? "vum-aggregator/0.1.0 on aggregator-2" : nil
                events += zoekvraagTrail(
                    vraagID: "v\(i)", from: i < 7 ? gemeente : uitzend, suwi: i < 7, gegevensset: .vacatures,
                    at: Int64(i) * 60_000,
                    latencies: late ? ["gemeente-a": 10 + i] : ["gemeente-a": 10 + i, "uwv": 100 + i],
                    statuses: [
                        "gemeente-a": i % 2 == 0 ? "beantwoord" : "geen_resultaten",
                        "uwv": late ? "te_laat" : "beantwoord",
                    ]
                )
                .map { e in
                    var e = e
                    e.component = instance ?? e.component
                    return e
                }
            }
            events.append(
                event(.gegevenssetTeLaat, tijdMs: 9 * 60_000 + 6_000) {
                    $0.vraagID = "v9"
                    $0.bronID = "uwv"
                    $0.teLaatMs = 900
                })
            events.append(
                event(.zoekvraagGeweigerd) {
                    $0.fromParty = "00000003333333333333"
                    $0.uitkomst = "403.01"
                    $0.reden = "niet geregistreerd"
                })
            events.append(detail(.detailOpgevraagd, vraagID: "v0", from: gemeente, suwi: true, at: 30_000))
            events.append(detail(.detailGeleverd, vraagID: "v0", from: gemeente, suwi: true, at: 30_010))
            events.append(
                detail(.detailGeweigerd, vraagID: "v0", from: gemeente, suwi: true, at: 30_020, uitkomst: "429.01"))
            events.append(
                event(.datakwaliteitGemeld, tijdMs: 31_000) {
                    $0.fromParty = gemeente
                    $0.bronID = "uwv"
                    $0.vumID = "abc"
                })
            events.append(event(.bronOffline, tijdMs: 32_000) { $0.bronID = "uwv" })
            _ = try store.appendSynchronously(events.map(received))
            try body(store)
        }
    }

    @Test("per bron: received, each status, late answers, matches, latency percentiles, ignored criteria")
    func perBron() throws {
        try filled { store in
            let report = try AuditReport(store: store)
            #expect(report.bronnen.map(\.bron) == ["gemeente-a", "uwv"])
            let g = report.bronnen[0]
            let u = report.bronnen[1]
            #expect((g.ontvangen, g.beantwoord, g.geenResultaten, g.teLaat) == (10, 5, 5, 0))
            #expect(
                (u.ontvangen, u.beantwoord, u.teLaat, u.lateAntwoorden, u.wentOffline, u.datakwaliteit) == (
                    10, 9, 1, 1, 1, 1
                ))
            #expect(g.matches == 15)
            #expect(g.latency?.p50 == 14 && g.latency?.p95 == 19 && g.latency?.p99 == 19)
            #expect(u.genegeerdeCriteria == ["arbeidsmarktkwalificatie.rijbewijs.codeSoortRijbewijs": 9])
        }
    }

    @Test("per bemiddelaar: zoekvragen, refusals by reason, details and their refusals")
    func perBemiddelaar() throws {
        try filled { store in
            let report = try AuditReport(store: store)
            let byOIN = Dictionary(uniqueKeysWithValues: report.bemiddelaars.map { ($0.oin, $0) })
            #expect(byOIN[gemeente]?.zoekvragen == 7)
            #expect(byOIN[uitzend]?.zoekvragen == 3)
            #expect(byOIN["00000003333333333333"]?.weigeringen == ["403.01 niet geregistreerd": 1])
            #expect(byOIN[gemeente]?.detailverzoeken == 1 && byOIN[gemeente]?.detailsGeleverd == 1)
            #expect(byOIN[gemeente]?.detailWeigeringen == ["429.01": 1])
            #expect(byOIN[gemeente]?.datakwaliteitMeldingen == 1)
        }
    }

    @Test("per component: each aggregator instance's share, refusals, details, first and last event")
    func perComponent() throws {
        try filled { store in
            let report = try AuditReport(store: store)
            #expect(
                report.components.map(\.component) == ["vum-aggregator/0.1.0 on aggregator-2", "vum-aggregator/test"])
            let second = report.components[0]
            let first = report.components[1]
            #expect((second.zoekvragen, second.afgerond, second.weigeringen) == (3, 3, 0))
            #expect((first.zoekvragen, first.afgerond, first.weigeringen) == (7, 7, 1))
            #expect((first.detailsGeleverd, first.detailWeigeringen) == (1, 1))
            #expect(second.events + first.events == report.events)
            #expect(second.firstMs == 7 * 60_000 && second.lastMs > 9 * 60_000)
            let csv = report.render(.csv).split(separator: "\n")
            #expect(csv.contains("component,vum-aggregator/0.1.0 on aggregator-2,zoekvragen,3"), "\(csv)")
            #expect(report.render(.table).contains("Per component"))
            #expect(report.render(.html).contains("<h2>Per component</h2>"))
            let json = try JSONValue.parse(report.render(.json))
            guard case .object(let o) = json, case .array(let components)? = o["components"],
                case .object(let c) = components[0]
            else {
                Issue.record("unexpected JSON")
                return
            }
            #expect(c["zoekvragen"] == .number(.integer(3)))
        }
    }

    @Test("filters: a period, one bron, one bemiddelaar")
    func filters() throws {
        try filled { store in
            let early = try AuditReport(store: store, filter: .init(fromMs: 0, toMs: 3 * 60_000))
            #expect(early.bronnen.first { $0.bron == "gemeente-a" }?.ontvangen == 3)
            let uwv = try AuditReport(store: store, filter: .init(bron: "uwv"))
            #expect(uwv.bronnen.map(\.bron) == ["uwv"])
            let party = try AuditReport(store: store, filter: .init(bemiddelaar: uitzend))
            #expect(party.bemiddelaars.map(\.oin) == [uitzend])
            #expect(party.bronnen.first { $0.bron == "gemeente-a" }?.ontvangen == 3)
            #expect(party.bronnen.first { $0.bron == "uwv" }?.lateAntwoorden == 1)
        }
    }

    @Test("table, CSV, JSON and HTML carry the same figures")
    func formats() throws {
        try filled { store in
            let report = try AuditReport(store: store)
            let table = report.render(.table)
            #expect(table.contains("gemeente-a") && table.contains("429.01=1"))
            // A column of words starts where its heading does; a column of figures ends where its heading does.
            let lines = table.split(separator: "\n").map(String.init)
            func column(_ text: String, in line: String?) -> Int? {
                line?.range(of: text).map { line!.distance(from: line!.startIndex, to: $0.lowerBound) }
            }
            let heading = lines.first { $0.hasPrefix("bemiddelaar ") }
            let refused = lines.first { $0.contains("429.01=1") }
            #expect(column("detail_weigeringen", in: heading) != nil)
            #expect(column("detail_weigeringen", in: heading) == column("429.01=1", in: refused), "\(table)")
            let bronHeading = lines.first { $0.hasPrefix("bron ") }
            let uwv = lines.first { $0.hasPrefix("uwv ") }
            #expect(bronHeading?.range(of: "ontvangen") != nil && uwv != nil)
            if let bronHeading, let uwv, let end = bronHeading.range(of: "ontvangen")?.upperBound {
                let width = bronHeading.distance(from: bronHeading.startIndex, to: end)
                #expect(uwv.prefix(width).last?.isNumber == true, "\(table)")
            }
            let csv = report.render(.csv).split(separator: "\n")
            #expect(csv.first == "section,id,measure,value")
            #expect(csv.contains("bron,uwv,te_laat,1"))
            #expect(csv.contains("bemiddelaar,\(gemeente),zoekvragen,7"))
            let json = try JSONValue.parse(report.render(.json))
            guard case .object(let o) = json, case .array(let bronnen)? = o["bronnen"],
                case .object(let uwv) = bronnen[1]
            else {
                Issue.record("unexpected JSON")
                return
            }
            #expect(uwv["teLaat"] == .number(.integer(1)))
            let html = report.render(.html)
            #expect(html.hasPrefix("<!DOCTYPE html>"))
            #expect(html.components(separatedBy: "<svg").count == 3)
            #expect(html.contains("<polyline") && html.contains("<rect"))
            #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("href="))
        }
    }
}
