import Foundation
import VUMStandaard

/// A seeded generator of hostile inputs: valid examples mutated at the byte level (bits flipped, bytes
/// replaced by JSON's structural characters or invalid UTF-8, ranges deleted, duplicated or spliced in from
/// another example, numbers made extreme, the end cut off). The same seed gives the same inputs, so a
/// failure is reproduced by its seed and index.
public struct Mutator: Sendable {
    public let corpus: [[UInt8]]
    public var random: SeededRandom

    public init(seed: UInt64, corpus: [[UInt8]]) {
        precondition(!corpus.isEmpty, "a mutator needs at least one example")
        self.corpus = corpus
        random = SeededRandom(seed: seed)
    }

    /// How many inputs a fuzz test runs: `VUM_FUZZ_ITERATIONS` (the opt-in long run uses 1,000,000), else `default`.
    public static func iterations(default value: Int) -> Int {
        ProcessInfo.processInfo.environment["VUM_FUZZ_ITERATIONS"].flatMap(Int.init) ?? value
    }

    /// The time limit of a fuzz test: ten minutes for the CI run, more in proportion for a long run.
    public static func timeLimit(default value: Int) -> Duration {
        .seconds(max(600, iterations(default: value) / 200))
    }

    static let interesting: [UInt8] =
        Array(#"{}[]",:\0-e.E+"#.utf8) + [0x00, 0x0A, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE2, 0xF0, 0xFF]
    static let extremes: [[UInt8]] = [
        "1e999", "-0", "99999999999999999999999", "-9223372036854775809", "0.0000000001e-400",
        "NaN", "1.5", "\"\"", "null", "true", "[]", "{}", "\"\\ud800\"",
    ].map { Array($0.utf8) }

    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(random.next() % UInt64(n)) }

    /// The next input: one example with one to four mutations.
    public mutating func next() -> [UInt8] {
        var bytes = corpus[below(corpus.count)]
        for _ in 0...below(4) {
            let count = bytes.count
            switch below(9) {
            case 0 where count > 0:
                bytes[below(count)] ^= UInt8(1) << UInt8(below(8))
            case 1 where count > 0:
                bytes[below(count)] = Self.interesting[below(Self.interesting.count)]
            case 2:
                bytes.insert(Self.interesting[below(Self.interesting.count)], at: below(count + 1))
            case 3 where count > 1:
                let start = below(count)
                let length = 1 + below(min(16, count - start))
                bytes.removeSubrange(start..<(start + length))
            case 4 where count > 1:
                let start = below(count)
                let length = 1 + below(min(32, count - start))
                bytes.insert(contentsOf: Array(bytes[start..<(start + length)]), at: below(count + 1))
            case 5:
                let other = corpus[below(corpus.count)]
                guard !other.isEmpty else { break }
                let start = below(other.count)
                let length = 1 + below(min(64, other.count - start))
                bytes.insert(contentsOf: other[start..<(start + length)], at: below(count + 1))
            case 6:
                // A number, or the start of a value, made extreme.
                if let at = bytes.indices.filter({ (0x30...0x39).contains(bytes[$0]) }).randomElement(using: &random) {
                    var end = at
                    while end < bytes.count, (0x30...0x39).contains(bytes[end]) || bytes[end] == 0x2E { end += 1 }
                    bytes.replaceSubrange(at..<end, with: Self.extremes[below(Self.extremes.count)])
                }
            case 7 where count > 0:
                bytes.removeSubrange(below(count)...)
            default:
                if count > 0 { bytes[below(count)] = UInt8(truncatingIfNeeded: random.next()) }
            }
        }
        return bytes
    }
}
