import AMQPClient
import Foundation
import Logging
import Synchronization

/// A channel of the aggregator's in confirm mode, replaced by a fresh one when the broker refuses everything
/// published on it. Two: one for procesgegevens (and datakwaliteit reports), one for the fan-out of zoekvragen.
///
/// In the cluster test (ClusterTests, Docs/reliability.md scenario 5) RabbitMQ 3.10 sometimes nacked every
/// event published on the channel the aggregator opened while the audit queue's leader node was shutting
/// down, for as long as the test ran; a nack means "not stored", so every zoekvraag got 503. When at least
/// `policy.nacks` nacks in a row on the current channel span at least `policy.during`, this opens a new
/// channel with confirms, publishes there from then on, and closes the old one. Nothing is retried here: a
/// nacked event still fails its caller (no audit, no answer).
///
/// The fan-out goes through one too because the same broker state showed there without a sound: in other
/// runs of that test one bron got no zoekvraag after the stop (its queue held nothing, its consumer was
/// fed nothing), which is what a publish the broker silently drops looks like when nobody asks for a confirm.
final class ConfirmedChannel: Sendable {
    typealias Policy = AggregatorConfiguration.ChannelReplacement

    private struct State {
        var channel: AMQPChannel
        var nacksInRow = 0
        var firstNack: ContinuousClock.Instant?
        var replacing = false
        var replaced = 0
    }

    private let connection: AMQPConnection
    /// What it carries, for logs and the metric (`procesgegevens`, `zoekvragen`).
    let name: String
    private let policy: Policy
    private let logger: Logger
    private let state: Mutex<State>

    private init(name: String, connection: AMQPConnection, channel: AMQPChannel, policy: Policy, logger: Logger) {
        self.name = name
        self.connection = connection
        self.policy = policy
        self.logger = logger
        state = Mutex(State(channel: channel))
    }

    static func open(_ name: String, _ connection: AMQPConnection, policy: Policy, logger: Logger) async throws
        -> ConfirmedChannel
    {
        let channel = try await connection.openChannel()
        try await channel.enableConfirms()
        return ConfirmedChannel(name: name, connection: connection, channel: channel, policy: policy, logger: logger)
    }

    /// How often the channel was replaced.
    var replacements: Int { state.withLock { $0.replaced } }

    /// Publishes and waits for the broker's confirm, as `AMQPChannel.publish` in confirm mode does.
    @discardableResult
    func publish(
        _ body: Data, exchange: String, routingKey: String, mandatory: Bool = false,
        properties: AMQPProperties = AMQPProperties()
    ) async throws -> AMQPPublishOutcome {
        let channel = state.withLock { $0.channel }
        do {
            let outcome = try await channel.publish(
                body, exchange: exchange, routingKey: routingKey, mandatory: mandatory,
                properties: properties)
            state.withLock { s in
                if s.channel == channel {
                    s.nacksInRow = 0
                    s.firstNack = nil
                }
            }
            return outcome
        } catch let error as AMQPError where error.code == .publishNacked {
            nacked(on: channel)
            throw error
        }
    }

    func close() async {
        await state.withLock { $0.channel }.close()
    }

    private func nacked(on channel: AMQPChannel) {
        let now = ContinuousClock.now
        let replace: Int? = state.withLock { s in
            guard s.channel == channel, !s.replacing else { return nil }
            s.nacksInRow += 1
            let first = s.firstNack ?? now
            s.firstNack = first
            guard s.nacksInRow >= policy.nacks, now - first >= policy.during else { return nil }
            s.replacing = true
            return s.nacksInRow
        }
        guard let nacks = replace else { return }
        Task {
            do {
                let fresh = try await connection.openChannel()
                try await fresh.enableConfirms()
                let old = state.withLock { s in
                    let old = s.channel
                    s.channel = fresh
                    s.nacksInRow = 0
                    s.firstNack = nil
                    s.replacing = false
                    s.replaced += 1
                    return old
                }
                logger.warning(
                    "the broker refused every publish on a confirmed channel: replaced it",
                    metadata: [
                        "vum.kanaal": "\(name)", "vum.nacks": "\(nacks)", "amqp.channel": "\(old.id) -> \(fresh.id)",
                    ])
                AggregatorMetrics.confirmedChannelReplaced(name)
                await old.close()
            } catch {
                state.withLock { $0.replacing = false }
                logger.error(
                    "a confirmed channel could not be replaced",
                    metadata: ["vum.kanaal": "\(name)", "vum.error": "\(error)"])
            }
        }
    }
}
