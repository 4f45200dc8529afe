import Foundation

/// Throwaway certificates made by `scripts/certificates.sh` in a temporary folder: a CA, a server
/// certificate for localhost and 127.0.0.1, a client certificate, and a client certificate from another CA.
public struct TestCertificates: Sendable {
    public let directory: String
    public var ca: String { directory + "/ca.pem" }
    public var serverCertificate: String { directory + "/server.pem" }
    public var serverKey: String { directory + "/server.key" }
    public var clientCertificate: String { directory + "/client.pem" }
    public var clientKey: String { directory + "/client.key" }
    public var rogueCertificate: String { directory + "/rogue-client.pem" }
    public var rogueKey: String { directory + "/rogue-client.key" }

    public static func make(sourceFile: String = #filePath) async throws -> TestCertificates {
        let script = try RepositoryScript.path("certificates.sh", above: sourceFile)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vum-certs-\(UUID().uuidString.prefix(8))"
        ).path
        let result = try await ChildProcess.run("/bin/bash", [script, directory])
        guard result.status == 0 else {
            throw InboxError("scripts/certificates.sh failed (\(result.status)): \(result.output)")
        }
        return TestCertificates(directory: directory)
    }

    public func remove() { try? FileManager.default.removeItem(atPath: directory) }
}
