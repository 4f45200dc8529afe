import Logging
import Synchronization

/// Whether the request store answers, for `/health`: a load balancer in front of several aggregators that
/// share a PostgreSQL store should stop sending to one that cannot reach it. The store is asked at most
/// once a second however often probes come, and never by two probes at once (a probe that arrives while a
/// check runs gets the last result). A change is logged once, with the store's own error.
final class RequestStoreHealth: Sendable {
    private struct State {
        var checkedAt: ContinuousClock.Instant?
        var problem: String?
        var checking = false
    }

    private let state = Mutex(State())
    private let store: any RequestStore
    private let logger: Logger

    init(store: any RequestStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Nil when the store answered its last check, else the store's error.
    func problem() async -> String? {
        let now = ContinuousClock.now
        let mustCheck = state.withLock { s -> Bool in
            if s.checking { return false }
            if let at = s.checkedAt, at.duration(to: now) < .seconds(1) { return false }
            s.checking = true
            return true
        }
        guard mustCheck else { return state.withLock { $0.problem } }
        var problem: String?
        do { try await store.check() } catch { problem = "\(error)" }
        let previous = state.withLock { s -> String? in
            defer {
                s.problem = problem
                s.checkedAt = .now
                s.checking = false
            }
            return s.problem
        }
        if let problem, previous == nil {
            logger.error("the request store does not answer: /health says 503", metadata: ["vum.error": "\(problem)"])
        } else if problem == nil, previous != nil {
            logger.info("the request store answers again")
        }
        return problem
    }
}
