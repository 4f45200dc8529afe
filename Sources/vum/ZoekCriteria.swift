import ArgumentParser
import Foundation
import VUMStandaard

/// The flags of `vum zoek`, one per searchable criterion of DOMAIN.md section 3, and the selectievraag
/// they make. Every flag is checked here, so a typo is an error before anything is sent.
struct ZoekCriteria: ParsableArguments {
    @Option(help: ArgumentHelp("Centre of the selectiegebied: a postcode like 3511AB.", valueName: "postcode"))
    var postcode: String?
    @Option(help: ArgumentHelp("Radius of the selectiegebied in km (0–999).", valueName: "km"))
    var afstand: Int = 25
    @Option(help: ArgumentHelp("Occupation: a CompetentNL URI (repeatable: any of them).", valueName: "uri"))
    var beroep: [String] = []
    @Option(
        help: ArgumentHelp(
            "Contract: B (bepaalde tijd) or O (onbepaalde tijd), repeatable: any of them. Werkzoekenden only.",
            valueName: "B|O"))
    var contract: [String] = []
    @Option(help: ArgumentHelp("Driving licence, e.g. B or C1E (repeatable: all of them).", valueName: "soort"))
    var rijbewijs: [String] = []
    @Option(
        help: ArgumentHelp(
            "Language with optional minimum levels (2 redelijk .. 4 uitstekend): nld, nld:3 (spoken), nld:3:2 (spoken, written). Repeatable: all of them.",
            valueName: "taal[:mondeling[:schriftelijk]]"))
    var taal: [String] = []
    @Option(
        help: ArgumentHelp("Hours per week the work must overlap: 24-32, or 24 for exactly 24.", valueName: "min-max"))
    var uren: String?
    @Option(help: ArgumentHelp("Office hours wanted: ja or nee.", valueName: "ja|nee"))
    var kantoortijden: String?
    @Option(help: ArgumentHelp("Irregular work or shifts: ja or nee.", valueName: "ja|nee"))
    var onregelmatig: String?
    @Option(
        help: ArgumentHelp(
            "Werkzoekenden: available on or before this date. Vacatures: work starting on or after it (YYYY-MM-DD).",
            valueName: "datum"))
    var beschikbaarPer: String?
    @Option(
        help: ArgumentHelp(
            "Vacatures: the work-and-thinking level 1–7 (1–6: at least this level; 7: not yet known).", valueName: "1-7"
        ))
    var niveau: Int?
    @Option(help: ArgumentHelp("The selectievraag as a JSON file instead of the flags.", valueName: "path"))
    var vraag: String?

    func validate() throws {
        if vraag == nil, postcode == nil {
            throw ValidationError(
                "--postcode is required (the selectiegebied), or give the whole question with --vraag FILE")
        }
    }

