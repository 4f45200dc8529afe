import Logging
import VUMConfiguration

/// The line `vum-audit` logs every `status-interval`: the events stored since the line before, and whether
/// the daemon is connected and its store works. An auditor sees in the daemon's own log that the trail
/// keeps growing, and when it stopped growing, without reading the store.
struct AuditStatusLine {
    var previous = AuditService.Counters()

    /// `the last 15m: 1234 events stored, 2 duplicates`; quarantined events and store failures are named
    /// when there were any.
    static func text(_ now: AuditService.Counters, since before: AuditService.Counters, period: Duration) -> String {
        var parts = [
            "\(now.stored - before.stored) events stored", "\(now.duplicates - before.duplicates) duplicates",
        ]
        for (count, what) in [
            (now.quarantined - before.quarantined, "quarantined (vum-audit quarantine lists them)"),
            (now.storeFailures - before.storeFailures, "times the store failed (the events were retried)"),
        ] where count > 0 {
            parts.append("\(count) \(what)")
        }
        return "the last \(KeyValueConfiguration.text(period)): " + parts.joined(separator: ", ")
    }

    /// The line for `now`, remembered for the next: at warning level when the store failed in the period
    /// or the daemon is not connected to the broker (it keeps reconnecting on its own), else at info.
    mutating func next(_ now: AuditService.Counters, period: Duration, connected: Bool) -> (Logger.Level, String) {
        let text = Self.text(now, since: previous, period: period)
        let storeFailed = now.storeFailures > previous.storeFailures
        previous = now
        guard connected else { return (.warning, "status: \(text); not connected to the broker, reconnecting") }
        return (storeFailed ? .warning : .info, "status: \(text)")
    }
}
