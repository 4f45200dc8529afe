import Foundation
import VUMExchange
import VUMStandaard

/// Figures per bron, per bemiddelaar and per component (each aggregator instance) over a period of the
/// audit trail (`vum-audit report`).
public struct AuditReport: Sendable {
    public struct Filter: Sendable {
        /// Inclusive start and exclusive end, milliseconds since 1970.
        public var fromMs: Int64 = .min
        public var toMs: Int64 = .max
        public var bron: String?
        public var bemiddelaar: String?
        public init(fromMs: Int64 = .min, toMs: Int64 = .max, bron: String? = nil, bemiddelaar: String? = nil) {
            self.fromMs = fromMs
            self.toMs = toMs
            self.bron = bron
            self.bemiddelaar = bemiddelaar
        }
    }

    public struct Bron: Sendable {
        public var bron: String
        /// Zoekvragen sent to it (it was online and expected).
        public var ontvangen = 0
        /// Its status at the close of each zoekvraag.
        public var beantwoord = 0, geenResultaten = 0, fout = 0, teLaat = 0, offline = 0
        /// Answers that arrived after their zoekvraag closed.
        public var lateAntwoorden = 0
        public var matches = 0
        /// Answer latency (fan-out to arrival at the aggregator), milliseconds: p50, p95, p99.
        public var latency: (p50: Int, p95: Int, p99: Int)?
        public var genegeerdeCriteria: [String: Int] = [:]
        public var foutcodes: [String: Int] = [:]
        public var datakwaliteit = 0
        public var wentOffline = 0
        /// (time, latency) of its answers, for the chart.
        var latencies: [(tijdMs: Int64, ms: Int)] = []
    }

    public struct Bemiddelaar: Sendable {
        public var oin: String
        public var zoekvragen = 0
        /// Refused zoekvragen by code and reason.
        public var weigeringen: [String: Int] = [:]
        public var detailverzoeken = 0
        public var detailsGeleverd = 0
        /// Refused detail requests by code (`429.01`: the zoekvraag's details were used up).
        public var detailWeigeringen: [String: Int] = [:]
        public var datakwaliteitMeldingen = 0
    }

    /// What one component (`vum-aggregator/0.1.0 on aggregator-1`: each instance names itself) wrote: with
    /// several aggregators sharing the load, which instance took which share, and when one fell silent.
    public struct Component: Sendable {
        public var component: String
        public var events = 0
        /// Zoekvragen it received, closed, and refused.
        public var zoekvragen = 0, afgerond = 0, weigeringen = 0
        /// Detail requests it served (delivered) and refused.
        public var detailsGeleverd = 0, detailWeigeringen = 0
        /// Its first and last event in the period, milliseconds since 1970.
        public var firstMs: Int64 = .max, lastMs: Int64 = .min
    }

    public var filter: Filter
    public var events = 0
    public var firstMs: Int64?
    public var lastMs: Int64?
    public var bronnen: [Bron]
    public var bemiddelaars: [Bemiddelaar]
    public var components: [Component]

