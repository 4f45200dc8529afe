import CRabbitMQ
import Glibc
import Testing

@testable import AMQPClient

/// A ``SocketRoomBudget`` over `vumamqp_socket_room` decides when a task may write a frame itself instead
/// of handing it to the owner thread: admitting a frame must mean the write cannot wait. Checked on a
/// real loopback TCP connection whose receiver never reads, so the sender's queue only grows, as when
/// the broker stops reading.
@Suite("Direct writes: the socket-room rule never lets a write wait")
struct SocketRoomTests {
    /// A connected loopback pair: (sender, receiver, listener).
    private func loopbackPair() throws -> (Int32, Int32, Int32) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        try #require(bound == 0 && listen(listener, 1) == 0)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        let sender = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let connected = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(sender, $0, length) }
        }
        try #require(connected == 0)
        let receiver = accept(listener, nil, nil)
        try #require(receiver >= 0)
        return (sender, receiver, listener)
    }

    @Test(
        "while it says room, a frame-sized write completes at once; when the peer stops reading it says no",
        arguments: [64, 300, 4_000, 40_000])
    func roomMeansNoWait(frameBytes: Int) throws {
        let (sender, receiver, listener) = try loopbackPair()
        defer {
            close(sender)
            close(receiver)
            close(listener)
        }
        let frame = [UInt8](repeating: 0x41, count: frameBytes)
        var written = 0
        var refusedAt: Int?
        var budget = SocketRoomBudget()
        var measurements = 0
        // The receiver never reads: the kernel's receive and send buffers fill, then the rule must say no.
        // 64 MiB is far beyond any loopback buffer, so reaching it means the rule never said no.
        while written < 64 << 20 {
            let admitted = budget.admits(frameBytes) {
                measurements += 1
                return Int(vumamqp_socket_room(sender))
            }
            guard admitted else {
                refusedAt = written
                break
            }
            // Non-blocking here: where a real write would have waited, this one fails with EAGAIN.
            let sent = frame.withUnsafeBytes { send(sender, $0.baseAddress, frameBytes, Int32(MSG_DONTWAIT)) }
            #expect(sent == frameBytes, "a write the rule allowed did not complete at once after \(written) bytes")
            if sent != frameBytes { return }
            written += sent
        }
        #expect(refusedAt != nil, "the rule still said room after \(written) bytes to a peer that never reads")
        #expect(written > 0, "the rule refused an idle socket")
        // The point of the budget: small frames do not ask the kernel before every write.
        if frameBytes <= 300 {
            let writes = written / frameBytes
            #expect(measurements * 4 < writes, "\(measurements) measurements for \(writes) writes")
        }
    }

    @Test("the budget measures again once what it measured is used, and after someone else wrote")
    func budgetAccounting() {
        var budget = SocketRoomBudget()
        var asked = 0
        let cost = SocketRoomBudget.cost(of: 100)
        // Room for exactly three frames beyond the margin: three admitted on one measurement.
        let room = SocketRoomBudget.margin + 3 * cost + 1
        for _ in 0..<3 {
            #expect(
                budget.admits(100) {
                    asked += 1
                    return room
                })
        }
        #expect(asked == 1)
        #expect(
            budget.admits(100) {
                asked += 1
                return room
            })
        #expect(asked == 2, "the fourth frame must measure again")
        budget.reset()
        #expect(
            !budget.admits(100) {
                asked += 1
                return SocketRoomBudget.margin + cost
            })
        #expect(asked == 3)
        #expect(
            !budget.admits(100) {
                asked += 1
                return 0
            }, "a refused frame leaves nothing to spend")
        #expect(asked == 4)
    }
}
