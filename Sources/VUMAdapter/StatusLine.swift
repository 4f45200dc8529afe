import AMQPClient
import Logging
import VUMConfiguration

/// The line an adapter logs every `status-interval`: what it did since the line before, and whether it is
/// connected to the broker. A partner sees in the adapter's own log that the bron is being served (or that
/// nothing has reached it for an hour) without a metrics system; the aggregator's operator sees the same
/// bron from the other side in `vum bronnen`.
struct StatusLine {
    var previous = AdapterCounters()

    /// What happened between `previous` and `now`, in words: `the last 15m: 42 zoekvragen answered (1 with
    /// an error), 3 details, 2 expired before they were read`. Zoekvragen and details are always named, the
    /// rarer counts only when they are not zero.
    static func text(_ now: AdapterCounters, since before: AdapterCounters, period: Duration) -> String {
        let answered = now.answered - before.answered
        let withError = now.answeredWithError - before.answeredWithError
        var parts = [
            "\(answered + withError) zoekvragen answered" + (withError > 0 ? " (\(withError) with an error)" : ""),
            "\(now.details - before.details) details",
        ]
        for (count, what) in [
            (now.expired - before.expired, "expired before they were read"),
            (now.tooLate - before.tooLate, "answers came after the request had closed"),
            (now.rejected - before.rejected, "messages refused as malformed (to the dead-letter queue)"),
            (now.ignoredOtherDataset - before.ignoredOtherDataset, "zoekvragen for a dataset this bron does not hold"),
            (now.datakwaliteit - before.datakwaliteit, "datakwaliteit reports"),
            (now.consumerRestarts - before.consumerRestarts, "times consumed again on a fresh channel"),
        ] where count > 0 {
            parts.append("\(count) \(what)")
        }
        return "the last \(KeyValueConfiguration.text(period)): " + parts.joined(separator: ", ")
    }

    /// The line for `now`, remembered for the next: at info level, at warning level when the adapter is
    /// not connected to the broker (it keeps reconnecting on its own).
    mutating func next(_ now: AdapterCounters, period: Duration, connected: Bool) -> (Logger.Level, String) {
        let text = Self.text(now, since: previous, period: period)
        previous = now
        return connected
            ? (.info, "status: \(text)") : (.warning, "status: \(text); not connected to the broker, reconnecting")
    }
}
