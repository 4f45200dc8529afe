/// Collects issues while a record is read; shared by the readers of all its nested objects.
final class IssueLog {
    var issues: [ValidationIssue] = []
    var hasErrors: Bool { issues.contains { $0.severity == .error } }

    func error(_ path: String, _ message: String) { issues.append(.init(.error, path: path, message)) }
    func warning(_ path: String, _ message: String) { issues.append(.init(.warning, path: path, message)) }
}

/// Reads the fields of one JSON object with their paths, recording every problem instead of stopping
/// at the first. Empty values (`""`, `[]`, `{}`, `null`) count as absent, as the standard says.
final class FieldReader {
    let object: JSONObject
    let path: String
    let log: IssueLog
    /// Which entries of `object` were read, by position: cheaper than hashing every key.
    private var seen: [Bool]

    init(_ object: JSONObject, path: String, log: IssueLog) {
        self.object = object
        self.path = path
        self.log = log
        seen = Array(repeating: false, count: object.count)
    }

    /// Reads `value` as an object, or records that it is not one.
    static func make(_ value: JSONValue, path: @autoclosure () -> String, log: IssueLog) -> FieldReader? {
        guard case .object(let o) = value else {
            log.error(path(), "must be an object, not \(value.typeName)")
            return nil
        }
        return FieldReader(o, path: path(), log: log)
    }

    func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The raw value, `nil` when absent or empty; a missing required one is recorded.
    func raw(_ key: String, required: Bool = false) -> JSONValue? {
        var found: JSONValue?
        for (i, e) in object.entries.enumerated() where e.key == key {
            seen[i] = true
            found = e.value
            break
        }
        guard let v = found, !v.isEmpty else {
            if required { log.error(path(key), "is required") }
            return nil
        }
        return v
    }

    func string(_ key: String, max: Int, required: Bool = false) -> String? {
        guard let v = raw(key, required: required) else { return nil }
        return Self.string(v, max: max, path: path(key), log: log)
    }

    static func string(_ v: JSONValue, max: Int, path: @autoclosure () -> String, log: IssueLog) -> String? {
        guard case .string(let s) = v else {
            log.error(path(), "must be a string, not \(v.typeName)")
            return nil
        }
        // utf8.count bounds count from above, so the slower grapheme count is rarely needed.
        guard s.utf8.count <= max || s.count <= max else {
            log.error(path(), "is \(s.count) characters long; at most \(max) are allowed")
            return nil
        }
        return s
    }

    func integer(_ key: String, _ range: ClosedRange<Int>, required: Bool = false) -> Int? {
        guard let v = raw(key, required: required) else { return nil }
        return Self.integer(v, range, path: path(key), log: log)
    }

    static func integer(_ v: JSONValue, _ range: ClosedRange<Int>, path: @autoclosure () -> String, log: IssueLog)
        -> Int?
    {
        guard case .number(let n) = v, let i = n.integerValue else {
            log.error(path(), "must be an integer, not \(v.typeName)")
            return nil
        }
        guard i >= range.lowerBound && i <= range.upperBound else {
            log.error(path(), "\(i) is out of range (\(range.lowerBound)–\(range.upperBound))")
            return nil
        }
        return Int(i)
    }

    func code<C: CodeList>(_ key: String, _ type: C.Type, required: Bool = false) -> C? {
        guard let v = raw(key, required: required) else { return nil }
        return C.read(v, path: path(key), log: log)
    }

    func value<V: ValidatedValue>(_ key: String, _ type: V.Type, required: Bool = false) -> V? {
        guard let v = raw(key, required: required) else { return nil }
        return V.read(v, path: path(key), log: log)
    }

    func object<T>(_ key: String, required: Bool = false, _ body: (FieldReader) -> T?) -> T? {
        readObject(key, required: required, body)
    }

    func readObject<T>(_ key: String, required: Bool, _ body: (FieldReader) -> T?) -> T? {
        guard let v = raw(key, required: required) else { return nil }
        guard let r = Self.make(v, path: path(key), log: log) else { return nil }
        let result = body(r)
        r.finish()
        return result
    }

    /// A part of a record: one whose fields are all absent (`{}`, or only unknown keys) is absent itself,
    /// as the standard says of empty values, so what is read writes and reads back the same.
    func object<T: RecordPart>(_ key: String, required: Bool = false, _ body: (FieldReader) -> T?) -> T? {
        let part: T? = readObject(key, required: required, body)
        if required, part != nil, part?.nonEmpty == nil {
            log.error(path(key), "is required and has no values")
        }
        return part?.nonEmpty
    }

