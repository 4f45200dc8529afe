import Foundation
import VUMExchange
import VUMStandaard

/// A breach of a rule of DOMAIN.md section 5 found in the trail (`vum-audit check`).
public struct RuleViolation: Sendable, Hashable, CustomStringConvertible {
    public enum Rule: String, Sendable, CaseIterable {
        /// More details delivered for one zoekvraag than allowed.
        case tooManyDetails = "te-veel-details"
        /// Job-seeker profiles (matches or a detail) delivered to a party not recorded as SUWI.
        case werkzoekendenToNonSUWI = "werkzoekenden-aan-niet-suwi"
        /// An event carrying what looks like personal data: an e-mail address, a phone number, or a field
        /// that is no procesgegevens field (worse: a record field of the standard).
        case personalData = "persoonsgegevens"
    }

    public var rule: Rule
    public var seq: Int64
    public var eventID: String
    public var vraagID: String?
    public var detail: String
    public var description: String {
        "[\(rule.rawValue)] event \(seq) (\(eventID))\(vraagID.map { ", zoekvraag \($0)" } ?? ""): \(detail)"
    }
}

/// The rules check over the whole trail or a period.
public struct RulesCheck: Sendable {
    public var maximumDetails: Int

    public init(maximumDetails: Int = 10) { self.maximumDetails = maximumDetails }

    /// The fields a procesgebeurtenis may carry (its JSON Schema's properties).
    static let eventFields: Set<String> = [
        "eventID", "soort", "tijdMs", "component", "uitkomst", "vraagID", "fromParty", "viaParty", "suwi",
        "gegevensset",
        "bronID", "criteriaSleutels", "reden", "verwachteBronnen", "aantal", "maximumAantalResultatenBereikt",
        "genegeerdeCriteria", "duurMs", "teLaatMs", "aantallenPerStatus", "statusPerBron", "gedeeltelijk", "antwoordMs",
        "vumID",
    ]
    /// Object-valued fields whose keys are data (bron ids, statuses), not field names.
    static let mapFields: Set<String> = ["aantallenPerStatus", "statusPerBron"]
    /// Identifier fields: opaque ids, OINs and pseudonyms, not searched for phone numbers.
    static let identifierFields: Set<String> = [
        "eventID", "vraagID", "fromParty", "viaParty", "vumID", "bronID", "component",
    ]

    /// Record fields of the standard that identify or describe a person or a contact (DOMAIN.md section 2)
    /// and must never reach the trail; plus the kinds of data no record holds at all.
    public static let recordFields: Set<String> = [
        "idWerkzoekende", "idVacature", "emailadres", "telefoonnummer", "webadres", "contactpersoon",
        "naamContactpersoonAfdeling", "persoonlijkePresentatie", "eisAanWerk", "indicatieLdrRegistratie", "mobiliteit",
        "bemiddelingspostcode", "arbeidsmarktkwalificatie", "werkervaring", "naamOrganisatie",
        "toelichtingWerkervaring",
        "opleiding", "cursus", "adres", "postcode", "straatnaam", "huisnummer", "werkgever", "nummerVacature",
        "matchingProfiel", "matches",
    ]
    static let neverFields: Set<String> = [
        "bsn", "burgerservicenummer", "naam", "achternaam", "voornaam", "geboortedatum",
        "geslacht", "nationaliteit",
    ]

    public func run(_ store: AuditStore, fromMs: Int64 = .min, toMs: Int64 = .max) throws -> [RuleViolation] {
        var violations: [RuleViolation] = []
        var delivered: [String: Int] = [:]
        try store.forEachEvent(fromMs: fromMs, toMs: toMs) { stored in
            let e = stored.event
            func flag(_ rule: RuleViolation.Rule, _ detail: String) {
                violations.append(
                    .init(rule: rule, seq: stored.seq, eventID: e.eventID, vraagID: e.vraagID, detail: detail))
            }
            if e.soort == .detailGeleverd, let vraagID = e.vraagID {
                delivered[vraagID, default: 0] += 1
                if delivered[vraagID]! > maximumDetails {
                    flag(
                        .tooManyDetails,
                        "detail \(delivered[vraagID]!) delivered for this zoekvraag; at most \(maximumDetails) are allowed"
                    )
                }
            }
            let deliversWerkzoekenden =
                e.gegevensset == Gegevensset.werkzoekenden.rawValue
                && ((e.soort == .zoekvraagAfgerond && (e.aantal ?? 0) > 0) || e.soort == .detailGeleverd)
            if deliversWerkzoekenden, e.suwi != true {
                let what =
                    e.soort == .detailGeleverd ? "a werkzoekende's detail" : "\(e.aantal ?? 0) werkzoekende profiles"
                flag(
                    .werkzoekendenToNonSUWI,
                    "\(what) delivered to \(e.fromParty ?? "an unrecorded party"), "
                        + (e.suwi == false ? "not a SUWI party" : "whose SUWI status is not recorded"))
            }
            for finding in Self.personalData(in: stored.json) { flag(.personalData, finding) }
        }
        return violations
    }

