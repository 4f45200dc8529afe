import CRabbitMQ
import Testing

@testable import AMQPClient

@Suite("C encoding of properties and tables")
struct CEncodingTests {
    @Test("properties with every field and a nested table decode back to themselves")
    func propertiesRoundTrip() {
        let p = AMQPProperties(
            contentType: "application/json", contentEncoding: "utf-8",
            headers: [
                "a": "b", "n": .int64(-1), "t": .table(["deep": .array([.bool(true), .double(1.5)])]),
                "bytes": .bytes([0, 255]), "ts": .timestamp(42), "v": .void,
            ],
            deliveryMode: .transient, priority: 9, correlationID: "c", replyTo: "r", expiration: "5",
            messageID: "m", timestamp: 7, type: "t", userID: "u", appID: "app", clusterID: "cl")
        let arena = CArena()
        let c = arena.properties(p)
        #expect(CDecode.properties(c) == p)
    }

    @Test("unset properties set no flags")
    func emptyProperties() {
        let arena = CArena()
        #expect(arena.properties(AMQPProperties())._flags == 0)
        #expect(CDecode.properties(arena.properties(AMQPProperties())) == AMQPProperties())
    }

    @Test("table equality ignores entry order; assigning nil removes an entry")
    func tableSemantics() {
        var a: AMQPTable = ["x": 1, "y": "z"]
        let b: AMQPTable = ["y": "z", "x": 1]
        #expect(a == b)
        a["x"] = nil
        #expect(a.count == 1)
        #expect(a != b)
    }
}
