import Foundation
import Testing
import VUMTesting

@testable import AMQPClient

@Suite("Publishing: properties, headers, mandatory returns, confirms", .timeLimit(.minutes(1)))
struct PublishTests {
    @Test("every basic property and every header type survives a round trip through the broker")
    func roundTripAllProperties() async throws {
        try await withConnection { connection in
            let channel = try await connection.openChannel()
            let queue = try await channel.declareQueue(exclusive: true)
            let (inbox, task) = try await channel.consume(queue: queue.name).collect()
            defer { task.cancel() }
            let headers: AMQPTable = [
                "string": "zoekvraag ü€", "int8": .int8(-8), "int16": .int16(-16000), "int32": .int32(-2_000_000),
                "int64": .int64(1_700_000_000_123), "bool-true": true, "bool-false": false, "double": .double(2.5),
                "float": .float(1.25), "timestamp": .timestamp(1_764_000_000), "bytes": .bytes([0, 1, 254, 255]),
                "void": .void, "array": .array(["a", .int64(2), true]),
                "nested": .table(["x-vum-bron": "gemeente-a", "deeper": .table(["n": .int32(7)])]),
            ]
            let sent = AMQPProperties(
                contentType: "application/json", contentEncoding: "utf-8", headers: headers,
                deliveryMode: .persistent, priority: 5, correlationID: "vraag-1", replyTo: "amq.gen-reply",
                expiration: "60000", messageID: "msg-1", timestamp: 1_764_000_001, type: "vum.zoekvraag.v1",
                userID: broker.user, appID: "tests/1.0", clusterID: "c1")
            let body = Data("{\"vraag\":\"€\"}".utf8)
            try await channel.publish(body, exchange: "", routingKey: queue.name, properties: sent)
            let delivery = try await inbox.next()
            #expect(delivery.body == body)
            #expect(delivery.properties == sent)
            #expect(delivery.properties.headers?["nested"]?.tableValue?["deeper"]?.tableValue?["n"] == .int32(7))
            #expect(delivery.routingKey == queue.name)
            #expect(delivery.exchange == "")
            #expect(!delivery.redelivered)
            try await delivery.ack()
        }
    }

