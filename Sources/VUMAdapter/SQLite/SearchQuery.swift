import GRDB
import VUMStandaard

/// One selectievraag as one SQL query: the postcode areas of the `selectiegebied`, nearest first, drive
/// an index lookup on `pc4`; every criterion becomes a condition on the record's columns or an `EXISTS`
/// on a side table, with the question's values as bound arguments (never spliced into the SQL).
///
/// `CROSS JOIN` fixes the join order in SQLite, so rows arrive area by area, nearest area first, and
/// within an area in rowid order. The store relies on that order only to stop reading early; it checks
/// the order as it reads and reads everything when it does not hold.
struct SearchQuery {
    var sql: String
    var arguments: StatementArguments

    init(table: StoreTable, criteria: [Criterium], areas: [Int]) {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = ["[" + areas.map(String.init).joined(separator: ",") + "]"]
        func add(_ condition: String, _ values: [(any DatabaseValueConvertible)?]) {
            conditions.append(condition)
            arguments.append(contentsOf: values)
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
                add("EXISTS (SELECT 1 FROM \(table.beroep) b WHERE b.rid = r.rid AND b.code IN (\(marks)))",
                    uris.map(\.rawValue))
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
                    add("EXISTS (SELECT 1 FROM \(table.contractvorm) c WHERE c.rid = r.rid AND ("
                        + alternatives.joined(separator: " OR ") + "))", values)
                }
            case .rijbewijzen(let soorten):
                for soort in soorten {
                    add("EXISTS (SELECT 1 FROM \(table.rijbewijs) d WHERE d.rid = r.rid AND d.code = ?)", [soort.rawValue])
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
        sql = "SELECT r.rid, a.key, r.profiel FROM json_each(?) AS a CROSS JOIN \(table.name) AS r "
            + "WHERE r.pc4 = a.value" + conditions.map { " AND " + $0 }.joined()
        self.arguments = StatementArguments(arguments)
    }
}
