import AMQPClient
import Foundation
import VUMExchange
import VUMStandaard

extension Session {
    /// Four checks over the same zoekvragen: answered within the deadline; answers that follow the schema
    /// and come from the bron's own user; no detail-only field in a matching profile; every match
    /// satisfies the question (the selectiegebied above all), and with the bron's records given, the
    /// answer is the evaluator's.
    func questionChecks(_ gegevenssets: [Gegevensset], _ record: (ConformanceCheck) -> Void) async {
        var late: [String] = []
        var schema: [String] = []
        var leaks: [String] = []
        var wrong: [String] = []
        var asked = 0
        var answered = 0
        var matchesSeen = 0
        var slowest = 0.0
        let deadline =
            Double(config.deadline.components.seconds) + Double(config.deadline.components.attoseconds) / 1e18
        for gegevensset in gegevenssets {
            for (i, vraag) in questions(gegevensset).enumerated() {
                asked += 1
                let label = "\(gegevensset.rawValue) question \(i + 1)"
                let (_, result) = await ask(vraag, gegevensset)
                guard let answer = result else {
                    late.append("\(label): no answer within the deadline of \(config.deadline) (nor a second after)")
                    continue
                }
                slowest = max(slowest, answer.seconds)
                if answer.seconds > deadline {
                    late.append(
                        "\(label): answered after \(String(format: "%.2f", answer.seconds)) s, past the deadline")
                } else {
                    answered += 1
                }
                if answer.delivery.properties.userID != config.bronUser {
                    schema.append(
                        "\(label): user_id \(answer.delivery.properties.userID ?? "absent"), not \(config.bronUser)")
                }
                if answer.delivery.properties.type != MessageType.gegevensset.rawValue {
                    schema.append(
                        "\(label): type \(answer.delivery.properties.type ?? "absent"), not \(MessageType.gegevensset.rawValue)"
                    )
                }
                guard let bericht = answer.bericht else {
                    schema.append("\(label): \(answer.decodeError ?? "undecodable")")
                    continue
                }
                if bericht.bronID != config.bron {
                    schema.append("\(label): bronID \(bericht.bronID), not \(config.bron)")
                }
                if let fout = bericht.fout {
                    schema.append("\(label): answered with fout \(fout.code) \(fout.message) to a valid question")
                    continue
                }
                matchesSeen += bericht.matches.count
                for (index, match) in bericht.matches.enumerated() {
                    guard case .object(let o) = match else { continue }
                    let leaked = o.keys.filter(Self.detailOnly.contains)
                    if !leaked.isEmpty { leaks.append("\(label), match \(index): \(leaked.joined(separator: ", "))") }
                }
                wrong += check(bericht, vraag, gegevensset, label: label, schema: &schema)
            }
        }
        record(
            .init(
                name: "answers every zoekvraag within its deadline", passed: late.isEmpty && answered == asked,
                evidence: late.isEmpty
                    ? ["\(answered) of \(asked) answered; the slowest in \(String(format: "%.3f", slowest)) s"] : late))
        record(
            .init(
                name: "answers follow the message schema and come from the bron's own broker user",
                passed: schema.isEmpty,
                evidence: schema.isEmpty ? ["\(answered) answers, \(matchesSeen) matching profiles, all valid"] : schema
            ))
        record(
            .init(
                name: "never sends a detail-only field in a matching profile", passed: leaks.isEmpty,
                evidence: leaks.isEmpty ? ["none in \(matchesSeen) matching profiles"] : leaks.map { "leaked: \($0)" }))
        record(
            .init(
                name: "honours the selectiegebied and every criterion it applies"
                    + (config.werkzoekenden.isEmpty && config.vacatures.isEmpty
                        ? "" : "; answers what its records hold"),
                passed: wrong.isEmpty, evidence: wrong.isEmpty ? ["every match satisfies its question"] : wrong))
    }

