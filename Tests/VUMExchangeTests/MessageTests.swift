import AMQPClient
import Foundation
import Testing
import VUMStandaard

@testable import VUMExchange

let bron = try! BronID(validating: "gemeente-utrecht")
let oin = try! OIN(validating: "00000001002220647000")
let question = try! JSONValue.parse(
    #"{"selectiegebied":{"postcode":"3511AB","afstand":25},"werktijden.aantalWerkurenPerWeekMaximaal":{"$gte":24}}"#)
let profile = try! WerkzoekendeMatchingProfiel(
    json: JSONValue.parse(
        #"{"idWerkzoekende":"wz-1","mobiliteit":{"bemiddelingspostcode":"3511AB"},"werktijden":{"aantalWerkurenPerWeekMaximaal":32}}"#
    ))

func roundTrip<P: Payload>(_ payload: P) throws -> P {
    try MessageCodec.decode(P.self, from: MessageCodec.encode(payload))
}

@Suite("Bus messages: payloads")
struct PayloadTests {
    @Test("every payload survives encode and decode")
    func roundTrips() throws {
        let zoekvraag = ZoekvraagBericht(vraagID: "v-1", gegevensset: .werkzoekenden, vraagObject: question)
        #expect(try roundTrip(zoekvraag) == zoekvraag)
        let antwoord = GegevenssetBericht(
            vraagID: "v-1", bronID: bron, gegevensset: .werkzoekenden, matches: [profile.json],
            maximumAantalResultatenBereikt: true, genegeerdeCriteria: ["leeftijd"], duurMs: 12)
        #expect(try roundTrip(antwoord) == antwoord)
        let fout = GegevenssetBericht(
            vraagID: "v-1", bronID: bron, gegevensset: .vacatures, fout: .internalError("store down"))
        #expect(try roundTrip(fout) == fout)
        let verzoek = DetailverzoekBericht(
            vraagID: "v-1", gegevensset: .werkzoekenden, recordID: try RecordID(validating: "wz-1"))
        #expect(try roundTrip(verzoek) == verzoek)
        let detail = DetailBericht(bronID: bron, werkzoekende: Werkzoekende(matchingProfiel: profile))
        #expect(try roundTrip(detail) == detail)
        let aanmelding = AanmeldingBericht(
            bronID: bron, soort: .heartbeat, gegevenssets: [.werkzoekenden, .vacatures],
            versie: "vum-adapter/0.1.0", ondersteundeCriteria: ["bemiddelingsberoep"],
            heartbeatIntervalMs: 5000)
        #expect(try roundTrip(aanmelding) == aanmelding)
        var event = Procesgebeurtenis(
            eventID: "e-1", soort: .zoekvraagAfgerond, tijdMs: 1_764_000_000_123,
            component: "vum-aggregator/0.1.0")
        event.vraagID = "v-1"
        event.aantallenPerStatus = ["beantwoord": 2, "offline": 1]
        event.gedeeltelijk = true
        #expect(try roundTrip(event) == event)
    }

    @Test("the selectievraag travels unchanged: key order and number types included")
    func questionUnchanged() throws {
        let exact = try JSONValue.parse(
            #"{"werktijden.aantalWerkurenPerWeekMaximaal":{"$gte":24},"selectiegebied":{"postcode":"3511AB","afstand":25},"x":{"$eq":7.0}}"#
        )
        let decoded = try roundTrip(ZoekvraagBericht(vraagID: "v", gegevensset: .werkzoekenden, vraagObject: exact))
        #expect(decoded.vraagObject.serialized() == exact.serialized())
        let zoekvraag = ZoekvraagBericht(vraagID: "v-1", gegevensset: .werkzoekenden, vraagObject: question)
        let text = String(decoding: MessageCodec.encode(zoekvraag), as: UTF8.self)
        #expect(text.contains(#""vraagObject":{"selectiegebied":{"postcode":"3511AB","afstand":25},"werktijden"#))
        #expect(text.hasPrefix(#"{"vraagID":"v-1","gegevensset":"werkzoekenden","vraagObject""#))
        #expect(try zoekvraag.selectievraag().criteria == [.urenPerWeekMaximaalMinstens(24)])
    }

    @Test("a malformed question in a zoekvraag is 400.01 with the path")
    func malformedQuestion() throws {
        let bad = ZoekvraagBericht(
            vraagID: "v", gegevensset: .werkzoekenden,
            vraagObject: try JSONValue.parse(#"{"selectiegebied":{"postcode":"3511AB","afstand":-1}}"#))
        #expect { try bad.selectievraag() } throws: { error in
            let fout = error as! Fout
            return fout.code == "400.01" && fout.details?.contains("selectiegebied.afstand") == true
        }
    }

    @Test(
        "decoding errors are 400.01 and name the field",
        arguments: [
            (
                #"{"gegevensset":"werkzoekenden","vraagObject":{},"maximumAantalResultaten":100}"#,
                "vraagID: is required"
            ),
            (
                #"{"vraagID":"v","gegevensset":"personen","vraagObject":{},"maximumAantalResultaten":100}"#,
                #"gegevensset: "personen" is not werkzoekenden or vacatures"#
            ),
            (
                #"{"vraagID":5,"gegevensset":"werkzoekenden","vraagObject":{},"maximumAantalResultaten":100}"#,
                "vraagID: must be a string, not an integer"
            ),
            (
                #"{"vraagID":"v","gegevensset":"werkzoekenden","vraagObject":{},"maximumAantalResultaten":0}"#,
                "maximumAantalResultaten: 0 is out of range"
            ),
            ("not json", "(message): invalid JSON at byte 0"),
            ("[1]", "(message): must be an object, not an array"),
        ])
    func decodingErrors(body: String, expected: String) {
        #expect { try MessageCodec.decode(ZoekvraagBericht.self, from: Data(body.utf8)) } throws: { error in
            let fout = error as! Fout
            return fout.code == "400.01" && (fout.details ?? "").contains(expected)
        }
    }

    @Test("a bad bron id in an answer is refused; an oversized message is refused before parsing")
    func badBronAndSize() {
        let body =
            #"{"vraagID":"v","bronID":"Gemeente Utrecht","gegevensset":"werkzoekenden","matches":[],"maximumAantalResultatenBereikt":false,"genegeerdeCriteria":[]}"#
        #expect { try MessageCodec.decode(GegevenssetBericht.self, from: Data(body.utf8)) } throws: { error in
            ((error as! Fout).details ?? "").contains("bronID: \"Gemeente Utrecht\" is not a bron id")
        }
        #expect {
            try MessageCodec.decode(GegevenssetBericht.self, from: Data(count: 2000), maximumSize: 1000)
        } throws: { error in
            (error as! Fout).message == "message too large"
        }
    }

    @Test("a detail holds exactly one record or a fout; its record is validated")
    func detailShape() throws {
        let body = #"{"bronID":"uwv","gegevensset":"werkzoekenden"}"#
        #expect(throws: Fout.self) { try MessageCodec.decode(DetailBericht.self, from: Data(body.utf8)) }
        let bad = #"{"bronID":"uwv","gegevensset":"werkzoekenden","werkzoekende":{"idWerkzoekende":"x"}}"#
        let detail = try MessageCodec.decode(DetailBericht.self, from: Data(bad.utf8))
        #expect { try detail.werkzoekendeRecord() } throws: {
            ($0 as! Fout).details?.contains("mobiliteit: is required") == true
        }
    }

    @Test("an answer's invalid records are reported with their index and left out")
    func invalidMatchesLeftOut() throws {
        var leaking = profile.json
        if case .object(var o) = leaking {
            o["emailadres"] = .array([.string("x@y.nl")])
            leaking = .object(o)
        }
        let antwoord = GegevenssetBericht(
            vraagID: "v", bronID: bron, gegevensset: .werkzoekenden,
            matches: [profile.json, leaking, .string("nonsense")],
            maximumAantalResultatenBereikt: false, genegeerdeCriteria: [])
        let split = antwoord.matchingProfielen(as: WerkzoekendeMatchingProfiel.self)
        #expect(split.valid == [profile])
        #expect(split.invalid.map(\.index) == [1, 2])
        #expect(split.invalid[0].error.errors.first?.path == "emailadres")
    }

    @Test("bron ids: lower case, digits and hyphens, and the broker user follows")
    func bronIDs() throws {
        #expect(bron.brokerUser == "bron-gemeente-utrecht")
        #expect(Topology.bronQueue(bron) == "vum.bron.gemeente-utrecht")
        for bad in ["", "-x", "Gemeente", "a_b", String(repeating: "a", count: 64)] {
            #expect(throws: ValueError.self, "\(bad)") { try BronID(validating: bad) }
        }
    }
}