    @Test("an empty body and a body larger than one frame arrive intact")
    func bodySizes() async throws {
        try await withConnection { connection in
            let channel = try await connection.openChannel()
            let queue = try await channel.declareQueue(exclusive: true)
            let (inbox, task) = try await channel.consume(queue: queue.name, noAck: true).collect()
            defer { task.cancel() }
            let big = Data((0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            try await channel.publish(Data(), exchange: "", routingKey: queue.name)
            try await channel.publish(big, exchange: "", routingKey: queue.name)
            #expect(try await inbox.next().body.isEmpty)
            #expect(try await inbox.next().body == big)
        }
    }

    /// Over plain TCP a publish writes its frames itself, in one system call (`vumamqp_publish_plain`), and
    /// falls back to rabbitmq-c's `amqp_basic_publish` when the frames do not fit its buffers. With the
    /// smallest frame size the broker allows, bodies on each side of every frame boundary, of the most
    /// frames it writes itself and one more, and (with twice that frame size) headers too large for its
    /// 4 KiB buffer must all arrive intact.
    @Test(
        "bodies on every frame boundary and large headers arrive intact, written directly or not",
        arguments: [false, true])
    func frameBoundaries(largeHeaders: Bool) async throws {
        let frameMax = largeHeaders ? 8192 : 4096
        var configuration = broker.configuration()
        configuration.frameMax = frameMax
        try await withConnection(configuration) { connection in
            let channel = try await connection.openChannel()
            let queue = try await channel.declareQueue(exclusive: true)
            let (inbox, task) = try await channel.consume(queue: queue.name, noAck: true).collect()
            defer { task.cancel() }
            let chunk = frameMax - 8
            let sizes = [0, 1, chunk - 1, chunk, chunk + 1, 2 * chunk, 2 * chunk + 1, 64 * chunk, 64 * chunk + 1]
            let headers: AMQPTable? =
                largeHeaders
                ? ["x-padding": .string(String(repeating: "p", count: 5_000)), "x-n": .int32(1)] : nil
            for (n, size) in sizes.enumerated() {
                let body = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ n) })
                let properties = AMQPProperties(
                    contentType: "application/octet-stream", headers: headers,
                    messageID: "m\(n)")
                try await channel.publish(body, exchange: "", routingKey: queue.name, properties: properties)
            }
            for (n, size) in sizes.enumerated() {
                let delivery = try await inbox.next()
                #expect(delivery.properties.messageID == "m\(n)")
                #expect(delivery.properties.headers == headers)
                #expect(delivery.body.count == size)
                #expect(delivery.body == Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ n) }))
            }
        }
    }

    /// The client recycles rabbitmq-c's frame memory of a channel after every frame it handles: bodies of
    /// several frames, arriving interleaved on two channels with acknowledgements in between, must still
    /// come out byte for byte (nothing kept may point into recycled memory).
    @Test("multi-frame bodies interleaved on two channels arrive intact, each its own")
    func interleavedMultiFrameBodies() async throws {
        try await withConnection { connection in
            let publisher = try await connection.openChannel()
            func body(_ queue: Int, _ n: Int) -> Data {
                Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* (2 * n + 1) &+ queue) })
            }
            var consumers: [(name: String, channel: AMQPChannel)] = []
            for _ in 0..<2 {
                let channel = try await connection.openChannel()
                try await channel.qos(prefetchCount: 4)
                consumers.append((try await channel.declareQueue(exclusive: true).name, channel))
            }
            let count = 12
            for n in 0..<count {
                for (q, consumer) in consumers.enumerated() {
                    try await publisher.publish(
                        body(q, n), exchange: "", routingKey: consumer.name,
                        properties: AMQPProperties(messageID: "\(q).\(n)"))
                }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (q, consumer) in consumers.enumerated() {
                    let stream = try await consumer.channel.consume(queue: consumer.name)
                    group.addTask {
                        var n = 0
                        for try await delivery in stream {
                            #expect(delivery.properties.messageID == "\(q).\(n)")
                            #expect(delivery.body == body(q, n), "message \(q).\(n)")
                            try await delivery.ack()
                            n += 1
                            if n == count { return }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test("a mandatory message that no queue takes comes back as a return, and as the publish outcome")
    func mandatoryReturn() async throws {
        try await withConnection { connection in
            let channel = try await connection.openChannel()
            let (returns, task) = channel.returns.collect()
            defer { task.cancel() }
            let key = uniqueName("nobody")
            let outcome = try await channel.publish(
                Data("late".utf8), exchange: "amq.direct", routingKey: key, mandatory: true,
                properties: AMQPProperties(messageID: "m1"))
            #expect(outcome == .sent)
            let returned = try await returns.next()
            #expect(returned.replyCode == 312)
            #expect(returned.replyText == "NO_ROUTE")
            #expect(returned.routingKey == key)
            #expect(returned.exchange == "amq.direct")
            #expect(returned.body == Data("late".utf8))

            try await channel.enableConfirms()
            let confirmed = try await channel.publish(
                Data("late again".utf8), exchange: "amq.direct", routingKey: key, mandatory: true,
                properties: AMQPProperties(messageID: "m2"))
            guard case .returned(let message) = confirmed else {
                Issue.record("expected .returned, got \(confirmed)")
                return
            }
            #expect(message.properties.messageID == "m2")
        }
    }

    @Test("one task's publishes and acks arrive in order, whether it writes them itself or hands them over")
    func orderAcrossWritePaths() async throws {
        try await withConnection { connection in
            let channel = try await connection.openChannel()
            let queue = try await channel.declareQueue(exclusive: true)
            let consumer = try await channel.consume(queue: queue.name)
            let count = 50_000
            let shared = connection.shared
            let callerWritesBefore = shared.callerWrites.load(ordering: .relaxed)
            let handedOverBefore = shared.handedOverPublishes.load(ordering: .relaxed)
            // Consumed (and acknowledged, on the same connection) while the publishes go out, so the
            // socket is sometimes idle (the task writes) and sometimes busy (it hands over).
            let received = Task {
                var bodies: [String] = []
                for try await delivery in consumer {
                    bodies.append(String(decoding: delivery.body, as: UTF8.self))
                    try await delivery.ack()
                    if bodies.count == count { break }
                }
                return bodies
            }
            for i in 0..<count {
                try await channel.publish(Data("\(i)".utf8), exchange: "", routingKey: queue.name)
            }
            let bodies = try await received.value
            let firstOutOfOrder = bodies.indices.first { bodies[$0] != "\($0)" }
            #expect(
                firstOutOfOrder == nil,
                "message \(firstOutOfOrder ?? -1) is \(firstOutOfOrder.map { bodies[$0] } ?? "")")
            let callerWrites = shared.callerWrites.load(ordering: .relaxed) - callerWritesBefore
            let handedOver = shared.handedOverPublishes.load(ordering: .relaxed) - handedOverBefore
            #expect(
                callerWrites > 0 && handedOver > 0, "written by the task: \(callerWrites), handed over: \(handedOver)")
            // Every message was acknowledged: closing the channel returns nothing to the queue.
            await channel.close()
            #expect(try await connection.queueInfo(queue.name)?.messageCount == 0)
        }
    }

    @Test("in confirm mode a routed publish is confirmed by the broker")
    func confirmAck() async throws {
        try await withConnection { connection in
            let channel = try await connection.openChannel()
            try await channel.enableConfirms()
            let queue = try await channel.declareQueue(exclusive: true)
            for i in 0..<50 {
                let outcome = try await channel.publish(
                    Data("\(i)".utf8), exchange: "", routingKey: queue.name,
                    properties: AMQPProperties(deliveryMode: .persistent))
                #expect(outcome == .confirmed)
            }
            #expect(try await connection.queueInfo(queue.name)?.messageCount == 50)
        }
    }

    @Test("concurrent confirmed publishes on one channel each get their own confirm")
    func concurrentConfirms() async throws {
        try await withConnection { connection in
            let channel = try await connection.openChannel()
            try await channel.enableConfirms()
            let queue = try await channel.declareQueue(exclusive: true)
            let outcomes = try await withThrowingTaskGroup(of: AMQPPublishOutcome.self) { group in
                for i in 0..<200 {
                    group.addTask {
                        try await channel.publish(Data("\(i)".utf8), exchange: "", routingKey: queue.name)
                    }
                }
                return try await group.reduce(into: [AMQPPublishOutcome]()) { $0.append($1) }
            }
            #expect(outcomes.count == 200)
            #expect(outcomes.allSatisfy { $0 == .confirmed })
            #expect(try await connection.queueInfo(queue.name)?.messageCount == 200)
        }
    }

    @Test("the broker's nack (a full queue that rejects publishes) fails the publish with publishNacked")
    func confirmNack() async throws {
        try await withConnection { connection in
            let channel = try await connection.openChannel()
            try await channel.enableConfirms()
            let queue = try await channel.declareQueue(
                exclusive: true, arguments: ["x-max-length": .int32(1), "x-overflow": "reject-publish"])
            #expect(try await channel.publish(Data("1".utf8), exchange: "", routingKey: queue.name) == .confirmed)
            await expectAMQPError(.publishNacked) {
                try await channel.publish(Data("2".utf8), exchange: "", routingKey: queue.name)
            }
            // The channel stays usable after a nack.
            _ = try await channel.purgeQueue(queue.name)
            #expect(try await channel.publish(Data("3".utf8), exchange: "", routingKey: queue.name) == .confirmed)
        }
    }

    @Test("publishing to a missing exchange fails the confirm with notFound and closes the channel")
    func publishToMissingExchange() async throws {
        try await withConnection { connection in
            let channel = try await connection.openChannel()
            try await channel.enableConfirms()
            let exchange = uniqueName("missing")
            let error = await expectAMQPError(.notFound) {
                try await channel.publish(Data("x".utf8), exchange: exchange, routingKey: "k")
            }
            #expect(error?.replyCode == 404)
            #expect(error?.replyText?.contains(exchange) == true)
            // Later calls say why the channel is gone; a new channel works.
            await expectAMQPError(.notFound) { _ = try await channel.declareQueue(exclusive: true) }
            let fresh = try await connection.openChannel()
            _ = try await fresh.declareQueue(exclusive: true)
        }
    }

    @Test("a user_id that is not the connection's user is refused by the broker")
    func forgedUserID() async throws {
        try await withConnection { connection in
            let channel = try await connection.openChannel()
            try await channel.enableConfirms()
            let queue = try await channel.declareQueue(exclusive: true)
            #expect(
                try await channel.publish(
                    Data("mine".utf8), exchange: "", routingKey: queue.name,
                    properties: AMQPProperties(userID: broker.user)) == .confirmed)
            let error = await expectAMQPError(.preconditionFailed) {
                try await channel.publish(
                    Data("forged".utf8), exchange: "", routingKey: queue.name,
                    properties: AMQPProperties(userID: "bron-someone-else"))
            }
            #expect(error?.replyCode == 406)
            #expect(error?.replyText?.contains("user_id") == true)
        }
    }
}
