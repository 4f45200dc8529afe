import Testing

@testable import VUMAdapter

@Suite("The consumer watchdog: when does a starved consumer get replaced")
struct ConsumerWatchdogTests {
    /// The watchdog's verdict on each check in turn: (deliveries so far, messages ready, busy).
    func verdicts(_ checks: [(Int, Int, Bool)], resetAfter: Int? = nil) -> [Bool] {
        var w = ConsumerWatchdog()
        var out: [Bool] = []
        for (i, c) in checks.enumerated() {
            out.append(w.check(deliveries: c.0, ready: c.1, busy: c.2))
            if i == resetAfter { w.reset() }
        }
        return out
    }

    @Test("two checks in a row with messages waiting, room to work and no delivery: consume again, once")
    func stalled() {
        #expect(verdicts([(3, 0, false), (3, 2, false), (3, 5, false), (3, 5, false)]) == [false, false, true, false])
    }

    @Test("a delivery, an empty queue or an adapter at its limit between checks means the consumer is fed")
    func fed() {
        #expect(
            verdicts([
                (0, 4, false), (1, 4, false), (1, 4, true), (1, 4, false), (1, 0, false), (1, 4, false), (1, 4, false),
            ])
                == [false, false, false, false, false, false, true])
    }

    @Test("reset forgets a first stalled check")
    func reset() {
        #expect(verdicts([(0, 1, false), (0, 1, false), (0, 1, false)], resetAfter: 0) == [false, false, true])
    }
}
