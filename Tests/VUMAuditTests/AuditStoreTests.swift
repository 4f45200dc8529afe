import Foundation
import GRDB
import Testing
import VUMExchange
import VUMStandaard
import VUMTesting

@testable import VUMAudit

/// A fresh store in a temporary folder, removed afterwards.
func withStore<T>(checkpointInterval: Int64 = 10_000, _ body: (AuditStore) throws -> T) throws -> T {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vum-audit-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try body(
        AuditStore(path: folder.appendingPathComponent("audit.sqlite").path, checkpointInterval: checkpointInterval))
}

func event(
    _ soort: Procesgebeurtenis.Soort, id: String = UUID().uuidString.lowercased(), tijdMs: Int64 = 1_780_000_000_000,
    _ configure: (inout Procesgebeurtenis) -> Void = { _ in }
) -> Procesgebeurtenis {
    var e = Procesgebeurtenis(eventID: id, soort: soort, tijdMs: tijdMs, component: "vum-aggregator/test")
    configure(&e)
    return e
}

func received(_ e: Procesgebeurtenis) -> ReceivedEvent {
    ReceivedEvent(body: MessageCodec.encode(e), routingKey: e.soort.rawValue)
}

func received(json: String) -> ReceivedEvent { ReceivedEvent(body: Data(json.utf8), routingKey: "test") }

/// Opens the store's file as an attacker with write access would: without the append-only triggers.
func tamper(_ store: AuditStore, _ sql: String...) throws {
    let queue = try DatabaseQueue(path: store.path)
    try queue.writeWithoutTransaction { db in
        for t in ["event", "checkpoint"] {
            try db.execute(sql: "DROP TRIGGER IF EXISTS \(t)_no_update; DROP TRIGGER IF EXISTS \(t)_no_delete")
        }
        for s in sql { try db.execute(sql: s) }
    }
}

@Suite("Audit store: append-only, chained, idempotent")
struct AuditStoreTests {
    @Test("events are chained in order; a redelivery is recognised, not stored twice")
    func appendAndDuplicate() async throws {
        try withStore { store in
            let events = (0..<5).map { i in event(.zoekvraagOntvangen, tijdMs: 1_780_000_000_000 + Int64(i)) }
            let outcomes = try store.appendSynchronously(events.map(received))
            #expect(outcomes == (1...5).map { .stored(seq: Int64($0)) })
            // The same event again, with its keys in another order: the canonical form is the same.
            var reordered = JSONObject()
            guard case .object(let o) = events[2].json else {
                Issue.record("not an object")
                return
            }
            for (k, v) in o.entries.reversed() { reordered[k] = v }
            let again = try store.appendSynchronously([
                received(events[0]), ReceivedEvent(body: Data(JSONValue.object(reordered).serializedBytes())),
            ])
            #expect(again == [.duplicate(seq: 1), .duplicate(seq: 3)])
            #expect(try store.counts().events == 5)
            #expect(try store.verify().intact)
        }
    }

    @Test("an unreadable message and an id reused with other content go to quarantine with the reason")
    func quarantine() throws {
        try withStore { store in
            let e = event(.bronAangemeld) { $0.bronID = "gemeente-a" }
            var changed = e
            changed.bronID = "gemeente-b"
            let outcomes = try store.appendSynchronously([
                received(e), received(json: "{not json"), received(json: #"{"eventID":"x","soort":"iets.anders"}"#),
                received(changed),
                ReceivedEvent(
                    body: Data("{}".utf8), problem: "message type vum.zoekvraag.v1 is not a procesgebeurtenis"),
            ])
            #expect(outcomes[0] == .stored(seq: 1))
            guard case .quarantined(let r1) = outcomes[1], case .quarantined(let r2) = outcomes[2],
                case .quarantined(let r3) = outcomes[3], case .quarantined(let r4) = outcomes[4]
            else {
                Issue.record("expected quarantine: \(outcomes)")
                return
            }
            #expect(r1.contains("invalid JSON"))
            #expect(r2.contains("soort"))
            #expect(r3.contains("already stored (seq 1) with other content"))
            #expect(r4.contains("message type"))
            let kept = try store.quarantined()
            #expect(kept.count == 4)
            #expect(kept[0].raw == Data("{not json".utf8))
            #expect(try store.counts().events == 1)
        }
    }

    @Test("SQLite itself refuses to change or remove a stored event")
    func appendOnly() throws {
        try withStore { store in
            _ = try store.appendSynchronously([received(event(.bronAangemeld)), received(json: "[]")])
            #expect(try store.counts() == (1, 1, 0))
            let queue = try DatabaseQueue(path: store.path)
            for sql in [
                "UPDATE event SET soort = 'x'", "DELETE FROM event", "DELETE FROM quarantine",
                "UPDATE quarantine SET reason = ''",
            ] {
                #expect(throws: DatabaseError.self) { try queue.write { try $0.execute(sql: sql) } }
            }
        }
    }

    @Test("the canonical form sorts keys at every depth, and reading it back gives it again")
    func canonical() throws {
        let json = try JSONValue.parse(#"{"b":1,"a":{"z":2.5,"y":[{"d":1,"c":"é"}]},"A":true}"#)
        let bytes = CanonicalJSON.bytes(json)
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"A":true,"a":{"y":[{"c":"é","d":1}],"z":2.5},"b":1}"#)
        #expect(CanonicalJSON.bytes(try JSONValue.parse(bytes)) == bytes)
    }
}

@Suite("Audit verify: finds the first tampered event")
struct AuditVerifyTests {
    /// A store of 20 events with a checkpoint every 5.
    func filled(_ body: (AuditStore) throws -> Void) throws {
        try withStore(checkpointInterval: 5) { store in
            _ = try store.appendSynchronously(
                (0..<20).map { i in
                    received(
                        event(.gegevenssetOntvangen, tijdMs: 1_780_000_000_000 + Int64(i)) {
                            $0.bronID = "bron-\(i % 3)"
                            $0.aantal = i
                        })
                })
            let clean = try store.verify()
            #expect(clean.intact)
            #expect(clean.events == 20 && clean.checkpoints == 4)
            try body(store)
        }
    }

