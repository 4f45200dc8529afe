import Crypto
import Foundation
import VUMStandaard

/// Issues and checks vumIDs. A vumID names a match by its zoekvraag and its position in the answer,
/// sealed with an HMAC-SHA256 under the aggregator's secret key: `<vraagID>.<index>.<mac>`. Only the
/// aggregator can make one or map it back (the request store holds which bron and record the position
/// is); a changed character fails the seal. Who may use it and until when is checked against the
/// stored zoekvraag, so a vumID is bound to its asker and expires with its zoekvraag.
public struct VumIDs: Sendable {
    /// HMAC-SHA256 (RFC 2104) keyed once: the two SHA-256 states that have absorbed the key's inner and
    /// outer pads, copied for every vumID. Built from `SHA256` rather than `HMAC<SHA256>`: swift-crypto's
    /// HMAC is generic and not inlinable, so every call went through its unspecialised code (type
    /// metadata looked up per call, its `DataProtocol` update): 12 % of the aggregator's CPU under load,
    /// of which the hashing itself was a fifth. A test compares every vumID with `HMAC<SHA256>`'s.
    private final class Keyed: @unchecked Sendable {
        // Never mutated after init; every use copies the value. SHA256 is not marked Sendable on Linux.
        let inner: SHA256
        let outer: SHA256
        init(_ secret: Data) {
            let blockSize = SHA256.blockByteCount
            var key = secret.count > blockSize ? Array(SHA256.hash(data: secret)) : Array(secret)
            key += repeatElement(0, count: blockSize - key.count)
            var inner = SHA256()
            inner.update(data: key.map { $0 ^ 0x36 })
            var outer = SHA256()
            outer.update(data: key.map { $0 ^ 0x5C })
            self.inner = inner
            self.outer = outer
        }
    }
    private let keyed: Keyed
    /// The secret being rotated out: vumIDs it sealed still resolve, new ones are sealed with `keyed`.
    private let previous: Keyed?

    /// `secret`: at least 32 bytes, the same for every aggregator instance that shares a request store.
    /// `previous`: the secret it replaces, while vumIDs sealed with that one may still be presented
    /// (until the longest `vumid-lifetime` has passed since the change).
    public init(secret: Data, previous: Data? = nil) {
        keyed = Keyed(secret)
        self.previous = previous.map(Keyed.init)
    }

    /// A random secret, for tests and a single instance that may forget its vumIDs on restart.
    public static func randomSecret() -> Data {
        Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
    }

    public func issue(vraagID: String, index: Int) -> VumID {
        try! VumID(validating: issuedText(vraagID: vraagID, index: index))
    }

    /// The vumID as text: the same value as ``issue(vraagID:index:)`` without checking again what was just built.
    func issuedText(vraagID: String, index: Int) -> String {
        var text: [UInt8] = []
        writeIssued(vraagID: vraagID, index: index, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends the vumID's characters to `out`, for the merge writing hundreds per zoekvraag straight into
    /// the answer: its body is written first and sealed where it lies, so no string is built per vumID.
    func writeIssued(vraagID: String, index: Int, to out: inout [UInt8]) {
        let start = out.count
        out.append(contentsOf: vraagID.utf8)
        out.append(UInt8(ascii: "."))
        out.append(contentsOf: String(index).utf8)
        let code = out.withUnsafeBytes { seal(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        out.append(UInt8(ascii: "."))
        Self.appendBase64URL(code, to: &out)
    }

    /// The zoekvraag and position a vumID stands for, or `nil` when it is not one of ours, or tampered with.
    public func resolve(_ vumID: String) -> (vraagID: String, index: Int)? {
        let parts = vumID.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let index = Int(parts[1]), index >= 0, !parts[0].isEmpty else { return nil }
        let body = "\(parts[0]).\(parts[1])"
        let given = Array(parts[2].utf8)
        guard
            Self.same(Array(mac(body).utf8), given)
                || previous.map({ Self.same(Array(mac(body, $0).utf8), given) }) == true
        else { return nil }
        return (String(parts[0]), index)
    }

    /// Compared in constant time, so the seal cannot be guessed byte by byte.
    private static func same(_ expected: [UInt8], _ given: [UInt8]) -> Bool {
        guard expected.count == given.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(expected, given) { difference |= a ^ b }
        return difference == 0
    }

    /// 128 bits of the HMAC, base64url without padding (22 characters; the vumID alphabet allows - and _).
    func mac(_ body: String) -> String { mac(body, keyed) }

    private func mac(_ body: String, _ key: Keyed) -> String {
        var body = body
        let code = body.withUTF8 { seal(UnsafeRawBufferPointer($0), key) }
        var text: [UInt8] = []
        Self.appendBase64URL(code, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    private func seal(_ body: UnsafeRawBufferPointer, _ key: Keyed? = nil) -> SHA256Digest {
        let key = key ?? keyed
        var inner = key.inner
        inner.update(bufferPointer: body)
        var outer = key.outer
        inner.finalize().withUnsafeBytes { outer.update(bufferPointer: $0) }
        return outer.finalize()
    }

    /// The first 16 bytes of `code` in base64url, unpadded. Written out by hand: Foundation's base64 plus three
    /// `replacingOccurrences` took a fifth of the aggregator's CPU under load.
    private static func appendBase64URL(_ code: SHA256Digest, to out: inout [UInt8]) {
        code.withUnsafeBytes { bytes in
            var i = 0
            while i + 3 <= 15 {
                let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
                out.append(base64url[Int(n >> 18 & 63)])
                out.append(base64url[Int(n >> 12 & 63)])
                out.append(base64url[Int(n >> 6 & 63)])
                out.append(base64url[Int(n & 63)])
                i += 3
            }
            // The 16th byte: two characters, no padding.
            let last = UInt32(bytes[15])
            out.append(base64url[Int(last >> 2)])
            out.append(base64url[Int((last & 3) << 4)])
        }
    }

    private static let base64url: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
}
