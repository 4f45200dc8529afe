extension JSONValue {
    /// Compact JSON, keys in their order. Deterministic, so equal values serialize equally.
    public func serialized() -> String { String(decoding: serializedBytes(), as: UTF8.self) }

    /// Compact JSON as UTF-8 bytes (what goes on the wire).
    public func serializedBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(to: &out)
        return out
    }

    func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: n.description.utf8)
        case .string(let s): Self.writeString(s, to: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                v.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            Self.writeObject(o, to: &out, splicing: nil) { _ in }
        }
    }

    /// Compact JSON of this object as ``serializedBytes()`` writes it, except that the value of its member
    /// `key` is written by `write`: for JSON already encoded elsewhere (matches passed on as a bron sent
    /// them), so it is copied in once instead of being built into a tree and serialised again. Not an
    /// object: as ``serializedBytes()``.
    public func serializedBytes(
        splicing key: String, reservingCapacity capacity: Int = 256,
        with write: (inout [UInt8]) -> Void
    ) -> [UInt8] {
        guard case .object(let o) = self else { return serializedBytes() }
        var out: [UInt8] = []
        out.reserveCapacity(capacity)
        Self.writeObject(o, to: &out, splicing: key, with: write)
        return out
    }

    /// The compact JSON of this object around the value of its member `key`: that value's bytes written
    /// between `head` and `tail` give ``serializedBytes(splicing:reservingCapacity:with:)``, so a caller
    /// with a buffer of its own (an HTTP response, a message body) copies the value into it once.
    public func serializedFraming(around key: String) -> (head: [UInt8], tail: [UInt8]) {
        var at = 0
        let bytes = serializedBytes(splicing: key) { at = $0.count }
        return (Array(bytes[..<at]), Array(bytes[at...]))
    }

    static func writeObject(
        _ o: JSONObject, to out: inout [UInt8], splicing key: String?,
        with splice: (inout [UInt8]) -> Void
    ) {
        out.append(UInt8(ascii: "{"))
        for (i, e) in o.entries.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            writeString(e.key, to: &out)
            out.append(UInt8(ascii: ":"))
            if let key, e.key == key { splice(&out) } else { e.value.write(to: &out) }
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Copies runs of bytes that need no escaping in one go; escapes `"`, `\` and control characters.
    static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var runStart = 0
            for (i, b) in bytes.enumerated() where b == 0x22 || b == 0x5C || b < 0x20 {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                switch b {
                case 0x22: out.append(contentsOf: [0x5C, 0x22])
                case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
                }
                runStart = i + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension JSONValue {
    /// Indented JSON for people and diffs: two spaces per level, one member or element per line; empty
    /// and scalar-only arrays of up to 8 short items on one line. Keys in their order.
    public func serializedPretty() -> String {
        var out: [UInt8] = []
        writePretty(to: &out, level: 0)
        out.append(UInt8(ascii: "\n"))
        return String(decoding: out, as: UTF8.self)
    }

    func writePretty(to out: inout [UInt8], level: Int) {
        func newline(_ l: Int) {
            out.append(UInt8(ascii: "\n"))
            out.append(contentsOf: [UInt8](repeating: UInt8(ascii: " "), count: 2 * l))
        }
        switch self {
        case .array(let a)
        where a.isEmpty
            || (a.count <= 8
                && a.allSatisfy { if case .array = $0 { false } else if case .object = $0 { false } else { true } }):
            write(to: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1)
                v.writePretty(to: &out, level: level + 1)
            }
            newline(level)
            out.append(UInt8(ascii: "]"))
        case .object(let o) where o.isEmpty:
            out.append(contentsOf: "{}".utf8)
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            for (i, e) in o.entries.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1)
                Self.writeString(e.key, to: &out)
                out.append(contentsOf: ": ".utf8)
                e.value.writePretty(to: &out, level: level + 1)
            }
            newline(level)
            out.append(UInt8(ascii: "}"))
        default:
            write(to: &out)
        }
    }
}
