import Testing

@testable import VUMAudit

@Suite("vum-audit's status line")
struct AuditStatusLineTests {
    @Test("events since the line before; quarantined and store failures named and a warning when they happen")
    func sinceTheLineBefore() {
        var line = AuditStatusLine()
        var counters = AuditService.Counters()
        counters.stored = 1234
        counters.duplicates = 2
        let (level, text) = line.next(counters, period: .seconds(900), connected: true)
        #expect(level == .info)
        #expect(text == "status: the last 15m: 1234 events stored, 2 duplicates")
        counters.stored = 1300
        counters.quarantined = 1
        counters.storeFailures = 3
        let (failedLevel, failed) = line.next(counters, period: .seconds(900), connected: true)
        #expect(failedLevel == .warning)
        #expect(
            failed == "status: the last 15m: 66 events stored, 0 duplicates, "
                + "1 quarantined (vum-audit quarantine lists them), 3 times the store failed (the events were retried)")
        let (quietLevel, quiet) = line.next(counters, period: .seconds(30), connected: false)
        #expect(quietLevel == .warning)
        #expect(
            quiet == "status: the last 30s: 0 events stored, 0 duplicates; not connected to the broker, reconnecting")
    }
}
