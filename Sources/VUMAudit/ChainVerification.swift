import Foundation
import GRDB
import VUMExchange
import VUMStandaard

/// The outcome of ``AuditStore/verify()``: how much was checked, the chain's head, and the first place
/// where the trail is not what was appended.
public struct ChainVerification: Sendable, CustomStringConvertible {
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// The sequence number of the first event that does not verify.
        public var seq: Int64
        public var eventID: String?
        public var reason: String
        public var description: String { "event \(seq)\(eventID.map { " (\($0))" } ?? ""): \(reason)" }
    }

    public var events: Int
    public var checkpoints: Int
    /// Hex SHA-256 of the last event: note it outside the store to detect a trail cut off at its end.
    public var head: String
    public var problem: Problem?
    public var intact: Bool { problem == nil }

    public var description: String {
        if let problem { return "NOT INTACT after checking \(events) events: \(problem)" }
        return "intact: \(events) events, \(checkpoints) checkpoints, head \(head)"
    }
}

extension AuditStore {
    /// Recomputes the chain from the first event: every sequence number present, every event's link to
    /// the one before, its hash over its canonical JSON, the columns reports filter on equal to that
    /// JSON, and every checkpoint equal to the chain at its place. Stops at the first problem.
    public func verify() throws -> ChainVerification {
        try pool.read { db in
            var checkpoints: [Int64: [UInt8]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT seq, hash FROM checkpoint") {
                checkpoints[row["seq"]] = [UInt8](row["hash"] as Data)
            }
            var result = ChainVerification(
                events: 0, checkpoints: checkpoints.count, head: ChainHash.hex(ChainHash.genesis))
            var previous = ChainHash.genesis
            var expected: Int64 = 1
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT seq, event_id, soort, tijd_ms, vraag_id, from_party, bron_id, body, prev_hash, hash
                    FROM event ORDER BY seq
                    """)
            func fail(_ seq: Int64, _ eventID: String?, _ reason: String) -> ChainVerification {
                var r = result
                r.head = ChainHash.hex(previous)
                r.problem = .init(seq: seq, eventID: eventID, reason: reason)
                return r
            }
            while let row = try rows.next() {
                let seq: Int64 = row["seq"]
                let eventID: String = row["event_id"]
                guard seq == expected else {
                    return fail(expected, nil, "missing: deleted from the trail (the next stored event is \(seq))")
                }
                guard [UInt8](row["prev_hash"] as Data) == previous else {
                    return fail(
                        seq, eventID,
                        "does not follow the event before it: an event was deleted, inserted or moved here")
                }
                let body: String = row["body"]
                let hash = ChainHash.next(previous: previous, seq: seq, canonical: Array(body.utf8))
                guard hash == [UInt8](row["hash"] as Data) else {
                    return fail(
                        seq, eventID, "its content was changed: the hash over its JSON does not match the chain")
                }
                let event: Procesgebeurtenis
                do { event = try Procesgebeurtenis(json: JSONValue.parse(body)) } catch {
                    return fail(seq, eventID, "its JSON no longer reads as a procesgebeurtenis: \(error)")
                }
                let columns: [(String, String?, String?)] = [
                    ("event_id", eventID, event.eventID), ("soort", row["soort"], event.soort.rawValue),
                    ("tijd_ms", String(row["tijd_ms"] as Int64), String(event.tijdMs)),
                    ("vraag_id", row["vraag_id"], event.vraagID),
                    ("from_party", row["from_party"], event.fromParty), ("bron_id", row["bron_id"], event.bronID),
                ]
                if let (column, stored, hashed) = columns.first(where: { $0.1 != $0.2 }) {
                    return fail(
                        seq, eventID,
                        "column \(column) was changed to \(stored ?? "NULL"); the hashed event says \(hashed ?? "NULL")"
                    )
                }
                if let checkpoint = checkpoints[seq], checkpoint != hash {
                    return fail(
                        seq, eventID,
                        "the checkpoint at this event holds another hash: the trail up to here was rewritten")
                }
                previous = hash
                result.events += 1
                expected += 1
            }
            if let beyond = checkpoints.keys.filter({ $0 >= expected }).min() {
                return fail(
                    expected, nil,
                    "missing: a checkpoint was made at event \(beyond), but the trail ends at \(expected - 1)")
            }
            result.head = ChainHash.hex(previous)
            return result
        }
    }
}
