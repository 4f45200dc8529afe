import AMQPClient
import Foundation

/// Collects what an async sequence yields, so a test can wait for the n-th element with a time limit
/// without cancelling the sequence (cancelling a consumer's iteration would cancel the consumer).
public actor Inbox<Element: Sendable> {
    public private(set) var items: [Element] = []
    /// Set when the sequence ended: `.some(nil)` normally, `.some(error)` with an error.
    public private(set) var ending: (any Error)??
    private var taken = 0

    public init() {}

    func append(_ item: Element) { items.append(item) }
    func finish(_ error: (any Error)?) { ending = .some(error) }

    /// The next element not taken yet, waiting up to `timeout`.
    public func next(timeout: Duration = .seconds(10), _ what: String = "element") async throws -> Element {
        let deadline = ContinuousClock.now + timeout
        while taken >= items.count {
            if case .some(let error) = ending {
                throw InboxError(
                    "the sequence ended before the next \(what) arrived: \(error.map { "\($0)" } ?? "no error")")
            }
            if ContinuousClock.now >= deadline {
                throw InboxError("no \(what) within \(timeout) (\(items.count) received)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        taken += 1
        return items[taken - 1]
    }

    /// The first element, in arrival order, that satisfies `predicate`, waiting up to `timeout`. Unlike
    /// ``next(timeout:_:)`` it takes nothing away, so several waiters can look for different elements.
    public func first(
        timeout: Duration = .seconds(10), _ what: String = "element",
        where predicate: (Element) throws -> Bool
    ) async throws -> Element {
        let deadline = ContinuousClock.now + timeout
        var checked = 0
        while true {
            while checked < items.count {
                if try predicate(items[checked]) { return items[checked] }
                checked += 1
            }
            if case .some(let error) = ending {
                throw InboxError(
                    "the sequence ended before the \(what) arrived: \(error.map { "\($0)" } ?? "no error")")
            }
            if ContinuousClock.now >= deadline {
                throw InboxError("no \(what) within \(timeout) (\(items.count) received)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Waits until the sequence ends and returns its error (nil when it ended normally).
    public func ended(timeout: Duration = .seconds(10)) async throws -> (any Error)? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if case .some(let error) = ending { return error }
            if ContinuousClock.now >= deadline { throw InboxError("the sequence did not end within \(timeout)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Waits until at least `count` elements arrived in all.
    public func waitForCount(_ count: Int, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while items.count < count {
            if ContinuousClock.now >= deadline {
                throw InboxError("only \(items.count) of \(count) elements within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

public struct InboxError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension AsyncSequence where Self: Sendable, Element: Sendable {
    /// Iterates this sequence in a task of its own into an inbox. Cancel the task to stop.
    public func collect() -> (Inbox<Element>, Task<Void, Never>) {
        let inbox = Inbox<Element>()
        let task = Task {
            do {
                for try await item in self { await inbox.append(item) }
                await inbox.finish(nil)
            } catch {
                await inbox.finish(error)
            }
        }
        return (inbox, task)
    }
}
