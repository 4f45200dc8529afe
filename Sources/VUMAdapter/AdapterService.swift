import AMQPClient
import Foundation
import Logging
import Synchronization
import VUMExchange
import VUMStandaard

/// How an adapter serves its bron. Required values in `init`; the rest are documented defaults.
public struct AdapterConfiguration: Sendable {
    public var bron: BronID
    /// The broker user the adapter connects as; every message carries it as `user_id`. Default `bron-<id>`.
    public var brokerUser: String
    /// Unacknowledged deliveries the broker may hand the adapter at once. Default 16.
    public var prefetch: UInt16 = 16
    /// Questions worked on at the same time. Default 4.
    public var concurrency: Int = 4
    /// Time between heartbeats on `vum.aanmeldingen`. Default 5 s.
    public var heartbeatInterval: Duration = .seconds(5)
    /// Time between status lines in the log (``StatusLine``); nil: none. Default 15 minutes.
    public var statusInterval: Duration? = .seconds(15 * 60)
    /// Time between checks that the broker still feeds the consumer (``ConsumerWatchdog``). Default 5 s.
    public var consumerCheckInterval: Duration = .seconds(5)
    /// The most matches the bron returns, whatever the question asks. Default 100.
    public var resultLimit: Int = 100
    /// Whether details carry contact data (when the record itself says it is available). Default `true`.
    public var releaseContactData = true
    /// Messages larger than this are refused before parsing. Default 1 MiB.
    public var maximumMessageSize = MessageCodec.defaultMaximumSize
    public var appID = "vum-adapter/0.1.0"

    public init(bron: BronID) {
        self.bron = bron
        brokerUser = bron.brokerUser
    }
}

/// Why an adapter cannot start or serve.
public struct AdapterError: Error, CustomStringConvertible {
    public var description: String
}

/// What the adapter did, for logs, metrics and tests.
public struct AdapterCounters: Sendable, Hashable {
    public var answered = 0
    public var answeredWithError = 0
    public var ignoredOtherDataset = 0
    public var expired = 0
    public var rejected = 0
    public var tooLate = 0
    public var details = 0
    /// Datakwaliteit reports received (`vum.datakwaliteit.v1`).
    public var datakwaliteit = 0
    /// Times the adapter consumed again because the broker had stopped feeding its consumer.
    public var consumerRestarts = 0
}

/// A bron's side of the exchange: consumes `vum.bron.<id>`, answers zoekvragen and detail requests from
/// its `BronSource`, announces itself and sends heartbeats, and says goodbye when it stops.
///
/// `run()` serves until its task is cancelled or its service group shuts down gracefully; then it stops consuming, finishes what is in flight, and
/// publishes the afmelding. Bad input never stops it: an undecodable message is rejected to the
/// dead-letter queue and answered `400.01` when it has a `reply_to`; a store failure is answered `500.1`.
public final class AdapterService: Sendable {
    public let configuration: AdapterConfiguration
    let connection: AMQPConnection
    let source: any BronSource
    /// The keys the source applies; the adapter sets the others aside as `genegeerdeCriteria`.
    let supportedCriteria: [Gegevensset: Set<String>]
    let evaluator: Evaluator
    let logger: Logger
    private let countersState = Mutex(AdapterCounters())
    private let reportsPerRecord = Mutex([RecordID: Int]())
    /// This machine's clock against the exchange's, from the sending times of its requests.
    private let clock = Mutex(ClockDifference())
    /// The consumer being read, deliveries received on it, questions in hand, and whether the watchdog
    /// asked for a fresh one.
    private let consuming = Mutex(Consuming())

    struct Consuming: Sendable {
        var consumer: AMQPConsumer?
        var deliveries = 0
        var running = 0
        var restartRequested = false
    }

    public init(
        configuration: AdapterConfiguration, connection: AMQPConnection, source: any BronSource,
        table: PC4Table, logger: Logger = Logger(label: "vum.adapter")
    ) {
        self.configuration = configuration
        self.connection = connection
        self.source = source
        supportedCriteria = Dictionary(
            uniqueKeysWithValues: Gegevensset.allCases.map { ($0, Set(source.ondersteundeCriteria($0))) })
        evaluator = Evaluator(table: table)
        var logger = logger
        logger[metadataKey: "vum.bron"] = "\(configuration.bron)"
        self.logger = logger
    }

