import AMQPClient
import Foundation
import VUMExchange
import VUMStandaard

extension AggregatorService {
    /// A bemiddelaar reports poor data of a record it received: the report goes to the bron that holds it
    /// (`vum.datakwaliteit.v1`, confirmed by the broker and routed to the bron's queue) and into the trail
    /// as `datakwaliteit.gemeld` with the reason's code (never the free text). Returns the report's id.
    ///
    /// Throws `404` for a vumID this party may not use (as for a detail), `503` when the broker did not
    /// take the report or the bron's queue is gone.
    public func meld(
        _ vumID: String, party: OIN, viaParty: OIN? = nil, gegevensset: Gegevensset,
        reden: DatakwaliteitBericht.Reden, toelichting: String?
    ) async throws(Fout) -> String {
        let now = Envelope.nowMs()
        let meldingID = UUID().uuidString.lowercased()
        var e = vumIDEvent(
            .datakwaliteitGemeld, vumID: vumID, party: party, viaParty: viaParty, gegevensset: gegevensset, nowMs: now)
        e.reden = reden.rawValue
        func refuse(_ fout: Fout, _ why: String) -> Fout {
            var r = e
            r.uitkomst = fout.code
            r.reden = "\(reden.rawValue): \(why)"
            emit(r)
            return fout
        }
        if let toelichting, toelichting.count > 2000 {
            throw Fout.invalidRequest(
                "invalid datakwaliteit report", details: "toelichting: longer than 2000 characters")
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
        let target = record.matches[index]
        e.bronID = target.bron.rawValue
        let bericht = DatakwaliteitBericht(
            meldingID: meldingID, vraagID: vraagID, gegevensset: gegevensset,
            recordID: target.recordID, reden: reden, toelichting: toelichting)
        var envelope = Envelope(
            type: .datakwaliteit, correlationID: meldingID, appID: configuration.appID,
            userID: configuration.brokerUser)
        envelope.fromParty = party
        envelope.viaParty = viaParty ?? party
        envelope.suwiParty = registry.bemiddelaars[party]?.suwi ?? false
        // On the confirmed channel, mandatory: 202 means the bron's queue holds the report.
        let outcome: AMQPPublishOutcome
        do {
            outcome = try await channels.audit.publish(
                MessageCodec.encode(bericht), exchange: Topology.detailverzoeken,
                routingKey: target.bron.rawValue, mandatory: true,
                properties: envelope.properties())
        } catch {
            logger.error("datakwaliteit report not published", metadata: ["vum.error": "\(error)"])
            throw refuse(
                Fout.unavailable("the report could not be passed on", details: "the broker did not take it"),
                "not published")
        }
        if case .returned = outcome {
            throw refuse(
                Fout.unavailable("the report could not be passed on", details: "\(target.bron) has no queue"),
                "bron queue missing")
        }
        emit(e)
        logger.info(
            "datakwaliteit reported",
            metadata: [
                "vum.melding_id": "\(meldingID)", "vum.bron": "\(target.bron)",
                "vum.reden": "\(reden.rawValue)",
            ])
        return meldingID
    }
}
