import Dispatch
import Synchronization
import Testing
import VUMExchange

private final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

/// A wait that ignores cancellation, as a PostgreSQL query blocked on a lock in the server does: it ends
/// only when `after` has passed.
private func uncancellableWait(_ after: Duration, ended: Flag = Flag()) async -> Int {
    await withCheckedContinuation { continuation in
        let ms = Int(after / .milliseconds(1))
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(ms)) {
            ended.set()
            continuation.resume(returning: 7)
        }
    }
}

private struct Refused: Error, Equatable {}

@Suite("withTimeLimit: an answer in time, whatever the body does")
struct TimeLimitTests {
    @Test("a body that ends in time gives its value; one that throws in time gives its error")
    func inTime() async throws {
        let value = try await withTimeLimit(.seconds(5)) { () async -> Int in 42 }
        #expect(value == 42)
        await #expect(throws: Refused.self) {
            _ = try await withTimeLimit(.seconds(5)) { () async throws -> Int in throw Refused() }
        }
    }

    @Test("a body that ignores cancellation is left behind at the limit, not awaited")
    func uncancellableBody() async throws {
        // No wall-clock bound: beside the other suites the pool can be busy for seconds. The body's two
        // minutes tell the cases apart: awaited, it would end first and give 7.
        let ended = Flag()
        let value = try await withTimeLimit(.milliseconds(200)) { () async -> Int in
            await uncancellableWait(.seconds(120), ended: ended)
        }
        #expect(value == nil)
        #expect(!ended.isSet, "the caller waited for the body to end")
    }

    @Test("a body that ends on cancellation is cancelled at the limit")
    func cancellableBody() async throws {
        let cancelled = Flag()
        let value = try await withTimeLimit(.milliseconds(100)) { () async throws -> Int in
            do { try await Task.sleep(for: .seconds(120)) } catch {
                cancelled.set()
                throw error
            }
            return 1
        }
        #expect(value == nil)
        for _ in 0..<600 where !cancelled.isSet {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(cancelled.isSet, "the body was not cancelled at the limit")
    }

    @Test("cancelling the caller ends the wait at once with CancellationError")
    func callerCancelled() async throws {
        let waiting = Task {
            try await withTimeLimit(.seconds(600)) { () async -> Int in await uncancellableWait(.seconds(120)) }
        }
        try await Task.sleep(for: .milliseconds(100))
        waiting.cancel()
        // Awaited, the body would end after two minutes and give 7.
        await #expect(throws: CancellationError.self) { _ = try await waiting.value }

        let already = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await withTimeLimit(.seconds(30)) { () async -> Int in 5 }
        }
        await #expect(throws: CancellationError.self) { _ = try await already.value }
    }
}
