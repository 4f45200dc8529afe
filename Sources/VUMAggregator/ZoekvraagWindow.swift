import VUMExchange
import VUMStandaard

/// How a bron's part of a zoekvraag ended, as the asker sees it.
public enum BronStatus: String, Sendable, Hashable, CaseIterable {
    /// Answered with matches.
    case beantwoord
    /// Answered: nothing matched.
    case geenResultaten = "geen_resultaten"
    /// Answered with an error.
    case fout
    /// Expected, but no answer before the deadline.
    case teLaat = "te_laat"
    /// Not online when the question went out: not waited for.
    case offline
}

/// One bron's outcome in the answer to the asker.
public struct BronUitkomst: Sendable, Hashable {
    public var bron: BronID
    public var status: BronStatus
    public var aantal: Int
    public var duurMs: Int?
    public var fout: Fout?
    public var maximumAantalResultatenBereikt: Bool
    public var genegeerdeCriteria: [String]
}

/// One bron's state in an open zoekvraag: `beantwoord`, `geen_resultaten` or `fout` once it answered
/// (with count and milliseconds since the fan-out), `wachtend` before, `offline` when not asked.
public struct BronVoortgang: Sendable, Hashable {
    public var bron: BronID
    public var status: String
    public var aantal: Int?
    public var duurMs: Int?
}

/// The state of one zoekvraag between fan-out and completion: an I/O-free state machine. It completes
/// when every expected bron has answered, or at the deadline, whichever comes first; it accepts an
/// answer only from the broker user registered for the bron the answer names, and only once per bron.
public struct ZoekvraagWindow: Sendable {
    public let vraagID: String
    public let gegevensset: Gegevensset
    public let startedMs: Int64
    public let deadlineMs: Int64
    public private(set) var expected: Set<BronID>
    public let offline: [BronID]
    public private(set) var answers: [BronID: (antwoord: ReceivedGegevensset, receivedMs: Int64)] = [:]
    public private(set) var isClosed = false

    public init(
        vraagID: String, gegevensset: Gegevensset, startedMs: Int64, deadlineMs: Int64, expected: [BronID],
        offline: [BronID]
    ) {
        self.vraagID = vraagID
        self.gegevensset = gegevensset
        self.startedMs = startedMs
        self.deadlineMs = deadlineMs
        self.expected = Set(expected)
        self.offline = offline.filter { !expected.contains($0) }
    }

    /// What happened to an answer.
    public enum AnswerOutcome: Sendable, Hashable {
        /// Merged; `complete` when it was the last one expected.
        case accepted(complete: Bool)
        /// A second answer from the same bron: ignored.
        case duplicate
        /// The `user_id` is not the broker user registered for the bron the answer names: dropped.
        case forged(claimedBron: BronID, userID: String?)
        /// After the request closed: recorded with its lateness, never merged.
        case late(byMs: Int64)
        /// For another dataset than asked: dropped.
        case wrongDataset
    }

    /// Takes an answer received at `nowMs`; `registeredUser` is the broker user the registry lists for the
    /// bron the answer names (`nil`: not a registered bron).
    public mutating func receive(
        _ bericht: GegevenssetBericht, userID: String?, registeredUser: String?,
        nowMs: Int64
    ) -> AnswerOutcome {
        receive(ReceivedGegevensset(bericht), userID: userID, registeredUser: registeredUser, nowMs: nowMs)
    }

    /// Takes an answer as the aggregator reads it off the wire (its matches kept as bytes).
    public mutating func receive(
        _ antwoord: ReceivedGegevensset, userID: String?, registeredUser: String?,
        nowMs: Int64
    ) -> AnswerOutcome {
        let outcome = outcome(of: antwoord.bericht, userID: userID, registeredUser: registeredUser, nowMs: nowMs)
        if case .accepted = outcome { answers[antwoord.bericht.bronID] = (antwoord, nowMs) }
        return outcome
    }

    /// What ``receive(_:userID:registeredUser:nowMs:)`` would do with this answer now, without taking it:
    /// the aggregator asks before it spends anything on keeping an answer (parking it in a file).
    public func outcome(
        of bericht: GegevenssetBericht, userID: String?, registeredUser: String?,
        nowMs: Int64
    ) -> AnswerOutcome {
        guard let registeredUser, userID == registeredUser else {
            return .forged(claimedBron: bericht.bronID, userID: userID)
        }
        if isClosed || nowMs > deadlineMs { return .late(byMs: max(0, nowMs - deadlineMs)) }
        guard bericht.gegevensset == gegevensset else { return .wrongDataset }
        guard answers[bericht.bronID] == nil else { return .duplicate }
        return .accepted(complete: expected.allSatisfy { $0 == bericht.bronID || answers[$0] != nil })
    }

    /// Where each bron stands now, while the zoekvraag is open: answered (with count and time), still
    /// awaited (`wachtend`), or offline. For the asker's live view (`GET /api/v3/voortgang/{verzoekID}`).
    public func progress() -> [BronVoortgang] {
        var result: [BronVoortgang] = []
        for bron in expected.union(answers.keys) {
            if let answer = answers[bron] {
                let b = answer.antwoord.bericht
                let count = answer.antwoord.matchCount
                let status: BronStatus = b.fout != nil ? .fout : (count == 0 ? .geenResultaten : .beantwoord)
                result.append(
                    BronVoortgang(
                        bron: bron, status: status.rawValue, aantal: count,
                        duurMs: Int(answer.receivedMs - startedMs)))
            } else {
                result.append(BronVoortgang(bron: bron, status: "wachtend", aantal: nil, duurMs: nil))
            }
        }
        for bron in offline where answers[bron] == nil {
            result.append(BronVoortgang(bron: bron, status: BronStatus.offline.rawValue, aantal: nil, duurMs: nil))
        }
        return result.sorted { $0.bron < $1.bron }
    }

    /// Every expected bron has answered.
    public var isComplete: Bool { expected.allSatisfy { answers[$0] != nil } }

    /// Closes the window (at completion or at the deadline) and says how each bron did.
    public mutating func close() -> [BronUitkomst] {
        isClosed = true
        var result: [BronUitkomst] = []
        for (bron, answer) in answers {
            let b = answer.antwoord.bericht
            let count = answer.antwoord.matchCount
            let status: BronStatus = b.fout != nil ? .fout : (count == 0 ? .geenResultaten : .beantwoord)
            result.append(
                BronUitkomst(
                    bron: bron, status: status, aantal: count,
                    duurMs: b.duurMs ?? Int(answer.receivedMs - startedMs), fout: b.fout,
                    maximumAantalResultatenBereikt: b.maximumAantalResultatenBereikt,
                    genegeerdeCriteria: b.genegeerdeCriteria))
        }
        for bron in expected where answers[bron] == nil {
            result.append(
                BronUitkomst(
                    bron: bron, status: .teLaat, aantal: 0, duurMs: nil, fout: nil,
                    maximumAantalResultatenBereikt: false, genegeerdeCriteria: []))
        }
        for bron in offline where answers[bron] == nil {
            result.append(
                BronUitkomst(
                    bron: bron, status: .offline, aantal: 0, duurMs: nil, fout: nil,
                    maximumAantalResultatenBereikt: false, genegeerdeCriteria: []))
        }
        return result.sorted { $0.bron < $1.bron }
    }
}
