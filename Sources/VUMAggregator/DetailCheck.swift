import VUMExchange
import VUMStandaard

/// What the aggregator checks in a bron's detail before its asker sees it: the detail is of the dataset
/// asked, it is a valid record of the standard, and it is the record asked for. A bron that fails this
/// (a bug in its adapter, a mapping gone wrong) must not hand a bemiddelaar an invalid record or, worse,
/// another person's record under the vumID it asked for.
enum DetailCheck {
    struct Problem: Error, Sendable {
        /// What the asker is told: the rule broken, never the bron's record ids.
        var forAsker: String
        /// What the operator's log says, with the ids.
        var forOperator: String
    }

    /// The record as the standard writes it (a field the standard does not know is not passed on).
    static func record(in detail: DetailBericht, gegevensset: Gegevensset, recordID: RecordID) throws(Problem)
        -> JSONObject
    {
        guard detail.gegevensset == gegevensset else {
            let said = "a detail of \(detail.gegevensset.rawValue), asked for \(gegevensset.rawValue)"
            throw Problem(forAsker: said, forOperator: said)
        }
        let key = gegevensset == .werkzoekenden ? "werkzoekende" : "vacature"
        guard let json = gegevensset == .werkzoekenden ? detail.werkzoekende : detail.vacature else {
            throw Problem(forAsker: "the detail holds no \(key)", forOperator: "the detail holds no \(key)")
        }
        // Whose record it is comes first: the problems of another person's record are not the asker's to read.
        let id: JSONValue? = if case .object(let o) = json { o[gegevensset.idKey] } else { nil }
        guard id == .string(recordID.rawValue) else {
            let answered = id.map { $0.serialized() } ?? "none"
            throw Problem(
                forAsker: "the bron answered with another record than the one asked for",
                forOperator: "asked for record \(recordID), the bron answered record \(answered)")
        }
        let validated: any VUMRecord
        do throws(ValidationError) {
            switch gegevensset {
            case .werkzoekenden: validated = try Werkzoekende(json: json)
            case .vacatures: validated = try Vacature(json: json)
            }
        } catch {
            let issues = error.errors.prefix(3).map(\.description).joined(separator: "; ")
            let said = "not a valid \(key): \(issues)"
            throw Problem(forAsker: said, forOperator: said)
        }
        guard case .object(let o) = validated.json else {
            throw Problem(forAsker: "the record is not an object", forOperator: "the record is not an object")
        }
        return o
    }
}