    /// The problems of one answer against its question: matches that do not satisfy it (outside the
    /// selectiegebied, or failing a criterion the bron did not report as ignored); with the bron's records,
    /// what the evaluator finds and the bron left out.
    func check(
        _ bericht: GegevenssetBericht, _ vraag: JSONValue, _ gegevensset: Gegevensset, label: String,
        schema: inout [String]
    ) -> [String] {
        var problems: [String] = []
        // The question as the bron applied it: without what it reported as ignored.
        guard case .object(var o) = vraag else { return [] }
        for key in bericht.genegeerdeCriteria { o[key] = nil }
        guard let applied = try? Selectievraag(json: .object(o), gegevensset: gegevensset),
            let prepared = try? kit.evaluator.prepare(applied)
        else { return ["\(label): the question without its ignored criteria does not parse"] }
        func compare<R: VUMRecord & Matchable>(_ type: R.Type, id: (R) -> RecordID, records: [R]) {
            let (valid, invalid) = bericht.matchingProfielen(as: type)
            for (index, error) in invalid { schema.append("\(label), match \(index): \(error)") }
            for profile in valid {
                returned.append((gegevensset, id(profile)))
                if !kit.evaluator.matches(profile, prepared) {
                    let distance: Double? = kit.table.centroid(profile.matchPostcode).flatMap { a in
                        kit.table.centroid(applied.selectiegebied.postcode).map { PC4Table.distance(a, $0) }
                    }
                    let outside = distance.map { $0 > Double(applied.selectiegebied.afstand) } ?? true
                    problems.append(
                        "\(label): \(id(profile)) does not satisfy the question"
                            + (outside
                                ? " (outside the selectiegebied: \(distance.map { String(format: "%.1f km", $0) } ?? "unknown postcode"))"
                                : ""))
                }
            }
            guard !records.isEmpty else { return }
            let expected = kit.evaluator.select(records, prepared, limit: 100)
            let expectedIDs = Set(expected.matches.map(id))
            let got = Set(valid.map(id))
            if expected.maximumAantalResultatenBereikt {
                if !bericht.maximumAantalResultatenBereikt {
                    problems.append(
                        "\(label): more than 100 records match, but maximumAantalResultatenBereikt is false")
                }
            } else {
                let missing = expectedIDs.subtracting(got)
                if !missing.isEmpty {
                    problems.append(
                        "\(label): left out \(missing.count) matching records, e.g. \(missing.sorted { $0.rawValue < $1.rawValue }.prefix(3).map(\.rawValue).joined(separator: ", "))"
                    )
                }
            }
        }
        switch gegevensset {
        case .werkzoekenden:
            compare(
                WerkzoekendeMatchingProfiel.self, id: \.idWerkzoekende,
                records: config.werkzoekenden.map(\.matchingProfiel))
        case .vacatures:
            compare(VacatureMatchingProfiel.self, id: \.idVacature, records: config.vacatures.map(\.matchingProfiel))
        }
        return problems
    }

    /// A question with an invalid selectiegebied is answered with fout 400.01, not guessed at.
    func malformedCheck(_ gegevensset: Gegevensset, _ record: (ConformanceCheck) -> Void) async {
        let name = "rejects a malformed question with 400.01"
        let vraag = JSONValue.object(
            JSONObject([
                ("selectiegebied", .object(JSONObject([("postcode", .string("XXXX")), ("afstand", .string("ver"))])))
            ]))
        let (_, answer) = await ask(vraag, gegevensset)
        guard let answer else {
            return record(.init(name: name, passed: false, evidence: ["no answer at all to a malformed question"]))
        }
        guard let fout = answer.bericht?.fout else {
            return record(
                .init(
                    name: name, passed: false,
                    evidence: [
                        "answered a question with selectiegebied {postcode: \"XXXX\", afstand: \"ver\"} without a fout"
                            + (answer.bericht.map { " (\($0.matches.count) matches)" }
                                ?? ": \(answer.decodeError ?? "")")
                    ]))
        }
        record(
            .init(
                name: name, passed: fout.code == "400.01",
                evidence: ["fout \(fout.code): \(fout.message)\(fout.details.map { " (\($0))" } ?? "")"]))
    }

