import AMQPClient
import Foundation
import Testing
import VUMTesting

@Suite("Consuming: acknowledgements, dead-lettering, prefetch, cancellation", .timeLimit(.minutes(1)))
struct ConsumeTests {
    /// A queue that dead-letters to its own fanout exchange and dead queue, deleted afterwards.
    private func deadLetteringQueue(_ channel: AMQPChannel) async throws -> (
        queue: String, dead: String, cleanup: () async -> Void
    ) {
        let dlx = uniqueName("dlx")
        let dead = uniqueName("dead")
        try await channel.declareExchange(dlx, type: .fanout, durable: false, autoDelete: false)
        try await channel.declareQueue(dead, exclusive: true)
        try await channel.bindQueue(dead, exchange: dlx)
        let queue = try await channel.declareQueue(
            uniqueName("inbox"), exclusive: true,
            arguments: ["x-dead-letter-exchange": .string(dlx)])
        return (queue.name, dead, { try? await channel.deleteExchange(dlx) })
    }

    @Test("reject and nack without requeue dead-letter the message; ack removes it; nack with requeue redelivers")
    func acknowledgementsAndDeadLettering() async throws {
        try await withConnection { connection in
            let channel = try await connection.openChannel()
            let setup = try await deadLetteringQueue(channel)
            let (inbox, task) = try await channel.consume(queue: setup.queue).collect()
            defer { task.cancel() }
            for name in ["acked", "rejected", "nacked", "requeued"] {
                try await channel.publish(
                    Data(name.utf8), exchange: "", routingKey: setup.queue,
                    properties: AMQPProperties(messageID: name))
            }
            try await inbox.next().ack()
            try await inbox.next().reject(requeue: false)
            try await inbox.next().nack(requeue: false)
            let requeued = try await inbox.next()
            #expect(!requeued.redelivered)
            try await requeued.nack(requeue: true)
            let again = try await inbox.next()
            #expect(again.properties.messageID == "requeued")
            #expect(again.redelivered)
            try await again.ack()

            let deadChannel = try await connection.openChannel()
            let (dead, deadTask) = try await deadChannel.consume(queue: setup.dead).collect()
            defer { deadTask.cancel() }
            let first = try await dead.next()
            let second = try await dead.next()
            #expect(Set([first.properties.messageID, second.properties.messageID]) == ["rejected", "nacked"])
            #expect(first.properties.headers?["x-death"] != nil)
            try await first.ack()
            try await second.ack()
            #expect(try await connection.queueInfo(setup.queue)?.messageCount == 0)
            await setup.cleanup()
        }
    }

    @Test("prefetch bounds unacknowledged deliveries; an ack releases the next one")
    func prefetch() async throws {
        try await withConnection { connection in
            let channel = try await connection.openChannel()
            let queue = try await channel.declareQueue(exclusive: true)
            for i in 0..<5 { try await channel.publish(Data("\(i)".utf8), exchange: "", routingKey: queue.name) }
            let consumerChannel = try await connection.openChannel()
            try await consumerChannel.qos(prefetchCount: 2)
            let (inbox, task) = try await consumerChannel.consume(queue: queue.name).collect()
            defer { task.cancel() }
            let first = try await inbox.next()
            _ = try await inbox.next()
            // With two unacknowledged deliveries the broker keeps the other three ready.
            try await Task.sleep(for: .milliseconds(200))
            #expect(await inbox.items.count == 2)
            #expect(try await connection.queueInfo(queue.name)?.messageCount == 3)
            try await first.ack()
            let third = try await inbox.next()
            #expect(String(decoding: third.body, as: UTF8.self) == "2")
            #expect(try await connection.queueInfo(queue.name)?.messageCount == 2)
        }
    }

    @Test("a consumer whose queue is deleted ends with consumerCancelled, not a hang")
    func brokerCancelsConsumer() async throws {
        try await withConnection { connection in
            let channel = try await connection.openChannel()
            let name = uniqueName("doomed")
            try await channel.declareQueue(name, durable: false)
            let (inbox, task) = try await channel.consume(queue: name).collect()
            defer { task.cancel() }
            let other = try await connection.openChannel()
            try await other.deleteQueue(name)
            let error = try await inbox.ended()
            #expect((error as? AMQPError)?.code == .consumerCancelled, "\(String(describing: error))")
            // The channel itself stays open.
            _ = try await channel.declareQueue(exclusive: true)
        }
    }

    @Test("cancelling a consumer ends its sequence; messages it did not get stay in the queue")
    func clientCancel() async throws {
        try await withConnection { connection in
            let channel = try await connection.openChannel()
            try await channel.qos(prefetchCount: 1)
            let queue = try await channel.declareQueue(exclusive: true)
            let consumer = try await channel.consume(queue: queue.name)
            let (inbox, task) = consumer.collect()
            defer { task.cancel() }
            for i in 0..<3 { try await channel.publish(Data("\(i)".utf8), exchange: "", routingKey: queue.name) }
            let first = try await inbox.next()
            try await consumer.cancel()
            #expect(try await inbox.ended() == nil)
            try await first.ack()
            #expect(try await connection.queueInfo(queue.name)?.messageCount == 2)
        }
    }

    @Test(
        "a consumer on the connection's executor runs on its owner thread and answers; after close it goes on elsewhere"
    )
    func ownerThreadExecutor() async throws {
        let connection = try await connect()
        let channel = try await connection.openChannel()
        let requests = try await channel.declareQueue(exclusive: true)
        let replies = try await channel.declareQueue(exclusive: true)
        let consumer = try await channel.consume(queue: requests.name, noAck: true)
        let responder = Task(executorPreference: connection.executor) { () -> [String] in
            var threads: [String] = []
            for try await request in consumer {
                threads.append(currentThreadName())
                try await channel.publish(request.body, exchange: "", routingKey: replies.name)
                if threads.count == 50 { break }
            }
            return threads
        }
        let (inbox, task) = try await channel.consume(queue: replies.name, noAck: true).collect()
        defer { task.cancel() }
        for i in 0..<50 {
            try await channel.publish(Data("\(i)".utf8), exchange: "", routingKey: requests.name)
            #expect(String(decoding: try await inbox.next().body, as: UTF8.self) == "\(i)")
        }
        let threads = try await responder.value
        #expect(threads.count == 50)
        #expect(threads.allSatisfy { $0.hasPrefix("amqp:") }, "ran on \(Set(threads))")

        // A task that prefers the executor of a connection that closes while it waits still finishes.
        let late = Task(executorPreference: connection.executor) { () -> Int in
            try await Task.sleep(for: .milliseconds(300))
            return 7
        }
        try await Task.sleep(for: .milliseconds(50))
        await connection.close()
        #expect(try await late.value == 7)
    }
}

/// The system's name of the thread running the caller.
private func currentThreadName() -> String {
    (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?
        .trimmingCharacters(in: .newlines) ?? "?"
}
