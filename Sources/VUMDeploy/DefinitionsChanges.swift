import VUMStandaard

/// What re-generating changed, item by item, so an operator sees exactly what a new partner adds before
/// loading it: users, permissions, queues, exchanges, bindings and registry entries added, removed or
/// changed (password hashes are salted anew each run and are not compared).
public enum DefinitionsChanges {
    public static func between(old: JSONValue?, new: JSONValue, kind: String) -> [String] {
        guard case .object(let newObject) = new else { return [] }
        let oldObject: JSONObject = if case .object(let o)? = old { o } else { JSONObject() }
        var changes: [String] = []
        for (section, value) in newObject {
            guard case .array(let newItems) = value else {
                if oldObject[section] != value {
                    changes.append(
                        "\(kind) \(section): \(oldObject[section]?.serialized() ?? "-") -> \(value.serialized())")
                }
                continue
            }
            let oldItems: [JSONValue] = if case .array(let a)? = oldObject[section] { a } else { [] }
            func key(_ v: JSONValue) -> String {
                guard case .object(let o) = v else { return v.serialized() }
                let parts = ["name", "user", "id", "oin", "source", "destination", "routing_key"].compactMap {
                    k -> String? in
                    if case .string(let s)? = o[k] { s } else { nil }
                }
                return parts.joined(separator: " ")
            }
            func comparable(_ v: JSONValue) -> JSONValue {
                guard case .object(var o) = v else { return v }
                if case .string(let h)? = o["password_hash"] { o["password_hash"] = .string(h.isEmpty ? "" : "set") }
                return .object(o)
            }
            let before = Dictionary(oldItems.map { (key($0), comparable($0)) }, uniquingKeysWith: { a, _ in a })
            let after = Dictionary(newItems.map { (key($0), comparable($0)) }, uniquingKeysWith: { a, _ in a })
            for k in after.keys.sorted() {
                if let b = before[k] {
                    if b != after[k] { changes.append("changed \(kind) \(section): \(k)") }
                } else {
                    changes.append("added \(kind) \(section): \(k)")
                }
            }
            for k in before.keys.sorted() where after[k] == nil { changes.append("removed \(kind) \(section): \(k)") }
        }
        return changes
    }
}
