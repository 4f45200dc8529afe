/// How much a caller's thread may still write to the socket without asking the kernel again.
///
/// A direct write (``WireAccess``) must never wait, so it needs the socket's free send-buffer room
/// (`vumamqp_socket_room`, one `getsockopt`). Room only grows while nobody writes (the kernel sends and
/// the peer acknowledges), so one measurement covers the direct writes after it: each takes its cost off
/// what was measured, and the kernel is asked again only when the rest does not cover the next frame.
/// Every other writer (the owner thread) resets it, so it never counts on room someone else used.
struct SocketRoomBudget {
    /// Kept free of every measurement for what a frame's cost below may not cover.
    static let margin = 8192
    private var left = 0

    /// Counted generously: a frame is up to three writes (a publish's method, header and body), each
    /// possibly a new kernel buffer with about 1 KiB of overhead besides its bytes, which may be copied
    /// into a fresh page fragment.
    static func cost(of bytes: Int) -> Int { bytes * 4 + 4096 }

    /// Whether a frame of `bytes` may be written now, taking its cost off the budget if so. `room` asks
    /// the kernel; it is called only when what is left does not cover the frame.
    mutating func admits(_ bytes: Int, room: () -> Int) -> Bool {
        let cost = Self.cost(of: bytes)
        if left >= cost {
            left -= cost
            return true
        }
        let measured = room()
        guard measured > cost + Self.margin else {
            left = 0
            return false
        }
        left = measured - Self.margin - cost
        return true
    }

    /// Someone else wrote or may write: the next frame measures again.
    mutating func reset() { left = 0 }
}