    /// The selectievraag for `gegevensset`, keys in a fixed order.
    func selectievraag(for gegevensset: Gegevensset) throws -> JSONValue {
        if let vraag {
            let bytes: [UInt8]
            do { bytes = try FileContents.bytes(vraag) } catch {
                throw ValidationError("cannot read --vraag \(vraag): \(error)")
            }
            do { return try JSONValue.parse(bytes) } catch { throw ValidationError("--vraag \(vraag): \(error)") }
        }
        guard let given = postcode else { throw ValidationError("--postcode is required") }
        let postcode = given.replacingOccurrences(of: " ", with: "").uppercased()
        guard postcode.count == 6, postcode.prefix(4).allSatisfy(\.isNumber),
            postcode.suffix(2).allSatisfy({ $0.isLetter && $0.isASCII })
        else {
            throw ValidationError("--postcode \(given): a postcode is four digits and two letters, like 3511AB")
        }
        let werkzoekenden = gegevensset == .werkzoekenden
        func int(_ i: Int) -> JSONValue { .number(.integer(Int64(i))) }
        func cond(_ op: String, _ v: JSONValue) -> JSONValue { .object(JSONObject([(op, v)])) }
        var o = JSONObject()
        guard (0...999).contains(afstand) else { throw ValidationError("--afstand \(afstand): must be 0 to 999 km") }
        o["selectiegebied"] = .object(JSONObject([("postcode", .string(postcode)), ("afstand", int(afstand))]))
        for b in beroep where !(b.hasPrefix("http://") || b.hasPrefix("https://")) || b.contains(" ") {
            throw ValidationError("--beroep \(b): an occupation is a CompetentNL URI (https://...), not a name")
        }
        if !beroep.isEmpty {
            if werkzoekenden {
                o["bemiddelingsberoep"] = cond(
                    "$elemMatch",
                    cond(
                        "$or",
                        .array(
                            beroep.map {
                                .object(JSONObject([("codeBeroepsnaam", cond("$eq", .string($0)))]))
                            })))
            } else {
                guard beroep.count == 1 else {
                    throw ValidationError("--beroep: a vacature has one occupation; give one")
                }
                o["beroep.codeBeroepsnaam"] = cond("$eq", .string(beroep[0]))
            }
        }
        if !contract.isEmpty {
            guard werkzoekenden else { throw ValidationError("--contract is a criterion for werkzoekenden only") }
            for c in contract where c != "B" && c != "O" { throw ValidationError("--contract \(c): must be B or O") }
            o["contractvorm"] = cond(
                "$elemMatch",
                cond(
                    "$or",
                    .array(
                        contract.map {
                            .object(JSONObject([("codeTypeArbeidscontract", cond("$eq", .string($0)))]))
                        })))
        }
        if let onregelmatig {
            o["flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst"] = cond(
                "$eq", int(try Self.jaNee(onregelmatig, "--onregelmatig")))
        }
        let prefix = werkzoekenden ? "arbeidsmarktkwalificatie." : ""
        if !rijbewijs.isEmpty {
            let known: Set<String> = [
                "A", "A1", "A2", "AM", "B", "B+", "BE", "C1", "C1E", "C", "CE", "D1", "D1E", "D", "DE", "T",
            ]
            for r in rijbewijs where !known.contains(r) {
                throw ValidationError("--rijbewijs \(r): not a licence (\(known.sorted().joined(separator: ", ")))")
            }
            o[prefix + "rijbewijs"] = cond(
                "$all",
                .array(
                    rijbewijs.map {
                        cond("$elemMatch", .object(JSONObject([("codeSoortRijbewijs", cond("$eq", .string($0)))])))
                    }))
        }
        if !taal.isEmpty {
            o[prefix + "taalbeheersing"] = cond(
                "$all",
                .array(
                    try taal.map { spec in
                        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                        guard (1...3).contains(parts.count), parts[0].count == 3,
                            parts[0].allSatisfy({ $0.isLowercase && $0.isASCII })
                        else {
                            throw ValidationError(
                                "--taal \(spec): expected an ISO 639-3 code and optional levels, e.g. nld:3:2")
                        }
                        var element = JSONObject([("codeTaal", cond("$eq", .string(parts[0])))])
                        for (i, key) in ["codeNiveauTaalbeheersingMondeling", "codeNiveauTaalbeheersingSchriftelijk"]
                            .enumerated() where parts.count > i + 1
                        {
                            guard let level = Int(parts[i + 1]), (2...4).contains(level) else {
                                throw ValidationError(
                                    "--taal \(spec): a level is 2 (redelijk), 3 (goed) or 4 (uitstekend)")
                            }
                            element[key] = cond("$gte", int(level))
                        }
                        return cond("$elemMatch", .object(element))
                    }))
        }
        if let beschikbaarPer {
            guard beschikbaarPer.count == 10, ISO8601DateFormatter.day.date(from: beschikbaarPer) != nil else {
                throw ValidationError("--beschikbaar-per \(beschikbaarPer): expected a date YYYY-MM-DD")
            }
            if werkzoekenden {
                o["datumAanvangBeschikbaarVoorWerk"] = cond("$lte", .string(beschikbaarPer))
            } else {
                o["datumAanvangWerkzaamheden"] = cond("$gte", .string(beschikbaarPer))
            }
        }
        if let niveau {
            guard !werkzoekenden else { throw ValidationError("--niveau is a criterion for vacatures only") }
            guard (1...7).contains(niveau) else { throw ValidationError("--niveau \(niveau): must be 1 to 7") }
            o["codeWerkEnDenkniveauMinimaal"] =
                niveau == 7
                ? cond("$eq", .string("7"))
                : .object(JSONObject([("$gte", .string("\(niveau)")), ("$lt", .string("7"))]))
        }
        if let kantoortijden {
            o["werktijden.indicatieKantoortijden"] = cond("$eq", int(try Self.jaNee(kantoortijden, "--kantoortijden")))
        }
        if let uren {
            let parts = uren.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard (1...2).contains(parts.count), let low = parts.first ?? nil, let high = parts.last ?? nil,
                (1...99).contains(low), (1...99).contains(high), low <= high
            else { throw ValidationError("--uren \(uren): expected hours per week like 24-32 (1 to 99)") }
            o["werktijden.aantalWerkurenPerWeekMaximaal"] = cond("$gte", int(low))
            o["werktijden.aantalWerkurenPerWeekMinimaal"] = cond("$lte", int(high))
        }
        return .object(o)
    }

    static func jaNee(_ text: String, _ flag: String) throws -> Int {
        switch text.lowercased() {
        case "ja", "1": return 1
        case "nee", "2": return 2
        default: throw ValidationError("\(flag) \(text): ja or nee")
        }
    }
}

extension ISO8601DateFormatter {
    static var day: ISO8601DateFormatter {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withFullDate]
        return f
    }
}