    public var counters: AdapterCounters { countersState.withLock { $0 } }

    /// Datakwaliteit reports per record since the adapter started (each is also logged at notice level,
    /// with the reason and the asker's text, for the bron's data owners).
    public var datakwaliteitPerRecord: [RecordID: Int] { reportsPerRecord.withLock { $0 } }

    func handleDatakwaliteit(_ delivery: AMQPDelivery, publisher: AMQPChannel) async {
        let melding: DatakwaliteitBericht
        do {
            melding = try MessageCodec.decode(
                DatakwaliteitBericht.self, from: delivery.body,
                maximumSize: configuration.maximumMessageSize)
        } catch {
            await reject(delivery, error, publisher: publisher)
            return
        }
        let total = reportsPerRecord.withLock { counts -> Int in
            counts[melding.recordID, default: 0] += 1
            return counts[melding.recordID]!
        }
        count { $0.datakwaliteit += 1 }
        logger.notice(
            "datakwaliteit reported",
            metadata: [
                "vum.melding_id": "\(melding.meldingID)", "vum.record_id": "\(melding.recordID)",
                "vum.gegevensset": "\(melding.gegevensset.rawValue)", "vum.reden": "\(melding.reden.rawValue)",
                "vum.toelichting": "\(melding.toelichting ?? "")", "vum.reports_for_record": "\(total)",
                "vum.from_party": "\(delivery.properties.headers?[Header.fromParty]?.stringValue ?? "-")",
            ])
        await acknowledge(delivery, logger)
    }
    private func count(_ update: (inout AdapterCounters) -> Void) { countersState.withLock { update(&$0) } }

