import AMQPClient
import Foundation
import Logging
import VUMExchange
import VUMStandaard

/// A detail record as the asker gets it: the bron's record with its `vumID` instead of the bron's id.
public struct Detailantwoord: Sendable {
    public var bron: BronID
    public var record: JSONValue
}

extension AggregatorService {
    /// Fetches the detail behind a vumID for the party that got it. Throws `404` for a vumID that is not
    /// this party's, expired, tampered with or unknown; `429.01` past the detail limit of its zoekvraag;
    /// `503` when the bron does not answer in time; the bron's own error otherwise.
    public func detail(_ vumID: String, party: OIN, viaParty: OIN? = nil, gegevensset: Gegevensset) async throws(Fout)
        -> Detailantwoord
    {
        do {
            let antwoord = try await fetchDetail(vumID, party: party, viaParty: viaParty, gegevensset: gegevensset)
            AggregatorMetrics.detail(uitkomst: "200")
            return antwoord
        } catch {
            AggregatorMetrics.detail(uitkomst: error.code)
            throw error
        }
    }

    func fetchDetail(_ vumID: String, party: OIN, viaParty: OIN?, gegevensset: Gegevensset) async throws(Fout)
        -> Detailantwoord
    {
        let now = Envelope.nowMs()
        var e = vumIDEvent(
            .detailGeweigerd, vumID: vumID, party: party, viaParty: viaParty, gegevensset: gegevensset, nowMs: now)
        func refuse(_ fout: Fout, _ reden: String) -> Fout {
            var r = e
            r.uitkomst = fout.code
            r.reden = reden
            emit(r)
            return fout
        }
        guard let channels = state.withLock({ $0.accepting ? $0.channels : nil }) else {
            throw Fout.unavailable("the exchange is not taking requests now", details: "starting or shutting down")
        }
        let (vraagID, record, index) = try await resolveVumID(vumID, party: party, gegevensset: gegevensset, nowMs: now)
        {
            e.vraagID = $0
        } refuse: {
            refuse($0, $1)
        }
        if let refusal = registry.refusal(of: party, for: gegevensset) {
            throw refuse(refusal, refusal.details ?? refusal.message)
        }
        let count: Int
        do { count = try await store.countDetail(vraagID) } catch {
            throw Fout.internalError("the exchange's request store failed")
        }
        guard count <= configuration.detailLimit else {
            throw refuse(
                Fout(
                    code: "429.01", message: "detail limit reached",
                    details: "at most \(configuration.detailLimit) details per zoekvraag"), "detail limit")
        }
        let target = record.matches[index]
        var opgevraagd = e
        opgevraagd.soort = .detailOpgevraagd
        opgevraagd.eventID = UUID().uuidString.lowercased()
        opgevraagd.bronID = target.bron.rawValue
        emit(opgevraagd)

        let requestID = UUID().uuidString.lowercased()
        let deadlineMs = now + Int64(configuration.detailTimeout.components.seconds * 1000)
        var envelope = Envelope(
            type: .detailverzoek, correlationID: requestID, appID: configuration.appID,
            userID: configuration.brokerUser, replyTo: channels.replyQueue, deadlineMs: deadlineMs)
        envelope.fromParty = party
        envelope.viaParty = viaParty ?? party
        envelope.suwiParty = registry.bemiddelaars[party]?.suwi ?? false
        let bericht = DetailverzoekBericht(vraagID: vraagID, gegevensset: gegevensset, recordID: target.recordID)
        let properties = envelope.properties()
        let detailTimeout = configuration.detailTimeout
        let outcome: DetailOutcome = await withCheckedContinuation { continuation in
            state.withLock { $0.details[requestID] = PendingDetail(bron: target.bron, continuation: continuation) }
            let timer = Task {
                // Confirmed and mandatory: a request the broker refuses, or that no queue takes (the bron's
                // queue is gone or not bound), is answered at once instead of after the detail timeout.
                do {
                    let published = try await channels.fanOut.publish(
                        MessageCodec.encode(bericht), exchange: Topology.detailverzoeken,
                        routingKey: target.bron.rawValue, mandatory: true, properties: properties)
                    if case .returned = published {
                        self.resolveDetail(requestID, .notSent("\(target.bron) has no queue for detail requests"))
                        return
                    }
                } catch {
                    logger.error("detail request not published", metadata: ["vum.error": "\(error)"])
                    self.resolveDetail(requestID, .notSent("the broker did not take the detail request"))
                    return
                }
                do { try await Task.sleep(for: detailTimeout) } catch { return }
                self.resolveDetail(requestID, .timedOut)
            }
            let waiting = state.withLock { state -> Bool in
                guard state.details[requestID] != nil else { return false }
                state.details[requestID]?.timer = timer
                return true
            }
            if !waiting { timer.cancel() }
        }
        let answer: DetailBericht
        switch outcome {
        case .answered(let bericht): answer = bericht
        case .notSent(let why):
            throw refuse(Fout.unavailable("the bron could not be asked", details: why), "detail request not delivered")
        case .unreadable(let why):
            throw refuse(
                Fout.internalError("the bron sent an invalid detail", details: why), "bron sent an invalid detail")
        case .timedOut:
            throw refuse(
                Fout.unavailable(
                    "the bron did not answer in time",
                    details: "\(target.bron) gave no detail within \(detailTimeout)"),
                "bron did not answer")
        }
        if let fout = answer.fout { throw refuse(fout, "bron answered \(fout.code)") }
        var o: JSONObject
        do throws(DetailCheck.Problem) {
            o = try DetailCheck.record(in: answer, gegevensset: gegevensset, recordID: target.recordID)
        } catch {
            logger.warning(
                "detail refused: the bron sent an invalid detail",
                metadata: [
                    "vum.bron": "\(target.bron)", "vum.record_id": "\(target.recordID)",
                    "vum.issues": "\(error.forOperator)",
                ])
            throw refuse(
                Fout.internalError("the bron sent an invalid detail", details: error.forAsker),
                "bron sent an invalid detail")
        }
        o[gegevensset.idKey] = nil
        o["vumID"] = .string(vumID)
        var geleverd = opgevraagd
        geleverd.soort = .detailGeleverd
        geleverd.eventID = UUID().uuidString.lowercased()
        geleverd.tijdMs = Envelope.nowMs()
        geleverd.duurMs = Int(geleverd.tijdMs - now)
        emit(geleverd)
        return Detailantwoord(bron: target.bron, record: .object(o))
    }

