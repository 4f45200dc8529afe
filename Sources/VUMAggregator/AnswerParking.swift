import Foundation
import Logging
import Synchronization
import VUMExchange

#if canImport(Glibc)
    import Glibc
#endif

/// Keeps the bron answers of open zoekvragen within a memory budget. An open zoekvraag holds every answer
/// that came until its last bron answers or its deadline passes: with a slow bron and a long deadline that
/// is hundreds of answers of up to a few hundred kilobytes each. Answers within `budget` bytes stay in
/// memory; beyond it an answer's bytes are parked in a temporary file (its status, count and record ids
/// stay in memory) and read back when its zoekvraag is merged.
///
/// The file has no name (it is unlinked as soon as it is made), so nothing is left behind by a crash; a
/// new one is started every `segmentSize` bytes, and each closes, giving its space back, when the last
/// answer parked in it is let go. Parked bytes live in the kernel's page cache, not in the aggregator's
/// resident memory; answers that are let go within the kernel's writeback delay (30 s by default) and whose
/// file is then closed never reach the disk. If the file cannot be written the answer stays in memory:
/// the budget is a target, never a reason to lose an answer.
final class AnswerParking: Sendable {
    /// Bytes of answers held in memory at most, before answers are parked.
    let budget: Int
    /// Where the unnamed files are made.
    let directory: String
    let segmentSize: Int64
    private let logger: Logger

    private struct State {
        var inMemory = 0
        var parked = 0
        var segment: Segment?
        var end: Int64 = 0
    }
    private let state = Mutex(State())

    init(budget: Int, directory: String, segmentSize: Int64 = 64 << 20, logger: Logger) {
        self.budget = budget
        self.directory = directory
        self.segmentSize = segmentSize
        self.logger = logger
    }

    /// Bytes of answers held in memory now.
    var bytesInMemory: Int { state.withLock { $0.inMemory } }

    /// Answers parked since the start.
    var parkedCount: Int { state.withLock { $0.parked } }

    /// Takes an answer for an open zoekvraag: as it is, counted against the budget, or beyond the budget
    /// without its bytes, which the returned hold keeps in the file. The hold gives the bytes back
    /// (``restore(_:_:)``) and releases them, in memory or in the file, when it is let go.
    func hold(_ answer: ReceivedGegevensset) -> (ReceivedGegevensset, AnswerHold) {
        let size = answer.byteCount
        let fits = state.withLock { s in
            guard s.inMemory + size <= budget || size == 0 else { return false }
            s.inMemory += size
            return true
        }
        if fits { return (answer, AnswerHold(memory: size, parking: self)) }
        do {
            let (segment, offset) = try place(size)
            try segment.write(answer.bytes, at: offset)
            AggregatorMetrics.antwoordGeparkeerd(bytes: size)
            return (answer.withoutBytes, AnswerHold(segment: segment, offset: offset, size: size))
        } catch {
            logger.warning(
                "answer kept in memory over the budget: it could not be parked",
                metadata: [
                    "vum.vraag_id": "\(answer.bericht.vraagID)", "vum.bron": "\(answer.bericht.bronID)",
                    "vum.bytes": "\(size)", "vum.directory": "\(directory)", "vum.error": "\(error)",
                ])
            state.withLock { $0.inMemory += size }
            return (answer, AnswerHold(memory: size, parking: self))
        }
    }

    /// The answer with its bytes, read back from the file if they were parked.
    func restore(_ answer: ReceivedGegevensset, _ hold: AnswerHold) throws -> ReceivedGegevensset {
        guard let segment = hold.segment else { return answer }
        return answer.restoring(try segment.read(hold.size, at: hold.offset))
    }

    fileprivate func release(_ size: Int) {
        state.withLock { $0.inMemory -= size }
    }

    /// Where `size` bytes go: the current file, or a new one when it is full.
    private func place(_ size: Int) throws -> (Segment, Int64) {
        try state.withLock { s in
            if s.segment == nil || s.end + Int64(size) > segmentSize {
                s.segment = try Segment(directory: directory)
                s.end = 0
            }
            let offset = s.end
            s.end += Int64(size)
            s.parked += 1
            return (s.segment!, offset)
        }
    }

    /// One unnamed file; closed when nothing refers to it any more.
    final class Segment: Sendable {
        let fd: Int32

        init(directory: String) throws {
            var template = Array((directory.hasSuffix("/") ? directory : directory + "/").utf8CString.dropLast())
            template += Array("vum-answers-XXXXXX".utf8CString)
            let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard fd >= 0 else { throw ParkingError("cannot make a file in \(directory)", errno: errno) }
            let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            unlink(path)
            self.fd = fd
        }

        func write(_ bytes: Data, at offset: Int64) throws {
            try bytes.withUnsafeBytes { raw in
                var done = 0
                while done < raw.count {
                    let n = pwrite(fd, raw.baseAddress! + done, raw.count - done, off_t(offset) + off_t(done))
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { throw ParkingError("cannot write \(raw.count) bytes", errno: errno) }
                    done += n
                }
            }
        }

        func read(_ size: Int, at offset: Int64) throws -> Data {
            var data = Data(count: size)
            try data.withUnsafeMutableBytes { raw in
                var done = 0
                while done < size {
                    let n = pread(fd, raw.baseAddress! + done, size - done, off_t(offset) + off_t(done))
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { throw ParkingError("cannot read \(size) bytes back", errno: n == 0 ? 0 : errno) }
                    done += n
                }
            }
            return data
        }

        deinit { close(fd) }
    }
}

/// An answer's bytes while its zoekvraag is open: their share of the memory budget, or their place in a
/// parked file. Letting the hold go gives either back.
final class AnswerHold: Sendable {
    let size: Int
    let segment: AnswerParking.Segment?
    let offset: Int64
    private let parking: AnswerParking?

    fileprivate init(memory size: Int, parking: AnswerParking) {
        self.size = size
        self.parking = parking
        segment = nil
        offset = 0
    }

    fileprivate init(segment: AnswerParking.Segment, offset: Int64, size: Int) {
        self.size = size
        self.segment = segment
        self.offset = offset
        parking = nil
    }

    var isParked: Bool { segment != nil }

    deinit { parking?.release(size) }
}

/// A parked answer's file could not be made, written or read.
struct ParkingError: Error, CustomStringConvertible {
    let description: String

    init(_ what: String, errno code: Int32) {
        description = code == 0 ? "\(what): the file ended early" : "\(what): \(String(cString: strerror(code)))"
    }
}
