/// Notices a consumer the broker stopped feeding: messages wait in the bron's queue, the adapter has room
/// for more, and nothing arrives.
///
/// The cluster test (ClusterTests, Docs/reliability.md scenario 5) saw it with RabbitMQ 3.10: after the node
/// leading a bron's quorum queue stopped, the adapter on another node kept its connection and its consumer
/// (`rabbitmqctl list_consumers` listed it, active) but never got another delivery, so that bron answered
/// nothing for the rest of the run. The adapter checks its queue every `consumer-check` interval; when two
/// checks in a row find messages ready, the adapter not at its concurrency limit, and no delivery in between,
/// it consumes again on a fresh channel (``AdapterService``).
struct ConsumerWatchdog: Sendable {
    private var deliveriesAtLastCheck = 0
    private var stalledChecks = 0

    /// One check: `deliveries` received on the current consumer so far, `ready` messages waiting in the queue,
    /// `busy` whether the adapter is working on as many questions as it may (then waiting messages are
    /// expected). Returns whether to consume again.
    mutating func check(deliveries: Int, ready: Int, busy: Bool) -> Bool {
        defer { deliveriesAtLastCheck = deliveries }
        guard ready > 0, !busy, deliveries == deliveriesAtLastCheck else {
            stalledChecks = 0
            return false
        }
        stalledChecks += 1
        guard stalledChecks >= 2 else { return false }
        stalledChecks = 0
        return true
    }

    /// After consuming again: count from zero.
    mutating func reset() {
        deliveriesAtLastCheck = 0
        stalledChecks = 0
    }
}