    /// Reads the events of the period once, in chain order.
    public init(store: AuditStore, filter: Filter = Filter()) throws {
        self.filter = filter
        var bronnen: [String: Bron] = [:]
        var bemiddelaars: [String: Bemiddelaar] = [:]
        var components: [String: Component] = [:]
        var askerOf: [String: String] = [:]
        var events = 0
        var first: Int64?
        var last: Int64?
        func bron(_ id: String, _ update: (inout Bron) -> Void) {
            if let wanted = filter.bron, wanted != id { return }
            update(&bronnen[id, default: Bron(bron: id)])
        }
        func party(_ oin: String?, _ update: (inout Bemiddelaar) -> Void) {
            guard let oin else { return }
            update(&bemiddelaars[oin, default: Bemiddelaar(oin: oin)])
        }
        try store.forEachEvent(fromMs: filter.fromMs, toMs: filter.toMs) { stored in
            let e = stored.event
            if let vraagID = e.vraagID, let from = e.fromParty { askerOf[vraagID] = from }
            // With --bemiddelaar, an event counts when it belongs to that party's zoekvraag or request;
            // presence events belong to no party and count only without it.
            if let wanted = filter.bemiddelaar {
                let owner = e.fromParty ?? e.vraagID.flatMap { askerOf[$0] }
                guard owner == wanted else { return }
            }
            events += 1
            first = min(first ?? e.tijdMs, e.tijdMs)
            last = max(last ?? e.tijdMs, e.tijdMs)
            components[e.component, default: Component(component: e.component)].count(e)
            switch e.soort {
            case .zoekvraagOntvangen: party(e.fromParty) { $0.zoekvragen += 1 }
            case .zoekvraagGeweigerd:
                party(e.fromParty) {
                    $0.weigeringen[[e.uitkomst, e.reden].compactMap { $0 }.joined(separator: " "), default: 0] += 1
                }
            case .zoekvraagVerstuurd: for b in e.verwachteBronnen ?? [] { bron(b) { $0.ontvangen += 1 } }
            case .gegevenssetOntvangen:
                guard let id = e.bronID else { return }
                bron(id) { b in
                    b.matches += e.aantal ?? 0
                    for c in e.genegeerdeCriteria ?? [] { b.genegeerdeCriteria[c, default: 0] += 1 }
                    if let ms = e.antwoordMs ?? e.duurMs { b.latencies.append((e.tijdMs, ms)) }
                }
            case .gegevenssetTeLaat: if let id = e.bronID { bron(id) { $0.lateAntwoorden += 1 } }
            case .bronFout:
                if let id = e.bronID { bron(id) { $0.foutcodes[e.uitkomst, default: 0] += 1 } }
            case .zoekvraagAfgerond:
                for (id, status) in e.statusPerBron ?? [:] {
                    bron(id) { b in
                        switch status {
                        case "beantwoord": b.beantwoord += 1
                        case "geen_resultaten": b.geenResultaten += 1
                        case "fout": b.fout += 1
                        case "te_laat": b.teLaat += 1
                        case "offline": b.offline += 1
                        default: break
                        }
                    }
                }
            case .detailOpgevraagd: party(e.fromParty) { $0.detailverzoeken += 1 }
            case .detailGeleverd: party(e.fromParty) { $0.detailsGeleverd += 1 }
            case .detailGeweigerd: party(e.fromParty) { $0.detailWeigeringen[e.uitkomst, default: 0] += 1 }
            case .datakwaliteitGemeld:
                if let id = e.bronID { bron(id) { $0.datakwaliteit += 1 } }
                party(e.fromParty) { $0.datakwaliteitMeldingen += 1 }
            case .bronOffline: if let id = e.bronID { bron(id) { $0.wentOffline += 1 } }
            case .bronAangemeld, .bronAfgemeld: if let id = e.bronID { bron(id) { _ in } }
            }
        }
        for key in bronnen.keys {
            let sorted = bronnen[key]!.latencies.map(\.ms).sorted()
            if !sorted.isEmpty {
                func p(_ q: Double) -> Int {
                    sorted[min(sorted.count - 1, Int((Double(sorted.count) * q).rounded(.up)) - 1)]
                }
                bronnen[key]!.latency = (p(0.50), p(0.95), p(0.99))
            }
        }
        self.events = events
        firstMs = first
        lastMs = last
        self.bronnen = bronnen.values.sorted { $0.bron < $1.bron }
        self.components = components.values.sorted { $0.component < $1.component }
        self.bemiddelaars = bemiddelaars.values.filter { filter.bemiddelaar == nil || $0.oin == filter.bemiddelaar }
            .sorted { $0.oin < $1.oin }
    }
}

extension AuditReport.Component {
    mutating func count(_ e: Procesgebeurtenis) {
        events += 1
        firstMs = min(firstMs, e.tijdMs)
        lastMs = max(lastMs, e.tijdMs)
        switch e.soort {
        case .zoekvraagOntvangen: zoekvragen += 1
        case .zoekvraagAfgerond: afgerond += 1
        case .zoekvraagGeweigerd: weigeringen += 1
        case .detailGeleverd: detailsGeleverd += 1
        case .detailGeweigerd: detailWeigeringen += 1
        default: break
        }
    }
}
