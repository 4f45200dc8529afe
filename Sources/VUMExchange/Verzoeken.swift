import Foundation
import VUMStandaard

/// `vum.verzoek.v1`: what a bus-native bemiddelaar sends to exchange `vum.verzoeken` instead of calling
/// the REST API: a zoekvraag (`soort` `zoek`, with `vraagObject`) or a detail (`soort` `detail`, with
/// `vumID`). The party is the `x-vum-from-party` header; the exchange accepts it only from the broker user
/// registered for that party. The answer goes to `reply_to` with the same `correlation_id`.
public struct VerzoekBericht: Sendable, Hashable {
    public enum Soort: String, Sendable, Hashable, CaseIterable {
        case zoek
        case detail
    }

    public var soort: Soort
    public var gegevensset: Gegevensset
    /// The selectievraag, for `zoek`.
    public var vraagObject: JSONValue?
    /// The vumID, for `detail`.
    public var vumID: String?
    /// The deadline in milliseconds from receipt, for `zoek` (the exchange's default when absent).
    public var deadlineMs: Int?

    public init(zoek gegevensset: Gegevensset, vraagObject: JSONValue, deadlineMs: Int? = nil) {
        soort = .zoek
        self.gegevensset = gegevensset
        self.vraagObject = vraagObject
        self.deadlineMs = deadlineMs
    }

    public init(detail vumID: String, gegevensset: Gegevensset) {
        soort = .detail
        self.gegevensset = gegevensset
        self.vumID = vumID
    }
}

/// `vum.verzoekantwoord.v1`: the exchange's answer to a `vum.verzoek.v1`: `antwoord` is exactly the REST
/// API's response body (the merged matches, or the detail), or `fout` the REST API's error body.
public struct VerzoekantwoordBericht: Sendable, Hashable {
    public var antwoord: JSONValue?
    public var fout: Fout?

    public init(antwoord: JSONValue) { self.antwoord = antwoord }
    public init(fout: Fout) { self.fout = fout }

    /// The message body of an answer whose JSON is already serialised (the merged matches are written out
    /// as the bronnen sent them), given as consecutive pieces (a zoekantwoord's head, matches and tail): the
    /// bytes ``MessageCodec/encode(_:)`` gives for `VerzoekantwoordBericht(antwoord:)` of the same JSON.
    public static func encode(serializedAntwoord pieces: [[UInt8]]) -> Data {
        let (head, tail) = VerzoekantwoordBericht(antwoord: .null).json.serializedFraming(around: "antwoord")
        // Written straight into the message body: the answer (megabytes at 20 bronnen) is copied once.
        var data = Data(capacity: head.count + pieces.reduce(0) { $0 + $1.count } + tail.count)
        data.append(contentsOf: head)
        for piece in pieces { data.append(contentsOf: piece) }
        data.append(contentsOf: tail)
        return data
    }
}

extension VerzoekBericht: Payload {
    public static let messageType = MessageType.verzoek
    public var json: JSONValue {
        var o = JSONObject([("soort", .string(soort.rawValue)), ("gegevensset", .string(gegevensset.rawValue))])
        if let vraagObject { o["vraagObject"] = vraagObject }
        if let vumID { o["vumID"] = .string(vumID) }
        if let deadlineMs { o["deadlineMs"] = .int(deadlineMs) }
        return .object(o)
    }
    public init(json: JSONValue) throws(Fout) {
        let r = try PayloadReader(json, type: "verzoek")
        guard let soort = Soort(rawValue: try r.string("soort", max: 20)) else {
            throw r.fail("soort", "must be zoek or detail")
        }
        let gegevensset = try r.gegevensset()
        switch soort {
        case .zoek:
            guard case .object? = r.optional("vraagObject") else {
                throw r.fail("vraagObject", "is required for zoek (an object)")
            }
            let deadline = try r.optionalInteger("deadlineMs", 1...600_000)
            self.init(zoek: gegevensset, vraagObject: try r.value("vraagObject"), deadlineMs: deadline.map { Int($0) })
        case .detail:
            self.init(detail: try r.string("vumID", max: 500), gegevensset: gegevensset)
        }
    }
}

extension VerzoekantwoordBericht: Payload {
    public static let messageType = MessageType.verzoekantwoord
    public var json: JSONValue {
        var o = JSONObject()
        if let antwoord { o["antwoord"] = antwoord }
        if let fout { o["fout"] = fout.json }
        return .object(o)
    }
    public init(json: JSONValue) throws(Fout) {
        let r = try PayloadReader(json, type: "verzoekantwoord")
        if let fout = r.optional("fout") {
            let f = try PayloadReader(fout, type: "verzoekantwoord", path: "fout")
            self.init(
                fout: Fout(
                    code: try f.string("code", max: 20), message: try f.string("message"),
                    details: try f.optionalString("details")))
        } else {
            self.init(antwoord: try r.value("antwoord"))
        }
    }
}
