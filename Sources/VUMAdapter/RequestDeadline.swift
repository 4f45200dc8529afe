import VUMExchange

/// The time a source may spend on one request: until the aggregator's deadline less a margin to publish
/// the answer, or a fixed limit for requests without a deadline. A source that waits on something
/// outside the adapter (a database that went away, an endpoint that hangs) answers in time with an
/// error instead of never.
struct RequestDeadline {
    var margin: Duration
    var withoutDeadline: Duration

    /// The time left for `context`; throws `500.3` when none is.
    func timeLeft(_ context: Verzoekcontext) throws(Fout) -> Duration {
        guard let deadline = context.deadlineMs else { return withoutDeadline }
        // The header is the sender's to choose: compared first, so no value can overflow the subtraction.
        let now = Envelope.nowMs()
        let left = deadline > now ? Duration.milliseconds(deadline - now) - margin : .zero
        guard left > .milliseconds(1) else {
            throw Fout(code: "500.3", message: "no time left before the deadline")
        }
        return left
    }

    /// Runs `body` for at most the time left; past it, `body` is cancelled and `500.3` names `what`.
    func run<T: Sendable>(_ context: Verzoekcontext, _ what: String, _ body: @escaping @Sendable () async throws -> T)
        async throws -> T
    {
        let left = try timeLeft(context)
        guard let value = try await withTimeLimit(left, body) else {
            let waited = left.formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow))
            throw Fout(
                code: "500.3", message: "\(what) did not answer before the deadline", details: "gave up after \(waited)"
            )
        }
        return value
    }
}
