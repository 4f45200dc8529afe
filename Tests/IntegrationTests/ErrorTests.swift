import AMQPClient
import Foundation
import Glibc
import Testing
import VUMTesting

@Suite("Errors: each failure is distinct, readable and bounded in time", .timeLimit(.minutes(1)))
struct ErrorTests {
    /// A port on which nothing listens (bound once, then released).
    private func deadPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test("a dead port gives connectionRefused at once, naming the broker")
    func deadPortRefused() async throws {
        let port = try deadPort()
        var configuration = broker.configuration()
        configuration.port = port
        let start = ContinuousClock.now
        let error = await expectAMQPError(.connectionRefused) { _ = try await AMQPConnection.connect(configuration) }
        #expect(start.duration(to: .now) < .seconds(6))
        #expect(error?.description.contains(":\(port)") == true)
        #expect(error?.description.contains("in progress") == false)  // rabbitmq-c's leftover errno, not a reason
        #expect(error?.description.contains("scripts/broker.sh") == true)
    }

    @Test("a listener that never speaks AMQP gives a timeout within connectTimeout")
    func silentListenerTimesOut() async throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        listen(fd, 4)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        var configuration = broker.configuration()
        configuration.host = "127.0.0.1"
        configuration.port = Int(UInt16(bigEndian: address.sin_port))
        configuration.connectTimeout = .seconds(1)
        let start = ContinuousClock.now
        let error = await expectAMQPError(.connectTimeout) { _ = try await AMQPConnection.connect(configuration) }
        #expect(error?.description.contains("no AMQP answer within connectTimeout (1.0 seconds)") == true)
        // Alone this takes 1 s; under the full suite's parallel load it was seen at 5.7 s. Without the
        // configured timeout rabbitmq-c would wait its own 12 s handshake default, or for ever.
        #expect(start.duration(to: .now) < .seconds(10))
    }

    @Test("a wrong password gives loginRefused, and the password appears nowhere in the error")
    func loginRefused() async throws {
        var configuration = broker.configuration()
        configuration.authentication = .plain(user: broker.user, password: "not-the-password-4711")
        let error = await expectAMQPError(.loginRefused) { _ = try await AMQPConnection.connect(configuration) }
        #expect(error?.replyCode == 403)
        #expect(error?.description.contains("not-the-password-4711") == false)
        #expect(configuration.description.contains("not-the-password-4711") == false)
    }

    @Test("an unknown virtual host gives notAllowed")
    func unknownVirtualHost() async throws {
        var configuration = broker.configuration()
        configuration.virtualHost = uniqueName("novhost")
        let error = await expectAMQPError(.notAllowed) { _ = try await AMQPConnection.connect(configuration) }
        #expect(error?.replyCode == 530)
    }

    @Test("a missing exchange or queue gives notFound, and the helpers say it does not exist")
    func missingEntities() async throws {
        try await withConnection { connection in
            let name = uniqueName("absent")
            #expect(try await connection.exchangeExists(name) == false)
            #expect(try await connection.exchangeExists("amq.direct"))
            #expect(try await connection.queueInfo(name) == nil)
            let channel = try await connection.openChannel()
            let error = await expectAMQPError(.notFound) { try await channel.declareQueue(name, passive: true) }
            #expect(error?.context.queue == name)
            #expect(error?.description.contains("queue '\(name)'") == true)
        }
    }

    @Test("an operation the user has no permission for gives accessRefused")
    func permissionDenied() async throws {
        var limited = broker.configuration()
        limited.authentication = .plain(user: "vum-limited", password: "vum-limited")
        try await withConnection(limited) { connection in
            let channel = try await connection.openChannel()
            let error = await expectAMQPError(.accessRefused) {
                try await channel.declareQueue(uniqueName("forbidden"), exclusive: true)
            }
            #expect(error?.replyCode == 403)
        }
    }

    @Test("redeclaring a queue with other arguments gives preconditionFailed")
    func inequivalentArguments() async throws {
        try await withConnection { connection in
            let channel = try await connection.openChannel()
            let queue = try await channel.declareQueue(
                uniqueName("ttl"), exclusive: true,
                arguments: ["x-message-ttl": .int32(1000)])
            let error = await expectAMQPError(.preconditionFailed) {
                try await channel.declareQueue(queue.name, exclusive: true, arguments: ["x-message-ttl": .int32(2000)])
            }
            #expect(error?.replyText?.contains("inequivalent arg") == true, "\(String(describing: error))")
        }
    }

    @Test("calls on a closed connection fail with closed")
    func closedConnection() async throws {
        let connection = try await connect()
        let channel = try await connection.openChannel()
        await connection.close()
        #expect(!connection.isConnected)
        await expectAMQPError(.closed) { _ = try await channel.declareQueue(exclusive: true) }
        await expectAMQPError(.closed) { _ = try await connection.openChannel() }
    }
}
