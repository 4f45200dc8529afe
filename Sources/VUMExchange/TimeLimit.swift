/// Runs `body` for at most `limit`: its value, or nil when the limit passed first. Then `body` is cancelled
/// and awaited, so it must end on cancellation (postgres-nio's pool waiting for a connection does; a
/// blocking call would not). For waits on something outside the process: a database, an endpoint.
public func withTimeLimit<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T)
    async throws -> T?
{
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        return try await group.next() ?? nil
    }
}
