import Dispatch

/// Runs the jobs of tasks that prefer it on the connection's owner thread, between its turns with the
/// socket (``AMQPConnection/executor``).
///
/// A consumer task normally resumes on the cooperative pool: the owner thread reads the delivery and a
/// pool thread has to be woken to run the task, on a small machine tens of microseconds. A task that
/// prefers this executor is resumed on the owner thread itself, right after the frames that woke it, and
/// what it writes in reply goes out from there too (``WireAccess``). The price: while such a job runs,
/// the connection reads nothing and sends no heartbeat, so it is for short work that never blocks.
/// Once the connection is closed, jobs run on the global concurrent queue instead.
final class OwnerThreadExecutor: TaskExecutor {
    private let mailbox: Mailbox

    init(mailbox: Mailbox) {
        self.mailbox = mailbox
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if !mailbox.post(job: job) { runElsewhere(job) }
    }

    /// For jobs that arrive after the owner thread stopped, or that it left when it stopped.
    func runElsewhere(_ job: UnownedJob) {
        let executor = asUnownedTaskExecutor()
        DispatchQueue.global().async { job.runSynchronously(on: executor) }
    }

    /// Runs what is queued; called by the owner thread, never holding the wire lock (a job may publish).
    func runQueuedJobs() {
        let jobs = mailbox.takeJobs()
        guard !jobs.isEmpty else { return }
        let executor = asUnownedTaskExecutor()
        for job in jobs { job.runSynchronously(on: executor) }
    }
}