    /// Serves until the task is cancelled (``run()`` also on a graceful shutdown of its service group).
    public func serve() async throws {
        try await checkTopology()
        let publisher = try await connection.openChannel()
        let returns = Task { [logger] in
            for await returned in publisher.returns {
                // The request was closed before the answer arrived: recorded, never retried.
                count { $0.tooLate += 1 }
                logger.info(
                    "answer returned: the request was already closed",
                    metadata: ["vum.vraag_id": "\(returned.properties.correlationID ?? "-")"])
            }
        }
        defer { returns.cancel() }
        try await announce(.aanmelding, on: publisher)
        let heartbeats = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: configuration.heartbeatInterval)
                if Task.isCancelled { break }
                do { try await announce(.heartbeat, on: publisher) } catch {
                    logger.debug("heartbeat not sent", metadata: ["vum.error": "\(error)"])
                }
            }
        }
        defer { heartbeats.cancel() }

        let queue = Topology.bronQueue(configuration.bron)
        let watchdog = Task { await self.watchConsumer(queue) }
        defer { watchdog.cancel() }
        let statusLines = Task { await self.logStatus() }
        defer { statusLines.cancel() }
        var consumingError: (any Error)?
        while true {
            let inbox = try await connection.openChannel()
            try await inbox.qos(prefetchCount: configuration.prefetch)
            let consumer = try await inbox.consume(queue: queue)
            consuming.withLock { $0 = Consuming(consumer: consumer) }
            logger.debug("adapter serving", metadata: ["amqp.queue": "\(consumer.queue)"])
            consumingError = await consume(consumer, publisher: publisher)
            // A consumer the watchdog cancelled ends normally, or with an error when its channel failed on the
            // way; either way it is replaced.
            let restart = consuming.withLock { c in
                defer { c = Consuming() }
                return c.restartRequested && !Task.isCancelled
            }
            await inbox.close()
            guard restart else { break }
            consumingError = nil
        }
        heartbeats.cancel()
        do { try await announce(.afmelding, on: publisher) } catch {
            logger.info("afmelding not sent", metadata: ["vum.error": "\(error)"])
        }
        await publisher.close()
        if let consumingError {
            // Not a graceful stop: the queue went away or the broker cancelled the consumer. Whoever runs the
            // service must know, and restart it or alert, rather than see a clean exit.
            throw AdapterError(
                description: "consuming \(Topology.bronQueue(configuration.bron)) stopped: \(consumingError)")
        }
    }

    /// Handles `consumer`'s deliveries, at most `concurrency` at a time, until it ends; waits for those in
    /// hand. Returns why it ended when that was an error (the queue went away, the broker cancelled it).
    private func consume(_ consumer: AMQPConsumer, publisher: AMQPChannel) async -> (any Error)? {
        // A source that works on its own threads is handled on the connection's thread: a delivery starts
        // where it is read, sparing a pool thread's wake-up per message (5 bronnen x 10k at 50/s: adapters'
        // CPU -11 %, Docs/benchmarks.md). The task group's tasks inherit the preference.
        guard source.worksOnItsOwnThreads else { return await consumeHere(consumer, publisher: publisher) }
        return await withTaskExecutorPreference(connection.executor) {
            await consumeHere(consumer, publisher: publisher)
        }
    }

    private func consumeHere(_ consumer: AMQPConsumer, publisher: AMQPChannel) async -> (any Error)? {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            var failure: (any Error)?
            do {
                for try await delivery in consumer {
                    if running >= configuration.concurrency {
                        await group.next()
                        running -= 1
                    }
                    consuming.withLock {
                        $0.deliveries += 1
                        $0.running += 1
                    }
                    group.addTask {
                        await self.handle(delivery, publisher: publisher)
                        self.consuming.withLock { $0.running -= 1 }
                    }
                    running += 1
                }
            } catch {
                logger.error("consuming stopped", metadata: ["vum.error": "\(error)"])
                failure = error
            }
            await group.waitForAll()
            return failure
        }
    }

    /// Every `consumerCheckInterval`, asks the broker how many messages wait in the queue; when the
    /// ``ConsumerWatchdog`` finds the consumer starved, cancels it so that ``serve()`` consumes again on a
    /// fresh channel. A failed check (the connection is being re-established) is skipped.
    private func watchConsumer(_ queue: String) async {
        var watchdog = ConsumerWatchdog()
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.consumerCheckInterval)
            guard !Task.isCancelled, let info = try? await connection.queueInfo(queue) else { continue }
            let (consumer, deliveries, running) = consuming.withLock { ($0.consumer, $0.deliveries, $0.running) }
            guard let consumer else {
                watchdog.reset()
                continue
            }
            guard
                watchdog.check(
                    deliveries: deliveries, ready: Int(info.messageCount),
                    busy: running >= configuration.concurrency)
            else { continue }
            logger.warning(
                "messages wait in the queue but the broker delivers none: consuming again on a fresh channel",
                metadata: ["amqp.queue": "\(queue)", "vum.ready": "\(info.messageCount)"])
            count { $0.consumerRestarts += 1 }
            consuming.withLock { $0.restartRequested = true }
            watchdog.reset()
            do { try await consumer.cancel() } catch {
                // Closing its channel ends the consumer's sequence as well; serve() then opens a fresh one.
                logger.info("consumer cancel failed; closing its channel", metadata: ["vum.error": "\(error)"])
                await consumer.channel.close()
            }
        }
    }

    /// Every `statusInterval`, a ``StatusLine`` in the log.
    private func logStatus() async {
        guard let period = configuration.statusInterval else { return }
        var line = StatusLine()
        while !Task.isCancelled {
            try? await Task.sleep(for: period)
            guard !Task.isCancelled else { break }
            let (level, text) = line.next(counters, period: period, connected: connection.isConnected)
            logger.log(level: level, "\(text)")
        }
    }

    /// The queue and exchanges the adapter needs exist; the operator creates them from the definitions.
    func checkTopology() async throws {
        var missing: [String] = []
        let queue = Topology.bronQueue(configuration.bron)
        if try await connection.queueInfo(queue) == nil { missing.append("queue \(queue)") }
        for exchange in [Topology.antwoorden, Topology.aanmeldingen]
        where try await !connection.exchangeExists(exchange) {
            missing.append("exchange \(exchange)")
        }
        guard missing.isEmpty else {
            throw AdapterError(
                description: "the broker lacks \(missing.joined(separator: ", ")) in vhost "
                    + "'\(connection.configuration.virtualHost)': the operator creates them from the broker definitions "
                    + "(see Docs/aansluitkit.md section 3)")
        }
    }

    func announce(_ soort: AanmeldingBericht.Soort, on channel: AMQPChannel) async throws {
        let bericht = AanmeldingBericht(
            bronID: configuration.bron, soort: soort,
            gegevenssets: source.gegevenssets.sorted {
                $0.rawValue < $1.rawValue
            }, versie: configuration.appID, ondersteundeCriteria: source.ondersteundeCriteria,
            heartbeatIntervalMs: Int(configuration.heartbeatInterval.components.seconds * 1000))
        var envelope = Envelope(type: .aanmelding, appID: configuration.appID, userID: configuration.brokerUser)
        envelope.bron = configuration.bron
        try await channel.publish(
            MessageCodec.encode(bericht), exchange: Topology.aanmeldingen, routingKey: "",
            properties: envelope.properties())
    }

    // MARK: - Messages

    func handle(_ delivery: AMQPDelivery, publisher: AMQPChannel) async {
        let envelope: Envelope
        do {
            envelope = try Envelope(properties: delivery.properties)
        } catch {
            await reject(delivery, error, publisher: publisher)
            return
        }
        if envelope.type == .zoekvraag || envelope.type == .detailverzoek,
            delivery.properties.headers?[Header.sentAt] != nil
        {
            checkClock(sentAtMs: envelope.sentAtMs)
        }
        switch envelope.type {
        case .zoekvraag: await handleZoekvraag(delivery, envelope, publisher: publisher)
        case .detailverzoek: await handleDetailverzoek(delivery, envelope, publisher: publisher)
        case .datakwaliteit: await handleDatakwaliteit(delivery, publisher: publisher)
        default:
            await reject(
                delivery,
                Fout.invalidRequest(
                    "unexpected message on a bron queue",
                    details: "type \(envelope.type.rawValue)"), publisher: publisher)
        }
    }

    /// Deadlines are the exchange's absolute times: a clock that runs ahead makes every zoekvraag look
    /// expired (skipped), one that runs behind answers late. Said once when the difference goes beyond the
    /// tolerance, and once when it is back.
    private func checkClock(sentAtMs: Int64) {
        let (before, after) = clock.withLock { clock in
            let before = clock
            clock.add(sentAtMs: sentAtMs, receivedAtMs: Envelope.nowMs())
            return (before, clock)
        }
        // The estimate is the sender's clock minus this machine's; said the other way round here.
        guard let ms = after.estimateMs.map({ -$0 }) else { return }
        switch ClockDifference.change(from: before, to: after) {
        case .wentOff:
            logger.warning(
                "this machine's clock differs from the exchange's: deadlines are the exchange's times, so zoekvragen look expired (ahead) or answers come late (behind); keep this machine on time (NTP). If it is, requests waited that long in the queue",
                metadata: ["vum.klokverschil": "\(ClockDifference.describe(ms))"])
        case .cameBack:
            logger.info(
                "this machine's clock is within the tolerance of the exchange's again",
                metadata: ["vum.klokverschil": "\(ClockDifference.describe(ms))"])
        case nil: break
        }
    }

    func handleZoekvraag(_ delivery: AMQPDelivery, _ envelope: Envelope, publisher: AMQPChannel) async {
        let zoekvraag: ZoekvraagBericht
        do {
            zoekvraag = try MessageCodec.decode(
                ZoekvraagBericht.self, from: delivery.body,
                maximumSize: configuration.maximumMessageSize)
        } catch {
            await reject(delivery, error, publisher: publisher)
            return
        }
        var logger = self.logger
        logger[metadataKey: "vum.vraag_id"] = "\(zoekvraag.vraagID)"
        if let deadline = envelope.deadlineMs, deadline <= Envelope.nowMs() {
            count { $0.expired += 1 }
            logger.debug("zoekvraag skipped: its deadline passed")
            await acknowledge(delivery, logger)
            return
        }
        guard source.gegevenssets.contains(zoekvraag.gegevensset) else {
            count { $0.ignoredOtherDataset += 1 }
            await acknowledge(delivery, logger)
            return
        }
        guard let replyTo = envelope.replyTo, !replyTo.isEmpty else {
            await reject(delivery, Fout.invalidRequest("zoekvraag without reply_to"), publisher: publisher)
            return
        }
        let start = ContinuousClock.now
        let antwoord: GegevenssetBericht
        var encodedMatches: [[UInt8]] = []
        do {
            let vraag = try zoekvraag.selectievraag().restricted(to: supportedCriteria[zoekvraag.gegevensset] ?? [])
            let prepared: Evaluator.PreparedQuestion
            do { prepared = try evaluator.prepare(vraag) } catch {
                throw Fout.invalidSelectievraag(error)
            }
            let context = Verzoekcontext(vraagID: zoekvraag.vraagID, envelope: envelope)
            let found = try await source.zoek(
                prepared, limit: min(zoekvraag.maximumAantalResultaten, configuration.resultLimit),
                context: context)
            // The matches go out as the source's bytes (GegevenssetBericht.encoded(withMatches:)).
            encodedMatches = found.encodedMatches
            antwoord = GegevenssetBericht(
                vraagID: zoekvraag.vraagID, bronID: configuration.bron, gegevensset: zoekvraag.gegevensset,
                matches: [], maximumAantalResultatenBereikt: found.maximumAantalResultatenBereikt,
                genegeerdeCriteria: vraag.genegeerdeCriteria, duurMs: Envelope.milliseconds(since: start))
        } catch let fout as Fout {
            if fout.code.hasPrefix("5") { logger.error("the source failed", metadata: ["vum.error": "\(fout)"]) }
            antwoord = GegevenssetBericht(
                vraagID: zoekvraag.vraagID, bronID: configuration.bron,
                gegevensset: zoekvraag.gegevensset, fout: fout,
                duurMs: Envelope.milliseconds(since: start))
        } catch {
            logger.error("the store failed", metadata: ["vum.error": "\(error)"])
            antwoord = GegevenssetBericht(
                vraagID: zoekvraag.vraagID, bronID: configuration.bron,
                gegevensset: zoekvraag.gegevensset,
                fout: .internalError("the bron's store failed"),
                duurMs: Envelope.milliseconds(since: start))
        }
        count { if antwoord.fout == nil { $0.answered += 1 } else { $0.answeredWithError += 1 } }
        await answer(
            body: antwoord.encoded(withMatches: encodedMatches), type: .gegevensset, correlationID: zoekvraag.vraagID,
            replyTo: replyTo, publisher: publisher, logger)
        await acknowledge(delivery, logger)
    }

    func handleDetailverzoek(_ delivery: AMQPDelivery, _ envelope: Envelope, publisher: AMQPChannel) async {
        let verzoek: DetailverzoekBericht
        do {
            verzoek = try MessageCodec.decode(
                DetailverzoekBericht.self, from: delivery.body,
                maximumSize: configuration.maximumMessageSize)
        } catch {
            await reject(delivery, error, publisher: publisher)
            return
        }
        guard let replyTo = envelope.replyTo, !replyTo.isEmpty else {
            await reject(delivery, Fout.invalidRequest("detailverzoek without reply_to"), publisher: publisher)
            return
        }
        var logger = self.logger
        logger[metadataKey: "vum.vraag_id"] = "\(verzoek.vraagID)"
        let detail: DetailBericht
        do {
            let context = Verzoekcontext(vraagID: verzoek.vraagID, envelope: envelope)
            switch try await source.detail(verzoek.recordID, gegevensset: verzoek.gegevensset, context: context) {
            case .werkzoekende(let w)?:
                let releases =
                    configuration.releaseContactData
                    && w.matchingProfiel.indicatieBeschikbaarheidContactgegevens == .ja
                detail = DetailBericht(bronID: configuration.bron, werkzoekende: releases ? w : w.withoutContactData)
            case .vacature(let v)?:
                detail = DetailBericht(
                    bronID: configuration.bron,
                    vacature: configuration.releaseContactData ? v : v.withoutContactData)
            case nil:
                detail = DetailBericht(
                    bronID: configuration.bron, gegevensset: verzoek.gegevensset,
                    fout: Fout(code: "404", message: "record not found"))
            }
        } catch let fout as Fout {
            logger.error("the source failed", metadata: ["vum.error": "\(fout)"])
            detail = DetailBericht(bronID: configuration.bron, gegevensset: verzoek.gegevensset, fout: fout)
        } catch {
            logger.error("the store failed", metadata: ["vum.error": "\(error)"])
            detail = DetailBericht(
                bronID: configuration.bron, gegevensset: verzoek.gegevensset,
                fout: .internalError("the bron's store failed"))
        }
        count { $0.details += 1 }
        await answer(
            detail, type: .detail, correlationID: envelope.correlationID ?? verzoek.vraagID, replyTo: replyTo,
            publisher: publisher, logger)
        await acknowledge(delivery, logger)
    }

    // MARK: - Answers, acks, rejects

    func answer(
        _ payload: some Payload, type: MessageType, correlationID: String, replyTo: String,
        publisher: AMQPChannel, _ logger: Logger
    ) async {
        await answer(
            body: MessageCodec.encode(payload), type: type, correlationID: correlationID, replyTo: replyTo,
            publisher: publisher, logger)
    }

    func answer(
        body: Data, type: MessageType, correlationID: String, replyTo: String,
        publisher: AMQPChannel, _ logger: Logger
    ) async {
        var envelope = Envelope(
            type: type, correlationID: correlationID, appID: configuration.appID,
            userID: configuration.brokerUser)
        envelope.bron = configuration.bron
        do {
            try await publisher.publish(
                body, exchange: Topology.antwoorden, routingKey: replyTo,
                mandatory: true, properties: envelope.properties())
        } catch {
            // Not acknowledged either if the connection is gone: the broker redelivers the question.
            logger.error("answer not published", metadata: ["vum.error": "\(error)"])
        }
    }

    func acknowledge(_ delivery: AMQPDelivery, _ logger: Logger) async {
        do { try await delivery.ack() } catch {
            logger.info("acknowledgement failed; the broker will redeliver", metadata: ["vum.error": "\(error)"])
        }
    }

    /// A message nobody can work on: to the dead-letter queue, and a `400.01` answer when it has a `reply_to`.
    func reject(_ delivery: AMQPDelivery, _ error: any Error, publisher: AMQPChannel) async {
        let fout = error as? Fout ?? Fout.invalidRequest("invalid message", details: "\(error)")
        count { $0.rejected += 1 }
        logger.error(
            "message rejected to the dead-letter queue",
            metadata: ["vum.error": "\(fout)", "amqp.message_id": "\(delivery.properties.messageID ?? "-")"])
        do { try await delivery.reject(requeue: false) } catch {
            logger.info("reject failed; the broker will redeliver", metadata: ["vum.error": "\(error)"])
        }
        guard let replyTo = delivery.properties.replyTo, !replyTo.isEmpty else { return }
        let vraagID = delivery.properties.correlationID ?? "onbekend"
        if delivery.properties.type == MessageType.detailverzoek.rawValue {
            let gegevensset = source.gegevenssets.sorted { $0.rawValue < $1.rawValue }.first ?? .werkzoekenden
            await answer(
                DetailBericht(bronID: configuration.bron, gegevensset: gegevensset, fout: fout), type: .detail,
                correlationID: vraagID, replyTo: replyTo, publisher: publisher, logger)
        } else {
            // The dataset, when the message says it; else the bron's first.
            var gegevensset = source.gegevenssets.sorted { $0.rawValue < $1.rawValue }.first ?? .werkzoekenden
            if case .object(let o)? = try? JSONValue.parse(delivery.body), case .string(let s)? = o["gegevensset"],
                let g = Gegevensset(rawValue: s)
            {
                gegevensset = g
            }
            await answer(
                GegevenssetBericht(vraagID: vraagID, bronID: configuration.bron, gegevensset: gegevensset, fout: fout),
                type: .gegevensset, correlationID: vraagID, replyTo: replyTo, publisher: publisher, logger)
        }
    }
}
