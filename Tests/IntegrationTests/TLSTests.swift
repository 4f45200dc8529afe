import AMQPClient
import Foundation
import Testing
import VUMTesting

@Suite("TLS and EXTERNAL login", .timeLimit(.minutes(1)))
struct TLSTests {
    private func tlsConfiguration(
        host: String = "localhost", ca: String? = broker.caFile, certificate: String? = broker.clientCertificate,
        key: String? = broker.clientKey, authentication: AMQPConfiguration.Authentication = .external
    ) throws -> AMQPConfiguration {
        let port = try #require(broker.tlsPort, "RABBITMQ_TLS_PORT is not set: \(broker.unreachableHint)")
        let ca = try #require(ca, "RABBITMQ_CA_FILE is not set: \(broker.unreachableHint)")
        var tls = AMQPConfiguration.TLS(caFile: ca, certificateFile: certificate, keyFile: key)
        tls.verifyPeer = true
        tls.verifyHostname = true
        return AMQPConfiguration(host: host, port: port, authentication: authentication, tls: tls)
    }

    @Test("EXTERNAL login with a client certificate: the broker user is the certificate's common name")
    func externalLogin() async throws {
        let connection = try await AMQPConnection.connect(try tlsConfiguration())
        let channel = try await connection.openChannel()
        try await channel.enableConfirms()
        let queue = try await channel.declareQueue(exclusive: true)
        // user_id is checked by the broker against the authenticated user: this proves who we are.
        let outcome = try await channel.publish(
            Data("hello".utf8), exchange: "", routingKey: queue.name,
            properties: AMQPProperties(userID: "vum-tls-client"))
        #expect(outcome == .confirmed)
        await connection.close()
    }

    @Test("PLAIN login over TLS works too")
    func plainOverTLS() async throws {
        let configuration = try tlsConfiguration(authentication: .plain(user: broker.user, password: broker.password))
        let connection = try await AMQPConnection.connect(configuration)
        _ = try await connection.openChannel().declareQueue(exclusive: true)
        await connection.close()
    }

    @Test("a broker certificate from a CA we do not trust is refused")
    func wrongCA() async throws {
        let rogueCA = try #require(broker.caFile).replacingOccurrences(of: "/ca.pem", with: "/rogue-ca.pem")
        let error = await expectAMQPError(.tls) {
            _ = try await AMQPConnection.connect(try tlsConfiguration(ca: rogueCA))
        }
        #expect(error?.detail?.contains("verif") == true, "\(String(describing: error))")
    }

    @Test("a host name the broker certificate does not name is refused")
    func wrongHostname() async throws {
        // The certificate names `localhost`; 127.0.0.1 is the same broker under a name it does not carry.
        let error = await expectAMQPError(.tls) {
            _ = try await AMQPConnection.connect(try tlsConfiguration(host: "127.0.0.1"))
        }
        #expect(error?.detail?.lowercased().contains("hostname") == true, "\(String(describing: error))")
    }

    @Test("a client certificate from another CA is refused by the broker")
    func rogueClientCertificate() async throws {
        let configuration = try tlsConfiguration(certificate: broker.rogueCertificate, key: broker.rogueKey)
        await expectAMQPError(.tls) { _ = try await AMQPConnection.connect(configuration) }
    }

    @Test("a missing CA file is a clear TLS error before connecting")
    func missingCAFile() async throws {
        let error = await expectAMQPError(.tls) {
            _ = try await AMQPConnection.connect(try tlsConfiguration(ca: "/nonexistent/ca.pem"))
        }
        #expect(error?.description.contains("/nonexistent/ca.pem") == true)
    }
}