    /// An event about a request on a vumID (a detail, a datakwaliteit report): who asked, for which dataset.
    func vumIDEvent(
        _ soort: Procesgebeurtenis.Soort, vumID: String, party: OIN, viaParty: OIN?, gegevensset: Gegevensset,
        nowMs: Int64
    ) -> Procesgebeurtenis {
        var e = Procesgebeurtenis(
            eventID: UUID().uuidString.lowercased(), soort: soort, tijdMs: nowMs,
            component: configuration.eventComponent)
        e.fromParty = party.rawValue
        e.viaParty = (viaParty ?? party).rawValue
        e.suwi = registry.bemiddelaars[party]?.suwi ?? false
        e.gegevensset = gegevensset.rawValue
        e.vumID = vumID
        return e
    }

    /// The zoekvraag and position a vumID stands for, when `party` may use it: a `404` (through `refuse`,
    /// which records why) for a vumID that is not this exchange's, of an unknown or expired zoekvraag, of
    /// another party or of another dataset. `found` learns the vraagID as soon as it is known.
    func resolveVumID(
        _ vumID: String, party: OIN, gegevensset: Gegevensset, nowMs now: Int64,
        found: (String) -> Void, refuse: (Fout, String) -> Fout
    ) async throws(Fout)
        -> (vraagID: String, record: ZoekvraagRecord, index: Int)
    {
        guard let (vraagID, index) = vumIDs.resolve(vumID) else {
            throw refuse(.notFound, "not a vumID of this exchange")
        }
        found(vraagID)
        let record: ZoekvraagRecord?
        do { record = try await store.load(vraagID) } catch {
            logger.error("request store failed", metadata: ["vum.error": "\(error)"])
            throw Fout.internalError("the exchange's request store failed")
        }
        guard let record else { throw refuse(.notFound, "zoekvraag unknown or expired") }
        guard record.fromParty == party else { throw refuse(.notFound, "vumID issued to another party") }
        guard record.expiresMs >= now else { throw refuse(.notFound, "vumID expired") }
        guard record.gegevensset == gegevensset, index < record.matches.count else {
            throw refuse(.notFound, "vumID of another dataset")
        }
        return (vraagID, record, index)
    }

    func receiveDetail(_ delivery: AMQPDelivery, _ envelope: Envelope) {
        guard let requestID = envelope.correlationID else { return }
        let bericht: DetailBericht
        do {
            bericht = try MessageCodec.decode(
                DetailBericht.self, from: delivery.body, maximumSize: configuration.maximumMessageSize)
        } catch {
            // From the bron asked, as its own broker user: its asker learns at once what was wrong, instead
            // of waiting out the detail timeout. Anything else is dropped, as a forged answer is.
            let expected = state.withLock { $0.details[requestID]?.bron }
            if let expected, envelope.userID == registry.bronnen[expected] {
                logger.warning(
                    "detail unreadable", metadata: ["vum.bron": "\(expected)", "vum.error": "\(error)"])
                resolveDetail(requestID, .unreadable("\(error)"))
            } else {
                logger.info("undecodable detail dropped", metadata: ["vum.error": "\(error)"])
            }
            return
        }
        // Only the bron asked, answering as its own broker user.
        let expected = state.withLock { $0.details[requestID]?.bron }
        guard let expected, bericht.bronID == expected, envelope.userID == registry.bronnen[expected] else {
            logger.warning(
                "detail dropped: not from the bron asked, or not as its broker user",
                metadata: ["vum.bron": "\(bericht.bronID)", "amqp.user_id": "\(envelope.userID ?? "-")"])
            return
        }
        resolveDetail(requestID, .answered(bericht))
    }

    /// Ends the wait for a detail, once: the first outcome counts, later ones find nothing to resume.
    func resolveDetail(_ requestID: String, _ outcome: DetailOutcome) {
        let pending = state.withLock { $0.details.removeValue(forKey: requestID) }
        pending?.timer?.cancel()
        pending?.continuation.resume(returning: outcome)
    }
}
