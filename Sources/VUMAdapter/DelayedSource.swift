import VUMStandaard

/// A source that answers like another, only later: every zoekvraag and detail request waits `delay` before
/// the wrapped source is asked, as a slow legacy system behind the adapter would. For benchmarks
/// (`vum-bench` scenarios with per-bron latency) and fault drills; set by the adapter's `source.delay`
/// key, which stays `0ms` in production. The wait ends early when the request's task is cancelled.
public struct DelayedSource: BronSource {
    public let base: any BronSource
    public let delay: Duration

    public init(_ base: any BronSource, delay: Duration) {
        self.base = base
        self.delay = delay
    }

    public var gegevenssets: Set<Gegevensset> { base.gegevenssets }
    public var ondersteundeCriteria: [String] { base.ondersteundeCriteria }
    public func ondersteundeCriteria(_ gegevensset: Gegevensset) -> [String] { base.ondersteundeCriteria(gegevensset) }
    public var worksOnItsOwnThreads: Bool { base.worksOnItsOwnThreads }

    public func zoek(_ vraag: Evaluator.PreparedQuestion, limit: Int, context: Verzoekcontext) async throws
        -> Zoekresultaat
    {
        try await Task.sleep(for: delay)
        return try await base.zoek(vraag, limit: limit, context: context)
    }

    public func detail(_ id: RecordID, gegevensset: Gegevensset, context: Verzoekcontext) async throws -> DetailRecord?
    {
        try await Task.sleep(for: delay)
        return try await base.detail(id, gegevensset: gegevensset, context: context)
    }
}
