import AMQPClient
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import VUMConfiguration
import VUMExchange
import VUMStandaard

/// The central exchange: takes zoekvragen, fans them out to the bronnen that are online, completes each
/// when all answered or at its deadline, hands out vumIDs, routes detail requests, and writes every step
/// as procesgegevens. The HTTP and AMQP entry points call ``zoek(_:)`` and ``detail(_:party:gegevensset:)``.
///
/// Answers come back on one server-named reply queue per aggregator (routing key = its name), matched
/// by `correlation_id`; an answer after its zoekvraag closed is still seen, so it is recorded as late
/// with its lateness (ARCHITECTURE.md names per-request queues; see Docs/architecture.md for why one).
public final class AggregatorService: Service, Sendable {
    public let configuration: AggregatorConfiguration
    let registryState: Mutex<Registry>
    let connection: AMQPConnection
    let store: any RequestStore
    let storeHealth: RequestStoreHealth
    let vumIDs: VumIDs
    let evaluator: Evaluator
    /// Keeps the answers of open zoekvragen within their memory budget.
    let parking: AnswerParking
    let logger: Logger
    let state = Mutex(State())

    struct Channels: Sendable {
        var audit: ConfirmedChannel
        /// The fan-out of zoekvragen and the detail requests, confirmed so a queue the broker drops them for
        /// shows (``ConfirmedChannel``).
        var fanOut: ConfirmedChannel
        var replyQueue: String
    }

    struct Pending: Sendable {
        var window: ZoekvraagWindow
        var continuation: CheckedContinuation<[BronUitkomst], Never>?
        var deadlineTask: Task<Void, Never>?
        /// The accepted answers' bytes: in memory or parked (``AnswerParking``).
        var holds: [BronID: AnswerHold] = [:]
    }

    struct PendingDetail: Sendable {
        var bron: BronID
        var continuation: CheckedContinuation<DetailOutcome, Never>
        /// Publishes the request and then waits out the detail timeout; cancelled when the wait ends
        /// otherwise, so no sleeping task outlives its request.
        var timer: Task<Void, Never>?
    }

    /// How the wait for a bron's detail ended.
    enum DetailOutcome: Sendable {
        case answered(DetailBericht)
        /// The request never reached the bron's queue: why.
        case notSent(String)
        /// The bron asked answered, as its own broker user, with a message that is not a detail: why.
        case unreadable(String)
        case timedOut
    }

    struct State: Sendable {
        var channels: Channels?
        var accepting = true
        var presence = PresenceRegistry()
        var windows: [String: Pending] = [:]
        /// Recently closed zoekvragen → deadline, so a late answer is known as late.
        var closed: [String: (deadlineMs: Int64, closedMs: Int64, gegevensset: Gegevensset)] = [:]
        var details: [String: PendingDetail] = [:]
        /// The answers of a zoekvraag just closed, until its asker takes them.
        var lastAnswers: [String: (answers: [BronID: ReceivedGegevensset], holds: [BronID: AnswerHold])] = [:]
        /// Open zoekvragen an asker follows by its own id: verzoekID → (asker, vraagID).
        var followed: [String: (party: OIN, vraagID: String)] = [:]
        /// Zoekvragen admitted and not yet answered (bounded by `maximumOpenZoekvragen`).
        var admitted = 0
    }

    public init(
        configuration: AggregatorConfiguration, registry: Registry, connection: AMQPConnection,
        store: any RequestStore, vumIDSecret: Data, previousVumIDSecret: Data? = nil, table: PC4Table,
        logger: Logger = Logger(label: "vum.aggregator")
    ) {
        self.configuration = configuration
        registryState = Mutex(registry)
        self.connection = connection
        self.store = store
        storeHealth = RequestStoreHealth(store: store, logger: logger)
        vumIDs = VumIDs(secret: vumIDSecret, previous: previousVumIDSecret)
        evaluator = Evaluator(table: table)
        parking = AnswerParking(
            budget: configuration.answerMemoryBudget, directory: configuration.answerParkDirectory,
            logger: logger)
        self.logger = logger
    }

    var registry: Registry { registryState.withLock { $0 } }

    /// Whether the service is connected and taking zoekvragen.
    public var isReady: Bool { state.withLock { $0.channels != nil && $0.accepting } }

    /// What keeps the service from answering zoekvragen now, for `/health`; nil when nothing does. Says
    /// nothing about where the store is: the endpoint answers anyone (the log has the store's error).
    public func unhealthyReason() async -> String? {
        guard isReady else { return "starting, shutting down or without its broker" }
        guard await storeHealth.problem() == nil else { return "the request store does not answer" }
        return nil
    }

