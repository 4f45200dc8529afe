import Metrics
import VUMExchange
import VUMStandaard

/// The aggregator's metrics, through swift-metrics (the executable exports them for Prometheus at
/// `/metrics`). Every label has a bounded set of values: datasets, outcome codes, registered bronnen and
/// the five statuses; never a vraagID or a party.
enum AggregatorMetrics {
    /// A zoekvraag ended: `uitkomst` is `200` or the error code.
    static func zoekvraag(_ gegevensset: Gegevensset, uitkomst: String, duration: Duration?) {
        Counter(label: "vum_zoekvragen_total", dimensions: [("gegevensset", gegevensset.rawValue), ("uitkomst", uitkomst)])
            .increment()
        if let duration {
            Metrics.Timer(label: "vum_zoekvraag_duur", dimensions: [("gegevensset", gegevensset.rawValue)],
                          preferredDisplayUnit: .seconds).recordNanoseconds(duration.nanoseconds)
        }
    }

    /// How each bron did in a closed zoekvraag.
    static func bronnen(_ uitkomsten: [BronUitkomst]) {
        for u in uitkomsten {
            Counter(label: "vum_bron_antwoorden_total", dimensions: [("bron", u.bron.rawValue), ("status", u.status.rawValue)])
                .increment()
            if let ms = u.duurMs, u.status == .beantwoord || u.status == .geenResultaten {
                Metrics.Timer(label: "vum_bron_antwoord_duur", dimensions: [("bron", u.bron.rawValue)],
                              preferredDisplayUnit: .seconds).recordMilliseconds(ms)
            }
        }
    }

    /// Zoekvragen waiting for their bronnen right now.
    static func inBehandeling(_ count: Int) {
        Gauge(label: "vum_zoekvragen_in_behandeling").record(count)
    }

    /// A detail request ended: `uitkomst` is `200` or the error code.
    static func detail(uitkomst: String) {
        Counter(label: "vum_details_total", dimensions: [("uitkomst", uitkomst)]).increment()
    }

    /// Late answers, by bron.
    static func teLaat(_ bron: BronID) {
        Counter(label: "vum_antwoorden_te_laat_total", dimensions: [("bron", bron.rawValue)]).increment()
    }
}

extension Duration {
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
