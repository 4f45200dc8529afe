import Foundation
import VUMExchange
import VUMStandaard

/// How the aggregator serves. Required values in `init`; the rest are documented defaults.
public struct AggregatorConfiguration: Sendable {
    /// The broker user the aggregator connects as; its messages carry it as `user_id`.
    public var brokerUser: String
    /// The exchange's own OIN: `X-VUM-toParty` of requests, `X-VUM-fromParty` of responses.
    public var exchangeOIN: OIN
    /// The deadline of a zoekvraag when the asker names none. Default 5 s.
    public var defaultDeadline: Duration = .seconds(5)
    /// The longest deadline an asker may ask for. Default 30 s.
    public var maximumDeadline: Duration = .seconds(30)
    /// Detail requests per zoekvraag; the next gets `429.01`. Default 10.
    public var detailLimit = 10
    /// How long a detail request waits for its bron. Default 10 s.
    public var detailTimeout: Duration = .seconds(10)
    /// How long a zoekvraag's vumIDs stay usable. Default 7 days.
    public var vumIDLifetime: Duration = .seconds(7 * 24 * 3600)
    /// The most matches asked of each bron. Default 100.
    public var resultLimitPerBron = 100
    /// Late answers are recognised as late (not unknown) for this long after a zoekvraag closes. Default 60 s.
    public var lateAnswerMemory: Duration = .seconds(60)
    /// How long after a zoekvraag closes the asker still waits for the broker's confirm of its
    /// `zoekvraag.ontvangen` event; past it the answer is `503` (no answer without audit) rather than
    /// late: while the broker is away an asker hears within its deadline plus this. Default 2 s.
    public var auditConfirmGrace: Duration = .seconds(2)
    /// Zoekvragen open at once; the next is refused `503` ("busy") with a `zoekvraag.geweigerd` event, so a
    /// flood of questions costs bounded memory and every asker gets an honest answer. Default 1,000.
    public var maximumOpenZoekvragen = 1_000
    /// Bytes of bron answers that open zoekvragen keep in memory; answers beyond it wait in an unnamed
    /// temporary file until their zoekvraag closes (``AnswerParking``). Default 16 MiB.
    public var answerMemoryBudget = 16 << 20
    /// Where parked answers go. Default: the system's temporary directory.
    public var answerParkDirectory = NSTemporaryDirectory()
    /// Messages larger than this are dropped before parsing. Default 8 MiB (100 matches of 20 bronnen fit).
    public var maximumMessageSize = 8 << 20
    /// When the confirmed channel (procesgegevens) is replaced: after at least `nacks` nacks in a row spanning
    /// at least `during` (``ConfirmedChannel``). Default 20 over 2 s.
    public var confirmedChannelReplacement = ChannelReplacement()
    public struct ChannelReplacement: Sendable {
        public var nacks = 20
        public var during: Duration = .seconds(2)
        public init(nacks: Int = 20, during: Duration = .seconds(2)) {
            self.nacks = nacks
            self.during = during
        }
    }
    public var appID = "vum-aggregator/0.1.0"
    /// Which of several aggregators this is (`vum-aggregator` sets the host name unless configured): named
    /// in every procesgebeurtenis's `component`, so an auditor can tell the instances that share the load
    /// apart, each of which records the presence changes it sees.
    public var instance: String?

    /// The `component` of this aggregator's procesgebeurtenissen: `vum-aggregator/0.1.0 on <instance>`.
    public var eventComponent: String { instance.map { "\(appID) on \($0)" } ?? appID }

    public init(brokerUser: String, exchangeOIN: OIN) {
        self.brokerUser = brokerUser
        self.exchangeOIN = exchangeOIN
    }
}
