import GRDB
import Synchronization

/// Which search queries a reader connection keeps prepared.
///
/// A selectievraag becomes SQL whose text depends only on the shape of the question (which criteria,
/// how many values each), never on its values: those are bound arguments (`SearchQuery`). The same few
/// shapes come back all day, and compiling one (parsing, GRDB's authorizer, SQLite's planner) was, with
/// the read's `BEGIN`/`COMMIT`, about a tenth of an adapter's CPU per zoekvraag. GRDB's statement cache
/// keeps a statement per connection for as long as the connection lives and has no bound, so it is used
/// only for the first `capacity` shapes the store meets; any other shape is prepared each time, as
/// before. A connection thus holds at most `capacity` cached statements, whatever the askers send.
final class StatementCacheAdmission: Sendable {
    let capacity: Int
    private let admitted = Mutex<Set<String>>([])

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The statement for `sql` on this connection: its cached one when the shape is admitted.
    func statement(_ db: Database, sql: String) throws -> Statement {
        let cached = admitted.withLock { shapes in
            if shapes.contains(sql) { return true }
            guard shapes.count < capacity else { return false }
            shapes.insert(sql)
            return true
        }
        return cached ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
    }

    /// How many shapes are admitted (for tests).
    var admittedCount: Int { admitted.withLock { $0.count } }
}
