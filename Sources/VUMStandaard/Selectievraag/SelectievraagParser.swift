/// Turns the keys of a selectievraag into typed criteria (DOMAIN.md section 3).
///
/// A key or operator this exchange does not know is not applied and is reported; a known one with the
/// wrong type or an out-of-range value makes the whole question malformed (`400.01`): guessing what the
/// asker meant would give answers to a question nobody asked.
struct SelectievraagParser {
    let gegevensset: Gegevensset
    var criteria: [Criterium] = []
    var ignored: [String] = []

    /// The operators a criterion is written with; `nil` when it uses one this exchange does not apply.
    typealias Operators = [(op: String, value: JSONValue)]

    mutating func criterion(key: String, value: JSONValue) throws {
        let parsed: Criterium?
        switch (gegevensset, key) {
        case (.werkzoekenden, "bemiddelingsberoep"):
            parsed = try elemMatchOr(key, value, allowed: ["codeBeroepsnaam"]) { field, v, p throws in
                try uri(v, p)
            }.map { .bemiddelingsberoep($0.map(\.1)) }
        case (.werkzoekenden, "contractvorm"):
            parsed = try elemMatchOr(key, value, allowed: ["codeTypeArbeidscontract", "codeTypeOvereenkomst"]) {
                field, v, p throws -> ContractvormEis in
                field == "codeTypeArbeidscontract"
                    ? ContractvormEis(codeTypeArbeidscontract: try code(v, p, TypeArbeidscontract.self))
                    : ContractvormEis(codeTypeOvereenkomst: try code(v, p, TypeOvereenkomst.self))
            }.map { .contractvorm($0.map(\.1)) }
        case (.werkzoekenden, "datumAanvangBeschikbaarVoorWerk"):
            parsed = try single(key, value, op: "$lte").map { .beschikbaarUiterlijk(try date($0, "\(key).$lte")) }
        case (.werkzoekenden, "arbeidsmarktkwalificatie.rijbewijs"), (.vacatures, "rijbewijs"):
            parsed = try allElemMatch(key, value) { o, p throws -> SoortRijbewijs? in
                guard o.count == 1, let eq = o["codeSoortRijbewijs"] else { return nil }
                guard let v = try ops(eq, "\(p).codeSoortRijbewijs", allowed: ["$eq"]) else { return nil }
                return try code(v[0].value, "\(p).codeSoortRijbewijs.$eq", SoortRijbewijs.self)
            }.map { .rijbewijzen($0) }
        case (.werkzoekenden, "arbeidsmarktkwalificatie.taalbeheersing"), (.vacatures, "taalbeheersing"):
            parsed = try allElemMatch(key, value) { o, p throws -> Taaleis? in
                var eis: Taaleis?
                var mondeling: Int?
                var schriftelijk: Int?
                for (field, cond) in o {
                    let fp = "\(p).\(field)"
                    switch field {
                    case "codeTaal":
                        guard let v = try ops(cond, fp, allowed: ["$eq"]) else { return nil }
                        eis = Taaleis(codeTaal: try validated(v[0].value, "\(fp).$eq", TaalCode.self))
                    case "codeNiveauTaalbeheersingMondeling", "codeNiveauTaalbeheersingSchriftelijk":
                        guard let v = try ops(cond, fp, allowed: ["$gte"]) else { return nil }
                        let level = try integer(v[0].value, "\(fp).$gte", 2...4)
                        if field.hasSuffix("Mondeling") { mondeling = level } else { schriftelijk = level }
                    default:
                        return nil
                    }
                }
                guard var eis else {
                    throw SelectievraagError(path: p, "a language criterion needs codeTaal")
                }
                eis.minimaalMondeling = mondeling
                eis.minimaalSchriftelijk = schriftelijk
                return eis
            }.map { .talen($0) }
        case (_, "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst"):
            parsed = try single(key, value, op: "$eq").map { .onregelmatigWerk(try jaNee($0, "\(key).$eq")) }
        case (.werkzoekenden, "werktijden.indicatieKantoortijden"):
            parsed = try single(key, value, op: "$eq").map { .kantoortijden(try jaNee($0, "\(key).$eq")) }
        case (_, "werktijden.aantalWerkurenPerWeekMaximaal"):
            parsed = try single(key, value, op: "$gte").map {
                .urenPerWeekMaximaalMinstens(try integer($0, "\(key).$gte", 1...99))
            }
        case (_, "werktijden.aantalWerkurenPerWeekMinimaal"):
            parsed = try single(key, value, op: "$lte").map {
                .urenPerWeekMinimaalHoogstens(try integer($0, "\(key).$lte", 1...99))
            }
        case (.vacatures, "beroep.codeBeroepsnaam"):
            parsed = try single(key, value, op: "$eq").map { .beroep(try uri($0, "\(key).$eq")) }
        case (.vacatures, "codeWerkEnDenkniveauMinimaal"):
            parsed = try niveau(key, value)
        case (.vacatures, "datumAanvangWerkzaamheden"):
            parsed = try single(key, value, op: "$gte").map { .aanvangWerkzaamhedenVanaf(try date($0, "\(key).$gte")) }
        default:
            parsed = nil
        }
        if let parsed { criteria.append(parsed) } else { ignored.append(key) }
    }

