import Foundation
import VUMConfiguration
import VUMExchange
import VUMStandaard

/// The parties the aggregator knows, from its configuration (generated with the broker definitions):
/// the bronnen with the broker user each answers as, and the bemiddelaars with what they may ask.
public struct Registry: Sendable {
    public struct Bemiddelaar: Sendable, Hashable {
        public var oin: OIN
        public var naam: String
        public var suwi: Bool
        public var gegevenssets: Set<Gegevensset>
        /// The broker user it asks as over AMQP (`vum.verzoeken`); `nil`: REST only.
        public var brokerUser: String?
        public init(oin: OIN, naam: String, suwi: Bool, gegevenssets: Set<Gegevensset>, brokerUser: String? = nil) {
            self.oin = oin
            self.naam = naam
            self.suwi = suwi
            self.gegevenssets = gegevenssets
            self.brokerUser = brokerUser
        }
    }

    /// Bron id → the broker user its answers must carry as `user_id`.
    public var bronnen: [BronID: String]
    public var bemiddelaars: [OIN: Bemiddelaar]
    /// Job-seeker profiles go to SUWI parties only, unless this is set (DOMAIN.md section 5).
    public var werkzoekendenVoorNietSuwi = false

    public init(bronnen: [BronID: String] = [:], bemiddelaars: [Bemiddelaar] = []) {
        self.bronnen = bronnen
        self.bemiddelaars = Dictionary(bemiddelaars.map { ($0.oin, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// Why a party may not ask: `nil` when it may.
    public func refusal(of party: OIN, for gegevensset: Gegevensset) -> Fout? {
        guard let b = bemiddelaars[party] else {
            return Fout(
                code: "401", message: "not authorised", details: "party \(party) is not a registered bemiddelaar")
        }
        guard b.gegevenssets.contains(gegevensset) else {
            return Fout(
                code: "403", message: "not allowed", details: "\(b.naam) may not ask for \(gegevensset.rawValue)")
        }
        if gegevensset == .werkzoekenden && !b.suwi && !werkzoekendenVoorNietSuwi {
            return Fout(
                code: "403", message: "not allowed",
                details: "job-seeker profiles go to SUWI parties only; \(b.naam) is not one")
        }
        return nil
    }

    /// Reads the registry's JSON:
    /// `{"bronnen": [{"id": "gemeente-utrecht", "brokerUser": "bron-gemeente-utrecht"}],
    ///   "bemiddelaars": [{"oin": "00000001234567890000", "naam": "Gemeente Utrecht", "suwi": true,
    ///                     "gegevenssets": ["werkzoekenden", "vacatures"], "brokerUser": "bemiddelaar-utrecht"}],
    ///   "werkzoekendenVoorNietSuwi": false}`
    /// (`brokerUser` defaults to `bron-<id>`). Every problem names its path.
    public init(json: JSONValue) throws(ConfigurationError) {
        guard case .object(let root) = json else { throw ConfigurationError("registry: expected a JSON object") }
        var bronnen: [BronID: String] = [:]
        if case .array(let list)? = root["bronnen"] {
            for (i, item) in list.enumerated() {
                guard case .object(let o) = item, case .string(let id)? = o["id"] else {
                    throw ConfigurationError("registry: bronnen[\(i)]: expected {\"id\": ..., \"brokerUser\": ...}")
                }
                let bron: BronID
                do { bron = try BronID(validating: id) } catch {
                    throw ConfigurationError("registry: bronnen[\(i)].id: \(error)")
                }
                if case .string(let user)? = o["brokerUser"] {
                    bronnen[bron] = user
                } else {
                    bronnen[bron] = bron.brokerUser
                }
            }
        }
        var bemiddelaars: [Bemiddelaar] = []
        if case .array(let list)? = root["bemiddelaars"] {
            for (i, item) in list.enumerated() {
                let path = "registry: bemiddelaars[\(i)]"
                guard case .object(let o) = item, case .string(let oinText)? = o["oin"] else {
                    throw ConfigurationError(
                        "\(path): expected {\"oin\": ..., \"naam\": ..., \"suwi\": ..., \"gegevenssets\": [...]}")
                }
                let oin: OIN
                do { oin = try OIN(validating: oinText) } catch { throw ConfigurationError("\(path).oin: \(error)") }
                let naam: String = if case .string(let n)? = o["naam"] { n } else { oinText }
                guard case .bool(let suwi)? = o["suwi"] else {
                    throw ConfigurationError("\(path).suwi: true or false is required")
                }
                var sets: Set<Gegevensset> = []
                if case .array(let names)? = o["gegevenssets"] {
                    for case .string(let name) in names {
                        guard let g = Gegevensset(rawValue: name) else {
                            throw ConfigurationError(
                                "\(path).gegevenssets: \"\(name)\" is not werkzoekenden or vacatures")
                        }
                        sets.insert(g)
                    }
                }
                let brokerUser: String? = if case .string(let u)? = o["brokerUser"] { u } else { nil }
                bemiddelaars.append(
                    Bemiddelaar(oin: oin, naam: naam, suwi: suwi, gegevenssets: sets, brokerUser: brokerUser))
            }
        }
        self.init(bronnen: bronnen, bemiddelaars: bemiddelaars)
        if case .bool(let b)? = root["werkzoekendenVoorNietSuwi"] { werkzoekendenVoorNietSuwi = b }
    }
}
