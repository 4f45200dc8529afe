import Foundation
import VUMExchange
import VUMStandaard
import Yams

/// The one description of a federation (`federatie.yaml`) that the broker definitions and the
/// aggregator's registry are generated from, so the two can never disagree.
///
/// ```yaml
/// cluster: false                 # true: quorum queues for bron inboxes and the audit trail
/// operator: operator             # broker user with the administrator tag
/// aggregator: aggregator         # the aggregator's broker user
/// werkzoekendenVoorNietSuwi: false
/// bronnen:
///   - id: gemeente-utrecht
///     naam: Gemeente Utrecht
///     oin: "00000001001234567000"
///     gegevenssets: [werkzoekenden, vacatures]
/// bemiddelaars:
///   - oin: "00000001001234567000"
///     naam: Gemeente Utrecht
///     suwi: true
///     gegevenssets: [werkzoekenden, vacatures]
///     amqp: utrecht              # optional: asks over AMQP as broker user bemiddelaar-utrecht
/// auditors:
///   - naam: operator             # reads vum.audit, the trail
///   - naam: inspectie
///     eigenQueue: true           # its own queue vum.audit.inspectie, bound to vum.procesgegevens
/// ```
public struct Federatie: Sendable, Hashable {
    public struct Bron: Sendable, Hashable {
        public var id: BronID
        public var naam: String
        public var oin: OIN?
        public var gegevenssets: [Gegevensset]
        public var brokerUser: String { id.brokerUser }
    }

    public struct Bemiddelaar: Sendable, Hashable {
        public var oin: OIN
        public var naam: String
        public var suwi: Bool
        public var gegevenssets: [Gegevensset]
        /// The name of its AMQP broker user (`bemiddelaar-<amqp>`), when it asks over the bus.
        public var amqp: String?
        public var brokerUser: String? { amqp.map { "bemiddelaar-\($0)" } }
    }

    public struct Auditor: Sendable, Hashable {
        public var naam: String
        public var eigenQueue: Bool
        public var brokerUser: String { "auditor-\(naam)" }
        /// `vum.audit`, or its own queue.
        public var queue: String { eigenQueue ? "\(Topology.audit).\(naam)" : Topology.audit }
    }

    public var cluster = false
    public var operatorUser = "operator"
    public var aggregatorUser = "aggregator"
    public var werkzoekendenVoorNietSuwi = false
    public var bronnen: [Bron] = []
    public var bemiddelaars: [Bemiddelaar] = []
    public var auditors: [Auditor] = []

    public init() {}
}

/// A problem in a federatie file, with where it is.
public struct FederatieError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension Federatie {
    /// Reads and checks a federatie file; every problem names its line and path.
    public init(yaml text: String, file: String = "federatie.yaml") throws(FederatieError) {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw FederatieError("\(file): not YAML: \(error)")
        }
        guard let root else { throw FederatieError("\(file): empty") }
        let r = NodeReader(node: root, path: "", file: file)
        try r.allowOnly([
            "cluster", "operator", "aggregator", "werkzoekendenVoorNietSuwi", "bronnen", "bemiddelaars", "auditors",
        ])
        self.init()
        cluster = try r.optionalBool("cluster") ?? false
        operatorUser = try r.optionalName("operator") ?? operatorUser
        aggregatorUser = try r.optionalName("aggregator") ?? aggregatorUser
        werkzoekendenVoorNietSuwi = try r.optionalBool("werkzoekendenVoorNietSuwi") ?? false

        for item in try r.list("bronnen") {
            try item.allowOnly(["id", "naam", "oin", "gegevenssets"])
            let idText = try item.string("id")
            let id: BronID
            do { id = try BronID(validating: idText) } catch { throw item.fail("id", error.description) }
            guard !bronnen.contains(where: { $0.id == id }) else { throw item.fail("id", "bron \(id) is listed twice") }
            bronnen.append(
                Bron(
                    id: id, naam: try item.optionalString("naam") ?? idText, oin: try item.optionalOIN("oin"),
                    gegevenssets: try item.gegevenssets()))
        }
        for item in try r.list("bemiddelaars") {
            try item.allowOnly(["oin", "naam", "suwi", "gegevenssets", "amqp"])
            guard let oin = try item.optionalOIN("oin") else { throw item.fail("oin", "is required") }
            guard !bemiddelaars.contains(where: { $0.oin == oin }) else {
                throw item.fail("oin", "\(oin) is listed twice")
            }
            guard let suwi = try item.optionalBool("suwi") else { throw item.fail("suwi", "true or false is required") }
            let amqp = try item.optionalName("amqp")
            if let amqp, bemiddelaars.contains(where: { $0.amqp == amqp }) {
                throw item.fail("amqp", "\(amqp) is used twice")
            }
            bemiddelaars.append(
                Bemiddelaar(
                    oin: oin, naam: try item.optionalString("naam") ?? oin.rawValue, suwi: suwi,
                    gegevenssets: try item.gegevenssets(), amqp: amqp))
        }
        for item in try r.list("auditors") {
            try item.allowOnly(["naam", "eigenQueue"])
            guard let naam = try item.optionalName("naam") else { throw item.fail("naam", "is required") }
            guard !auditors.contains(where: { $0.naam == naam }) else {
                throw item.fail("naam", "\(naam) is listed twice")
            }
            let auditor = Auditor(naam: naam, eigenQueue: try item.optionalBool("eigenQueue") ?? false)
            if !auditor.eigenQueue, let other = auditors.first(where: { !$0.eigenQueue }) {
                throw item.fail(
                    "eigenQueue",
                    "\(other.naam) already reads \(Topology.audit): two consumers would split the trail "
                        + "between them; give this auditor eigenQueue: true")
            }
            auditors.append(auditor)
        }
        guard !bronnen.isEmpty else { throw FederatieError("\(file): bronnen: at least one bron is required") }
        let users =
            [operatorUser, aggregatorUser] + bronnen.map(\.brokerUser) + bemiddelaars.compactMap(\.brokerUser)
            + auditors.map(\.brokerUser)
        if let twice = Dictionary(grouping: users, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw FederatieError(
                "\(file): broker user \(twice) would be made twice (operator, aggregator and partners need their own)")
        }
    }

    public init(contentsOf path: String) throws(FederatieError) {
        let text: String
        do { text = try FileContents.text(path) } catch {
            throw FederatieError("cannot read \(path): \(error)")
        }
        try self.init(yaml: text, file: path)
    }
}

