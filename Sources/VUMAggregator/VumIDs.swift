import Crypto
import Foundation
import VUMStandaard

/// Issues and checks vumIDs. A vumID names a match by its zoekvraag and its position in the answer,
/// sealed with an HMAC-SHA256 under the aggregator's secret key: `<vraagID>.<index>.<mac>`. Only the
/// aggregator can make one or map it back (the request store holds which bron and record the position
/// is); a changed character fails the seal. Who may use it and until when is checked against the
/// stored zoekvraag, so a vumID is bound to its asker and expires with its zoekvraag.
public struct VumIDs: Sendable {
    private let secret: Data

    /// `secret`: at least 32 bytes, the same for every aggregator instance that shares a request store.
    public init(secret: Data) {
        self.secret = secret
    }

    /// A random secret, for tests and a single instance that may forget its vumIDs on restart.
    public static func randomSecret() -> Data {
        Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
    }

    public func issue(vraagID: String, index: Int) -> VumID {
        let body = "\(vraagID).\(index)"
        return try! VumID(validating: body + "." + mac(body))
    }

    /// The zoekvraag and position a vumID stands for, or `nil` when it is not one of ours, or tampered with.
    public func resolve(_ vumID: String) -> (vraagID: String, index: Int)? {
        let parts = vumID.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let index = Int(parts[1]), index >= 0, !parts[0].isEmpty else { return nil }
        let body = "\(parts[0]).\(parts[1])"
        // Compared in constant time, so the seal cannot be guessed byte by byte.
        let expected = Array(mac(body).utf8)
        let given = Array(parts[2].utf8)
        guard expected.count == given.count else { return nil }
        var difference: UInt8 = 0
        for (a, b) in zip(expected, given) { difference |= a ^ b }
        guard difference == 0 else { return nil }
        return (String(parts[0]), index)
    }

    private func mac(_ body: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: secret))
        // 128 bits of the MAC, base64url without padding: the vumID alphabet allows - and _.
        return Data(Array(code).prefix(16)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
