import ArgumentParser
import Foundation
import VUMExchange
import VUMStandaard

/// `vum detail`: the record behind a vumID.
struct Detail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fetch the detail record behind a vumID from its bron, through the aggregator.",
        discussion: """
            Only the party that got the vumID may use it, while its zoekvraag lives (7 days by default), at most \
            10 details per zoekvraag (then 429.01). The bron decides what the detail holds (contact data or not).

            Examples:
              vum detail 9f1c2d7e.4.Q2x3c0V3 --oin 00000001001234567000
              vum detail 9f1c2d7e.0.abc --gegevensset vacatures --format table

            Exit codes: 0 the record, 1 refused (404, 429.01, 503, ...) or unreachable, 2 a flag is wrong.
            """)

    @Argument(help: "The vumID from an answer of vum zoek.") var vumID: String
    @Option(help: "werkzoekenden or vacatures (the dataset of its zoekvraag).") var gegevensset: Gegevensset =
        .werkzoekenden
    @OptionGroup var exchange: AggregatorOptions
    @Option(help: "json (the whole detail) or table (one field per line).") var format: DetailFormat = .json

    enum DetailFormat: String, ExpressibleByArgument, CaseIterable { case json, table }

    func run() async throws {
        let party = try exchange.party()
        try await exchangeCommand {
            let path = gegevensset == .werkzoekenden ? "werkzoekendeProfielen" : "vacatures"
            let result = try await exchange.send("GET", "/api/v3/\(path)/\(vumID)", party: party)
            guard result.status == 200 else { throw ExchangeError.from(status: result.status, result.json) }
            switch format {
            case .json: print(result.json.serializedPretty(), terminator: "")
            case .table:
                var rows: [[String]] = []
                func walk(_ v: JSONValue, _ path: String) {
                    switch v {
                    case .object(let o): for (k, x) in o { walk(x, path.isEmpty ? k : "\(path).\(k)") }
                    case .array(let a): for (i, x) in a.enumerated() { walk(x, "\(path)[\(i)]") }
                    default: rows.append([path, v.text])
                    }
                }
                walk(result.json, "")
                print(columns(rows))
            }
        }
    }
}

/// `vum meld`: report poor data of a record to its bron.
struct Meld: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report poor data of a record you received (by vumID) to the bron that holds it.",
        discussion: """
            The report goes to the bron with its own record id, the reason and your text; the audit trail keeps \
            the reason's code only (your text may name a person, so it never goes there).

            Reasons: \(DatakwaliteitBericht.Reden.list).

            Example:
              vum meld 9f1c2d7e.4.Q2x3c0V3 --reden verouderd \\
                  --toelichting "de vacature is al vervuld" --gegevensset vacatures

            Exit codes: 0 the bron's queue holds the report, 1 refused or unreachable, 2 a flag is wrong.
            """)

    @Argument(help: "The vumID of the record.") var vumID: String
    @Option(help: "Why: \(DatakwaliteitBericht.Reden.list).") var reden: String
    @Option(help: "Your explanation for the bron (at most 2000 characters).") var toelichting: String?
    @Option(help: "werkzoekenden or vacatures (the dataset of its zoekvraag).") var gegevensset: Gegevensset =
        .werkzoekenden
    @OptionGroup var exchange: AggregatorOptions

    func validate() throws {
        guard DatakwaliteitBericht.Reden(rawValue: reden) != nil else {
            throw ValidationError("--reden \(reden): one of \(DatakwaliteitBericht.Reden.list)")
        }
        if let toelichting, toelichting.count > 2000 { throw ValidationError("--toelichting: at most 2000 characters") }
    }

    func run() async throws {
        let party = try exchange.party()
        try await exchangeCommand {
            let path = gegevensset == .werkzoekenden ? "werkzoekendeProfielen" : "vacatures"
            var body = JSONObject([("reden", .string(reden))])
            if let toelichting { body["toelichting"] = .string(toelichting) }
            let result = try await exchange.send(
                "POST", "/api/v3/\(path)/\(vumID)/datakwaliteit", body: .object(body), party: party)
            guard result.status == 202 else { throw ExchangeError.from(status: result.status, result.json) }
            print("reported to the bron: melding \(result.json["meldingID"]?.text ?? "?")")
        }
    }
}

/// `vum bronnen`: the presence registry.
struct Bronnen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Which bronnen the aggregator sees: online or not, their datasets, version and last heartbeat.",
        discussion: """
            Example: vum bronnen --aggregator http://127.0.0.1:8080

            Exit codes: 0 listed, 1 the aggregator could not be reached.
            """)

    @OptionGroup var exchange: AggregatorOptions
    @Flag(help: "The registry as JSON.") var json = false

    func run() async throws {
        try await exchangeCommand {
            let result = try await exchange.send("GET", "/bronnen", party: nil, timeout: 10)
            guard result.status == 200 else { throw ExchangeError.from(status: result.status, result.json) }
            if json {
                print(result.json.serializedPretty(), terminator: "")
                return
            }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            var rows = [["bron", "status", "gegevenssets", "versie", "last heartbeat", "clock"]]
            for b in result.json["bronnen"]?.arrayValue ?? [] {
                let seen = b["laatstGezienMs"]?.intValue.map { "\(max(0, (now - Int64($0)) / 1000)) s ago" } ?? "-"
                // Within the tolerance a clock is fine; beyond it, how far and which way.
                let clock = b["klokverschilMs"]?.intValue.map { ms in
                    ClockDifference.isBeyondTolerance(Int64(ms)) ? ClockDifference.describe(Int64(ms)) : "ok"
                }
                rows.append([
                    b["bronID"]?.text ?? "?", b["online"] == .bool(true) ? "online" : "offline",
                    b["gegevenssets"]?.arrayValue.compactMap(\.stringValue).joined(separator: ",") ?? "-",
                    b["versie"]?.text ?? "-", seen, clock ?? "-",
                ])
            }
            print(rows.count == 1 ? "no bron has announced itself yet" : columns(rows))
        }
    }
}
