import Foundation
import Testing
import VUMExchange
import VUMTesting

@testable import VUMAudit

/// The HTML report in a real browser: Debian's headless Chromium loads the file offline, takes a
/// screenshot, and the screenshot's pixels show the charts were drawn.
@Suite("Audit report HTML in headless Chromium")
struct HTMLReportBrowserTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// Kept after the run, for a person to look at.
    static let output = repository.appendingPathComponent(".build/test-output/audit-report")

    @Test("loads without a console message or a blocked fetch, and both charts render")
    func rendersInChromium() async throws {
        try FileManager.default.createDirectory(at: Self.output, withIntermediateDirectories: true)
        let html = Self.output.appendingPathComponent("report.html")
        let screenshot = Self.output.appendingPathComponent("report.png")
        try? FileManager.default.removeItem(at: screenshot)
        let text = try withStore { store in
            var events: [Procesgebeurtenis] = []
            for i in 0..<40 {
                events += zoekvraagTrail(
                    vraagID: "v\(i)", from: gemeente, suwi: true, at: 1_780_000_000_000 + Int64(i) * 30_000,
                    latencies: ["gemeente-a": 10 + i % 7, "uwv": 40 + i % 13],
                    statuses: ["gemeente-a": "beantwoord", "uwv": i % 5 == 0 ? "te_laat" : "geen_resultaten"])
            }
            _ = try store.appendSynchronously(events.map(received))
            return try AuditReport(store: store).render(.html)
        }
        try text.write(to: html, atomically: true, encoding: .utf8)

        let browser = try await ChildProcess.run(
            "/usr/bin/env",
            [
                "chromium-headless-shell", "--no-sandbox", "--headless", "--disable-gpu", "--hide-scrollbars",
                "--window-size=1000,1500", "--enable-logging=stderr", "--v=0", "--screenshot=\(screenshot.path)",
                html.absoluteString,
            ])
        #expect(browser.status == 0, "\(browser.output)")
        let console = browser.output.split(separator: "\n").filter { $0.contains(":CONSOLE") }
        #expect(console.isEmpty, "the page logged: \(console)")
        #expect(FileManager.default.fileExists(atPath: screenshot.path), "no screenshot: \(browser.output)")

        // Green bars (beantwoord), orange (te_laat), and the two latency lines in the first palette colours.
        let pixels = try await ChildProcess.run(
            "/usr/bin/env",
            [
                "python3", Self.repository.appendingPathComponent("scripts/png-colours.py").path, screenshot.path,
                "2ca02c", "ff7f0e", "1f77b4",
            ])
        #expect(pixels.status == 0, "\(pixels.output)")
        let counts = try pixelCounts(pixels.output)
        #expect(counts["2ca02c", default: 0] > 2_000, "status bars not drawn: \(counts)")
        #expect(counts["ff7f0e", default: 0] > 200, "te_laat bar or second line not drawn: \(counts)")
        #expect(counts["1f77b4", default: 0] > 200, "latency line not drawn: \(counts)")
    }
}

/// `{"colour": count, ...}` from png-colours.py.
func pixelCounts(_ text: String) throws -> [String: Int] {
    let line = text.split(separator: "\n").last { $0.hasPrefix("{") } ?? ""
    let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Int]
    return object ?? [:]
}
