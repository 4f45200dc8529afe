import AMQPClient
import Foundation
import VUMExchange
import VUMStandaard

/// One run of the kit: the channel, the reply and presence queues, and what the checks learned so far.
final class Session: @unchecked Sendable {
    let kit: ConformanceKit
    let channel: AMQPChannel
    let replyQueue: String
    let answers: Received
    let announcements: Received
    var config: ConformanceConfiguration { kit.configuration }
    /// Record ids the bron returned, for the detail check.
    var returned: [(Gegevensset, RecordID)] = []
    /// The datasets asked (what the bron announced, else what its records hold).
    var datasets: [Gegevensset] = []

    init(kit: ConformanceKit, channel: AMQPChannel, replyQueue: String, answers: Received, announcements: Received) {
        self.kit = kit
        self.channel = channel
        self.replyQueue = replyQueue
        self.answers = answers
        self.announcements = announcements
    }

    static let detailOnly = Werkzoekende.detailOnlyFields.union(Vacature.detailOnlyFields)

    // MARK: - Presence

    /// It announces itself (or is heartbeating) as its own broker user, and heartbeats again within its
    /// interval. Returns the datasets to ask.
    func presenceCheck(_ record: (ConformanceCheck) -> Void) async -> [Gegevensset] {
        let bron = config.bron
        func fromBron(_ d: AMQPDelivery) -> AanmeldingBericht? {
            guard let a = try? MessageCodec.decode(AanmeldingBericht.self, from: d.body), a.bronID == bron else {
                return nil
            }
            return a
        }
        guard let first = await announcements.first(within: config.presenceWait, where: { fromBron($0) != nil }),
            let aanmelding = fromBron(first)
        else {
            record(
                .init(
                    name: "announces itself and heartbeats on vum.aanmeldingen", passed: false,
                    evidence: ["no aanmelding or heartbeat from \(bron) within \(config.presenceWait)"]))
            return fallbackDatasets
        }
        var evidence = [
            "\(aanmelding.soort.rawValue) from \(bron): \(aanmelding.gegevenssets.map(\.rawValue).joined(separator: ", ")), "
                + "version \(aanmelding.versie), heartbeat every \(aanmelding.heartbeatIntervalMs) ms"
        ]
        var passed = true
        if first.properties.userID != config.bronUser {
            passed = false
            evidence.append("its user_id is \(first.properties.userID ?? "absent"), not \(config.bronUser)")
        }
        let interval = Duration.milliseconds(aanmelding.heartbeatIntervalMs)
        let firstTag = first.deliveryTag
        let next = await announcements.first(within: interval * 2 + .seconds(1)) {
            $0.deliveryTag > firstTag && fromBron($0) != nil
        }
        if next == nil {
            passed = false
            evidence.append("no heartbeat followed within twice its interval (\(interval * 2))")
        }
        // Deadlines are absolute times: its clock against this machine's, from the sending times it states.
        var clock = ClockDifference()
        for d in [first, next].compactMap({ $0 }) {
            guard let sent = d.properties.headers?[Header.sentAt]?.intValue,
                let received = announcements.receivedMs(d.deliveryTag)
            else { continue }
            clock.add(sentAtMs: sent, receivedAtMs: received)
        }
        if let ms = clock.estimateMs {
            if clock.isOff {
                passed = false
                evidence.append(
                    "its clock is \(ClockDifference.describe(ms)) of this machine's: deadlines are absolute times, "
                        + "so keep its machine on time (NTP)")
            } else {
                evidence.append("its clock is within \(ClockDifference.toleranceMs) ms of this machine's (\(ms) ms)")
            }
        } else {
            passed = false
            evidence.append(
                "its aanmeldingen carry no \(Header.sentAt) (their sending time in milliseconds), so the exchange "
                    + "cannot see whether its clock keeps time")
        }
        record(.init(name: "announces itself and heartbeats on vum.aanmeldingen", passed: passed, evidence: evidence))
        return aanmelding.gegevenssets.isEmpty ? fallbackDatasets : aanmelding.gegevenssets
    }

    var fallbackDatasets: [Gegevensset] {
        var sets: [Gegevensset] = []
        if !config.werkzoekenden.isEmpty { sets.append(.werkzoekenden) }
        if !config.vacatures.isEmpty { sets.append(.vacatures) }
        return sets.isEmpty ? [.werkzoekenden] : sets
    }

    // MARK: - Asking

    struct Answer {
        var delivery: AMQPDelivery
        var bericht: GegevenssetBericht?
        var decodeError: String?
        var seconds: Double
    }

    /// Sends a zoekvraag to this bron only; returns its answer, or nil when none came by the deadline plus a second.
    func ask(_ vraagObject: JSONValue, _ gegevensset: Gegevensset, deadline: Duration? = nil) async -> (
        vraagID: String, answer: Answer?
    ) {
        let vraagID = UUID().uuidString.lowercased()
        let d = deadline ?? config.deadline
        let deadlineMs =
            Envelope.nowMs() + Int64(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
        let bericht = ZoekvraagBericht(vraagID: vraagID, gegevensset: gegevensset, vraagObject: vraagObject)
        var envelope = Envelope(
            type: .zoekvraag, correlationID: vraagID, appID: "vum-conformance/0.1.0", userID: config.ownUser,
            replyTo: replyQueue, deadlineMs: deadlineMs)
        envelope.fromParty = try? OIN(validating: config.fromParty)
        envelope.viaParty = envelope.fromParty
        envelope.suwiParty = true
        let start = ContinuousClock.now
        do {
            try await channel.publish(
                MessageCodec.encode(bericht), exchange: Topology.detailverzoeken,
                routingKey: config.bron.rawValue, properties: envelope.properties())
        } catch {
            return (vraagID, nil)
        }
        guard
            let delivery = await answers.first(
                within: d + .seconds(1), where: { $0.properties.correlationID == vraagID })
        else {
            return (vraagID, nil)
        }
        let elapsed = start.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        do {
            return (
                vraagID,
                Answer(
                    delivery: delivery, bericht: try MessageCodec.decode(GegevenssetBericht.self, from: delivery.body),
                    seconds: seconds)
            )
        } catch {
            return (vraagID, Answer(delivery: delivery, decodeError: error.description, seconds: seconds))
        }
    }

    /// The questions for a dataset: typical ones, centred on the bron's own records when it gave them.
    func questions(_ gegevensset: Gegevensset) -> [JSONValue] {
        let generator = SyntheticQuestions(seed: config.seed, table: kit.table)
        let postcodes: [String] =
            gegevensset == .werkzoekenden
            ? config.werkzoekenden.map(\.matchingProfiel.mobiliteit.bemiddelingspostcode.rawValue)
            : config.vacatures.map(\.matchingProfiel.adres.postcode.rawValue)
        return (0..<config.questions).map { i in
            var q = generator.typical(gegevensset, i)
            if !postcodes.isEmpty, case .object(var o) = q {
                o["selectiegebied"] = .object(
                    JSONObject([
                        ("postcode", .string(postcodes[(i * 7919) % postcodes.count])),
                        ("afstand", .number(.integer(Int64(10 + (i % 4) * 10)))),
                    ]))
                q = .object(o)
            }
            return q
        }
    }
}
