/// How far a bron's clock is from the exchange's. Deadlines travel as absolute times (`x-vum-deadline`),
/// so an adapter whose clock runs ahead sees every zoekvraag as nearly or already expired and one that
/// runs behind answers after the deadline it thinks it has: both look like a slow bron. Each aanmelding
/// and heartbeat says when it was sent; the time it took to arrive only ever adds to the difference seen,
/// so the smallest of the last few is the estimate, and a moment of queueing does not count as a clock.
public struct ClockDifference: Sendable, Hashable {
    /// A difference beyond this is reported (a warning in the log, `vum bronnen`): deadlines are seconds.
    public static let toleranceMs: Int64 = 2000
    /// The last few samples of received minus sent (the exchange's clock minus the bron's, plus transit).
    private var samplesMs: [Int64] = []
    private static let window = 5
    private static let centuryMs: UInt64 = 100 * 366 * 24 * 3600 * 1000

    public init() {}

    /// The bron's clock minus the exchange's (positive: the bron is ahead), or nil without samples.
    public var estimateMs: Int64? { samplesMs.min().map { -$0 } }

    /// Whether the estimate is beyond ``toleranceMs``.
    public var isOff: Bool { estimateMs.map { abs($0) > Self.toleranceMs } ?? false }

    /// A sending time the header claims is the sender's to choose: one more than a century away from the
    /// receiving time is not a clock (and could overflow the arithmetic), so it is not counted.
    public mutating func add(sentAtMs: Int64, receivedAtMs: Int64) {
        let (difference, overflow) = receivedAtMs.subtractingReportingOverflow(sentAtMs)
        guard !overflow, difference.magnitude <= Self.centuryMs else { return }
        samplesMs.append(difference)
        if samplesMs.count > Self.window { samplesMs.removeFirst(samplesMs.count - Self.window) }
    }

    /// In words: "3.2 s ahead", "1.5 s behind".
    public static func describe(_ ms: Int64) -> String {
        let seconds = Double(abs(ms)) / 1000
        let text = seconds < 10 ? "\((seconds * 10).rounded() / 10)" : "\(Int(seconds.rounded()))"
        return "\(text) s \(ms >= 0 ? "ahead" : "behind")"
    }
}
