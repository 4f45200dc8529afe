import Foundation
import VUMStandaard

/// Reads one payload object field by field, naming the field in every error (`400.01`).
struct PayloadReader {
    let object: JSONObject
    let path: String
    let type: String

    init(_ value: JSONValue, type: String, path: String = "") throws(Fout) {
        guard case .object(let o) = value else {
            throw Fout.invalidRequest(
                "invalid \(type)",
                details: "\(path.isEmpty ? "(message)" : path): must be an object, not \(value.typeName)")
        }
        object = o
        self.path = path
        self.type = type
    }

    func fail(_ key: String, _ message: String) -> Fout {
        Fout.invalidRequest("invalid \(type)", details: "\(path.isEmpty ? key : "\(path).\(key)"): \(message)")
    }

    func value(_ key: String) throws(Fout) -> JSONValue {
        guard let v = object[key], v != .null else { throw fail(key, "is required") }
        return v
    }

    func optional(_ key: String) -> JSONValue? {
        guard let v = object[key], v != .null else { return nil }
        return v
    }

    func string(_ v: JSONValue, _ key: String, max: Int = 1000) throws(Fout) -> String {
        guard case .string(let s) = v else { throw fail(key, "must be a string, not \(v.typeName)") }
        guard s.utf8.count <= max || s.count <= max else { throw fail(key, "is longer than \(max) characters") }
        return s
    }

    func string(_ key: String, max: Int = 1000) throws(Fout) -> String { try string(try value(key), key, max: max) }
    func optionalString(_ key: String, max: Int = 1000) throws(Fout) -> String? {
        guard let v = optional(key) else { return nil }
        return try string(v, key, max: max)
    }

    func integer(_ key: String, _ range: ClosedRange<Int64> = Int64.min...Int64.max) throws(Fout) -> Int64 {
        let v = try value(key)
        guard case .number(let n) = v, n.isInteger, let i = n.integerValue else {
            throw fail(key, "must be an integer, not \(v.typeName)")
        }
        guard range.contains(i) else {
            throw fail(key, "\(i) is out of range (\(range.lowerBound)–\(range.upperBound))")
        }
        return i
    }

    func optionalInteger(_ key: String, _ range: ClosedRange<Int64> = Int64.min...Int64.max) throws(Fout) -> Int64? {
        optional(key) == nil ? nil : try integer(key, range)
    }

    func bool(_ key: String) throws(Fout) -> Bool {
        let v = try value(key)
        guard case .bool(let b) = v else { throw fail(key, "must be true or false, not \(v.typeName)") }
        return b
    }

    func optionalBool(_ key: String) throws(Fout) -> Bool? { optional(key) == nil ? nil : try bool(key) }

    func array(_ key: String) throws(Fout) -> [JSONValue] {
        let v = try value(key)
        guard case .array(let a) = v else { throw fail(key, "must be an array, not \(v.typeName)") }
        return a
    }

    func strings(_ key: String) throws(Fout) -> [String] {
        var result: [String] = []
        for (i, v) in try array(key).enumerated() { result.append(try string(v, "\(key)[\(i)]")) }
        return result
    }

    func optionalStrings(_ key: String) throws(Fout) -> [String]? { optional(key) == nil ? nil : try strings(key) }

