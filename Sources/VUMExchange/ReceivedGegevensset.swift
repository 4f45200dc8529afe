import Foundation
import VUMStandaard

/// A `vum.gegevensset.v1` as the aggregator keeps it: the answer's own fields decoded, its matches checked
/// as JSON but kept as the bytes the bron sent, each with its record id read out. Merging writes those bytes
/// out again with the record id swapped for a vumID (``writeMatch(_:to:vumID:)``), so a match
/// costs one scan instead of a tree built, changed and serialised — and a held answer its bytes, not a tree.
public struct ReceivedGegevensset: Sendable {
    /// The answer with `matches` left empty: ``matchCount`` and the methods below stand for them.
    public let bericht: GegevenssetBericht
    /// The message as received (kept, not copied: the ranges below are offsets into its bytes); empty in an
    /// answer ``withoutBytes``.
    let body: Data
    let elements: [JSONDeferredElement]
    /// The size of the answer as received (also when its bytes are held elsewhere).
    public let byteCount: Int

    /// Reads an answer; any problem is the same `400.01` that ``MessageCodec/decode(_:from:maximumSize:)``
    /// gives. Strings with broken UTF-8, which cannot be passed on as they are, are repaired the way the tree
    /// parser repairs them (the answer is read as a tree once and written out again).
    public static func decode(_ body: Data, maximumSize: Int = MessageCodec.defaultMaximumSize) throws(Fout)
        -> ReceivedGegevensset
    {
        guard body.count <= maximumSize else {
            throw Fout.invalidRequest(
                "message too large", details: "\(body.count) bytes; at most \(maximumSize) are accepted")
        }
        let scanned = body.withUnsafeBytes { raw in
            try? JSONValue.parse(
                raw.assumingMemoryBound(to: UInt8.self), deferringArray: "matches", picking: Self.pickedKeys)
        }
        guard let parsed = scanned else {
            // Not JSON at all gets the tree parser's own error; JSON with broken UTF-8 in a string is repaired.
            return ReceivedGegevensset(
                try MessageCodec.decode(GegevenssetBericht.self, from: body, maximumSize: maximumSize))
        }
        let bericht = try GegevenssetBericht(json: parsed.value)
        guard let elements = parsed.elements else {
            return ReceivedGegevensset(bericht: bericht, body: Data(), elements: [])
        }
        return ReceivedGegevensset(bericht: bericht, body: body, elements: elements)
    }

    /// The form of an answer built in this process (a bron's failure recorded by the aggregator, a test).
    public init(_ bericht: GegevenssetBericht) {
        let bytes = MessageCodec.encode(bericht)
        let parsed = try? JSONValue.parse([UInt8](bytes), deferringArray: "matches", picking: Self.pickedKeys)
        self.init(bericht: bericht, body: bytes, elements: parsed?.elements ?? [])
    }

    init(bericht: GegevenssetBericht, body: Data, elements: [JSONDeferredElement], byteCount: Int? = nil) {
        var header = bericht
        header.matches = []
        self.bericht = header
        self.body = body
        self.elements = elements
        self.byteCount = byteCount ?? body.count
    }

    /// A byte that stands for itself inside a JSON string.
    private static func needsNoEscape(_ byte: UInt8) -> Bool {
        (0x20..<0x80).contains(byte) && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
    }

    /// The answer's bytes as received.
    public var bytes: Data { body }

    /// The same answer without its bytes, for a holder that keeps them elsewhere for a while (the aggregator
    /// parks answers beyond its memory budget in a file): its fields, ``matchCount``, ``recordID(of:)`` and
    /// ``detailOnlyFields(of:)`` still answer; ``writeMatch(_:to:vumID:)``, ``match(_:)`` and
    /// ``fullBericht`` need the bytes back (``restoring(_:)``).
    public var withoutBytes: ReceivedGegevensset {
        ReceivedGegevensset(bericht: bericht, body: Data(), elements: elements, byteCount: byteCount)
    }

