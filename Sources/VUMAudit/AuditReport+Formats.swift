import Foundation
import VUMStandaard

extension AuditReport {
    public enum Format: String, Sendable, CaseIterable {
        case table, csv, json, html
    }

    public func render(_ format: Format) -> String {
        switch format {
        case .table: table()
        case .csv: csv()
        case .json: json.serialized() + "\n"
        case .html: AuditReportHTML(report: self).document()
        }
    }

    /// An ISO 8601 UTC time of milliseconds since 1970 (`-` for none), as every format shows times.
    public static func time(_ ms: Int64?) -> String {
        guard let ms else { return "-" }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    static func counts(_ d: [String: Int]) -> String {
        d.isEmpty ? "-" : d.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    var period: String {
        "\(Self.time(filter.fromMs == .min ? firstMs : filter.fromMs)) to \(Self.time(filter.toMs == .max ? lastMs : filter.toMs))"
    }

    /// Rows of the bron table: header first.
    var bronRows: [[String]] {
        [
            [
                "bron", "ontvangen", "beantwoord", "geen_resultaten", "fout", "te_laat", "offline", "late_antwoorden",
                "matches",
                "p50_ms", "p95_ms", "p99_ms", "genegeerde_criteria", "foutcodes", "datakwaliteit",
            ]
        ]
            + bronnen.map { b in
                [
                    b.bron, "\(b.ontvangen)", "\(b.beantwoord)", "\(b.geenResultaten)", "\(b.fout)", "\(b.teLaat)",
                    "\(b.offline)",
                    "\(b.lateAntwoorden)", "\(b.matches)", b.latency.map { "\($0.p50)" } ?? "-",
                    b.latency.map { "\($0.p95)" } ?? "-",
                    b.latency.map { "\($0.p99)" } ?? "-", Self.counts(b.genegeerdeCriteria), Self.counts(b.foutcodes),
                    "\(b.datakwaliteit)",
                ]
            }
    }

    var bemiddelaarRows: [[String]] {
        [
            [
                "bemiddelaar", "zoekvragen", "weigeringen", "detailverzoeken", "details_geleverd", "detail_weigeringen",
                "datakwaliteit_meldingen",
            ]
        ]
            + bemiddelaars.map { p in
                [
                    p.oin, "\(p.zoekvragen)", Self.counts(p.weigeringen), "\(p.detailverzoeken)",
                    "\(p.detailsGeleverd)",
                    Self.counts(p.detailWeigeringen), "\(p.datakwaliteitMeldingen)",
                ]
            }
    }

    var componentRows: [[String]] {
        [
            [
                "component", "events", "zoekvragen", "afgerond", "weigeringen", "details_geleverd",
                "detail_weigeringen", "eerste",
                "laatste",
            ]
        ]
            + components.map { c in
                [
                    c.component, "\(c.events)", "\(c.zoekvragen)", "\(c.afgerond)", "\(c.weigeringen)",
                    "\(c.detailsGeleverd)",
                    "\(c.detailWeigeringen)", Self.time(c.firstMs), Self.time(c.lastMs),
                ]
            }
    }

    func table() -> String {
        func render(_ rows: [[String]]) -> String {
            guard let header = rows.first else { return "" }
            let widths = header.indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
            // Figures right-aligned, so their digits line up; words (ids, code counts, times) left-aligned.
            let numeric = header.indices.map { i in
                i > 0 && rows.dropFirst().allSatisfy { $0[i] == "-" || Double($0[i]) != nil }
            }
            return rows.map { row in
                row.enumerated().map { i, cell in
                    numeric[i]
                        ? String(repeating: " ", count: widths[i] - cell.count) + cell
                        : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
            }.joined(separator: "\n")
        }
        return """
            Audit report: \(events) events, \(period)\(filter.bron.map { ", bron \($0)" } ?? "")\(filter.bemiddelaar.map { ", bemiddelaar \($0)" } ?? "")

            Per bron (status at the close of each zoekvraag; latency from the fan-out to the answer's arrival)
            \(bronnen.isEmpty ? "(none)" : render(bronRows))

            Per bemiddelaar
            \(bemiddelaars.isEmpty ? "(none)" : render(bemiddelaarRows))

            Per component (each aggregator instance names itself in its events)
            \(components.isEmpty ? "(none)" : render(componentRows))

            """
    }

    /// Long form, one figure per line, so any tool can pivot it: section, id, measure, value.
    func csv() -> String {
        func field(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var lines = ["section,id,measure,value"]
        for (section, rows) in [("bron", bronRows), ("bemiddelaar", bemiddelaarRows), ("component", componentRows)] {
            guard let header = rows.first else { continue }
            for row in rows.dropFirst() {
                for i in header.indices.dropFirst() {
                    lines.append([section, row[0], header[i], row[i]].map(field).joined(separator: ","))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public var json: JSONValue {
        func counts(_ d: [String: Int]) -> JSONValue {
            .object(JSONObject(d.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) }))
        }
        var period = JSONObject()
        if let ms = filter.fromMs == .min ? firstMs : filter.fromMs { period["from"] = .string(Self.time(ms)) }
        if let ms = filter.toMs == .max ? lastMs : filter.toMs { period["to"] = .string(Self.time(ms)) }
        return .object(
            JSONObject([
                ("events", .int(events)), ("period", .object(period)),
                (
                    "bronnen",
                    .array(
                        bronnen.map { b in
                            var o = JSONObject([
                                ("bron", .string(b.bron)), ("ontvangen", .int(b.ontvangen)),
                                ("beantwoord", .int(b.beantwoord)),
                                ("geenResultaten", .int(b.geenResultaten)), ("fout", .int(b.fout)),
                                ("teLaat", .int(b.teLaat)),
                                ("offline", .int(b.offline)), ("lateAntwoorden", .int(b.lateAntwoorden)),
                                ("matches", .int(b.matches)),
                            ])
                            if let l = b.latency {
                                o["latencyMs"] = .object(
                                    JSONObject([("p50", .int(l.p50)), ("p95", .int(l.p95)), ("p99", .int(l.p99))]))
                            }
                            o["genegeerdeCriteria"] = counts(b.genegeerdeCriteria)
                            o["foutcodes"] = counts(b.foutcodes)
                            o["datakwaliteit"] = .int(b.datakwaliteit)
                            o["offlineGegaan"] = .int(b.wentOffline)
                            return .object(o)
                        })
                ),
                (
                    "bemiddelaars",
                    .array(
                        bemiddelaars.map { p in
                            .object(
                                JSONObject([
                                    ("oin", .string(p.oin)), ("zoekvragen", .int(p.zoekvragen)),
                                    ("weigeringen", counts(p.weigeringen)),
                                    ("detailverzoeken", .int(p.detailverzoeken)),
                                    ("detailsGeleverd", .int(p.detailsGeleverd)),
                                    ("detailWeigeringen", counts(p.detailWeigeringen)),
                                    ("datakwaliteitMeldingen", .int(p.datakwaliteitMeldingen)),
                                ]))
                        })
                ),
                (
                    "components",
                    .array(
                        components.map { c in
                            .object(
                                JSONObject([
                                    ("component", .string(c.component)), ("events", .int(c.events)),
                                    ("zoekvragen", .int(c.zoekvragen)), ("afgerond", .int(c.afgerond)),
                                    ("weigeringen", .int(c.weigeringen)), ("detailsGeleverd", .int(c.detailsGeleverd)),
                                    ("detailWeigeringen", .int(c.detailWeigeringen)),
                                    ("eerste", .string(Self.time(c.firstMs))),
                                    ("laatste", .string(Self.time(c.lastMs))),
                                ]))
                        })
                ),
            ]))
    }
}

extension JSONValue {
    static func int(_ v: Int) -> JSONValue { .number(.integer(Int64(v))) }
}
