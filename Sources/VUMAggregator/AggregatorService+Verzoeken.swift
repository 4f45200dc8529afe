import AMQPClient
import Foundation
import Logging
import VUMExchange
import VUMStandaard

/// The AMQP entry for bus-native bemiddelaars: `vum.verzoek.v1` messages on queue `vum.verzoeken`, the
/// same semantics as the REST API, answered with `vum.verzoekantwoord.v1` to the request's `reply_to`
/// (through the default exchange, which only the operator's aggregator may write to).
extension AggregatorService {
    /// Serves the queue until it ends; each request is worked on in its own task and acknowledged after
    /// its answer is published. A message that cannot be answered at all (no `reply_to`) is rejected to
    /// the dead-letter queue.
    func readRequests(_ consumer: AMQPConsumer, publisher: AMQPChannel) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for try await delivery in consumer {
                group.addTask { await self.handleRequest(delivery, publisher: publisher) }
            }
            try await group.waitForAll()
        }
    }

    func handleRequest(_ delivery: AMQPDelivery, publisher: AMQPChannel) async {
        guard let replyTo = delivery.properties.replyTo, !replyTo.isEmpty else {
            logger.info("verzoek without reply_to rejected to the dead-letter queue")
            refuseAtEntry(
                delivery, .invalidRequest("verzoek without reply_to", details: "dead-lettered: nobody to answer"))
            try? await delivery.reject(requeue: false)
            return
        }
        let correlationID = delivery.properties.correlationID ?? delivery.properties.messageID ?? ""
        let body: Data
        do throws(Fout) {
            body = VerzoekantwoordBericht.encode(serializedAntwoord: try await run(delivery))
        } catch {
            body = MessageCodec.encode(VerzoekantwoordBericht(fout: error))
        }
        let envelope = Envelope(
            type: .verzoekantwoord, correlationID: correlationID, appID: configuration.appID,
            userID: configuration.brokerUser)
        do {
            try await publisher.publish(
                body, exchange: "", routingKey: replyTo,
                properties: envelope.properties())
        } catch {
            logger.error("verzoekantwoord not published", metadata: ["vum.error": "\(error)"])
        }
        try? await delivery.ack()
    }

    /// Reads the request, checks that the party is the one the broker user is registered for, and runs it;
    /// the answer is the REST API's response body, serialised, in consecutive pieces (a zoekantwoord's
    /// matches are not copied into one array with the fields around them).
    func run(_ delivery: AMQPDelivery) async throws(Fout) -> [[UInt8]] {
        let envelope: Envelope
        let party: OIN
        let verzoek: VerzoekBericht
        do throws(Fout) {
            envelope = try Envelope(properties: delivery.properties)
            guard envelope.type == .verzoek else {
                throw Fout.invalidRequest(
                    "unexpected message type", details: "\(envelope.type.rawValue); expected vum.verzoek.v1")
            }
            guard let from = envelope.fromParty else {
                throw Fout(
                    code: "400.02", message: "incomplete request",
                    details: "the x-vum-from-party header (an OIN) is required")
            }
            guard let registered = registry.bemiddelaars[from]?.brokerUser, registered == envelope.userID else {
                throw Fout(
                    code: "401", message: "not authorised",
                    details: "party \(from) does not ask over AMQP as broker user \(envelope.userID ?? "-")")
            }
            party = from
            verzoek = try MessageCodec.decode(
                VerzoekBericht.self, from: delivery.body, maximumSize: configuration.maximumMessageSize)
        } catch {
            // Refused before it became a zoekvraag or a detail request: audited here, answered by the caller.
            refuseAtEntry(delivery, error)
            throw error
        }
        switch verzoek.soort {
        case .zoek:
            let antwoord = try await zoek(
                Zoekverzoek(
                    gegevensset: verzoek.gegevensset, vraagObject: verzoek.vraagObject ?? .null, fromParty: party,
                    viaParty: envelope.viaParty, deadline: verzoek.deadlineMs.map { .milliseconds($0) }))
            let (head, tail) = antwoord.framing()
            return [head, antwoord.matchesJSON, tail]
        case .detail:
            let detail = try await self.detail(
                verzoek.vumID ?? "", party: party, viaParty: envelope.viaParty,
                gegevensset: verzoek.gegevensset)
            return [detail.json(verzoek.gegevensset).serializedBytes()]
        }
    }
}

extension AggregatorService {
    /// A `zoekvraag.geweigerd` event for a message on `vum.verzoeken` that never became a request: poison,
    /// oversized, unauthorised or unanswerable. Names the party and the broker user when they are known.
    func refuseAtEntry(_ delivery: AMQPDelivery, _ fout: Fout) {
        var e = Procesgebeurtenis(
            eventID: UUID().uuidString.lowercased(), soort: .zoekvraagGeweigerd, tijdMs: Envelope.nowMs(),
            component: configuration.eventComponent)
        let party = delivery.properties.headers?[Header.fromParty]?.stringValue.flatMap { try? OIN(validating: $0) }
        e.fromParty = party?.rawValue
        e.suwi = party.map { registry.bemiddelaars[$0]?.suwi ?? false }
        e.uitkomst = fout.code
        e.reden =
            "\(fout.message) (vum.verzoeken, \(delivery.body.count) bytes, broker user \(delivery.properties.userID ?? "-"))"
        emit(e)
    }

    /// A `zoekvraag.geweigerd` event for a REST request refused before it became a request, such as a
    /// client certificate of another party than the headers name.
    func refuseAtREST(from: OIN, via: OIN, _ path: String, _ fout: Fout) {
        var e = Procesgebeurtenis(
            eventID: UUID().uuidString.lowercased(), soort: .zoekvraagGeweigerd, tijdMs: Envelope.nowMs(),
            component: configuration.eventComponent)
        e.fromParty = from.rawValue
        e.viaParty = via.rawValue
        e.suwi = registry.bemiddelaars[from]?.suwi ?? false
        e.uitkomst = fout.code
        e.reden = "\(fout.details ?? fout.message) (REST \(path))"
        logger.warning(
            "REST request refused", metadata: ["vum.from_party": "\(from)", "vum.reason": "\(e.reden ?? "")"])
        emit(e)
    }
}

extension Detailantwoord {
    /// The koppelvlak's detail body: `{"bronID", "werkzoekende" | "vacature": record}`.
    public func json(_ gegevensset: Gegevensset) -> JSONValue {
        .object(
            JSONObject([
                ("bronID", .string(bron.rawValue)),
                (gegevensset == .werkzoekenden ? "werkzoekende" : "vacature", record),
            ]))
    }
}
