import AMQPClient
import Foundation

// The same two benchmarks as Benchmarks/c/amqp_baseline.c, through AMQPClient. scripts/bench-amqp.sh
// runs both alternately against one private broker and writes Docs/benchmarks.md.
//
//   amqp-benchmark HOST PORT USER PASSWORD rtt COUNT
//   amqp-benchmark HOST PORT USER PASSWORD rtt-owner COUNT   (both sides on their connection's executor)
//   amqp-benchmark HOST PORT USER PASSWORD oneway COUNT SIZE
//   amqp-benchmark HOST PORT USER PASSWORD oneway-owner COUNT SIZE   (the consumer on its connection's executor)
// Output: one JSON line, the same fields as the C program.

let arguments = CommandLine.arguments
guard arguments.count >= 7, let port = Int(arguments[2]), let count = Int(arguments[6]) else {
    FileHandle.standardError.write(
        Data("usage: amqp-benchmark HOST PORT USER PASSWORD rtt COUNT | oneway COUNT SIZE\n".utf8))
    exit(2)
}
let configuration = AMQPConfiguration(
    host: arguments[1], port: port, authentication: .plain(user: arguments[3], password: arguments[4]))
let pid = ProcessInfo.processInfo.processIdentifier

func percentile(_ sorted: [Double], _ p: Int) -> Double { sorted[sorted.count * p / 100] }

func roundTrips(count: Int, onOwnerThreads: Bool) async throws {
    let requester = try await AMQPConnection.connect(configuration)
    let responder = try await AMQPConnection.connect(configuration)
    let channel = try await requester.openChannel()
    let requestQueue = "bench.swift.requests.\(pid)"
    let replyQueue = "bench.swift.replies.\(pid)"
    try await channel.declareQueue(requestQueue)
    try await channel.declareQueue(replyQueue)

    let responderChannel = try await responder.openChannel()
    let requests = try await responderChannel.consume(queue: requestQueue, noAck: true)
    let responderTask = Task(executorPreference: onOwnerThreads ? responder.executor : globalConcurrentExecutor) {
        for try await request in requests {
            try await responderChannel.publish(
                request.body, exchange: "", routingKey: request.properties.replyTo ?? "",
                properties: AMQPProperties(
                    contentType: "application/json",
                    correlationID: request.properties.correlationID))
        }
    }
    let replies = try await channel.consume(queue: replyQueue, noAck: true)
    let body = Data(#"{"vraagID":"bench","selectiegebied":{"postcode":"3511AB","afstand":25}}"#.utf8)
    let warmup = count / 10 + 10
    let measure = {
        var iterator = replies.makeAsyncIterator()
        var samples: [Double] = []
        samples.reserveCapacity(count)
        for i in 0..<(warmup + count) {
            let start = ContinuousClock.now
            try await channel.publish(
                body, exchange: "", routingKey: requestQueue,
                properties: AMQPProperties(
                    contentType: "application/json", correlationID: "c\(i)",
                    replyTo: replyQueue))
            guard try await iterator.next() != nil else { fatalError("reply stream ended") }
            let elapsed = start.duration(to: .now)
            if i >= warmup {
                let c = elapsed.components
                samples.append(Double(c.seconds) * 1e6 + Double(c.attoseconds) / 1e12)
            }
        }
        return samples
    }
    var samples = try await withTaskExecutorPreference(onOwnerThreads ? requester.executor : globalConcurrentExecutor) {
        try await measure()
    }
    responderTask.cancel()
    samples.sort()
    let mode = onOwnerThreads ? "rtt-owner" : "rtt"
    print(
        #"{"mode":"\#(mode)","#
            + String(
                format: #""count":%d,"p50_us":%.1f,"p90_us":%.1f,"p99_us":%.1f}"#, count,
                percentile(samples, 50), percentile(samples, 90), percentile(samples, 99)))
    try await channel.deleteQueue(requestQueue)
    try await channel.deleteQueue(replyQueue)
    await responder.close()
    await requester.close()
}

func oneWay(count: Int, size: Int, consumerOnOwnerThread: Bool) async throws {
    let consumerConnection = try await AMQPConnection.connect(configuration)
    let publisherConnection = try await AMQPConnection.connect(configuration)
    let queue = "bench.swift.oneway.\(pid)"
    let channel = try await consumerConnection.openChannel()
    try await channel.declareQueue(queue)
    try await channel.qos(prefetchCount: 500)
    let deliveries = try await channel.consume(queue: queue)
    let start = ContinuousClock.now
    let publisher = Task {
        let publishChannel = try await publisherConnection.openChannel()
        let body = Data(repeating: UInt8(ascii: "x"), count: size)
        for _ in 0..<count {
            try await publishChannel.publish(body, exchange: "", routingKey: queue)
        }
    }
    let consumerExecutor: any TaskExecutor =
        consumerOnOwnerThread ? consumerConnection.executor : globalConcurrentExecutor
    try await withTaskExecutorPreference(consumerExecutor) {
        var received = 0
        for try await delivery in deliveries {
            try await delivery.ack()
            received += 1
            if received == count { break }
        }
    }
    let elapsed = start.duration(to: .now)
    try await publisher.value
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let mode = consumerOnOwnerThread ? "oneway-owner" : "oneway"
    print(
        #"{"mode":"\#(mode)","#
            + String(
                format: #""count":%d,"seconds":%.3f,"msgs_per_s":%.0f}"#, count, seconds,
                Double(count) / seconds))
    let cleanup = try await publisherConnection.openChannel()
    try await cleanup.deleteQueue(queue)
    await publisherConnection.close()
    await consumerConnection.close()
}

do {
    switch arguments[5] {
    case "rtt": try await roundTrips(count: count, onOwnerThreads: false)
    case "rtt-owner": try await roundTrips(count: count, onOwnerThreads: true)
    case "oneway" where arguments.count >= 8:
        try await oneWay(count: count, size: Int(arguments[7]) ?? 256, consumerOnOwnerThread: false)
    case "oneway-owner" where arguments.count >= 8:
        try await oneWay(count: count, size: Int(arguments[7]) ?? 256, consumerOnOwnerThread: true)
    default:
        FileHandle.standardError.write(Data("unknown mode \(arguments[5])\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("amqp-benchmark: \(error)\n".utf8))
    exit(1)
}
