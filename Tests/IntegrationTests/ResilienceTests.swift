import AMQPClient
import Foundation
import Glibc
import Testing
import VUMTesting

/// Tests that stop, freeze or block a broker run on a node of their own, so the shared one is untouched.
@Suite("Resilience: heartbeats, reconnect, blocked publishers", .timeLimit(.minutes(3)))
struct ResilienceTests {
    @Test("heartbeats keep an idle connection alive")
    func heartbeatKeepsIdleConnectionAlive() async throws {
        var idle = broker.configuration()
        idle.heartbeat = .seconds(1)
        try await withConnection(idle) { connection in
            let (events, task) = connection.events.collect()
            defer { task.cancel() }
            let channel = try await connection.openChannel()
            try await channel.enableConfirms()
            let queue = try await channel.declareQueue(exclusive: true)
            // Idle for five heartbeat intervals: without heartbeats the broker closes after two.
            try await Task.sleep(for: .seconds(5))
            #expect(connection.isConnected)
            let seen = await events.items
            #expect(seen.isEmpty, "\(seen)")
            #expect(
                try await channel.publish(Data("still here".utf8), exchange: "", routingKey: queue.name) == .confirmed)
        }
    }

    @Test("of a cluster's nodes the first that answers is used; when none does, the error names each")
    func clusterNodesTriedInTurn() async throws {
        let dead1 = freeTCPPort()
        let dead2 = freeTCPPort()
        var secondAnswers = broker.configuration()
        secondAnswers.otherNodes = [.init(host: secondAnswers.host, port: secondAnswers.port)]
        secondAnswers.port = dead1
        try await withConnection(secondAnswers) { connection in
            let channel = try await connection.openChannel()
            let queue = try await channel.declareQueue(exclusive: true)
            #expect(queue.name.hasPrefix("amq.gen-"))
        }
        var configuration = broker.configuration()
        configuration.port = dead1
        configuration.otherNodes = [.init(host: "127.0.0.1", port: dead2)]
        configuration.reconnect = nil
        await #expect {
            try await AMQPConnection.connect(configuration)
        } throws: { error in
            let text = "\(error)"
            return (error as? AMQPError)?.code == .connectionRefused && text.contains(":\(dead1)")
                && text.contains("the other nodes failed too: 127.0.0.1:\(dead2)")
        }
    }

    @Test("after the broker node stops and starts, channels, confirms, queues and consumers come back")
    func reconnectRestoresEverything() async throws {
        try await PrivateBroker.with(name: "reconnect") { node in
            var configuration = try node.environment().configuration()
            configuration.heartbeat = .seconds(2)
            configuration.reconnect?.initialDelay = .milliseconds(100)
            configuration.reconnect?.maximumDelay = .seconds(1)
            let connection = try await AMQPConnection.connect(configuration)
            let (events, eventTask) = connection.events.collect()
            defer { eventTask.cancel() }

            let channel = try await connection.openChannel()
            try await channel.qos(prefetchCount: 10)
            try await channel.enableConfirms()
            let durable = uniqueName("durable")
            try await channel.declareQueue(durable, durable: true)
            let temporary = try await channel.declareQueue(exclusive: true)
            let key = uniqueName("key")
            try await channel.bindQueue(temporary.name, exchange: "amq.direct", routingKey: key)
            let (durableInbox, t1) = try await channel.consume(queue: durable).collect()
            let (temporaryInbox, t2) = try await channel.consume(queue: temporary.name).collect()
            defer {
                t1.cancel()
                t2.cancel()
            }

            #expect(try await channel.publish(Data("before".utf8), exchange: "", routingKey: durable) == .confirmed)
            let before = try await durableInbox.next()

            try await node.stop()
            guard case .disconnected(let error) = try await events.next(timeout: .seconds(15), "disconnected event")
            else {
                Issue.record("expected a disconnected event first")
                return
            }
            #expect([AMQPError.Code.connectionLost, .connectionClosed].contains(error.code), "\(error)")
            #expect(!connection.isConnected)
            await expectAMQPError(.connectionLost) {
                try await channel.publish(Data("while down".utf8), exchange: "", routingKey: durable)
            }

            try await node.restart()
            var renamed: [String: String] = [:]
            while true {
                let event = try await events.next(timeout: .seconds(30), "reconnected event")
                if case .reconnected(let names) = event {
                    renamed = names
                    break
                }
            }
            #expect(connection.isConnected)
            let newName = try #require(renamed[temporary.name], "the server-named queue should be reported renamed")
            #expect(newName != temporary.name)

            // A delivery from before the restart cannot be acknowledged any more: the broker redelivers it.
            await expectAMQPError(.staleDelivery) { try await before.ack() }

            #expect(try await channel.publish(Data("after".utf8), exchange: "", routingKey: durable) == .confirmed)
            #expect(
                try await channel.publish(Data("routed".utf8), exchange: "amq.direct", routingKey: key) == .confirmed)
            let after = try await durableInbox.next(timeout: .seconds(10), "delivery after reconnect")
            #expect(String(decoding: after.body, as: UTF8.self) == "after")
            try await after.ack()
            let routed = try await temporaryInbox.next(timeout: .seconds(10), "delivery on the renamed queue")
            #expect(String(decoding: routed.body, as: UTF8.self) == "routed")
            #expect(routed.routingKey == key)
            try await routed.ack()
            try await channel.deleteQueue(durable)
            await connection.close()
        }
    }

    @Test("a frozen broker is detected by missed heartbeats, and the connection comes back when it thaws")
    func frozenBrokerDetected() async throws {
        try await PrivateBroker.with(name: "frozen") { node in
            var configuration = try node.environment().configuration()
            configuration.heartbeat = .seconds(1)
            configuration.reconnect?.maximumDelay = .milliseconds(500)
            let connection = try await AMQPConnection.connect(configuration)
            let (events, eventTask) = connection.events.collect()
            defer { eventTask.cancel() }
            let pidText = try String(contentsOfFile: node.directory + "/rabbitmq.pid", encoding: .utf8)
            let pid = try #require(pid_t(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
            kill(pid, SIGSTOP)
            let frozenAt = ContinuousClock.now
            let event = try await events.next(timeout: .seconds(15), "disconnected event")
            kill(pid, SIGCONT)
            guard case .disconnected(let error) = event else {
                Issue.record("expected disconnected, got \(event)")
                return
            }
            #expect(error.code == .heartbeatTimeout, "\(error)")
            #expect(frozenAt.duration(to: .now) < .seconds(10))
            while true {
                if case .reconnected = try await events.next(timeout: .seconds(30), "reconnected event") { break }
            }
            let channel = try await connection.openChannel()
            _ = try await channel.declareQueue(exclusive: true)
            await connection.close()
        }
    }

    @Test("while the broker blocks publishers, publishing waits and then times out; it resumes when unblocked")
    func blockedPublishing() async throws {
        try await PrivateBroker.with(name: "blocked") { node in
            var configuration = try node.environment().configuration()
            configuration.blockedPublishTimeout = .seconds(1)
            let connection = try await AMQPConnection.connect(configuration)
            let (events, eventTask) = connection.events.collect()
            defer { eventTask.cancel() }
            let channel = try await connection.openChannel()
            let queue = try await channel.declareQueue(exclusive: true)

            try await node.ctl(["set_vm_memory_high_watermark", "absolute", "1"])
            // RabbitMQ tells a connection it is blocked once it publishes under the alarm.
            var sawBlocked = false
            for _ in 0..<50 where !sawBlocked {
                _ = try? await channel.publish(Data("x".utf8), exchange: "", routingKey: queue.name)
                try await Task.sleep(for: .milliseconds(100))
                sawBlocked = await events.items.contains { if case .blocked = $0 { true } else { false } }
            }
            let seen = await events.items
            #expect(sawBlocked, "no connection.blocked within 5 s: \(seen)")
            let start = ContinuousClock.now
            await expectAMQPError(.blockedTimeout) {
                try await channel.publish(Data("waits".utf8), exchange: "", routingKey: queue.name)
            }
            #expect(start.duration(to: .now) >= .milliseconds(900))

            try await node.ctl(["set_vm_memory_high_watermark", "0.4"])
            let deadline = ContinuousClock.now + .seconds(20)
            while !(await events.items.contains(.unblocked)) && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            let unblocked = await events.items.contains(.unblocked)
            #expect(unblocked)
            try await channel.enableConfirms()
            #expect(try await channel.publish(Data("flows".utf8), exchange: "", routingKey: queue.name) == .confirmed)
            await connection.close()
        }
    }
}