    /// A criterion it does not know is not applied and is reported back in genegeerdeCriteria.
    func ignoredCriterionCheck(_ gegevensset: Gegevensset, _ record: (ConformanceCheck) -> Void) async {
        let name = "reports a criterion it does not apply in genegeerdeCriteria"
        let key = "vumConformanceOnbekendVeld"
        guard case .object(var o) = questions(gegevensset).first ?? .null else { return }
        o[key] = .object(JSONObject([("$eq", .number(.integer(1)))]))
        let (_, answer) = await ask(.object(o), gegevensset)
        guard let bericht = answer?.bericht else {
            return record(
                .init(
                    name: name, passed: false, evidence: ["no readable answer to a question with an unknown criterion"])
            )
        }
        if let fout = bericht.fout {
            return record(
                .init(
                    name: name, passed: false,
                    evidence: ["refused it with fout \(fout.code) instead of ignoring \(key)"]))
        }
        let reported = bericht.genegeerdeCriteria.contains(key)
        record(
            .init(
                name: name, passed: reported,
                evidence: [
                    reported
                        ? "reported \(key) as ignored"
                        : "genegeerdeCriteria is \(bericht.genegeerdeCriteria), without \(key)"
                ]))
    }

    /// A detail request for a record it returned gets that record, valid, without a fout.
    func detailCheck(_ record: (ConformanceCheck) -> Void) async {
        let name = "answers a detail request with the record"
        if returned.isEmpty {
            // The questions found nothing: one broad question to find a record to ask for.
            let gegevensset = datasets.first ?? fallbackDatasets.first ?? .werkzoekenden
            let centre =
                config.werkzoekenden.first?.matchingProfiel.mobiliteit.bemiddelingspostcode.rawValue
                ?? config.vacatures.first?.matchingProfiel.adres.postcode.rawValue ?? "3511AB"
            let broad = JSONValue.object(
                JSONObject([
                    (
                        "selectiegebied",
                        .object(
                            JSONObject([
                                ("postcode", .string(centre)), ("afstand", .number(.integer(300))),
                            ]))
                    )
                ]))
            if let bericht = await ask(broad, gegevensset).answer?.bericht {
                var ignored: [String] = []
                _ = check(bericht, broad, gegevensset, label: "broad question", schema: &ignored)
            }
        }
        guard let (gegevensset, recordID) = returned.first else {
            return record(.init(name: name, passed: false, evidence: ["no record was returned to ask a detail of"]))
        }
        let requestID = UUID().uuidString.lowercased()
        let deadlineMs = Envelope.nowMs() + 10_000
        var envelope = Envelope(
            type: .detailverzoek, correlationID: requestID, appID: "vum-conformance/0.1.0", userID: config.ownUser,
            replyTo: replyQueue, deadlineMs: deadlineMs)
        envelope.fromParty = try? OIN(validating: config.fromParty)
        envelope.viaParty = envelope.fromParty
        envelope.suwiParty = true
        do {
            try await channel.publish(
                MessageCodec.encode(
                    DetailverzoekBericht(vraagID: requestID, gegevensset: gegevensset, recordID: recordID)),
                exchange: Topology.detailverzoeken, routingKey: config.bron.rawValue, properties: envelope.properties())
        } catch {
            return record(
                .init(name: name, passed: false, evidence: ["the detail request could not be sent: \(error)"]))
        }
        guard let d = await answers.first(within: .seconds(10), where: { $0.properties.correlationID == requestID })
        else {
            return record(.init(name: name, passed: false, evidence: ["no detail for \(recordID) within 10 s"]))
        }
        do {
            let detail = try MessageCodec.decode(DetailBericht.self, from: d.body)
            if let fout = detail.fout {
                return record(
                    .init(
                        name: name, passed: false, evidence: ["fout \(fout.code) for \(recordID), a record it returned"]
                    ))
            }
            let id: RecordID? =
                switch gegevensset {
                case .werkzoekenden: try detail.werkzoekendeRecord()?.matchingProfiel.idWerkzoekende
                case .vacatures: try detail.vacatureRecord()?.matchingProfiel.idVacature
                }
            record(
                .init(
                    name: name, passed: id == recordID,
                    evidence: [
                        id == recordID
                            ? "the detail of \(recordID) is valid"
                            : "asked \(recordID), got \(id?.rawValue ?? "no record")"
                    ]))
        } catch {
            record(.init(name: name, passed: false, evidence: ["\(recordID): \(error)"]))
        }
    }
}
