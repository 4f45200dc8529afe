import AMQPClient
import Foundation
import Testing
import VUMExchange
import VUMStandaard
import VUMTesting

@Suite("Bus messages through a real broker", .timeLimit(.minutes(1)))
struct EnvelopeOverBrokerTests {
    @Test("a zoekvraag with its envelope arrives intact; once its deadline passed, the broker drops it")
    func zoekvraagThroughBroker() async throws {
        try await withConnection { connection in
            let channel = try await connection.openChannel()
            let queue = try await channel.declareQueue(exclusive: true)
            let (inbox, task) = try await channel.consume(queue: queue.name).collect()
            defer { task.cancel() }
            let payload = ZoekvraagBericht(
                vraagID: "v-42", gegevensset: .werkzoekenden,
                vraagObject: try JSONValue.parse(#"{"selectiegebied":{"postcode":"3511AB","afstand":10}}"#))
            var envelope = Envelope(
                type: .zoekvraag, correlationID: "v-42", appID: "tests/1", userID: broker.user,
                deadlineMs: Envelope.nowMs() + 5000)
            envelope.fromParty = try OIN(validating: "00000001002220647000")
            envelope.suwiParty = false
            try await channel.publish(
                MessageCodec.encode(payload), exchange: "", routingKey: queue.name,
                properties: envelope.properties())
            let delivery = try await inbox.next()
            var received = try Envelope(properties: delivery.properties)
            #expect(received.type == .zoekvraag)
            #expect(received.fromParty == envelope.fromParty)
            #expect(received.suwiParty == false)
            #expect(received.deadlineMs == envelope.deadlineMs)
            received.persistent = envelope.persistent
            #expect(received == envelope)
            #expect(try MessageCodec.decode(ZoekvraagBericht.self, from: delivery.body) == payload)
            try await delivery.ack()

            // Expired before anyone consumed it: never delivered.
            let late = Envelope(
                type: .zoekvraag, correlationID: "v-43", appID: "tests/1", deadlineMs: Envelope.nowMs() - 1)
            let idle = try await channel.declareQueue(exclusive: true)
            try await channel.publish(
                MessageCodec.encode(payload), exchange: "", routingKey: idle.name,
                properties: late.properties())
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await connection.queueInfo(idle.name)?.messageCount == 0)
        }
    }
}