    mutating func selectiegebied(_ value: JSONValue) throws -> Selectiegebied {
        let p = "selectiegebied"
        guard case .object(let o) = value else {
            throw SelectievraagError(path: p, "must be an object {\"postcode\", \"afstand\"}, not \(value.typeName)")
        }
        guard let pc = o["postcode"] else { throw SelectievraagError(path: "\(p).postcode", "is required") }
        guard let afstand = o["afstand"] else { throw SelectievraagError(path: "\(p).afstand", "is required") }
        for key in o.keys where key != "postcode" && key != "afstand" {
            throw SelectievraagError(path: "\(p).\(key)", "is not part of selectiegebied (postcode, afstand)")
        }
        return Selectiegebied(
            postcode: try self.validated(pc, "\(p).postcode", Postcode.self),
            afstand: try integer(afstand, "\(p).afstand", 0...999))
    }

    // MARK: - Shapes

    /// An operator object such as `{"$gte": 24}`: `nil` when it uses an operator outside `allowed`.
    func ops(_ value: JSONValue, _ path: String, allowed: Set<String>) throws -> Operators? {
        guard case .object(let o) = value, !o.isEmpty else {
            throw SelectievraagError(
                path: path, "must be an operator object such as {\"$eq\": ...}, not \(value.typeName)")
        }
        var result: Operators = []
        for (op, v) in o {
            guard op.hasPrefix("$") else {
                throw SelectievraagError(
                    path: path, "\"\(op)\" is not an operator (operators start with $ and are written out)")
            }
            guard allowed.contains(op) else { return nil }
            result.append((op, v))
        }
        return result
    }

    func single(_ key: String, _ value: JSONValue, op: String) throws -> JSONValue? {
        guard let o = try ops(value, key, allowed: [op]), o.count == 1 else { return nil }
        return o[0].value
    }

    /// `{"$elemMatch": {"$or": [{field: {"$eq": v}}, ...]}}` (or one condition without `$or`).
    func elemMatchOr<T>(
        _ key: String, _ value: JSONValue, allowed fields: Set<String>,
        _ read: (String, JSONValue, String) throws -> T
    ) throws -> [(String, T)]? {
        guard let m = try ops(value, key, allowed: ["$elemMatch"]) else { return nil }
        guard case .object(let inner) = m[0].value else {
            throw SelectievraagError(path: "\(key).$elemMatch", "must be an object, not \(m[0].value.typeName)")
        }
        let path = "\(key).$elemMatch"
        var branches: [(JSONObject, String)] = []
        if let or = inner["$or"] {
            guard inner.count == 1 else { return nil }
            guard case .array(let items) = or, !items.isEmpty else {
                throw SelectievraagError(path: "\(path).$or", "must be a non-empty array of conditions")
            }
            for (i, item) in items.enumerated() {
                guard case .object(let b) = item else {
                    throw SelectievraagError(path: "\(path).$or[\(i)]", "must be an object, not \(item.typeName)")
                }
                branches.append((b, "\(path).$or[\(i)]"))
            }
        } else {
            branches.append((inner, path))
        }
        var result: [(String, T)] = []
        for (branch, bp) in branches {
            guard branch.count == 1, let (field, cond) = branch.entries.first.map({ ($0.key, $0.value) }) else {
                return nil
            }
            guard fields.contains(field) else { return nil }
            guard let v = try ops(cond, "\(bp).\(field)", allowed: ["$eq"]) else { return nil }
            result.append((field, try read(field, v[0].value, "\(bp).\(field).$eq")))
        }
        return result
    }

