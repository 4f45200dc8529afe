import Testing

@testable import VUMAdapter

@Suite("the adapter's status line")
struct StatusLineTests {
    @Test("counts since the line before; the rare ones only when they happened; a warning when disconnected")
    func sinceTheLineBefore() {
        var line = StatusLine()
        var counters = AdapterCounters()
        #expect(
            line.next(counters, period: .seconds(900), connected: true).1
                == "status: the last 15m: 0 zoekvragen answered, 0 details")
        counters.answered = 40
        counters.answeredWithError = 2
        counters.details = 3
        counters.expired = 1
        counters.rejected = 4
        let (level, text) = line.next(counters, period: .seconds(900), connected: true)
        #expect(level == .info)
        #expect(
            text == "status: the last 15m: 42 zoekvragen answered (2 with an error), 3 details, "
                + "1 expired before they were read, 4 messages refused as malformed (to the dead-letter queue)")
        counters.answered = 45
        counters.tooLate = 1
        let (laterLevel, later) = line.next(counters, period: .seconds(60), connected: false)
        #expect(laterLevel == .warning)
        #expect(
            later == "status: the last 1m: 5 zoekvragen answered, 0 details, "
                + "1 answers came after the request had closed; not connected to the broker, reconnecting")
    }
}
