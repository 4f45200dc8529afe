import AMQPClient
import Foundation

// A request/reply round trip through the broker: the smallest thing that shows the AMQP layer works.
// Reads the RABBITMQ_* variables that scripts/broker.sh writes (defaults: localhost:5672, vum-admin).
let env = ProcessInfo.processInfo.environment
var configuration = AMQPConfiguration(
    host: env["RABBITMQ_HOST"] ?? "localhost", port: Int(env["RABBITMQ_PORT"] ?? "") ?? 5672,
    authentication: .plain(user: env["RABBITMQ_USER"] ?? "vum-admin", password: env["RABBITMQ_PASSWORD"] ?? "vum-admin")
)
configuration.connectionName = "amqp-example"

do {
    let connection = try await AMQPConnection.connect(configuration)
    let channel = try await connection.openChannel()
    let requests = try await channel.declareQueue(exclusive: true, autoDelete: true)
    let replies = try await channel.declareQueue(exclusive: true, autoDelete: true)

    // The "server": answers each request on its reply_to queue with the same correlation id.
    let server = try await channel.consume(queue: requests.name)
    let serverTask = Task {
        for try await request in server {
            let text = String(decoding: request.body, as: UTF8.self)
            try await channel.publish(
                Data("answer to \(text)".utf8), exchange: "", routingKey: request.properties.replyTo ?? "",
                properties: AMQPProperties(contentType: "text/plain", correlationID: request.properties.correlationID))
            try await request.ack()
        }
    }
    let client = try await channel.consume(queue: replies.name, noAck: true)
    var iterator = client.makeAsyncIterator()
    for n in 1...3 {
        let start = ContinuousClock.now
        try await channel.publish(
            Data("question \(n)".utf8), exchange: "", routingKey: requests.name,
            properties: AMQPProperties(
                contentType: "text/plain", headers: ["x-vum-example": .int64(Int64(n))],
                correlationID: "q\(n)", replyTo: replies.name))
        guard let reply = try await iterator.next() else { break }
        let elapsed = start.duration(to: .now)
        print(
            "round trip \(n): '\(String(decoding: reply.body, as: UTF8.self))' correlation \(reply.properties.correlationID ?? "-") in \(elapsed)"
        )
    }
    serverTask.cancel()
    await connection.close()
    print("amqp-example: 3 round trips through \(configuration) done")
} catch {
    print("amqp-example: \(error)")
    exit(1)
}
