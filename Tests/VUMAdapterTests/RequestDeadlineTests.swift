import Testing
import VUMExchange

@testable import VUMAdapter

@Suite("RequestDeadline: the time a source may spend, whatever deadline a request carries")
struct RequestDeadlineTests {
    let deadline = RequestDeadline(margin: .milliseconds(100), withoutDeadline: .seconds(5))

    func left(_ deadlineMs: Int64?) -> Result<Duration, Fout> {
        Result { () throws(Fout) in try deadline.timeLeft(Verzoekcontext(vraagID: "v", deadlineMs: deadlineMs)) }
    }

    @Test("until the deadline less the margin; none without a deadline; 500.3 when it passed, at any distance")
    func timeLeft() throws {
        #expect(try left(nil).get() == .seconds(5))
        let soon = try left(Envelope.nowMs() + 2000).get()
        #expect(soon > .milliseconds(1700) && soon <= .milliseconds(1900))
        // Header values are the sender's to choose: the extremes neither trap nor wrap around.
        for passed in [Envelope.nowMs() - 1, 0, -1, Int64.min] {
            guard case .failure(let fout) = left(passed) else {
                Issue.record("\(passed) gave time to work")
                continue
            }
            #expect(fout.code == "500.3")
        }
        #expect(try left(Int64.max).get() > .seconds(3600 * 24 * 365 * 1000))
    }
}