    func raw<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) throws(Fout) -> E
    where E.RawValue == String {
        let s = try string(key)
        guard let e = E(rawValue: s) else {
            throw fail(key, "\"\(s)\" is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return e
    }

    func gegevensset(_ key: String = "gegevensset") throws(Fout) -> Gegevensset {
        let s = try string(key)
        guard let g = Gegevensset(rawValue: s) else { throw fail(key, "\"\(s)\" is not werkzoekenden or vacatures") }
        return g
    }

    func bronID(_ key: String = "bronID") throws(Fout) -> BronID {
        let s = try string(key)
        do { return try BronID(validating: s) } catch { throw fail(key, error.description) }
    }

    func fout(_ key: String = "fout") throws(Fout) -> Fout? {
        guard let v = optional(key) else { return nil }
        let r = try PayloadReader(v, type: type, path: key)
        return Fout(
            code: try r.string("code", max: 20), message: try r.string("message", max: 2000),
            details: try r.optionalString("details", max: 10_000))
    }
}

/// A payload with an exact JSON form (object key order and number types kept).
public protocol Payload: Sendable, Hashable {
    static var messageType: MessageType { get }
    var json: JSONValue { get }
    init(json: JSONValue) throws(Fout)
}

extension Fout {
    /// The koppelvlak's error body: `{"code", "message", "details"}`.
    public var json: JSONValue {
        var o = JSONObject([("code", .string(code)), ("message", .string(message))])
        if let details { o["details"] = .string(details) }
        return .object(o)
    }
}

extension JSONValue {
    static func int(_ i: Int64) -> JSONValue { .number(.integer(i)) }
    static func int(_ i: Int) -> JSONValue { .number(.integer(Int64(i))) }
    static func strings(_ s: [String]) -> JSONValue { .array(s.map(JSONValue.string)) }
}

extension ZoekvraagBericht: Payload {
    public static let messageType = MessageType.zoekvraag
    public var json: JSONValue {
        .object(
            JSONObject([
                ("vraagID", .string(vraagID)), ("gegevensset", .string(gegevensset.rawValue)),
                ("vraagObject", vraagObject), ("maximumAantalResultaten", .int(maximumAantalResultaten)),
            ]))
    }
    public init(json: JSONValue) throws(Fout) {
        let r = try PayloadReader(json, type: "zoekvraag")
        self.init(
            vraagID: try r.string("vraagID", max: 100), gegevensset: try r.gegevensset(),
            vraagObject: try r.value("vraagObject"),
            maximumAantalResultaten: Int(try r.optionalInteger("maximumAantalResultaten", 1...10_000) ?? 100))
    }
}

extension GegevenssetBericht: Payload {
    public static let messageType = MessageType.gegevensset
    public var json: JSONValue {
        var o = JSONObject([
            ("vraagID", .string(vraagID)), ("bronID", .string(bronID.rawValue)),
            ("gegevensset", .string(gegevensset.rawValue)), ("matches", .array(matches)),
            ("maximumAantalResultatenBereikt", .bool(maximumAantalResultatenBereikt)),
            ("genegeerdeCriteria", .strings(genegeerdeCriteria)),
        ])
        if let duurMs { o["duurMs"] = .int(duurMs) }
        if let fout { o["fout"] = fout.json }
        return .object(o)
    }
    public init(json: JSONValue) throws(Fout) {
        let r = try PayloadReader(json, type: "gegevensset")
        self.init(
            vraagID: try r.string("vraagID", max: 100), bronID: try r.bronID(), gegevensset: try r.gegevensset(),
            matches: try r.array("matches"),
            maximumAantalResultatenBereikt: try r.bool("maximumAantalResultatenBereikt"),
            genegeerdeCriteria: try r.strings("genegeerdeCriteria"),
            duurMs: try r.optionalInteger("duurMs", 0...Int64(Int32.max)).map(Int.init), fout: try r.fout())
    }
}

extension GegevenssetBericht {
    /// The message body ``MessageCodec/encode(_:)`` gives for this answer with `matches` set to the values
    /// `encodedMatches` hold, written around their bytes (compact JSON, as a store keeps its records)
    /// instead of building and serialising them; `matches` itself is ignored.
    public func encoded(withMatches encodedMatches: [[UInt8]]) -> Data {
        var header = self
        header.matches = []
        return Data(
            header.json.serializedBytes(
                splicing: "matches", reservingCapacity: encodedMatches.reduce(300) { $0 + $1.count + 1 }
            ) { out in
                out.append(UInt8(ascii: "["))
                for (j, match) in encodedMatches.enumerated() {
                    if j > 0 { out.append(UInt8(ascii: ",")) }
                    out.append(contentsOf: match)
                }
                out.append(UInt8(ascii: "]"))
            })
    }
}

extension DetailverzoekBericht: Payload {
    public static let messageType = MessageType.detailverzoek
    public var json: JSONValue {
        .object(
            JSONObject([
                ("vraagID", .string(vraagID)), ("gegevensset", .string(gegevensset.rawValue)),
                ("recordID", .string(recordID.rawValue)),
            ]))
    }
    public init(json: JSONValue) throws(Fout) {
        let r = try PayloadReader(json, type: "detailverzoek")
        let raw = try r.string("recordID", max: 200)
        let id: RecordID
        do { id = try RecordID(validating: raw) } catch { throw r.fail("recordID", error.description) }
        self.init(vraagID: try r.string("vraagID", max: 100), gegevensset: try r.gegevensset(), recordID: id)
    }
}

extension DetailBericht: Payload {
    public static let messageType = MessageType.detail
    public var json: JSONValue {
        var o = JSONObject([("bronID", .string(bronID.rawValue)), ("gegevensset", .string(gegevensset.rawValue))])
        if let werkzoekende { o["werkzoekende"] = werkzoekende }
        if let vacature { o["vacature"] = vacature }
        if let fout { o["fout"] = fout.json }
        return .object(o)
    }
    public init(json: JSONValue) throws(Fout) {
        let r = try PayloadReader(json, type: "detail")
        bronID = try r.bronID()
        gegevensset = try r.gegevensset()
        werkzoekende = r.optional("werkzoekende")
        vacature = r.optional("vacature")
        fout = try r.fout()
        let records = [werkzoekende, vacature].compactMap { $0 }.count
        guard (records == 1) != (fout != nil) else {
            throw r.fail("werkzoekende", "a detail holds exactly one record (werkzoekende or vacature) or a fout")
        }
    }

    /// The released record, validated; an invalid record is a `fout`, never passed on.
    public func werkzoekendeRecord() throws(Fout) -> Werkzoekende? {
        guard let werkzoekende else { return nil }
        do { return try Werkzoekende(json: werkzoekende) } catch {
            throw Fout.invalidRequest("invalid werkzoekende in detail", details: error.description)
        }
    }

    public func vacatureRecord() throws(Fout) -> Vacature? {
        guard let vacature else { return nil }
        do { return try Vacature(json: vacature) } catch {
            throw Fout.invalidRequest("invalid vacature in detail", details: error.description)
        }
    }
}

extension AanmeldingBericht: Payload {
    public static let messageType = MessageType.aanmelding
    public var json: JSONValue {
        .object(
            JSONObject([
                ("bronID", .string(bronID.rawValue)), ("soort", .string(soort.rawValue)),
                ("gegevenssets", .strings(gegevenssets.map(\.rawValue))), ("versie", .string(versie)),
                ("ondersteundeCriteria", .strings(ondersteundeCriteria)),
                ("heartbeatIntervalMs", .int(heartbeatIntervalMs)),
            ]))
    }
    public init(json: JSONValue) throws(Fout) {
        let r = try PayloadReader(json, type: "aanmelding")
        var sets: [Gegevensset] = []
        for (i, s) in try r.strings("gegevenssets").enumerated() {
            guard let g = Gegevensset(rawValue: s) else {
                throw r.fail("gegevenssets[\(i)]", "\"\(s)\" is not werkzoekenden or vacatures")
            }
            sets.append(g)
        }
        self.init(
            bronID: try r.bronID(), soort: try r.raw("soort", Soort.self), gegevenssets: sets,
            versie: try r.string("versie", max: 100), ondersteundeCriteria: try r.strings("ondersteundeCriteria"),
            heartbeatIntervalMs: Int(try r.integer("heartbeatIntervalMs", 100...3_600_000)))
    }
}

extension Procesgebeurtenis: Payload {
    public static let messageType = MessageType.procesgebeurtenis
    public var json: JSONValue {
        var o = JSONObject([
            ("eventID", .string(eventID)), ("soort", .string(soort.rawValue)), ("tijdMs", .int(tijdMs)),
            ("component", .string(component)), ("uitkomst", .string(uitkomst)),
        ])
        func set(_ k: String, _ v: JSONValue?) { if let v { o[k] = v } }
        set("vraagID", vraagID.map(JSONValue.string))
        set("fromParty", fromParty.map(JSONValue.string))
        set("viaParty", viaParty.map(JSONValue.string))
        set("suwi", suwi.map(JSONValue.bool))
        set("gegevensset", gegevensset.map(JSONValue.string))
        set("bronID", bronID.map(JSONValue.string))
        set("criteriaSleutels", criteriaSleutels.map(JSONValue.strings))
        set("reden", reden.map(JSONValue.string))
        set("verwachteBronnen", verwachteBronnen.map(JSONValue.strings))
        set("aantal", aantal.map { JSONValue.int($0) })
        set("maximumAantalResultatenBereikt", maximumAantalResultatenBereikt.map(JSONValue.bool))
        set("genegeerdeCriteria", genegeerdeCriteria.map(JSONValue.strings))
        set("duurMs", duurMs.map { JSONValue.int($0) })
        set("teLaatMs", teLaatMs.map { JSONValue.int($0) })
        set(
            "aantallenPerStatus",
            aantallenPerStatus.map { counts in
                .object(JSONObject(counts.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.int($0.value)) }))
            })
        set(
            "statusPerBron",
            statusPerBron.map { statuses in
                .object(JSONObject(statuses.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))
            })
        set("gedeeltelijk", gedeeltelijk.map(JSONValue.bool))
        set("antwoordMs", antwoordMs.map { JSONValue.int($0) })
        set("vumID", vumID.map(JSONValue.string))
        return .object(o)
    }
    public init(json: JSONValue) throws(Fout) {
        let r = try PayloadReader(json, type: "procesgebeurtenis")
        self.init(
            eventID: try r.string("eventID", max: 100), soort: try r.raw("soort", Soort.self),
            tijdMs: try r.integer("tijdMs", 0...Int64.max), component: try r.string("component", max: 100),
            uitkomst: try r.string("uitkomst", max: 20))
        vraagID = try r.optionalString("vraagID", max: 100)
        fromParty = try r.optionalString("fromParty", max: 20)
        viaParty = try r.optionalString("viaParty", max: 20)
        suwi = try r.optionalBool("suwi")
        gegevensset = try r.optionalString("gegevensset", max: 20)
        bronID = try r.optionalString("bronID", max: 63)
        criteriaSleutels = try r.optionalStrings("criteriaSleutels")
        reden = try r.optionalString("reden", max: 2000)
        verwachteBronnen = try r.optionalStrings("verwachteBronnen")
        aantal = try r.optionalInteger("aantal", 0...Int64(Int32.max)).map(Int.init)
        maximumAantalResultatenBereikt = try r.optionalBool("maximumAantalResultatenBereikt")
        genegeerdeCriteria = try r.optionalStrings("genegeerdeCriteria")
        duurMs = try r.optionalInteger("duurMs", 0...Int64(Int32.max)).map(Int.init)
        teLaatMs = try r.optionalInteger("teLaatMs", 0...Int64(Int32.max)).map(Int.init)
        if let v = r.optional("aantallenPerStatus") {
            let c = try PayloadReader(v, type: "procesgebeurtenis", path: "aantallenPerStatus")
            var counts: [String: Int] = [:]
            for key in c.object.keys { counts[key] = Int(try c.integer(key, 0...Int64(Int32.max))) }
            aantallenPerStatus = counts
        }
        if let v = r.optional("statusPerBron") {
            let c = try PayloadReader(v, type: "procesgebeurtenis", path: "statusPerBron")
            var statuses: [String: String] = [:]
            for key in c.object.keys { statuses[key] = try c.string(key, max: 20) }
            statusPerBron = statuses
        }
        gedeeltelijk = try r.optionalBool("gedeeltelijk")
        antwoordMs = try r.optionalInteger("antwoordMs", 0...Int64(Int32.max)).map(Int.init)
        vumID = try r.optionalString("vumID", max: 500)
    }
}