    @Test("an edited event") func edited() throws {
        try filled { store in
            try tamper(store, "UPDATE event SET body = replace(body, '\"aantal\":7', '\"aantal\":0') WHERE seq = 8")
            let result = try store.verify()
            #expect(result.problem?.seq == 8)
            #expect(result.problem?.reason.contains("content was changed") == true)
        }
    }

    @Test("an edited column that reports filter on") func editedColumn() throws {
        try filled { store in
            try tamper(store, "UPDATE event SET bron_id = 'iemand-anders' WHERE seq = 4")
            #expect(try store.verify().problem?.seq == 4)
        }
    }

    @Test("a deleted event") func deleted() throws {
        try filled { store in
            try tamper(store, "DELETE FROM event WHERE seq = 12")
            let result = try store.verify()
            #expect(result.problem?.seq == 12)
            #expect(result.problem?.reason.contains("deleted") == true)
        }
    }

    @Test("a deleted event with the rest renumbered") func deletedRenumbered() throws {
        try filled { store in
            try tamper(store, "DELETE FROM event WHERE seq = 12", "UPDATE event SET seq = seq - 1 WHERE seq > 12")
            #expect(try store.verify().problem?.seq == 12)
        }
    }

    @Test("two swapped events") func swapped() throws {
        try filled { store in
            try tamper(
                store, "UPDATE event SET seq = -1 WHERE seq = 15", "UPDATE event SET seq = 15 WHERE seq = 16",
                "UPDATE event SET seq = 16 WHERE seq = -1")
            let result = try store.verify()
            #expect(result.problem?.seq == 15)
        }
    }

    @Test("events cut off at the end, behind a checkpoint") func truncated() throws {
        try filled { store in
            try tamper(store, "DELETE FROM event WHERE seq > 13")
            let result = try store.verify()
            #expect(result.problem?.seq == 14)
            #expect(result.problem?.reason.contains("checkpoint") == true)
        }
    }

    @Test("a rewritten chain that does not match its checkpoint") func rewritten() throws {
        try filled { store in
            // Rewrite event 3 and recompute every hash after it, as a careful attacker would: only the
            // checkpoints (and the head noted elsewhere) give it away.
            try tamper(store, "UPDATE event SET body = replace(body, '\"aantal\":2', '\"aantal\":99') WHERE seq = 3")
            let queue = try DatabaseQueue(path: store.path)
            try queue.write { db in
                var previous = ChainHash.genesis
                for row in try Row.fetchAll(db, sql: "SELECT seq, body FROM event ORDER BY seq") {
                    let seq: Int64 = row["seq"]
                    let hash = ChainHash.next(
                        previous: previous, seq: seq, canonical: Array((row["body"] as String).utf8))
                    try db.execute(
                        sql: "UPDATE event SET prev_hash = ?, hash = ? WHERE seq = ?",
                        arguments: [Data(previous), Data(hash), seq])
                    previous = hash
                }
            }
            let result = try store.verify()
            #expect(result.problem?.seq == 5)
            #expect(result.problem?.reason.contains("checkpoint") == true)
        }
    }
}
