/// One element of the array a document was parsed without (``JSONValue/parse(_:deferringArray:picking:)``):
/// validated, but kept as a range of the parsed bytes instead of built into a tree.
public struct JSONDeferredElement: Sendable, Hashable {
    /// The element's bytes, from its first to its last character.
    public var range: Range<Int>
    /// How many members it has when it is an object; nil for any other value.
    public var memberCount: Int?
    /// Its members whose key is one of those picked, in the order they appear (the same key may appear
    /// twice); empty when it is not an object.
    public var picked: [JSONPickedMember]
}

/// A member of a deferred object element whose key was asked for: its value built, and the bytes that remove
/// it together with one separating comma (`,"key":value` when it follows another member, `"key":value,`
/// when it comes first, `"key":value` when it is the only one), so the rest is still valid JSON.
public struct JSONPickedMember: Sendable, Hashable {
    public var key: String
    public var value: JSONValue
    public var removal: Range<Int>
}

extension JSONValue {
    /// Parses one JSON document as ``parse(_:)-(some Collection<UInt8>)`` does, except for the array under
    /// the top-level object's key `arrayKey`: it appears in the value as an empty array, and its elements
    /// come back as ranges of `bytes`, each checked as strictly as the tree parser checks (and its strings
    /// also as valid UTF-8), with the members named in `keys` of each object element built. That is for
    /// passing large arrays on without building and serialising a tree per element. `elements` is nil when
    /// the document is not an object or has no array under that key (then `value` is the whole document).
    public static func parse(_ bytes: [UInt8], deferringArray arrayKey: String, picking keys: Set<String>)
        throws(JSONParseError) -> (value: JSONValue, elements: [JSONDeferredElement]?)
    {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONParseError) in
            try parse(buffer, deferringArray: arrayKey, picking: keys)
        }
    }

    /// The same over bytes held elsewhere (a received message's body, without copying it); the ranges are
    /// offsets into `buffer`.
    public static func parse(
        _ buffer: UnsafeBufferPointer<UInt8>, deferringArray arrayKey: String, picking keys: Set<String>
    )
        throws(JSONParseError) -> (value: JSONValue, elements: [JSONDeferredElement]?)
    {
        do {
            var parser = JSONParser(buffer)
            parser.skipWhitespace()
            guard parser.index < buffer.count, buffer[parser.index] == UInt8(ascii: "{") else {
                let value = try parser.parseValue(depth: 0)
                parser.skipWhitespace()
                guard parser.index == buffer.count else {
                    throw parser.error("unexpected content after the JSON value")
                }
                return (value, nil)
            }
            let (value, elements) = try parser.parseObject(deferring: arrayKey, picking: keys)
            parser.skipWhitespace()
            guard parser.index == buffer.count else { throw parser.error("unexpected content after the JSON value") }
            return (value, elements)
        }
    }
}

extension JSONParser {
    /// The top-level object, as `parseObject` reads it, but with the array under `arrayKey` deferred.
    mutating func parseObject(deferring arrayKey: String, picking keys: Set<String>)
        throws(JSONParseError) -> (JSONValue, [JSONDeferredElement]?)
    {
        index += 1
        var object = JSONObject()
        var elements: [JSONDeferredElement]?
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
            index += 1
            return (.object(object), nil)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a key string") }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            if key == arrayKey, index < bytes.count, bytes[index] == UInt8(ascii: "[") {
                elements = try deferredElements(picking: keys)
                object[key] = .array([])
            } else {
                if key == arrayKey { elements = nil }
                object[key] = try parseValue(depth: 1)
            }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in an object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return (.object(object), elements)
            }
            throw error("expected ',' or '}'")
        }
    }

    /// The array at `index` (depth 1), each element skipped or, for an object, scanned for `keys`.
    mutating func deferredElements(picking keySet: Set<String>) throws(JSONParseError) -> [JSONDeferredElement] {
        let keys = keySet.isEmpty ? nil : PickedKeys(keySet)
        index += 1
        var elements: [JSONDeferredElement] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
            index += 1
            return elements
        }
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input") }
            let start = index
            if bytes[index] == UInt8(ascii: "{") {
                let (count, picked) = try scanObject(depth: 2, picking: keys)
                elements.append(JSONDeferredElement(range: start..<index, memberCount: count, picked: picked))
            } else {
                try skipValue(depth: 2)
                elements.append(JSONDeferredElement(range: start..<index, memberCount: nil, picked: []))
            }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in an array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return elements
            }
            throw error("expected ',' or ']'")
        }
    }

    /// An object at `index`, skipped except for the members named in `keys` (nil: only checked, as
    /// `skipValue` does for every object nested in a match; an optional, not an empty `PickedKeys`, so those
    /// calls do not retain and release its storage); a key written with escapes is decoded before it is
    /// compared, so no spelling of a picked key slips past.
    mutating func scanObject(depth: Int, picking keys: PickedKeys?)
        throws(JSONParseError) -> (Int, [JSONPickedMember])
    {
        guard depth < Self.maximumDepth else { throw error("nested more than \(Self.maximumDepth) deep") }
        index += 1
        var count = 0
        var picked: [JSONPickedMember] = []
        var commaBefore: Int?
        var firstPicked = false
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
            index += 1
            return (0, picked)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a key string") }
            let keyStart = index
            let escaped = try skipString()
            var key: String?
            if let keys {
                if !escaped {
                    key = keys.match(UnsafeBufferPointer(rebasing: bytes[(keyStart + 1)..<(index - 1)]))
                } else {
                    var again = self
                    again.index = keyStart
                    let decoded = try again.parseString()
                    key = keys.all.contains(decoded) ? decoded : nil
                }
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            count += 1
            if let key {
                let value = try parseValue(depth: depth + 1)
                picked.append(JSONPickedMember(key: key, value: value, removal: (commaBefore ?? keyStart)..<index))
                firstPicked = commaBefore == nil
            } else {
                try skipValue(depth: depth + 1)
                firstPicked = false
            }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in an object") }
            if bytes[index] == UInt8(ascii: ",") {
                if firstPicked { picked[picked.count - 1].removal = keyStart..<(index + 1) }
                commaBefore = index
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return (count, picked)
            }
            throw error("expected ',' or '}'")
        }
    }
}

/// The keys a scan picks, as bytes grouped by length: most keys of a record differ in length from every
/// picked key, so they cost one look-up and no comparison.
struct PickedKeys {
    let all: Set<String>
    let byLength: [[(bytes: [UInt8], key: String)]]

    init(_ keys: Set<String>) {
        all = keys
        var byLength = Array(
            repeating: [(bytes: [UInt8], key: String)](), count: (keys.map(\.utf8.count).max() ?? 0) + 1)
        for key in keys { byLength[key.utf8.count].append((Array(key.utf8), key)) }
        self.byLength = byLength
    }

    /// The picked key these bytes (a key without escapes) spell, if any.
    func match(_ text: UnsafeBufferPointer<UInt8>) -> String? {
        guard text.count < byLength.count else { return nil }
        for candidate in byLength[text.count] where candidate.bytes.withUnsafeBufferPointer({ $0.elementsEqual(text) })
        {
            return candidate.key
        }
        return nil
    }
}