@Suite("Bus messages: envelope")
struct EnvelopeTests {
    @Test("the envelope survives its AMQP properties, with expiration from the deadline")
    func roundTrip() throws {
        var e = Envelope(
            type: .zoekvraag, correlationID: "v-1", appID: "vum-aggregator/0.1.0", userID: "aggregator",
            replyTo: "amq.gen-abc", sentAtMs: 1_764_000_000_000, deadlineMs: 1_764_000_005_000)
        e.fromParty = oin
        e.viaParty = oin
        e.suwiParty = true
        let p = e.properties(now: 1_764_000_000_500)
        #expect(p.expiration == "4500")
        #expect(p.deliveryMode == .transient)
        #expect(p.type == "vum.zoekvraag.v1")
        #expect(p.timestamp == 1_764_000_000)
        #expect(try Envelope(properties: p) == e)
        // A deadline already past gives expiration 0: the broker drops it rather than deliver it late.
        #expect(e.properties(now: 1_764_000_009_000).expiration == "0")
        #expect(Envelope(type: .procesgebeurtenis, appID: "a").properties().deliveryMode == .persistent)
    }

    @Test(
        "a malformed envelope is 400.01 naming the property or header",
        arguments: [
            (AMQPProperties(messageID: "m", appID: "a"), "property type is missing"),
            (AMQPProperties(messageID: "m", type: "vum.unknown", appID: "a"), "is not a VUM message type"),
            (AMQPProperties(type: "vum.zoekvraag.v1", appID: "a"), "message_id is missing"),
            (AMQPProperties(messageID: "m", type: "vum.zoekvraag.v1"), "app_id is missing"),
            (
                AMQPProperties(contentType: "text/plain", messageID: "m", type: "vum.zoekvraag.v1", appID: "a"),
                "content_type"
            ),
            (
                AMQPProperties(
                    headers: [Header.deadline: "soon"], messageID: "m", type: "vum.zoekvraag.v1", appID: "a"),
                "x-vum-deadline must be an integer"
            ),
            (
                AMQPProperties(
                    headers: [Header.fromParty: "123"], messageID: "m", type: "vum.zoekvraag.v1", appID: "a"),
                "x-vum-from-party"
            ),
            (
                AMQPProperties(headers: [Header.suwiParty: "ja"], messageID: "m", type: "vum.zoekvraag.v1", appID: "a"),
                "x-vum-suwi-party must be a boolean"
            ),
            (
                AMQPProperties(headers: [Header.bron: "Bron A"], messageID: "m", type: "vum.zoekvraag.v1", appID: "a"),
                "x-vum-bron"
            ),
        ])
    func malformed(properties: AMQPProperties, expected: String) {
        #expect { try Envelope(properties: properties) } throws: { error in
            let fout = error as! Fout
            return fout.code == "400.01" && (fout.details ?? "").contains(expected)
        }
    }
}
