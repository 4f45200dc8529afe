import CRabbitMQ
import Synchronization

/// Who may touch the rabbitmq-c connection right now.
///
/// rabbitmq-c is not thread-safe, so its connection (the ``ConnectionCore``) is used under this lock. The
/// owner thread holds it for everything it does except sleeping in `poll`. While it sleeps, a task that
/// has a small frame to write (a publish, an acknowledgement) may take the lock and write the frame
/// itself, instead of handing it over and waking the owner thread: on a request/reply path that saves a
/// thread wake-up on each side. It only does so when the write cannot wait, which
/// ``ConnectionCore/acceptsDirectWrite`` and a ``SocketRoomBudget`` check, and otherwise hands the work
/// over as before; no blocking call runs on the cooperative pool either way.
final class WireAccess: @unchecked Sendable {
    private let mutex = Mutex<Void>(())
    /// Set by the owner thread when its loop starts and cleared when it ends, both under the lock; read
    /// only under the lock.
    private var core: ConnectionCore?
    /// What direct writes may still use of the socket's room; used and reset only under the lock.
    private var room = SocketRoomBudget()

    /// Runs `body` holding the lock: the owner thread's way to do its work. The owner thread may write
    /// anything, so the direct writes' budget starts over.
    func withOwnerLock<T: Sendable>(_ body: () -> T) -> T {
        mutex.withLock { _ in
            room.reset()
            return body()
        }
    }

    /// The owner thread's loop started (`core`) or ended (`nil`). Call under ``withOwnerLock(_:)``.
    func attach(_ core: ConnectionCore?) {
        self.core = core
    }

    /// Writes a frame of about `bytes` on the calling thread when the lock is free at once, no command waits
    /// in the mailbox (a direct write must not overtake work handed over earlier) and the socket takes the
    /// frame at once (``SocketRoomBudget``): `body` writes it, or returns `false` to
    /// leave it to the owner thread after all. `false` means hand it over; what the write throws (a closed
    /// channel, a broken socket) is thrown. Afterwards wakes the owner thread when the write left it
    /// something to do.
    func writeIfIdle(bytes: Int, _ body: (ConnectionCore) throws(AMQPError) -> Bool) throws(AMQPError) -> Bool {
        let outcome: Result<Bool, AMQPError>? = mutex.withLockIfAvailable { _ -> Result<Bool, AMQPError> in
            guard let core, core.mailbox.hasNoCommands, core.acceptsDirectWrite,
                room.admits(bytes, room: { core.socketRoom })
            else {
                return .success(false)
            }
            defer { core.wakeOwnerIfNeeded() }
            do throws(AMQPError) {
                let wrote = try body(core)
                if wrote { core.shared.callerWrites.add(1, ordering: .relaxed) }
                return .success(wrote)
            } catch {
                return .failure(error)
            }
        }
        return try outcome?.get() ?? false
    }
}

extension ConnectionCore {
    /// Whether the calling thread may write now, as far as the connection goes: it is open and publishing
    /// is not blocked. Whether the socket has room is ``WireAccess``'s ``SocketRoomBudget``.
    var acceptsDirectWrite: Bool {
        guard connection != nil, case .open = state, !blocked else { return false }
        return true
    }

    /// The socket's free send-buffer room in bytes (`vumamqp_socket_room`); 0 without a connection.
    var socketRoom: Int {
        guard let connection else { return 0 }
        return Int(vumamqp_socket_room(amqp_get_sockfd(connection)))
    }

    /// After a write on a caller's thread: rabbitmq-c may have read frames while writing (it checks for
    /// a heartbeat when one is overdue), and a failed write leaves the connection lost. The owner thread
    /// sleeps in `poll` and would see neither, so it is woken.
    func wakeOwnerIfNeeded() {
        guard let connection else {
            mailbox.wake()
            return
        }
        if amqp_frames_enqueued(connection) != 0 || amqp_data_in_buffer(connection) != 0 {
            mailbox.wake()
        }
    }
}
