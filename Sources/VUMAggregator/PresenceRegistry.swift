import VUMExchange
import VUMStandaard

/// Who is online, from the aanmeldingen on `vum.aanmeldingen`: an I/O-free state machine. A bron is
/// online from its aanmelding or any heartbeat until its afmelding, or until it misses its heartbeats
/// (three intervals by default), after which it is offline: not waited for, but still reported.
public struct PresenceRegistry: Sendable {
    public struct Entry: Sendable, Hashable {
        public var bron: BronID
        public var gegevenssets: Set<Gegevensset>
        public var versie: String
        public var ondersteundeCriteria: [String]
        public var heartbeatIntervalMs: Int
        public var lastSeenMs: Int64
        public var online: Bool
        /// The bron's clock minus the exchange's, estimated from its recent aanmeldingen and heartbeats
        /// (``ClockDifference``); nil until one came with its sending time in milliseconds.
        public var klokverschilMs: Int64? { clock.estimateMs }
        var clock = ClockDifference()
    }

    /// What changed, for the procesgegevens.
    public enum Change: Sendable, Hashable {
        case aangemeld(BronID)
        case afgemeld(BronID)
        case offline(BronID)
    }

    public private(set) var entries: [BronID: Entry] = [:]
    /// Heartbeats a bron may miss before it counts as offline.
    public var missedHeartbeats: Int64 = 3

    public init() {}

    /// Takes an aanmelding, heartbeat or afmelding received at `nowMs`; `sentAtMs`: when the bron says it
    /// sent it (its `x-vum-sent-ms` header), for the estimate of its clock.
    public mutating func receive(_ a: AanmeldingBericht, nowMs: Int64, sentAtMs: Int64? = nil) -> Change? {
        defer { if let sentAtMs { entries[a.bronID]?.clock.add(sentAtMs: sentAtMs, receivedAtMs: nowMs) } }
        let wasOnline = entries[a.bronID]?.online ?? false
        switch a.soort {
        case .afmelding:
            entries[a.bronID]?.online = false
            entries[a.bronID]?.lastSeenMs = nowMs
            return wasOnline ? .afgemeld(a.bronID) : nil
        case .aanmelding, .heartbeat:
            entries[a.bronID] = Entry(
                bron: a.bronID, gegevenssets: Set(a.gegevenssets), versie: a.versie,
                ondersteundeCriteria: a.ondersteundeCriteria,
                heartbeatIntervalMs: max(100, a.heartbeatIntervalMs), lastSeenMs: nowMs, online: true,
                clock: entries[a.bronID]?.clock ?? ClockDifference())
            return wasOnline ? nil : .aangemeld(a.bronID)
        }
    }

    /// Marks bronnen whose heartbeats stopped as offline.
    public mutating func expire(nowMs: Int64) -> [Change] {
        var changes: [Change] = []
        for (bron, entry) in entries
        where entry.online
            && nowMs - entry.lastSeenMs > Int64(entry.heartbeatIntervalMs) * missedHeartbeats
        {
            entries[bron]?.online = false
            changes.append(.offline(bron))
        }
        return changes.sorted { "\($0)" < "\($1)" }
    }

    /// The bronnen to wait for, and those known for the dataset but offline (reported, not waited for).
    public func expected(for gegevensset: Gegevensset, nowMs: Int64) -> (online: [BronID], offline: [BronID]) {
        var online: [BronID] = []
        var offline: [BronID] = []
        for entry in entries.values where entry.gegevenssets.contains(gegevensset) {
            let alive = entry.online && nowMs - entry.lastSeenMs <= Int64(entry.heartbeatIntervalMs) * missedHeartbeats
            if alive { online.append(entry.bron) } else { offline.append(entry.bron) }
        }
        return (online.sorted(), offline.sorted())
    }
}
