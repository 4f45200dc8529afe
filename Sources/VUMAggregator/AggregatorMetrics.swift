import Metrics
import Synchronization
import VUMExchange
import VUMStandaard

/// The aggregator's metrics, through swift-metrics (the executable exports them for Prometheus at
/// `/metrics`). Every label has a bounded set of values: datasets, outcome codes, registered bronnen and
/// the five statuses; never a vraagID or a party.
enum AggregatorMetrics {
    /// Each handle is made once per label set (STYLE.md: metrics are created once); the sets are bounded,
    /// so the caches are too. Making a handle asks the backend's registry under its lock every time.
    private static let counters = Mutex<[String: Counter]>([:])
    private static let timers = Mutex<[String: Metrics.Timer]>([:])

    private static func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
        let key = label + dimensions.map { "|\($0.0)=\($0.1)" }.joined()
        return counters.withLock { cache in
            if let c = cache[key] { return c }
            let c = Counter(label: label, dimensions: dimensions)
            cache[key] = c
            return c
        }
    }

    private static func timer(_ label: String, _ dimensions: [(String, String)]) -> Metrics.Timer {
        let key = label + dimensions.map { "|\($0.0)=\($0.1)" }.joined()
        return timers.withLock { cache in
            if let t = cache[key] { return t }
            let t = Metrics.Timer(label: label, dimensions: dimensions, preferredDisplayUnit: .seconds)
            cache[key] = t
            return t
        }
    }

    private static let open = Gauge(label: "vum_zoekvragen_in_behandeling")
    private static let clocks = Mutex<[BronID: Gauge]>([:])

    /// A bron's clock minus the exchange's, as last estimated (``ClockDifference``).
    static func clock(_ bron: BronID, ms: Int64) {
        let gauge = clocks.withLock { cache in
            if let g = cache[bron] { return g }
            let g = Gauge(label: "vum_bron_klokverschil_ms", dimensions: [("bron", bron.rawValue)])
            cache[bron] = g
            return g
        }
        gauge.record(ms)
    }

    /// A zoekvraag ended: `uitkomst` is `200` or the error code.
    static func zoekvraag(_ gegevensset: Gegevensset, uitkomst: String, duration: Duration?) {
        counter("vum_zoekvragen_total", [("gegevensset", gegevensset.rawValue), ("uitkomst", uitkomst)]).increment()
        if let duration {
            timer("vum_zoekvraag_duur", [("gegevensset", gegevensset.rawValue)]).recordNanoseconds(duration.nanoseconds)
        }
    }

    /// How each bron did in a closed zoekvraag.
    static func bronnen(_ uitkomsten: [BronUitkomst]) {
        for u in uitkomsten {
            counter("vum_bron_antwoorden_total", [("bron", u.bron.rawValue), ("status", u.status.rawValue)]).increment()
            if let ms = u.duurMs, u.status == .beantwoord || u.status == .geenResultaten {
                timer("vum_bron_antwoord_duur", [("bron", u.bron.rawValue)]).recordMilliseconds(ms)
            }
        }
    }

    /// A zoekvraag refused because `maximumOpenZoekvragen` were open.
    static func busy() {
        counter("vum_zoekvragen_te_druk_total", []).increment()
    }

    /// Zoekvragen waiting for their bronnen right now.
    static func inBehandeling(_ count: Int) {
        open.record(count)
    }

    /// A bron answer parked in a file: the answers of open zoekvragen were over their memory budget.
    static func antwoordGeparkeerd(bytes: Int) {
        counter("vum_antwoorden_geparkeerd_total", []).increment()
        counter("vum_antwoorden_geparkeerd_bytes_total", []).increment(by: Int64(bytes))
    }

    /// A detail request ended: `uitkomst` is `200` or the error code.
    static func detail(uitkomst: String) {
        counter("vum_details_total", [("uitkomst", uitkomst)]).increment()
    }

    /// A confirmed channel replaced because the broker refused everything on it.
    static func confirmedChannelReplaced(_ kanaal: String) {
        counter("vum_bevestigd_kanaal_vervangen_total", [("kanaal", kanaal)]).increment()
    }

    /// A match a bron sent that the merged answer left out: `reden` is `detailveld` (it carried a
    /// detail-only field) or `geen_id` (no single string record id).
    static func matchWeggelaten(_ bron: BronID, reden: String) {
        counter("vum_matches_weggelaten_total", [("bron", bron.rawValue), ("reden", reden)]).increment()
    }

    /// Late answers, by bron.
    static func teLaat(_ bron: BronID) {
        counter("vum_antwoorden_te_laat_total", [("bron", bron.rawValue)]).increment()
    }
}

extension Duration {
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
