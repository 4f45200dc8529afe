import Foundation

/// The HTML form of a report: one self-contained file (inline CSS and SVG, no script, nothing fetched)
/// that opens in any browser offline, with two charts: answer latency over time per bron, and the status
/// of each bron's answers.
struct AuditReportHTML {
    let report: AuditReport

    static let palette = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
        "#bcbd22", "#17becf",
    ]
    static var statusColours: [(String, String, KeyPath<AuditReport.Bron, Int>)] {
        [
            ("beantwoord", "#2ca02c", \.beantwoord), ("geen_resultaten", "#98df8a", \.geenResultaten),
            ("fout", "#d62728", \.fout), ("te_laat", "#ff7f0e", \.teLaat), ("offline", "#7f7f7f", \.offline),
        ]
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    func document() -> String {
        """
        <!DOCTYPE html>
        <html lang="nl"><head><meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
        <title>VUM audit report</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
        table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
        th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; }
        th:first-child, td:first-child { text-align: left; }
        svg { border: 1px solid #ddd; background: #fff; margin: 0.5em 0; }
        .legend span { display: inline-block; margin-right: 1.2em; }
        .swatch { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.3em; vertical-align: middle; }
        </style></head><body>
        <h1>VUM audit report</h1>
        <p>\(report.events) events, \(Self.escape(report.period))\(report.filter.bron.map { ", bron " + Self.escape($0) } ?? "")\(report.filter.bemiddelaar.map { ", bemiddelaar " + Self.escape($0) } ?? "")</p>
        <h2>Answer latency over time per bron</h2>
        \(latencyChart())
        <h2>Answer status per bron</h2>
        \(statusChart())
        <h2>Per bron</h2>
        \(table(report.bronRows))
        <h2>Per bemiddelaar</h2>
        \(table(report.bemiddelaarRows))
        <h2>Per component</h2>
        \(table(report.componentRows))
        </body></html>

        """
    }

    func table(_ rows: [[String]]) -> String {
        guard let header = rows.first, rows.count > 1 else { return "<p>(none)</p>" }
        let head = "<tr>" + header.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr>"
        let body = rows.dropFirst().map { "<tr>" + $0.map { "<td>\(Self.escape($0))</td>" }.joined() + "</tr>" }.joined(
            separator: "\n")
        return "<table>\n\(head)\n\(body)\n</table>"
    }

    /// Median latency per bron in up to 60 time buckets, one line per bron.
    func latencyChart() -> String {
        let series = report.bronnen.filter { !$0.latencies.isEmpty }
        let all = series.flatMap(\.latencies)
        guard let t0 = all.map(\.tijdMs).min(), let t1 = all.map(\.tijdMs).max() else {
            return "<p>(no answers in this period)</p>"
        }
        let (width, height, left, bottom, top, right) = (760.0, 300.0, 60.0, 40.0, 15.0, 15.0)
        let buckets = 60
        let span = max(1, t1 - t0)
        var lines: [(String, [(Double, Double)])] = []
        var maxMs = 1.0
        for b in series {
            var perBucket = [[Int]](repeating: [], count: buckets)
            for (t, ms) in b.latencies {
                perBucket[min(buckets - 1, Int(Double(t - t0) / Double(span) * Double(buckets)))].append(ms)
            }
            let points = perBucket.enumerated().compactMap { i, values -> (Double, Double)? in
                guard !values.isEmpty else { return nil }
                let median = Double(values.sorted()[values.count / 2])
                return (Double(i) + 0.5, median)
            }
            maxMs = max(maxMs, points.map(\.1).max() ?? 0)
            lines.append((b.bron, points))
        }
        func x(_ bucket: Double) -> Double { left + bucket / Double(buckets) * (width - left - right) }
        func y(_ ms: Double) -> Double { height - bottom - ms / maxMs * (height - bottom - top) }
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"latency over time\">"
        svg +=
            "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - right)\" y2=\"\(height - bottom)\" stroke=\"#444\"/>"
        svg += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(height - bottom)\" stroke=\"#444\"/>"
        for i in 0...4 {
            let ms = maxMs * Double(i) / 4
            svg +=
                "<text x=\"\(left - 6)\" y=\"\(y(ms) + 4)\" font-size=\"11\" text-anchor=\"end\">\(Int(ms.rounded())) ms</text>"
            svg += "<line x1=\"\(left)\" y1=\"\(y(ms))\" x2=\"\(width - right)\" y2=\"\(y(ms))\" stroke=\"#eee\"/>"
        }
        svg += "<text x=\"\(left)\" y=\"\(height - 12)\" font-size=\"11\">\(AuditReport.time(t0))</text>"
        svg +=
            "<text x=\"\(width - right)\" y=\"\(height - 12)\" font-size=\"11\" text-anchor=\"end\">\(AuditReport.time(t1))</text>"
        for (i, (_, points)) in lines.enumerated() {
            let colour = Self.palette[i % Self.palette.count]
            let path = points.map { "\(x($0.0)),\(y($0.1))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(path)\"/>"
            for p in points { svg += "<circle cx=\"\(x(p.0))\" cy=\"\(y(p.1))\" r=\"2.5\" fill=\"\(colour)\"/>" }
        }
        svg += "</svg>"
        let legend = lines.enumerated().map { i, l in
            "<span><i class=\"swatch\" style=\"background:\(Self.palette[i % Self.palette.count])\"></i>\(Self.escape(l.0))</span>"
        }.joined()
        return svg + "\n<div class=\"legend\">\(legend) (median per time slice)</div>"
    }

    /// One stacked bar per bron: its zoekvragen by status at the close.
    func statusChart() -> String {
        let bronnen = report.bronnen
        guard !bronnen.isEmpty else { return "<p>(no bronnen in this period)</p>" }
        let (width, row, left) = (760.0, 26.0, 160.0)
        let height = Double(bronnen.count) * row + 20
        let most = Double(
            max(1, bronnen.map { b in Self.statusColours.reduce(0) { $0 + b[keyPath: $1.2] } }.max() ?? 1))
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"status per bron\">"
        for (i, b) in bronnen.enumerated() {
            let y = 10 + Double(i) * row
            svg +=
                "<text x=\"\(left - 8)\" y=\"\(y + 15)\" font-size=\"12\" text-anchor=\"end\">\(Self.escape(b.bron))</text>"
            var x = left
            for (name, colour, path) in Self.statusColours where b[keyPath: path] > 0 {
                let w = Double(b[keyPath: path]) / most * (width - left - 20)
                svg +=
                    "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(w)\" height=\"\(row - 6)\" fill=\"\(colour)\"><title>\(name): \(b[keyPath: path])</title></rect>"
                x += w
            }
        }
        svg += "</svg>"
        let legend = Self.statusColours.map {
            "<span><i class=\"swatch\" style=\"background:\($0.1)\"></i>\($0.0)</span>"
        }.joined()
        return svg + "\n<div class=\"legend\">\(legend)</div>"
    }
}
