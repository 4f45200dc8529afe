import Foundation

/// Runs CPU-heavy or blocking test work on a thread of its own, so it does not hold one of the few
/// threads of the cooperative pool (two on this machine) while other tests wait for theirs: a
/// property test that evaluates for half a minute on the pool made connection tests in parallel
/// suites take 25 s instead of milliseconds.
@discardableResult
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