    /// The answer with `bytes` (this answer's own, as ``bytes`` gave them) put back.
    public func restoring(_ bytes: Data) -> ReceivedGegevensset {
        precondition(bytes.count == byteCount, "restoring \(bytes.count) bytes to an answer of \(byteCount)")
        return ReceivedGegevensset(bericht: bericht, body: bytes, elements: elements, byteCount: byteCount)
    }

    /// What the scan picks out of every match: its record id, and any detail-only field (which must
    /// never reach an asker in a matching profile).
    static let pickedKeys = Set(Gegevensset.allCases.map(\.idKey)).union(Werkzoekende.detailOnlyFields)
        .union(Vacature.detailOnlyFields)

    public var matchCount: Int { elements.count }

    /// The bron's record id of match `index`: nil when the match is not an object, has no id for the
    /// answer's gegevensset, has it twice, or has one that is not a string.
    public func recordID(of index: Int) -> String? {
        pickedID(index)?.id
    }

    /// The detail-only fields match `index` carries (contact data and the like, DOMAIN.md): a match with
    /// any is a bron's error, left out of the merged answer rather than passed on.
    public func detailOnlyFields(of index: Int) -> [String] {
        let forbidden =
            bericht.gegevensset == .werkzoekenden ? Werkzoekende.detailOnlyFields : Vacature.detailOnlyFields
        let picked = elements[index].picked
        // Asked for every match of every answer, and nearly always none: no array built for that.
        guard picked.contains(where: { forbidden.contains($0.key) }) else { return [] }
        return picked.map(\.key).filter(forbidden.contains)
    }

    func pickedID(_ index: Int) -> (id: String, removal: Range<Int>)? {
        let key = bericht.gegevensset.idKey
        var found: JSONPickedMember?
        for member in elements[index].picked where member.key == key {
            guard found == nil else { return nil }
            found = member
        }
        guard let found, case .string(let id) = found.value else { return nil }
        return (id, found.removal)
    }

    /// Writes match `index` as it came, without its record id and with `"vumID": …` as its last member, whose
    /// characters `writeVumID` appends: they go into the JSON string as they are, so they must be characters
    /// that need no escaping (a vumID's are letters, digits, `-`, `_` and `.`; checked in debug builds).
    /// The merge writes hundreds of vumIDs per zoekvraag, each straight into the answer, without a string of
    /// its own. Nothing is written for a match without a usable record id (``recordID(of:)`` is nil): false.
    @discardableResult
    public func writeMatch(_ index: Int, to out: inout [UInt8], vumID writeVumID: (inout [UInt8]) -> Void) -> Bool {
        guard let (_, removal) = pickedID(index), let members = elements[index].memberCount else { return false }
        let range = elements[index].range
        out.append(UInt8(ascii: "{"))
        body.withUnsafeBytes { raw in
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[(range.lowerBound + 1)..<removal.lowerBound]))
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[removal.upperBound..<(range.upperBound - 1)]))
        }
        if members > 1 { out.append(UInt8(ascii: ",")) }
        out.append(contentsOf: #""vumID":""#.utf8)
        let vumIDStart = out.count
        writeVumID(&out)
        assert(out[vumIDStart...].allSatisfy(Self.needsNoEscape), "a vumID with characters that need escaping in JSON")
        out.append(contentsOf: #""}"#.utf8)
        return true
    }

    /// Match `index` as a tree (for checks and tests; the merge does not need it).
    public func match(_ index: Int) -> JSONValue {
        body.withUnsafeBytes { raw in
            (try? JSONValue.parse(UnsafeRawBufferPointer(rebasing: raw[elements[index].range]))) ?? .null
        }
    }

    /// The whole answer as a tree, matches included.
    public var fullBericht: GegevenssetBericht {
        var full = bericht
        full.matches = elements.indices.map(match)
        return full
    }
}