    /// `{"$all": [{"$elemMatch": {...}}, ...]}`.
    func allElemMatch<T>(
        _ key: String, _ value: JSONValue, _ read: (JSONObject, String) throws -> T?
    ) throws -> [T]? {
        guard let a = try ops(value, key, allowed: ["$all"]) else { return nil }
        guard case .array(let items) = a[0].value, !items.isEmpty else {
            throw SelectievraagError(path: "\(key).$all", "must be a non-empty array of {\"$elemMatch\": ...}")
        }
        var result: [T] = []
        for (i, item) in items.enumerated() {
            let p = "\(key).$all[\(i)]"
            guard let m = try ops(item, p, allowed: ["$elemMatch"]) else { return nil }
            guard case .object(let o) = m[0].value, !o.isEmpty else {
                throw SelectievraagError(path: "\(p).$elemMatch", "must be a non-empty object")
            }
            guard let t = try read(o, "\(p).$elemMatch") else { return nil }
            result.append(t)
        }
        return result
    }

    func niveau(_ key: String, _ value: JSONValue) throws -> Criterium? {
        guard let o = try ops(value, key, allowed: ["$gte", "$lt", "$eq"]) else { return nil }
        let byOp = Dictionary(o.map { ($0.op, $0.value) }, uniquingKeysWith: { a, _ in a })
        if let eq = byOp["$eq"], o.count == 1 {
            let c = try code(eq, "\(key).$eq", WerkEnDenkniveauCode.self)
            guard c == .n7 else {
                throw SelectievraagError(
                    path: "\(key).$eq",
                    "only \"7\" ((nog) niet bekend) is asked with $eq; use $gte and $lt for levels 1–6")
            }
            return .werkEnDenkniveauGelijk(c)
        }
        if let gte = byOp["$gte"], let lt = byOp["$lt"], o.count == 2 {
            let from = try code(gte, "\(key).$gte", WerkEnDenkniveauCode.self)
            guard (1...6).contains(from.niveau.rawValue) else {
                throw SelectievraagError(path: "\(key).$gte", "must be \"1\" to \"6\"")
            }
            guard try code(lt, "\(key).$lt", WerkEnDenkniveauCode.self) == .n7 else {
                throw SelectievraagError(path: "\(key).$lt", "must be \"7\"")
            }
            return .werkEnDenkniveauVanaf(from)
        }
        throw SelectievraagError(path: key, "is written {\"$gte\": \"1\"..\"6\", \"$lt\": \"7\"} or {\"$eq\": \"7\"}")
    }

    // MARK: - Values

    func integer(_ v: JSONValue, _ path: String, _ range: ClosedRange<Int>) throws -> Int {
        guard case .number(let n) = v, n.isInteger, let i = n.integerValue else {
            throw SelectievraagError(path: path, "must be an integer, not \(v.typeName)")
        }
        guard i >= range.lowerBound && i <= range.upperBound else {
            throw SelectievraagError(path: path, "\(i) is out of range (\(range.lowerBound)–\(range.upperBound))")
        }
        return Int(i)
    }

    /// An indicatie in a question: 1 (ja) or 2 (nee); asking for 0 (onbekend) is not a search.
    func jaNee(_ v: JSONValue, _ path: String) throws -> Indicatie {
        Indicatie(rawValue: try integer(v, path, 1...2))!
    }

    func code<C: CodeList>(_ v: JSONValue, _ path: String, _ type: C.Type) throws -> C {
        let log = IssueLog()
        guard let c = C.read(v, path: path, log: log) else {
            throw SelectievraagError(path: path, log.issues.first?.message ?? "invalid code")
        }
        return c
    }

    func validated<V: ValidatedValue>(_ v: JSONValue, _ path: String, _ type: V.Type) throws -> V {
        let log = IssueLog()
        guard let value = V.read(v, path: path, log: log) else {
            throw SelectievraagError(path: path, log.issues.first?.message ?? "invalid value")
        }
        return value
    }

    func uri(_ v: JSONValue, _ path: String) throws -> CompetentNLURI { try validated(v, path, CompetentNLURI.self) }
    func date(_ v: JSONValue, _ path: String) throws -> VUMDate { try validated(v, path, VUMDate.self) }
}