    /// The parts in an array field, without the ones that hold no values.
    func objects<T: RecordPart>(_ key: String, _ body: (FieldReader) -> T?) -> [T] {
        let parts: [T] = readObjects(key, body)
        return parts.compactMap(\.nonEmpty)
    }

    /// The elements of an array field; an invalid element is recorded and left out.
    func array<T>(_ key: String, _ element: (JSONValue, () -> String) -> T?) -> [T] {
        guard let v = raw(key) else { return [] }
        guard case .array(let items) = v else {
            log.error(path(key), "must be an array, not \(v.typeName)")
            return []
        }
        var result: [T] = []
        result.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            if let t = element(item, { "\(self.path(key))[\(i)]" }) { result.append(t) }
        }
        return result
    }

    func objects<T>(_ key: String, _ body: (FieldReader) -> T?) -> [T] { readObjects(key, body) }

    func readObjects<T>(_ key: String, _ body: (FieldReader) -> T?) -> [T] {
        array(key) { item, p in
            guard !item.isEmpty else { return nil }
            guard let r = Self.make(item, path: p(), log: log) else { return nil }
            let t = body(r)
            r.finish()
            return t
        }
    }

    /// Reports the fields nobody read: the standard does not know them. A warning, not an error: a bron
    /// on a newer version of the standard may send fields we do not have yet.
    func finish() {
        for (i, e) in object.entries.enumerated() where !seen[i] && !e.value.isEmpty {
            log.warning(path(e.key), "is not a field of the VUM standard; ignored")
        }
    }

    /// Fields that must not be present here (detail-only fields in a matching profile): errors.
    func forbid(_ keys: Set<String>, because reason: String) {
        for (i, e) in object.entries.enumerated() where keys.contains(e.key) && !e.value.isEmpty {
            seen[i] = true
            log.error(path(e.key), reason)
        }
    }
}

/// Builds a JSON object, leaving out empty values as the standard requires. A probe (`ObjectBuilder.probe`)
/// keeps nothing and only finds out whether the object would hold a value: it stops looking at the first.
struct ObjectBuilder {
    private(set) var object = JSONObject()
    /// Whether a value that is not empty was set.
    private(set) var hasValues = false
    private var probing = false

    init() {}

    static var probe: ObjectBuilder {
        var b = ObjectBuilder()
        b.probing = true
        return b
    }

    /// A probe that found a value need not look at the rest.
    private var answered: Bool { probing && hasValues }

    mutating func set(_ key: String, _ value: JSONValue?) {
        guard let value, !value.isEmpty else { return }
        hasValues = true
        if !probing { object[key] = value }
    }
    mutating func set(_ key: String, _ value: String?) {
        guard !answered else { return }
        set(key, value.map(JSONValue.string))
    }
    mutating func set(_ key: String, _ value: Int?) {
        guard !answered else { return }
        set(key, value.map { JSONValue.number(.integer(Int64($0))) })
    }
    mutating func set<C: CodeList>(_ key: String, _ value: C?) {
        guard !answered else { return }
        set(key, value?.json)
    }
    mutating func set<V: ValidatedValue>(_ key: String, _ value: V?) {
        guard !answered else { return }
        set(key, value?.json)
    }
    mutating func set<P: RecordPart>(_ key: String, _ value: P?) {
        guard probing else { return set(key, value?.json) }
        hasValues = hasValues || value?.hasValues == true
    }
    mutating func set<P: RecordPart>(_ key: String, _ values: [P]) {
        guard probing else { return set(key, .array(values.map(\.json))) }
        hasValues = hasValues || !values.isEmpty
    }
    mutating func set<V: ValidatedValue>(_ key: String, _ values: [V]) {
        guard probing else { return set(key, .array(values.map(\.json))) }
        hasValues = hasValues || !values.isEmpty
    }

    var json: JSONValue { .object(object) }
}

/// A part of a record: read with all problems recorded, written without empty values.
protocol RecordPart: Sendable, Hashable {
    static func read(_ r: FieldReader) -> Self?
    /// Sets the part's fields; the builder leaves out the empty ones.
    func write(_ b: inout ObjectBuilder)
}

extension RecordPart {
    var json: JSONValue {
        var b = ObjectBuilder()
        write(&b)
        return b.json
    }

    /// Whether `json` would hold a value, found without building it.
    var hasValues: Bool {
        var b = ObjectBuilder.probe
        write(&b)
        return b.hasValues
    }

    /// `nil` for a part with no values: the standard treats it as absent, so a record never holds one.
    var nonEmpty: Self? {
        assert(hasValues == !json.isEmpty, "the probe and the JSON of \(Self.self) disagree on emptiness")
        return hasValues ? self : nil
    }
}
