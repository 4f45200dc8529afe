import CRabbitMQ
import Glibc
import Synchronization

/// Hands work from any task to the connection's owner thread.
///
/// Commands run on the owner thread in the order they were posted. An `eventfd` wakes the owner thread
/// from its `poll` on the socket, so a posted command runs at once, not at the next poll timeout.
final class Mailbox: Sendable {
    typealias Command = @Sendable (ConnectionCore) -> Void

    private struct State {
        var commands: [Command] = []
        /// Jobs of tasks that prefer the owner thread as their executor (``OwnerThreadExecutor``).
        var jobs: [UnownedJob] = []
        var closed = false
    }

    private let state = Mutex(State())
    /// True while the owner thread is about to sleep or sleeps in `poll`; only then does a post write
    /// the eventfd, so a busy owner thread is not charged a syscall per command.
    private let sleeping = Atomic<Bool>(false)
    let wakeFD: Int32

    init() {
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
    }

    deinit { close(wakeFD) }

    /// Queues a command; `false` when the connection has shut down (the command will never run).
    func post(_ command: @escaping Command) -> Bool {
        enqueue { $0.commands.append(command) }
    }

    /// Queues a job for the owner thread; `false` when the connection has shut down (then run it elsewhere).
    func post(job: UnownedJob) -> Bool {
        enqueue { $0.jobs.append(job) }
    }

    private func enqueue(_ add: (inout State) -> Void) -> Bool {
        let accepted = state.withLock { s in
            guard !s.closed else { return false }
            add(&s)
            return true
        }
        if accepted { wake() }
        return accepted
    }

    /// Wakes the owner thread if it sleeps (or is about to) in `poll`.
    func wake() {
        if sleeping.exchange(false, ordering: .sequentiallyConsistent) {
            var one: UInt64 = 1
            _ = write(wakeFD, &one, 8)
        }
    }

    /// Called by the owner thread before it polls: `false` when commands are already waiting (then it
    /// must not sleep). After `true`, a post wakes it through the eventfd.
    func prepareToSleep() -> Bool {
        sleeping.store(true, ordering: .sequentiallyConsistent)
        let empty = state.withLock { $0.commands.isEmpty && $0.jobs.isEmpty }
        if !empty { sleeping.store(false, ordering: .sequentiallyConsistent) }
        return empty
    }

    func awake() {
        sleeping.store(false, ordering: .sequentiallyConsistent)
    }

    /// Commands waiting for the owner thread. Publishers that do not wait for a reply check it, so a
    /// fast producer cannot queue unbounded work in front of a slow socket.
    var pendingCount: Int { state.withLock { $0.commands.count } }

    /// No command waits (jobs do not count: they write nothing in order with the commands).
    var hasNoCommands: Bool { state.withLock { $0.commands.isEmpty } }

    func take() -> [Command] {
        state.withLock { s in
            let c = s.commands
            s.commands.removeAll(keepingCapacity: true)
            return c
        }
    }

    func takeJobs() -> [UnownedJob] {
        state.withLock { s in
            guard !s.jobs.isEmpty else { return [] }
            let j = s.jobs
            s.jobs.removeAll(keepingCapacity: true)
            return j
        }
    }

    /// Refuses all later posts and returns what was still queued, so the owner can fail it.
    func closeAndTake() -> [Command] {
        state.withLock { s in
            s.closed = true
            let c = s.commands
            s.commands = []
            return c
        }
    }

    func clearWake() {
        var value: UInt64 = 0
        _ = read(wakeFD, &value, 8)
    }
}

/// Moves a value that is not `Sendable` to the owner thread, which is from then on its only user.
struct OwnerThreadTransfer<Value>: @unchecked Sendable {
    let value: Value
}