    /// What in an event's JSON looks like personal data, each with its path.
    static func personalData(in json: JSONValue) -> [String] {
        guard case .object(let top) = json else { return [] }
        var findings: [String] = []
        func scan(_ value: JSONValue, path: String, field: String, checkKeys: Bool) {
            switch value {
            case .object(let o):
                for (key, v) in o {
                    let p = "\(path).\(key)"
                    if checkKeys, recordFields.contains(key) || neverFields.contains(key.lowercased()) {
                        findings.append("\(p): \(key) is a field of a person's record")
                    }
                    scan(v, path: p, field: field, checkKeys: checkKeys)
                }
            case .array(let items):
                for (i, v) in items.enumerated() { scan(v, path: "\(path)[\(i)]", field: field, checkKeys: checkKeys) }
            case .string(let s):
                if PersonalDataPatterns.containsEmail(s) {
                    findings.append("\(path): holds an e-mail address")
                } else if !identifierFields.contains(field), PersonalDataPatterns.containsPhoneNumber(s) {
                    findings.append("\(path): holds a phone number")
                }
            default: break
            }
        }
        for (key, value) in top {
            if !eventFields.contains(key) {
                let kind =
                    recordFields.contains(key) || neverFields.contains(key.lowercased())
                    ? "a field of a person's record" : "not a procesgegevens field"
                findings.append("\(key): \(kind)")
            }
            scan(value, path: key, field: key, checkKeys: !mapFields.contains(key))
        }
        return findings
    }
}

/// Plain scanners for e-mail addresses and Dutch phone numbers in free text (no regex engine: they run
/// over every string of every event).
enum PersonalDataPatterns {
    /// `local@domain.tld`: a run of address characters, `@`, a domain with a dot.
    static func containsEmail(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard let at = u.firstIndex(of: 0x40), at > 0 else { return false }
        func localChar(_ b: UInt8) -> Bool {
            (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b)
                || "._%+-".utf8.contains(b)
        }
        guard localChar(u[at - 1]) else { return false }
        let domain = u[(at + 1)...].prefix { localChar($0) }
        guard let dot = domain.lastIndex(of: 0x2E), dot > at + 1, domain.endIndex - dot > 2 else { return false }
        return true
    }

    /// Ten digits starting with 0 (`0612345678`, `020 1234567`, `020-1234567`) or `+31`/`0031` and nine
    /// digits, separators allowed, not part of a longer run of digits.
    static func containsPhoneNumber(_ s: String) -> Bool {
        let u = Array(s.utf8)
        func digit(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) }
        var i = 0
        while i < u.count {
            if digit(u[i]) || u[i] == 0x2B, i == 0 || !digit(u[i - 1]) {
                var j = i
                if u[j] == 0x2B { j += 1 }
                var digits: [UInt8] = []
                while j < u.count, digits.count < 14,
                    digit(u[j]) || ((u[j] == 0x20 || u[j] == 0x2D) && j + 1 < u.count && digit(u[j + 1]))
                {
                    if digit(u[j]) { digits.append(u[j]) }
                    j += 1
                }
                let endsRun = j >= u.count || !digit(u[j])
                let text = String(decoding: digits, as: UTF8.self)
                let national = digits.count == 10 && text.hasPrefix("0") && !text.hasPrefix("00")
                let international =
                    (u[i] == 0x2B && digits.count == 11 && text.hasPrefix("31"))
                    || (digits.count == 13 && text.hasPrefix("0031"))
                if endsRun, national || international { return true }
                i = max(j, i + 1)
            } else {
                i += 1
            }
        }
        return false
    }
}
