import GRDB
import VUMStandaard

/// One selectievraag as one SQL query: the postcode areas of the `selectiegebied`, nearest first, drive
/// an index lookup per area; every criterion becomes a condition on the record's columns or an `EXISTS`
/// on a side table, with the question's values as bound arguments (never spliced into the SQL).
///
/// The lookup per area goes through the most selective index the question allows (its `Driver`): the
/// occupation's `(code, pc4)` index when it asks for occupations, a rare driving licence's or a language
/// other than Dutch next, and the plain `pc4` index otherwise. So a question for one occupation across
/// the whole country reads the records with that occupation, not the country.
///
/// `CROSS JOIN` fixes the join order in SQLite, so rows arrive area by area, nearest area first. The
/// store relies on that order only to stop reading early; it checks the order as it reads and reads
/// everything when it does not hold.
struct SearchQuery {
    var sql: String
    var arguments: StatementArguments
    var driver: Driver

    /// Which index finds the rows of one area.
    enum Driver: Equatable {
        case area
        case beroep
        case rijbewijs(String)
        case taal(String)
    }

    static func driver(_ criteria: [Criterium]) -> Driver {
        for c in criteria {
            if case .bemiddelingsberoep = c { return .beroep }
            if case .beroep = c { return .beroep }
        }
        for c in criteria {
            if case .rijbewijzen(let soorten) = c, let rare = soorten.first(where: { $0 != .b }) {
                return .rijbewijs(rare.rawValue)
            }
        }
        for c in criteria {
            if case .talen(let eisen) = c, let rare = eisen.first(where: { $0.codeTaal.rawValue != "nld" }) {
                return .taal(rare.codeTaal.rawValue)
            }
        }
        return .area
    }

    init(table: StoreTable, criteria: [Criterium], areas: [Int]) {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = ["[" + areas.map(String.init).joined(separator: ",") + "]"]
        func add(_ condition: String, _ values: [(any DatabaseValueConvertible)?]) {
            conditions.append(condition)
            arguments.append(contentsOf: values)
        }
        let driver = Self.driver(criteria)
        self.driver = driver
        var from: String
        switch driver {
        case .area:
            from = "json_each(?) AS a CROSS JOIN \(table.name) AS r INDEXED BY \(table.name)_by_pc4"
            conditions.append("r.pc4 = a.value")
        case .beroep where table.gegevensset == .vacatures:
            from = "json_each(?) AS a CROSS JOIN \(table.name) AS r INDEXED BY vacature_by_beroep"
            conditions.append("r.pc4 = a.value")
        case .beroep:
            from = "json_each(?) AS a CROSS JOIN \(table.beroep) AS x CROSS JOIN \(table.name) AS r"
            conditions.append("x.pc4 = a.value AND r.rid = x.rid")
        case .rijbewijs(let code):
            from = "json_each(?) AS a CROSS JOIN \(table.rijbewijs) AS x CROSS JOIN \(table.name) AS r"
            add("x.code = ? AND x.pc4 = a.value AND r.rid = x.rid", [code])
        case .taal(let taal):
            from = "json_each(?) AS a CROSS JOIN \(table.taal) AS x CROSS JOIN \(table.name) AS r"
            add("x.taal = ? AND x.pc4 = a.value AND r.rid = x.rid", [taal])
        }
        for criterium in criteria {
            switch criterium {
            case .onregelmatigWerk(let i): add("r.onregelmatig = ?", [i.rawValue])
            case .kantoortijden(let i): add("r.kantoortijden = ?", [i.rawValue])
            case .urenPerWeekMaximaalMinstens(let n): add("r.uren_max >= ?", [n])
            case .urenPerWeekMinimaalHoogstens(let n): add("r.uren_min <= ?", [n])
            case .beschikbaarUiterlijk(let date): add("r.beschikbaar_per <= ?", [date.rawValue])
            case .beroep(let uri): add("r.beroep = ?", [uri.rawValue])
            case .werkEnDenkniveauVanaf(let from): add("r.niveau >= ? AND r.niveau < '7'", [from.rawValue])
            case .werkEnDenkniveauGelijk(let code): add("r.niveau = ?", [code.rawValue])
            case .aanvangWerkzaamhedenVanaf(let date): add("r.aanvang >= ?", [date.rawValue])
            case .bemiddelingsberoep(let uris):
                let marks = uris.map { _ in "?" }.joined(separator: ", ")
                if driver == .beroep {
                    add("x.code IN (\(marks))", uris.map(\.rawValue))
                } else {
                    add(
                        "EXISTS (SELECT 1 FROM \(table.beroep) b WHERE b.rid = r.rid AND b.code IN (\(marks)))",
                        uris.map(\.rawValue))
                }
            case .contractvorm(let branches):
                // A branch with neither code can match nothing (ContractvormEis.isSatisfied).
                var alternatives: [String] = []
                var values: [(any DatabaseValueConvertible)?] = []
                for branch in branches {
                    var parts: [String] = []
                    if let a = branch.codeTypeArbeidscontract {
                        parts.append("c.arbeidscontract = ?")
                        values.append(a.rawValue)
                    }
                    if let o = branch.codeTypeOvereenkomst {
                        parts.append("c.overeenkomst = ?")
                        values.append(o.rawValue)
                    }
                    if !parts.isEmpty { alternatives.append("(" + parts.joined(separator: " AND ") + ")") }
                }
                if alternatives.isEmpty {
                    add("0", [])
                } else {
                    add(
                        "EXISTS (SELECT 1 FROM \(table.contractvorm) c WHERE c.rid = r.rid AND ("
                            + alternatives.joined(separator: " OR ") + "))", values)
                }
            case .rijbewijzen(let soorten):
                for soort in soorten {
                    add(
                        "EXISTS (SELECT 1 FROM \(table.rijbewijs) d WHERE d.rid = r.rid AND d.code = ?)",
                        [soort.rawValue])
                }
            case .talen(let eisen):
                for eis in eisen {
                    var condition = "t.rid = r.rid AND t.taal = ?"
                    var values: [(any DatabaseValueConvertible)?] = [eis.codeTaal.rawValue]
                    if let m = eis.minimaalMondeling {
                        condition += " AND t.mondeling >= ?"
                        values.append(m)
                    }
                    if let s = eis.minimaalSchriftelijk {
                        condition += " AND t.schriftelijk >= ?"
                        values.append(s)
                    }
                    add("EXISTS (SELECT 1 FROM \(table.taal) t WHERE \(condition))", values)
                }
            }
        }
        // The record table is joined last, so only rows that pass every condition are read whole.
        sql =
            "SELECT r.rid, a.key, j.profiel FROM \(from) CROSS JOIN \(table.records) AS j WHERE "
            + (conditions + ["j.rid = r.rid"]).joined(separator: " AND ")
        self.arguments = StatementArguments(arguments)
    }
}