    /// Waits until ``isReady`` (for tests and health checks), at most `timeout`.
    public func waitUntilReady(timeout: Duration = .seconds(10)) async throws {
        let end = ContinuousClock.now + timeout
        while !isReady {
            guard ContinuousClock.now < end else { throw Fout.unavailable("the aggregator did not become ready") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// The queue answers come back on (`reply_to` of every zoekvraag and detail request).
    public var replyQueueName: String? { state.withLock { $0.channels?.replyQueue } }

    /// How often a confirmed channel (procesgegevens, fan-out) was replaced because the broker refused
    /// everything on it (also the metric `vum_bevestigd_kanaal_vervangen_total`).
    public var confirmedChannelReplacements: Int {
        state.withLock { $0.channels.map { $0.audit.replacements + $0.fanOut.replacements } } ?? 0
    }

    /// The presence registry as it stands.
    public var presence: PresenceRegistry { state.withLock { $0.presence } }

    // MARK: - Running

    public func run() async throws {
        try await checkTopology()
        let publisher = try await connection.openChannel()
        let audit = try await ConfirmedChannel.open(
            "procesgegevens", connection, policy: configuration.confirmedChannelReplacement,
            logger: logger)
        let fanOutChannel = try await ConfirmedChannel.open(
            "zoekvragen", connection, policy: configuration.confirmedChannelReplacement,
            logger: logger)
        let inbox = try await connection.openChannel()
        try await inbox.qos(prefetchCount: 500)
        let replies = try await inbox.declareQueue(exclusive: true, arguments: ["x-expires": .int32(60_000)])
        try await inbox.bindQueue(replies.name, exchange: Topology.antwoorden, routingKey: replies.name)
        let presenceQueue = try await inbox.declareQueue(exclusive: true)
        try await inbox.bindQueue(presenceQueue.name, exchange: Topology.aanmeldingen)
        // Answers on a channel of their own, acknowledged after handling, at most 256 unhandled: when the
        // aggregator falls behind, the backlog waits in the broker's queue, not in this process's memory (an
        // answer can be hundreds of kilobytes; read without acknowledgements an overloaded aggregator grew to
        // 786 MB, Docs/benchmarks.md).
        let answers = try await connection.openChannel()
        try await answers.qos(prefetchCount: 256)
        let replyConsumer = try await answers.consume(queue: replies.name)
        let presenceConsumer = try await inbox.consume(queue: presenceQueue.name, noAck: true)
        // The AMQP entry exists when the operator's definitions create its queue; REST works without it.
        var requestConsumer: AMQPConsumer?
        if try await connection.queueInfo(Topology.verzoeken) != nil {
            requestConsumer = try await inbox.consume(queue: Topology.verzoeken)
        } else {
            logger.info("no queue vum.verzoeken: the AMQP entry for bemiddelaars is off, REST only")
        }
        state.withLock {
            $0.channels = Channels(audit: audit, fanOut: fanOutChannel, replyQueue: replies.name)
        }
        logger.debug("aggregator serving", metadata: ["amqp.queue": "\(replies.name)"])

        try await withThrowingTaskGroup(of: Void.self) { group in
            // Handling an answer is short and never blocks: on the connection's own thread it starts
            // where the delivery is read, without waking a thread of the pool per answer.
            group.addTask(executorPreference: connection.executor) { try await self.readReplies(replyConsumer) }
            group.addTask { try await self.readPresence(presenceConsumer) }
            group.addTask { await self.housekeeping() }
            if let requestConsumer {
                group.addTask { try await self.readRequests(requestConsumer, publisher: publisher) }
            }
            group.addTask {
                // A graceful shutdown: take no new requests, let the open zoekvragen close (each by its
                // deadline at the latest, their answers still arriving), then stop.
                try await gracefulShutdown()
                self.state.withLock { $0.accepting = false }
                let end = ContinuousClock.now + self.configuration.maximumDeadline + .seconds(1)
                while self.state.withLock({ !$0.windows.isEmpty || !$0.details.isEmpty }) && ContinuousClock.now < end {
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            // The first to end (a graceful shutdown, a consumer failing, or cancellation) ends them all.
            defer { group.cancelAll() }
            try await group.next()
        }
        state.withLock { $0.channels = nil }
        await inbox.close()
        await answers.close()
        await publisher.close()
        await audit.close()
        await fanOutChannel.close()
    }

    func checkTopology() async throws {
        var missing: [String] = []
        for exchange in [
            Topology.zoekvragen, Topology.detailverzoeken, Topology.antwoorden, Topology.aanmeldingen,
            Topology.procesgegevens,
        ] where try await !connection.exchangeExists(exchange) {
            missing.append("exchange \(exchange)")
        }
        guard missing.isEmpty else {
            throw ConfigurationError(
                "the broker lacks \(missing.joined(separator: ", ")) in vhost "
                    + "'\(connection.configuration.virtualHost)': create them from the broker definitions")
        }
    }

    /// Marks silent bronnen offline and forgets expired zoekvragen and old late-answer markers.
    func housekeeping() async {
        var lastCleanup = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(500))
            let now = Envelope.nowMs()
            let memory = Int64(configuration.lateAnswerMemory.components.seconds * 1000)
            let changes = state.withLock { s in
                s.closed = s.closed.filter { now - $0.value.closedMs < memory }
                return s.presence.expire(nowMs: now)
            }
            for change in changes { emitPresence(change) }
            if lastCleanup.duration(to: .now) > .seconds(600) {
                lastCleanup = .now
                do { _ = try await store.removeExpired(nowMs: now) } catch {
                    logger.error("expired zoekvragen not removed", metadata: ["vum.error": "\(error)"])
                }
            }
        }
    }

    // MARK: - Zoekvragen

    /// Answers a zoekvraag: policy, validation, fan-out, completion, vumIDs. Throws a `Fout` the asker
    /// gets as it is (`400.01`, `401`, `403`, `503`, `500.1`).
    public func zoek(_ verzoek: Zoekverzoek) async throws(Fout) -> Zoekantwoord {
        let start = ContinuousClock.now
        do {
            let antwoord = try await runZoekvraag(verzoek, start: start)
            AggregatorMetrics.zoekvraag(verzoek.gegevensset, uitkomst: "200", duration: start.duration(to: .now))
            return antwoord
        } catch {
            AggregatorMetrics.zoekvraag(verzoek.gegevensset, uitkomst: error.code, duration: nil)
            throw error
        }
    }

    func runZoekvraag(_ verzoek: Zoekverzoek, start: ContinuousClock.Instant) async throws(Fout) -> Zoekantwoord {
        let vraagID = UUID().uuidString.lowercased()
        var base = event(.zoekvraagOntvangen, vraagID: vraagID, party: verzoek)
        base.gegevensset = verzoek.gegevensset.rawValue
        guard let channels = state.withLock({ $0.accepting ? $0.channels : nil }) else {
            throw Fout.unavailable("the exchange is not taking zoekvragen now", details: "starting or shutting down")
        }
        if let refusal = registry.refusal(of: verzoek.fromParty, for: verzoek.gegevensset) {
            refuse(base, refusal)
            throw refusal
        }
        let limit = configuration.maximumOpenZoekvragen
        guard
            state.withLock({ s -> Bool in
                guard s.admitted < limit else { return false }
                s.admitted += 1
                return true
            })
        else {
            let busy = Fout.unavailable(
                "the exchange is busy", details: "\(limit) zoekvragen are open; ask again shortly")
            AggregatorMetrics.busy()
            refuse(base, busy)
            throw busy
        }
        defer { state.withLock { $0.admitted -= 1 } }
        let vraag: Selectievraag
        do {
            vraag = try Selectievraag(json: verzoek.vraagObject, gegevensset: verzoek.gegevensset)
            _ = try evaluator.prepare(vraag)
        } catch {
            let fout = Fout.invalidSelectievraag(error)
            refuse(base, fout)
            throw fout
        }
        base.criteriaSleutels = vraag.json.objectKeys.filter { $0 != "selectiegebied" }
        let received = base

        let now = Envelope.nowMs()
        let asked = min(verzoek.deadline ?? configuration.defaultDeadline, configuration.maximumDeadline)
        let deadlineMs =
            now + Int64(asked.components.seconds * 1000 + asked.components.attoseconds / 1_000_000_000_000_000)
        let registered = Set(registry.bronnen.keys)
        let (online, offline) = state.withLock { $0.presence.expected(for: verzoek.gegevensset, nowMs: now) }
        let expected = online.filter(registered.contains)
        let window = ZoekvraagWindow(
            vraagID: vraagID, gegevensset: verzoek.gegevensset, startedMs: now,
            deadlineMs: deadlineMs, expected: expected, offline: offline.filter(registered.contains))

        // The audit event and the fan-out go out together; the answer waits for the event's confirm.
        let ontvangen = Task { try await self.publishEvent(received, on: channels.audit) }
        let uitkomsten: [BronUitkomst] = await withCheckedContinuation { continuation in
            let open = state.withLock { s in
                s.windows[vraagID] = Pending(window: window, continuation: continuation, deadlineTask: nil)
                if let id = verzoek.verzoekID { s.followed[id] = (verzoek.fromParty, vraagID) }
                return s.windows.count
            }
            AggregatorMetrics.inBehandeling(open)
            if expected.isEmpty {
                finish(vraagID)
                return
            }
            let deadlineTask = Task {
                try? await Task.sleep(for: .milliseconds(deadlineMs - Envelope.nowMs()))
                self.finish(vraagID)
            }
            state.withLock { $0.windows[vraagID]?.deadlineTask = deadlineTask }
            Task {
                await self.fanOut(
                    verzoek, vraagID: vraagID, deadlineMs: deadlineMs, expected: expected,
                    channels: channels, base: received)
            }
        }
        // Taken before anything can throw, so a refused answer leaves nothing behind.
        let (answers, holds) = state.withLock { s in
            if let id = verzoek.verzoekID { s.followed[id] = nil }
            return s.lastAnswers.removeValue(forKey: vraagID) ?? ([:], [:])
        }
        do {
            try await Self.waitFor(ontvangen, atMost: configuration.auditConfirmGrace)
        } catch {
            logger.error(
                "zoekvraag.ontvangen not confirmed: no answer without audit",
                metadata: ["vum.vraag_id": "\(vraagID)", "vum.error": "\(error)"])
            throw Fout.unavailable("the audit trail is unavailable", details: "no answer without its procesgegevens")
        }

        // Matches in bron order, each with a vumID instead of the bron's record id, written out as the bron
        // sent them (ReceivedGegevensset: no tree is built). Room is reserved for every answer and, per match,
        // the `,"vumID":"…"` that takes the place of its (shorter) record id: reserved for the answers alone,
        // the array outgrew it near the end and doubled, copying megabytes (under overload those doubled
        // arrays were most of the aggregator's heap at its peak).
        let matchTotal = uitkomsten.reduce(0) { $0 + (answers[$1.bron]?.matchCount ?? 0) }
        let perMatch = #","vumID":"""#.utf8.count + vumIDs.issuedText(vraagID: vraagID, index: matchTotal).utf8.count
        var matchesJSON: [UInt8] = [UInt8(ascii: "[")]
        matchesJSON.reserveCapacity(
            uitkomsten.reduce(0) { $0 + (answers[$1.bron]?.byteCount ?? 0) }
                + matchTotal * perMatch + 2)
        var references: [ZoekvraagRecord.MatchReference] = []
        for uitkomst in uitkomsten where uitkomst.status == .beantwoord {
            guard var answer = answers[uitkomst.bron] else { continue }
            if let hold = holds[uitkomst.bron] {
                do {
                    answer = try parking.restore(answer, hold)
                } catch {
                    logger.error(
                        "a parked answer could not be read back",
                        metadata: [
                            "vum.vraag_id": "\(vraagID)", "vum.bron": "\(uitkomst.bron)", "vum.error": "\(error)",
                        ])
                    throw Fout.internalError(
                        "the exchange could not read back an answer it parked",
                        details: "bron \(uitkomst.bron): \(error)")
                }
            }
            for index in 0..<answer.matchCount {
                guard let id = answer.recordID(of: index), let recordID = try? RecordID(validating: id) else {
                    logger.info(
                        "match without a valid record id left out",
                        metadata: [
                            "vum.bron": "\(uitkomst.bron)", "vum.vraag_id": "\(vraagID)", "vum.match": "\(index)",
                            "vum.reason":
                                "\(answer.recordID(of: index).map { "'\($0)' is not a valid record id" } ?? "no single string \(verzoek.gegevensset.idKey)")",
                        ])
                    AggregatorMetrics.matchWeggelaten(uitkomst.bron, reden: "geen_id")
                    continue
                }
                let leaked = answer.detailOnlyFields(of: index)
                guard leaked.isEmpty else {
                    logger.warning(
                        "match with detail-only fields left out",
                        metadata: [
                            "vum.bron": "\(uitkomst.bron)", "vum.vraag_id": "\(vraagID)", "vum.record_id": "\(id)",
                            "vum.fields": "\(leaked.joined(separator: ","))",
                        ])
                    AggregatorMetrics.matchWeggelaten(uitkomst.bron, reden: "detailveld")
                    continue
                }
                if !references.isEmpty { matchesJSON.append(UInt8(ascii: ",")) }
                let position = references.count
                answer.writeMatch(index, to: &matchesJSON) {
                    vumIDs.writeIssued(vraagID: vraagID, index: position, to: &$0)
                }
                references.append(.init(bron: uitkomst.bron, recordID: recordID))
            }
        }
        matchesJSON.append(UInt8(ascii: "]"))
        let expiresMs = now + Int64(configuration.vumIDLifetime.components.seconds * 1000)
        do {
            try await store.save(
                ZoekvraagRecord(
                    vraagID: vraagID, fromParty: verzoek.fromParty, gegevensset: verzoek.gegevensset,
                    createdMs: now, expiresMs: expiresMs, matches: references))
        } catch {
            logger.error("zoekvraag not stored", metadata: ["vum.vraag_id": "\(vraagID)", "vum.error": "\(error)"])
            throw Fout.internalError(
                "the exchange could not keep the zoekvraag", details: "its vumIDs would not resolve")
        }
        let gedeeltelijk = uitkomsten.contains { $0.status == .teLaat || $0.status == .offline }
        let duurMs = Envelope.milliseconds(since: start)
        var afgerond = event(.zoekvraagAfgerond, vraagID: vraagID, party: verzoek)
        afgerond.gegevensset = verzoek.gegevensset.rawValue
        afgerond.aantallenPerStatus = Dictionary(grouping: uitkomsten, by: \.status.rawValue).mapValues(\.count)
        afgerond.statusPerBron = Dictionary(
            uniqueKeysWithValues: uitkomsten.map { ($0.bron.rawValue, $0.status.rawValue) })
        afgerond.aantal = references.count
        afgerond.gedeeltelijk = gedeeltelijk
        afgerond.duurMs = duurMs
        emit(afgerond)
        return Zoekantwoord(
            vraagID: vraagID, matchesJSON: matchesJSON, matchCount: references.count,
            maximumAantalResultatenBereikt: uitkomsten.contains(where: \.maximumAantalResultatenBereikt),
            bronnen: uitkomsten, gedeeltelijk: gedeeltelijk, duurMs: duurMs)
    }

    func fanOut(
        _ verzoek: Zoekverzoek, vraagID: String, deadlineMs: Int64, expected: [BronID], channels: Channels,
        base: Procesgebeurtenis
    ) async {
        let bericht = ZoekvraagBericht(
            vraagID: vraagID, gegevensset: verzoek.gegevensset, vraagObject: verzoek.vraagObject,
            maximumAantalResultaten: configuration.resultLimitPerBron)
        var envelope = Envelope(
            type: .zoekvraag, correlationID: vraagID, appID: configuration.appID,
            userID: configuration.brokerUser, replyTo: channels.replyQueue, deadlineMs: deadlineMs)
        envelope.fromParty = verzoek.fromParty
        envelope.viaParty = verzoek.viaParty ?? verzoek.fromParty
        envelope.suwiParty = registry.bemiddelaars[verzoek.fromParty]?.suwi ?? false
        // Confirmed, in the background of the zoekvraag (answers may come before the confirm): a nack means a
        // bron queue did not take it, and that bron will be te_laat.
        do {
            try await channels.fanOut.publish(
                MessageCodec.encode(bericht), exchange: Topology.zoekvragen, routingKey: "",
                properties: envelope.properties())
        } catch {
            logger.error(
                "zoekvraag not taken by every bron queue",
                metadata: ["vum.vraag_id": "\(vraagID)", "vum.error": "\(error)"])
        }
        var verstuurd = base
        verstuurd.soort = .zoekvraagVerstuurd
        verstuurd.eventID = UUID().uuidString.lowercased()
        verstuurd.tijdMs = Envelope.nowMs()
        verstuurd.verwachteBronnen = expected.map(\.rawValue)
        verstuurd.criteriaSleutels = nil
        emit(verstuurd)
    }

    /// Where each bron stands in the open zoekvraag the asker follows as `verzoekID`; nil when there is
    /// none (unknown, finished, or another party's).
    public func voortgang(verzoekID: String, party: OIN) -> (
        vraagID: String, deadlineMs: Int64, bronnen: [BronVoortgang]
    )? {
        state.withLock { s in
            guard let (owner, vraagID) = s.followed[verzoekID], owner == party, let pending = s.windows[vraagID] else {
                return nil
            }
            return (vraagID, pending.window.deadlineMs, pending.window.progress())
        }
    }

    /// Closes a zoekvraag (all answered, or its deadline) and hands the outcome to its waiting asker.
    func finish(_ vraagID: String) {
        let (continuation, uitkomsten, task, open) = state.withLock {
            s -> (CheckedContinuation<[BronUitkomst], Never>?, [BronUitkomst], Task<Void, Never>?, Int) in
            guard var pending = s.windows.removeValue(forKey: vraagID) else { return (nil, [], nil, s.windows.count) }
            let uitkomsten = pending.window.close()
            s.closed[vraagID] = (pending.window.deadlineMs, Envelope.nowMs(), pending.window.gegevensset)
            s.lastAnswers[vraagID] = (pending.window.answers.mapValues(\.antwoord), pending.holds)
            return (pending.continuation, uitkomsten, pending.deadlineTask, s.windows.count)
        }
        task?.cancel()
        if continuation != nil {
            AggregatorMetrics.inBehandeling(open)
            AggregatorMetrics.bronnen(uitkomsten)
        }
        continuation?.resume(returning: uitkomsten)
    }

    // MARK: - Replies

    func readReplies(_ consumer: AMQPConsumer) async throws {
        for try await delivery in consumer {
            receiveReply(delivery)
            // Acknowledged whatever became of it (dropped ones too, or they would hold the prefetch). After a
            // reconnect the broker redelivers what was not acknowledged: a repeated answer is a duplicate, and
            // ignored as one.
            try? await delivery.ack()
        }
    }

    func receiveReply(_ delivery: AMQPDelivery) {
        let envelope: Envelope
        do { envelope = try Envelope(properties: delivery.properties) } catch {
            logger.info("reply without a valid envelope dropped", metadata: ["vum.error": "\(error)"])
            return
        }
        switch envelope.type {
        case .gegevensset: receiveAnswer(delivery, envelope)
        case .detail: receiveDetail(delivery, envelope)
        default:
            logger.info(
                "unexpected message on the reply queue dropped", metadata: ["vum.type": "\(envelope.type.rawValue)"])
        }
    }

    /// An answer from a bron. One to a zoekvraag whose window is not open (closed: late; none of ours:
    /// unknown; from the wrong broker user: forged) is settled from its envelope alone, before its body
    /// (up to hundreds of kilobytes of matches) is read: that only costs CPU when the aggregator is behind.
    func receiveAnswer(_ delivery: AMQPDelivery, _ envelope: Envelope) {
        if let vraagID = envelope.correlationID, let bron = envelope.bron,
            settleOutsideWindow(vraagID: vraagID, bron: bron, userID: envelope.userID)
        {
            return
        }
        let antwoord: ReceivedGegevensset
        do {
            antwoord = try ReceivedGegevensset.decode(delivery.body, maximumSize: configuration.maximumMessageSize)
        } catch {
            // A bron's answer that cannot be read (too large, not JSON, not a gegevensset) is that bron's
            // failure: recorded as its answer with 400.01, so the asker sees `fout` and the trail says why,
            // instead of the bron looking merely late.
            guard let vraagID = envelope.correlationID, let bron = envelope.bron,
                let gegevensset = state.withLock({ $0.windows[vraagID]?.window.gegevensset })
            else {
                logger.info(
                    "undecodable answer dropped",
                    metadata: [
                        "vum.error": "\(error)",
                        "vum.vraag_id": "\(envelope.correlationID ?? "-")",
                    ])
                return
            }
            logger.warning(
                "undecodable answer counted as the bron's failure",
                metadata: [
                    "vum.error": "\(error)", "vum.vraag_id": "\(vraagID)", "vum.bron": "\(bron)",
                    "vum.bytes": "\(delivery.body.count)",
                ])
            antwoord = ReceivedGegevensset(
                GegevenssetBericht(
                    vraagID: vraagID, bronID: bron, gegevensset: gegevensset,
                    fout: .invalidRequest("undecodable answer", details: "\(delivery.body.count) bytes: \(error)")))
        }
        let bericht = antwoord.bericht
        let now = Envelope.nowMs()
        let registeredUser = registry.bronnen[bericht.bronID]
        // Kept in memory within the budget, or parked in a file beyond it; only an answer the window would
        // take: a late, forged or duplicate one is settled below as it is (under overload, when the budget
        // is spent, late answers are many). Let go again below should the window have changed meanwhile.
        let wouldTake = state.withLock { s in
            guard let window = s.windows[bericht.vraagID]?.window else { return false }
            if case .accepted = window.outcome(
                of: bericht, userID: envelope.userID, registeredUser: registeredUser,
                nowMs: now)
            {
                return true
            }
            return false
        }
        let (kept, hold) = wouldTake ? parking.hold(antwoord) : (antwoord, nil)
        enum Next {
            case accepted, complete
            case late(Int64)
            case forged, duplicate
        }
        var startedMs: Int64?
        let next = state.withLock { s -> Next? in
            guard s.windows[bericht.vraagID] != nil else { return nil }
            startedMs = s.windows[bericht.vraagID]!.window.startedMs
            switch s.windows[bericht.vraagID]!.window.receive(
                kept, userID: envelope.userID,
                registeredUser: registeredUser, nowMs: now)
            {
            case .accepted(let complete):
                s.windows[bericht.vraagID]!.holds[bericht.bronID] = hold
                return complete ? .complete : .accepted
            case .late(let by): return .late(by)
            case .forged: return .forged
            case .duplicate, .wrongDataset: return .duplicate
            }
        }
        guard let next else {
            // Closed while the body was read, or an envelope without the ids to settle it before.
            _ = settleOutsideWindow(vraagID: bericht.vraagID, bron: bericht.bronID, userID: envelope.userID)
            return
        }
        switch next {
        case .accepted, .complete:
            var e = Procesgebeurtenis(
                eventID: UUID().uuidString.lowercased(), soort: .gegevenssetOntvangen, tijdMs: now,
                component: configuration.eventComponent)
            e.vraagID = bericht.vraagID
            e.bronID = bericht.bronID.rawValue
            e.gegevensset = bericht.gegevensset.rawValue
            if let fout = bericht.fout {
                e.soort = .bronFout
                e.uitkomst = fout.code
                e.reden = fout.message
            } else {
                e.aantal = antwoord.matchCount
                e.maximumAantalResultatenBereikt = bericht.maximumAantalResultatenBereikt
                e.genegeerdeCriteria = bericht.genegeerdeCriteria
            }
            e.duurMs = bericht.duurMs
            e.antwoordMs = startedMs.map { Int(max(0, now - $0)) }
            emit(e)
            if case .complete = next { finish(bericht.vraagID) }
        case .late(let by):
            recordLate(
                vraagID: bericht.vraagID, bron: bericht.bronID, gegevensset: bericht.gegevensset, by: by, now: now)
        case .forged:
            dropForged(vraagID: bericht.vraagID, bron: bericht.bronID, userID: envelope.userID)
        case .duplicate:
            logger.debug(
                "duplicate answer ignored",
                metadata: ["vum.vraag_id": "\(bericht.vraagID)", "vum.bron": "\(bericht.bronID)"])
        }
    }

    /// Settles an answer to a zoekvraag whose window is not open: late when it closed (if the answer is
    /// from the bron's own broker user), forged otherwise, unknown when it is none of ours. `false` while
    /// the window is open: the caller reads the answer.
    private func settleOutsideWindow(vraagID: String, bron: BronID, userID: String?) -> Bool {
        let now = Envelope.nowMs()
        enum Verdict {
            case open
            case late(Int64, Gegevensset)
            case forged, unknown
        }
        let verdict = state.withLock { s -> Verdict in
            if s.windows[vraagID] != nil { return .open }
            guard let closed = s.closed[vraagID] else { return .unknown }
            guard let user = registry.bronnen[bron], userID == user else { return .forged }
            return .late(max(0, now - closed.deadlineMs), closed.gegevensset)
        }
        switch verdict {
        case .open:
            return false
        case .late(let by, let gegevensset):
            recordLate(vraagID: vraagID, bron: bron, gegevensset: gegevensset, by: by, now: now)
        case .forged:
            dropForged(vraagID: vraagID, bron: bron, userID: userID)
        case .unknown:
            logger.debug("answer to an unknown zoekvraag dropped", metadata: ["vum.vraag_id": "\(vraagID)"])
        }
        return true
    }

    private func recordLate(vraagID: String, bron: BronID, gegevensset: Gegevensset, by: Int64, now: Int64) {
        AggregatorMetrics.teLaat(bron)
        var e = Procesgebeurtenis(
            eventID: UUID().uuidString.lowercased(), soort: .gegevenssetTeLaat, tijdMs: now,
            component: configuration.eventComponent)
        e.vraagID = vraagID
        e.bronID = bron.rawValue
        e.gegevensset = gegevensset.rawValue
        e.teLaatMs = Int(by)
        e.uitkomst = "te_laat"
        emit(e)
    }

    private func dropForged(vraagID: String, bron: BronID, userID: String?) {
        logger.warning(
            "answer dropped: its user_id is not the bron's registered broker user",
            metadata: ["vum.vraag_id": "\(vraagID)", "vum.bron": "\(bron)", "amqp.user_id": "\(userID ?? "-")"])
    }

    // MARK: - Presence

    func readPresence(_ consumer: AMQPConsumer) async throws {
        for try await delivery in consumer {
            guard let envelope = try? Envelope(properties: delivery.properties),
                let aanmelding = try? MessageCodec.decode(AanmeldingBericht.self, from: delivery.body)
            else {
                logger.info("undecodable aanmelding dropped")
                continue
            }
            // Only a bron's own broker user may announce it.
            guard let user = registry.bronnen[aanmelding.bronID], envelope.userID == user else {
                logger.info(
                    "aanmelding of an unregistered bron, or from another user, ignored",
                    metadata: ["vum.bron": "\(aanmelding.bronID)", "amqp.user_id": "\(envelope.userID ?? "-")"])
                continue
            }
            // Only a sending time in milliseconds says anything about the bron's clock (the AMQP timestamp
            // has whole seconds).
            let sentAtMs = delivery.properties.headers?[Header.sentAt] == nil ? nil : envelope.sentAtMs
            let (change, before, after) = state.withLock { state in
                let before = state.presence.entries[aanmelding.bronID]?.clock
                let change = state.presence.receive(aanmelding, nowMs: Envelope.nowMs(), sentAtMs: sentAtMs)
                return (change, before, state.presence.entries[aanmelding.bronID]?.clock)
            }
            if let after { reportClock(aanmelding.bronID, before: before, after: after) }
            if let change { emitPresence(change) }
        }
    }

    /// A bron's clock that went beyond the tolerance, or came back within it, is logged once each time.
    func reportClock(_ bron: BronID, before: ClockDifference?, after: ClockDifference) {
        guard let ms = after.estimateMs else { return }
        AggregatorMetrics.clock(bron, ms: ms)
        switch ClockDifference.change(from: before, to: after) {
        case .wentOff:
            logger.warning(
                "a bron's clock is off: deadlines are absolute times, so its answers may come too late or its questions look expired; its machine should keep time (NTP)",
                metadata: ["vum.bron": "\(bron)", "vum.klokverschil": "\(ClockDifference.describe(ms))"])
        case .cameBack:
            logger.info(
                "a bron's clock is within the tolerance again",
                metadata: ["vum.bron": "\(bron)", "vum.klokverschil": "\(ClockDifference.describe(ms))"])
        case nil: break
        }
    }

    func emitPresence(_ change: PresenceRegistry.Change) {
        let (soort, bron): (Procesgebeurtenis.Soort, BronID) =
            switch change {
            case .aangemeld(let b): (.bronAangemeld, b)
            case .afgemeld(let b): (.bronAfgemeld, b)
            case .offline(let b): (.bronOffline, b)
            }
        var e = Procesgebeurtenis(
            eventID: UUID().uuidString.lowercased(), soort: soort, tijdMs: Envelope.nowMs(),
            component: configuration.eventComponent)
        e.bronID = bron.rawValue
        logger.info("bron presence changed", metadata: ["vum.bron": "\(bron)", "vum.event": "\(soort.rawValue)"])
        emit(e)
    }

    // MARK: - Procesgegevens

    func event(_ soort: Procesgebeurtenis.Soort, vraagID: String?, party verzoek: Zoekverzoek) -> Procesgebeurtenis {
        var e = Procesgebeurtenis(
            eventID: UUID().uuidString.lowercased(), soort: soort, tijdMs: Envelope.nowMs(),
            component: configuration.eventComponent)
        e.vraagID = vraagID
        e.fromParty = verzoek.fromParty.rawValue
        e.viaParty = (verzoek.viaParty ?? verzoek.fromParty).rawValue
        e.suwi = registry.bemiddelaars[verzoek.fromParty]?.suwi ?? false
        return e
    }

    struct ConfirmTimeout: Error, CustomStringConvertible {
        var after: Duration
        var description: String { "no confirm from the broker within \(after)" }
    }

    /// Waits for `task` for at most `limit`; past it throws `ConfirmTimeout`. The task runs on (awaiting an
    /// unstructured task's value does not end on cancellation, so the two race through one continuation).
    static func waitFor(_ task: Task<Void, any Error>, atMost limit: Duration) async throws {
        let once = ResumeOnce()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            once.hold(continuation)
            Task {
                do {
                    try await task.value
                    once.resume(.success(()))
                } catch {
                    once.resume(.failure(error))
                }
            }
            Task {
                try? await Task.sleep(for: limit)
                once.resume(.failure(ConfirmTimeout(after: limit)))
            }
        }
    }

    /// A continuation resumed by whichever comes first.
    final class ResumeOnce: Sendable {
        private let continuation = Mutex<CheckedContinuation<Void, any Error>?>(nil)
        func hold(_ c: CheckedContinuation<Void, any Error>) { continuation.withLock { $0 = c } }
        func resume(_ result: Result<Void, any Error>) {
            continuation.withLock { c in
                c?.resume(with: result)
                c = nil
            }
        }
    }

    func refuse(_ base: Procesgebeurtenis, _ fout: Fout) {
        var e = base
        e.soort = .zoekvraagGeweigerd
        e.uitkomst = fout.code
        e.reden = fout.details ?? fout.message
        emit(e)
    }

    /// Publishes an event and waits for the broker's confirm.
    func publishEvent(_ event: Procesgebeurtenis, on channel: ConfirmedChannel) async throws {
        let envelope = Envelope(
            type: .procesgebeurtenis, correlationID: event.vraagID, appID: configuration.appID,
            userID: configuration.brokerUser)
        let outcome = try await channel.publish(
            MessageCodec.encode(event), exchange: Topology.procesgegevens,
            routingKey: event.soort.rawValue, properties: envelope.properties())
        if case .returned = outcome { throw Fout.internalError("procesgebeurtenis returned") }
    }

    /// Publishes an event in the background; a failure is logged as an error (the trail has a gap).
    func emit(_ event: Procesgebeurtenis) {
        guard let audit = state.withLock({ $0.channels?.audit }) else {
            logger.error(
                "procesgebeurtenis not sent: not connected", metadata: ["vum.event": "\(event.soort.rawValue)"])
            return
        }
        Task {
            do { try await self.publishEvent(event, on: audit) } catch {
                self.logger.error(
                    "procesgebeurtenis not confirmed",
                    metadata: [
                        "vum.event": "\(event.soort.rawValue)", "vum.vraag_id": "\(event.vraagID ?? "-")",
                        "vum.error": "\(error)",
                    ])
            }
        }
    }
}

extension JSONValue {
    var objectKeys: [String] { if case .object(let o) = self { o.keys } else { [] } }
}
