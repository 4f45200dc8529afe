import ArgumentParser
import Foundation
import Synchronization
import VUMStandaard

/// `vum zoek`: one zoekvraag to every bron, through the aggregator.
struct Zoek: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask every bron for werkzoekenden or vacatures, through the aggregator.",
        discussion: """
            Builds the selectievraag from the flags (or takes --vraag FILE), sends it to the aggregator's \
            REST API and prints the merged answer: the status of every bron (beantwoord with its count and \
            time, geen_resultaten, fout, te_laat, offline) and the matches with their vumIDs, which \
            `vum detail` and `vum meld` take. While the aggregator waits, a line per bron shows where it \
            stands (answered with count and time, waiting, offline): redrawn on a terminal, one plain line \
            per answer otherwise.

            Examples:
              vum zoek werkzoekenden --postcode 3511AB --afstand 25 --uren 24-32 \\
                  --rijbewijs B --taal nld:3:2
              vum zoek vacatures --postcode 9711 --niveau 4 --format json \\
                  --beroep http://data.competentnl.nl/id/beroep/1234
              vum zoek werkzoekenden --vraag vraag.json --deadline 3000 --format ndjson

            Exit codes: 0 an answer (complete or partial: see its status lines), 1 the exchange refused or \
            could not be reached, 2 a flag is wrong.
            """)

    @Argument(help: "werkzoekenden or vacatures") var gegevensset: Gegevensset
    @OptionGroup var criteria: ZoekCriteria
    @OptionGroup var exchange: AggregatorOptions
    @Option(help: ArgumentHelp("The deadline in milliseconds (the exchange caps it).", valueName: "ms")) var deadline:
        Int?
    @Option(help: "table, json (the whole answer) or ndjson (one match per line).") var format: OutputFormat = .table
    @Option(help: ArgumentHelp("Also write the whole answer as JSON to this file.", valueName: "path")) var uitvoer:
        String?
    @Option(help: "The table shows at most this many matches.") var toon = 20

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case table, json, ndjson }

    func run() async throws {
        let vraag = try criteria.selectievraag(for: gegevensset)
        let party = try exchange.party()
        try await exchangeCommand {
            let path = gegevensset == .werkzoekenden ? "werkzoekendeProfielen" : "vacatures"
            let verzoekID = "vum-cli-\(UUID().uuidString.lowercased())"
            var headers = ["X-VUM-verzoekID": verzoekID]
            if let deadline { headers["X-VUM-deadline-ms"] = "\(deadline)" }
            let live = LiveProgress.start(
                exchange, party: party, verzoekID: verzoekID, expected: await expectedBronnen())
            let started = ContinuousClock.now
            let sent: (status: Int, json: JSONValue)
            do {
                sent = try await exchange.send(
                    "POST", "/api/v3/\(path)/matches", body: .object(JSONObject([("vraagObject", vraag)])),
                    party: party, headers: headers)
            } catch {
                await live.stop()
                throw error
            }
            await live.stop()
            let result = sent
            guard result.status == 200 else { throw ExchangeError.from(status: result.status, result.json) }
            if let uitvoer {
                do {
                    try FileContents.write(result.json.serializedPretty().utf8, to: uitvoer)
                } catch {
                    throw ExchangeError("cannot write \(uitvoer): \(error)")
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
        guard let presence = try? await exchange.send("GET", "/bronnen", party: nil, timeout: 5), presence.status == 200
        else { return [] }
        return presence.json["bronnen"]?.arrayValue.filter {
            $0["online"] == .bool(true)
                && $0["gegevenssets"]?.arrayValue.contains(.string(gegevensset.rawValue)) == true
        }.compactMap { $0["bronID"]?.stringValue } ?? []
    }

    static func statusLines(_ answer: JSONValue) -> String {
        let rows = (answer["vumBronnen"]?.arrayValue ?? []).map { b -> [String] in
            let status = b["status"]?.stringValue ?? "?"
            var detail = ""
            if status == "beantwoord" || status == "geen_resultaten" {
                detail = "\(b["aantal"]?.intValue ?? 0) matches in \(b["duurMs"]?.intValue ?? 0) ms"
                if b["maximumAantalResultatenBereikt"] == .bool(true) { detail += " (its limit; it has more)" }
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
        var lines = [
            "zoekvraag \(answer["vraagID"]?.text ?? "?"): \(matches.count) matches in \(ms) ms"
                + (partial ? ", PARTIAL: not every bron answered" : ", every bron answered"),
            "bronnen:", statusLines(answer),
        ]
        guard !matches.isEmpty else { return lines.joined(separator: "\n") }
        let werkzoekenden = gegevensset == .werkzoekenden
        var rows = [
            werkzoekenden ? ["vumID", "postcode", "uren", "beroep"] : ["vumID", "postcode", "uren", "vacature"]
        ]
        for m in matches.prefix(max(0, limit)) {
            let uren =
                "\(m.at("werktijden.aantalWerkurenPerWeekMinimaal")?.text ?? "?")-\(m.at("werktijden.aantalWerkurenPerWeekMaximaal")?.text ?? "?")"
            rows.append(
                werkzoekenden
                    ? [
                        m["vumID"]?.text ?? "?", m.at("mobiliteit.bemiddelingspostcode")?.text ?? "-", uren,
                        m.at("bemiddelingsberoep.codeBeroepsnaam")?.text ?? "-",
                    ]
                    : [
                        m["vumID"]?.text ?? "?", m.at("adres.postcode")?.text ?? "-", uren,
                        m["naamVacature"]?.text ?? "-",
                    ])
        }
        lines.append("matches:")
        lines.append(columns(rows))
        if matches.count > limit {
            lines.append("... and \(matches.count - limit) more (--toon N, or --format json for all)")
        }
        return lines.joined(separator: "\n")
    }
}

/// While the aggregator works: a line per bron on standard error, from `GET /api/v3/voortgang/{verzoekID}`
/// polled ten times a second. On a terminal the lines are redrawn in place (answered with count and time,
/// waiting with the seconds so far, offline) and erased when the answer is in; otherwise a plain line is
/// written each time a bron answers.
final class LiveProgress: Sendable {
    private let task: Task<Void, Never>
    private let drawn: DrawnLines
    private let terminal: Bool

    /// How many lines are on the screen now.
    final class DrawnLines: Sendable {
        let count = Mutex(0)
    }

    private init(task: Task<Void, Never>, drawn: DrawnLines, terminal: Bool) {
        self.task = task
        self.drawn = drawn
        self.terminal = terminal
    }

    static func start(_ exchange: AggregatorOptions, party: String, verzoekID: String, expected: [String])
        -> LiveProgress
    {
        let terminal = isatty(STDERR_FILENO) == 1
        let drawn = DrawnLines()
        let started = ContinuousClock.now
        func write(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }
        if !terminal, !expected.isEmpty {
            write("asking \(expected.count) bronnen: \(expected.joined(separator: ", "))\n")
        }
        let task = Task {
            var reported = Set<String>()
            while !Task.isCancelled {
                let seconds = { () -> Double in
                    let d = started.duration(to: .now)
                    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
                }()
                var lines: [[String]] = []
                if let progress = try? await exchange.send(
                    "GET", "/api/v3/voortgang/\(verzoekID)", party: party, timeout: 2),
                    progress.status == 200
                {
                    for b in progress.json["bronnen"]?.arrayValue ?? [] {
                        let bron = b["bronID"]?.text ?? "?"
                        let status = b["status"]?.text ?? "?"
                        let detail =
                            switch status {
                            case "wachtend": String(format: "%.1f s", seconds)
                            case "offline": "not asked"
                            default: "\(b["aantal"]?.intValue ?? 0) matches in \(b["duurMs"]?.intValue ?? 0) ms"
                            }
                        lines.append(["  " + bron, status, detail])
                        if !terminal, status != "wachtend", !reported.contains(bron) {
                            reported.insert(bron)
                            write("\(bron): \(status), \(detail)\n")
                        }
                    }
                } else {
                    lines.append([
                        "  waiting for " + (expected.isEmpty ? "the bronnen" : expected.joined(separator: ", ")),
                        String(format: "%.1f s", seconds), "",
                    ])
                }
                if terminal {
                    drawn.count.withLock { n in
                        var out = n > 0 ? "\u{1B}[\(n)A" : ""
                        for line in columns(lines).split(separator: "\n", omittingEmptySubsequences: false) {
                            out += "\r\u{1B}[K\(line)\n"
                        }
                        write(out)
                        n = lines.count
                    }
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        return LiveProgress(task: task, drawn: drawn, terminal: terminal)
    }

    /// Stops polling; on a terminal erases the lines, so the answer is printed in their place.
    func stop() async {
        task.cancel()
        await task.value
        guard terminal else { return }
        drawn.count.withLock { n in
            if n > 0 { FileHandle.standardError.write(Data("\u{1B}[\(n)A\r\u{1B}[J".utf8)) }
            n = 0
        }
    }
}
