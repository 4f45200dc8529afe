import Synchronization

/// Runs `body` for at most `limit`: its value, or nil when the limit passed first. At the limit `body` is
/// cancelled but not awaited, so the caller has its answer in time even when `body` does not end on
/// cancellation (a PostgreSQL query waiting on a lock in the server keeps waiting until the server ends
/// it); `body` finishes in the background and its late value or error is dropped. For waits on something
/// outside the process: a database, an endpoint. Cancelling the caller cancels `body` and throws
/// `CancellationError` at once.
public func withTimeLimit<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T)
    async throws -> T?
{
    try Task.checkCancellation()  // an already cancelled caller starts nothing
    let race = TimeLimitRace<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            race.start(continuation, limit: limit, body: body)
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// The race of `body` against its time limit: whichever ends first resumes the caller, once, and
/// cancels the other.
private final class TimeLimitRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T?, any Error>?
        /// Set by the first `finish`. One that came before `start` stored the continuation (the body was
        /// that quick, or the caller was cancelled meanwhile) is delivered by `start`.
        var result: Result<T?, any Error>?
        var tasks: [Task<Void, Never>] = []
    }
    private let state = Mutex(State())

    func start(
        _ continuation: CheckedContinuation<T?, any Error>, limit: Duration,
        body: @escaping @Sendable () async throws -> T
    ) {
        let work = Task {
            do { self.finish(.success(try await body())) } catch { self.finish(.failure(error)) }
        }
        let timer = Task {
            guard (try? await Task.sleep(for: limit)) != nil else { return }
            self.finish(.success(nil))
        }
        let done = state.withLock { s in
            if s.result == nil {
                s.continuation = continuation
                s.tasks = [work, timer]
            }
            return s.result
        }
        if let done {
            work.cancel()
            timer.cancel()
            continuation.resume(with: done)
        }
    }

    func finish(_ result: Result<T?, any Error>) {
        let (continuation, tasks) = state.withLock { s -> (CheckedContinuation<T?, any Error>?, [Task<Void, Never>]) in
            guard s.result == nil else { return (nil, []) }
            s.result = result
            defer { s.continuation = nil }
            return (s.continuation, s.tasks)
        }
        for task in tasks { task.cancel() }
        continuation?.resume(with: result)
    }
}