/// Reads a YAML node with paths and line numbers in every error.
struct NodeReader {
    let node: Node
    let path: String
    let file: String

    func location(_ key: String? = nil, _ n: Node? = nil) -> String {
        let line = (n ?? node).mark.map { " line \($0.line)" } ?? ""
        let p = [path, key].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ".")
        return "\(file)\(line): \(p.isEmpty ? "(top)" : p)"
    }

    func fail(_ key: String?, _ message: String) -> FederatieError {
        FederatieError("\(location(key, key.flatMap { self.value($0) })): \(message)")
    }

    var mapping: Node.Mapping? { node.mapping }

    func value(_ key: String) -> Node? {
        guard let m = node.mapping else { return nil }
        if let v = m[key], case .scalar(let s) = v, s.string == "~" || (s.string.isEmpty && s.style == .plain) {
            return nil
        }
        return m[key]
    }

    func allowOnly(_ keys: Set<String>) throws(FederatieError) {
        guard let m = node.mapping else { throw FederatieError("\(location()): expected a mapping (key: value lines)") }
        for (k, _) in m {
            let name = k.string ?? "?"
            guard keys.contains(name) else {
                throw FederatieError(
                    "\(location(name, k)): unknown key (known: \(keys.sorted().joined(separator: ", ")))")
            }
        }
    }

    func scalar(_ key: String) throws(FederatieError) -> String? {
        guard let v = value(key) else { return nil }
        guard case .scalar(let s) = v else { throw fail(key, "expected a single value") }
        return s.string
    }

    func string(_ key: String) throws(FederatieError) -> String {
        guard let s = try scalar(key), !s.isEmpty else { throw fail(key, "is required") }
        return s
    }

    func optionalString(_ key: String) throws(FederatieError) -> String? { try scalar(key) }

    /// A broker-user-safe name: lower-case letters, digits and hyphens.
    func optionalName(_ key: String) throws(FederatieError) -> String? {
        guard let s = try scalar(key) else { return nil }
        let ok =
            !s.isEmpty && s.count <= 63
            && s.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }
        guard ok else { throw fail(key, "\"\(s)\" is not a name of a-z 0-9 - (at most 63)") }
        return s
    }

    func optionalBool(_ key: String) throws(FederatieError) -> Bool? {
        guard let s = try scalar(key) else { return nil }
        switch s {
        case "true": return true
        case "false": return false
        default: throw fail(key, "\"\(s)\" is not true or false")
        }
    }

    func optionalOIN(_ key: String) throws(FederatieError) -> OIN? {
        guard let s = try scalar(key) else { return nil }
        do { return try OIN(validating: s) } catch {
            throw fail(key, error.description)
        }
    }

    func list(_ key: String) throws(FederatieError) -> [NodeReader] {
        guard let v = value(key) else { return [] }
        guard case .sequence(let seq) = v else { throw fail(key, "expected a list (- items)") }
        let base = path.isEmpty ? key : "\(path).\(key)"
        return seq.enumerated().map { NodeReader(node: $1, path: "\(base)[\($0)]", file: file) }
    }

    func gegevenssets() throws(FederatieError) -> [Gegevensset] {
        guard let v = value("gegevenssets"), case .sequence(let seq) = v, !seq.isEmpty else {
            throw fail("gegevenssets", "a list of werkzoekenden and/or vacatures is required")
        }
        var sets: [Gegevensset] = []
        for item in seq {
            guard case .scalar(let s) = item, let g = Gegevensset(rawValue: s.string) else {
                throw fail("gegevenssets", "\"\(item.string ?? "?")\" is not werkzoekenden or vacatures")
            }
            if !sets.contains(g) { sets.append(g) }
        }
        return sets.sorted { $0.rawValue < $1.rawValue }
    }
}
