/// How far a sender's clock is from the receiver's: a bron's from the exchange's at the aggregator, the
/// exchange's from the adapter's machine at the adapter. Deadlines travel as absolute times (`x-vum-deadline`),
/// so an adapter whose clock runs ahead sees every zoekvraag as nearly or already expired and one that
/// runs behind answers after the deadline it thinks it has: both look like a slow bron. Each aanmelding
/// and heartbeat says when it was sent; the time it took to arrive only ever adds to the difference seen,
/// so the smallest of the last few is the estimate, and a moment of queueing does not count as a clock.
public struct ClockDifference: Sendable, Hashable {
    /// A difference beyond this is reported (a warning in the log, `vum bronnen`): deadlines are seconds.
    public static let toleranceMs: Int64 = 2000
    /// The last few samples of received minus sent (the receiver's clock minus the sender's, plus transit).
    private var samplesMs: [Int64] = []
    private static let window = 5
    private static let centuryMs: UInt64 = 100 * 366 * 24 * 3600 * 1000

    public init() {}

    /// The sender's clock minus the receiver's (positive: the sender is ahead), or nil without samples.
    public var estimateMs: Int64? { samplesMs.min().map { -$0 } }

    /// Whether the estimate is beyond ``toleranceMs``.
    public var isOff: Bool { estimateMs.map(Self.isBeyondTolerance) ?? false }

    /// Whether a difference of `ms` (either way) is beyond ``toleranceMs``.
    public static func isBeyondTolerance(_ ms: Int64) -> Bool { ms.magnitude > toleranceMs.magnitude }

    /// What a new sample did to the verdict, for a warning said once and not with every message.
    public enum Change: Sendable, Hashable {
        /// The difference went beyond the tolerance.
        case wentOff
        /// It came back within it.
        case cameBack
    }

    /// The change from `before` (nil: nothing known yet) to `after`, or nil when the verdict stayed.
    public static func change(from before: ClockDifference?, to after: ClockDifference) -> Change? {
        let wasOff = before?.isOff ?? false
        return after.isOff == wasOff ? nil : after.isOff ? .wentOff : .cameBack
    }

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
        let seconds = Double(ms.magnitude) / 1000
        let text = seconds < 10 ? "\((seconds * 10).rounded() / 10)" : "\(Int(seconds.rounded()))"
        return "\(text) s \(ms >= 0 ? "ahead" : "behind")"
    }
}
