/// Exponential backoff between reconnect attempts: `initial`, doubling up to `maximum`, with up to 20%
/// jitter so a fleet of adapters does not hammer a broker that comes back. I/O-free; tested alone.
struct ReconnectBackoff: Sendable {
    let initial: Duration
    let maximum: Duration
    private(set) var attempts = 0

    init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = max(initial, maximum)
    }

    /// The wait before the next attempt; `jitter` in 0...1 (random in production, fixed in tests).
    mutating func nextDelay(jitter: Double = Double.random(in: 0...1)) -> Duration {
        let exponent = min(attempts, 30)
        attempts += 1
        var delay = initial * (1 << exponent)
        if delay > maximum || delay < initial { delay = maximum }
        return delay - delay * (0.2 * min(max(jitter, 0), 1))
    }

    mutating func reset() { attempts = 0 }
}
