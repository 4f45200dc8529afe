import ArgumentParser
import Foundation
import VUMStandaard

/// `vum zoek`: one zoekvraag to every bron, through the aggregator.
struct Zoek: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask every bron for werkzoekenden or vacatures, through the aggregator.",
        discussion: """
            Builds the selectievraag from the flags (or takes --vraag FILE), sends it to the aggregator's
            REST API and prints the merged answer: the status of every bron (beantwoord with its count and
            time, geen_resultaten, fout, te_laat, offline) and the matches with their vumIDs, which
            `vum detail` and `vum meld` take. On a terminal a live line shows the bronnen being waited for.

            Examples:
              vum zoek werkzoekenden --postcode 3511AB --afstand 25 --uren 24-32 --rijbewijs B --taal nld:3:2
              vum zoek vacatures --postcode 9711 --beroep http://data.competentnl.nl/id/beroep/1234 --niveau 4 --format json
              vum zoek werkzoekenden --vraag vraag.json --deadline 3000 --format ndjson

            Exit codes: 0 an answer (complete or partial: see its status lines), 1 the exchange refused or
            could not be reached, 2 a flag is wrong.
            """)

    @Argument(help: "werkzoekenden or vacatures") var gegevensset: Gegevensset
    @OptionGroup var criteria: ZoekCriteria
    @OptionGroup var exchange: AggregatorOptions
    @Option(help: ArgumentHelp("The deadline in milliseconds (the exchange caps it).", valueName: "ms")) var deadline: Int?
    @Option(help: "table, json (the whole answer) or ndjson (one match per line).") var format: OutputFormat = .table
    @Option(help: ArgumentHelp("Also write the whole answer as JSON to this file.", valueName: "path")) var uitvoer: String?
    @Option(help: "The table shows at most this many matches.") var toon = 20

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case table, json, ndjson }

    func run() async throws {
        let vraag = try criteria.selectievraag(for: gegevensset)
        let party = try exchange.party()
        try await exchangeCommand {
            let path = gegevensset == .werkzoekenden ? "werkzoekendeProfielen" : "vacatures"
            let waiting = LiveLine.start(expected: await expectedBronnen())
            let started = ContinuousClock.now
            let result = try await exchange.send("POST", "/api/v3/\(path)/matches",
                                                 body: .object(JSONObject([("vraagObject", vraag)])), party: party,
                                                 headers: deadline.map { ["X-VUM-deadline-ms": "\($0)"] } ?? [:])
            waiting?.stop()
            guard result.status == 200 else { throw ExchangeError.from(status: result.status, result.json) }
            if let uitvoer {
                do { try result.json.serializedPretty().write(toFile: uitvoer, atomically: true, encoding: .utf8) } catch {
                    throw ExchangeError("cannot write \(uitvoer): \(error.localizedDescription)")
                }
            }
            let elapsed = started.duration(to: .now)
            switch format {
            case .json: print(result.json.serializedPretty(), terminator: "")
            case .ndjson:
                for match in result.json["matches"]?.arrayValue ?? [] { print(match.serialized()) }
                FileHandle.standardError.write(Data((Self.statusLines(result.json) + "\n").utf8))
            case .table: print(Self.table(result.json, gegevensset: gegevensset, elapsed: elapsed, limit: toon))
            }
        }
    }

    /// The bronnen online for this dataset, for the live line (nothing when the registry is not readable).
    func expectedBronnen() async -> [String] {
        guard let presence = try? await exchange.send("GET", "/bronnen", party: nil, timeout: 5), presence.status == 200 else { return [] }
        return presence.json["bronnen"]?.arrayValue.filter {
            $0["online"] == .bool(true) && $0["gegevenssets"]?.arrayValue.contains(.string(gegevensset.rawValue)) == true
        }.compactMap { $0["bronID"]?.stringValue } ?? []
    }

    static func statusLines(_ answer: JSONValue) -> String {
        let rows = (answer["vumBronnen"]?.arrayValue ?? []).map { b -> [String] in
            let status = b["status"]?.stringValue ?? "?"
            var detail = ""
            if status == "beantwoord" || status == "geen_resultaten" {
                detail = "\(b["aantal"]?.intValue ?? 0) matches in \(b["duurMs"]?.intValue ?? 0) ms"
                if b["maximumAantalResultatenBereikt"] == .bool(true) { detail += " (more than it sent)" }
            } else if status == "fout" {
                detail = "\(b["fout"]?["code"]?.text ?? "?") \(b["fout"]?["message"]?.text ?? "")"
            }
            let ignored = b["genegeerdeCriteria"]?.arrayValue.compactMap(\.stringValue) ?? []
            if !ignored.isEmpty { detail += "; ignored: \(ignored.joined(separator: ", "))" }
            return ["  " + (b["bronID"]?.stringValue ?? "?"), status, detail]
        }
        return columns(rows)
    }

    static func table(_ answer: JSONValue, gegevensset: Gegevensset, elapsed: Duration, limit: Int = .max) -> String {
        let matches = answer["matches"]?.arrayValue ?? []
        let partial = answer["vumGedeeltelijk"] == .bool(true)
        let ms = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        var lines = ["zoekvraag \(answer["vraagID"]?.text ?? "?"): \(matches.count) matches in \(ms) ms"
                     + (partial ? ", PARTIAL: not every bron answered" : ", every bron answered"),
                     "bronnen:", statusLines(answer)]
        guard !matches.isEmpty else { return lines.joined(separator: "\n") }
        let werkzoekenden = gegevensset == .werkzoekenden
        var rows = [werkzoekenden ? ["vumID", "postcode", "uren", "beroep"] : ["vumID", "postcode", "uren", "vacature"]]
        for m in matches.prefix(max(0, limit)) {
            let uren = "\(m.at("werktijden.aantalWerkurenPerWeekMinimaal")?.text ?? "?")-\(m.at("werktijden.aantalWerkurenPerWeekMaximaal")?.text ?? "?")"
            rows.append(werkzoekenden
                ? [m["vumID"]?.text ?? "?", m.at("mobiliteit.bemiddelingspostcode")?.text ?? "-", uren,
                   m.at("bemiddelingsberoep.codeBeroepsnaam")?.text ?? "-"]
                : [m["vumID"]?.text ?? "?", m.at("adres.postcode")?.text ?? "-", uren, m["naamVacature"]?.text ?? "-"])
        }
        lines.append("matches:")
        lines.append(columns(rows))
        if matches.count > limit { lines.append("... and \(matches.count - limit) more (--toon N, or --format json for all)") }
        return lines.joined(separator: "\n")
    }
}

/// On a terminal: one line on standard error that says which bronnen are being waited for and for how
/// long, redrawn ten times a second and erased when the answer is in. Nothing when not a terminal.
final class LiveLine: @unchecked Sendable {
    private let task: Task<Void, Never>

    private init(task: Task<Void, Never>) { self.task = task }

    static func start(expected: [String]) -> LiveLine? {
        guard isatty(STDERR_FILENO) == 1 else {
            if !expected.isEmpty { FileHandle.standardError.write(Data("asking \(expected.count) bronnen: \(expected.joined(separator: ", "))\n".utf8)) }
            return nil
        }
        let started = ContinuousClock.now
        let names = expected.isEmpty ? "the bronnen" : expected.joined(separator: ", ")
        return LiveLine(task: Task {
            while !Task.isCancelled {
                let d = started.duration(to: .now)
                let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
                FileHandle.standardError.write(Data("\r\u{1B}[Kwaiting for \(names): \(String(format: "%.1f", s)) s".utf8))
                try? await Task.sleep(for: .milliseconds(100))
            }
        })
    }

    func stop() {
        task.cancel()
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
