import Crypto
import Foundation
import VUMStandaard

/// The form an event is hashed and kept in: object keys sorted by their UTF-8 bytes at every depth, no
/// whitespace, numbers as the parser read them. Two producers that write the same event in a different
/// key order store the same bytes, so a redelivery is recognised and the hash does not depend on order.
enum CanonicalJSON {
    static func canonical(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let o):
            let sorted = o.entries.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            return .object(JSONObject(sorted.map { ($0.key, canonical($0.value)) }))
        case .array(let items): return .array(items.map(canonical))
        default: return value
        }
    }

    static func bytes(_ value: JSONValue) -> [UInt8] { canonical(value).serializedBytes() }
}

/// The chain: each stored event's hash covers the previous event's hash, its own sequence number and its
/// canonical JSON, so editing, deleting, inserting or reordering any row changes every hash after it.
enum ChainHash {
    /// The `previous` of the first event.
    static let genesis = [UInt8](repeating: 0, count: 32)

    static func next(previous: [UInt8], seq: Int64, canonical: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: previous)
        withUnsafeBytes(of: seq.bigEndian) { hasher.update(bufferPointer: $0) }
        hasher.update(data: canonical)
        return Array(hasher.finalize())
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] }, as: UTF8.self)
    }
}
