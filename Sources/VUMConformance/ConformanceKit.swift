import AMQPClient
import Foundation
import Logging
import Synchronization
import VUMExchange
import VUMStandaard

/// One check of the aansluitkit and its outcome, with the evidence a partner needs to fix a failure.
public struct ConformanceCheck: Sendable, CustomStringConvertible {
    public var name: String
    public var passed: Bool
    /// What was seen: on a failure, each problem with the question or record it concerns.
    public var evidence: [String]

    public var description: String {
        ([(passed ? "PASS " : "FAIL ") + name] + evidence.prefix(10).map { "     " + $0 }
            + (evidence.count > 10 ? ["     ... and \(evidence.count - 10) more"] : [])).joined(separator: "\n")
    }
}

/// What the kit asks of a bron, and what it knows about it.
public struct ConformanceConfiguration: Sendable {
    public var bron: BronID
    /// The broker user the bron's adapter publishes as (`user_id`); default `bron-<id>`.
    public var bronUser: String
    /// The broker user the kit publishes as (its own login).
    public var ownUser: String
    /// The deadline of each zoekvraag.
    public var deadline: Duration = .seconds(5)
    /// Zoekvragen per dataset.
    public var questions = 8
    /// How long to wait for the bron's aanmelding or heartbeat.
    public var presenceWait: Duration = .seconds(15)
    /// The bron's own records, when given: questions are built around them and every answer is compared
    /// with the evaluator's over them.
    public var werkzoekenden: [Werkzoekende] = []
    public var vacatures: [Vacature] = []
    public var seed: UInt64 = 2026
    /// The OIN the questions claim to come from (`x-vum-from-party`).
    public var fromParty = "00000009000000000001"

    public init(bron: BronID, ownUser: String) {
        self.bron = bron
        bronUser = bron.brokerUser
        self.ownUser = ownUser
    }
}

/// The executable aansluitkit (`vum conformance`): the checks a partner runs against its own adapter,
/// through a broker, before going live. It plays the aggregator for one bron: it sends zoekvragen and a
/// detail request to the bron's queue only (through `vum.detailverzoeken` with the bron's id as routing
/// key, so other bronnen see nothing), receives the answers on a reply queue of its own bound to
/// `vum.antwoorden`, and listens on `vum.aanmeldingen`. It needs the aggregator's permissions on a test
/// or staging vhost.
public struct ConformanceKit: Sendable {
    public let configuration: ConformanceConfiguration
    let connection: AMQPConnection
    let table: PC4Table
    let evaluator: Evaluator

    public init(configuration: ConformanceConfiguration, connection: AMQPConnection, table: PC4Table) {
        self.configuration = configuration
        self.connection = connection
        self.table = table
        evaluator = Evaluator(table: table)
    }

    /// Runs every check in order; `report` sees each as soon as it is decided.
    public func run(report: @Sendable (ConformanceCheck) -> Void = { _ in }) async throws -> [ConformanceCheck] {
        let channel = try await connection.openChannel()
        let replies = try await channel.declareQueue(exclusive: true, arguments: ["x-expires": .int32(60_000)])
        try await channel.bindQueue(replies.name, exchange: Topology.antwoorden, routingKey: replies.name)
        let presence = try await channel.declareQueue(exclusive: true)
        try await channel.bindQueue(presence.name, exchange: Topology.aanmeldingen)
        let answers = Received()
        let announcements = Received()
        let readers = [
            Task { for try await d in try await channel.consume(queue: replies.name, noAck: true) { answers.add(d) } },
            Task {
                for try await d in try await channel.consume(queue: presence.name, noAck: true) { announcements.add(d) }
            },
        ]
        defer { for r in readers { r.cancel() } }
        let session = Session(
            kit: self, channel: channel, replyQueue: replies.name, answers: answers, announcements: announcements)
        var results: [ConformanceCheck] = []
        func record(_ c: ConformanceCheck) {
            results.append(c)
            report(c)
        }
        let gegevenssets = await session.presenceCheck(record)
        session.datasets = gegevenssets
        await session.questionChecks(gegevenssets, record)
        await session.malformedCheck(gegevenssets.first ?? .werkzoekenden, record)
        await session.ignoredCriterionCheck(gegevenssets.first ?? .werkzoekenden, record)
        await session.detailCheck(record)
        await channel.close()
        return results
    }
}

/// Deliveries as they arrive, for the checks to wait on.
final class Received: Sendable {
    /// Each delivery with when it arrived (ms since 1970), for a sender's clock.
    private let state = Mutex([(delivery: AMQPDelivery, receivedMs: Int64)]())
    func add(_ d: AMQPDelivery) { state.withLock { $0.append((d, Envelope.nowMs())) } }
    var all: [AMQPDelivery] { state.withLock { $0.map(\.delivery) } }

    /// When the delivery with `tag` arrived.
    func receivedMs(_ tag: UInt64) -> Int64? {
        state.withLock { $0.first { $0.delivery.deliveryTag == tag }?.receivedMs }
    }

    /// The first delivery that matches, waiting until `timeout`.
    func first(within timeout: Duration, where match: (AMQPDelivery) -> Bool) async -> AMQPDelivery? {
        let end = ContinuousClock.now + timeout
        while true {
            if let d = state.withLock({ $0.first(where: { match($0.delivery) })?.delivery }) { return d }
            guard ContinuousClock.now < end else { return nil }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}
