import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOSSL
import Synchronization
import VUMExchange
import VUMStandaard

/// Where a partner's existing VUM koppelvlak 3.0 Bron endpoint is and how to reach it.
public struct RESTBronSettings: Sendable {
    /// The base URL the contract's paths hang under: `https://bron.example.nl/api/v3`.
    public var baseURL: String
    public var gegevenssets: Set<Gegevensset>
    /// The CA (PEM) that signed the endpoint's certificate; `nil`: the system's trust store.
    public var caFile: String?
    /// The adapter's client certificate and key (PEM): PKIoverheid in production.
    public var certificateFile: String?
    public var keyFile: String?
    /// The bron's OIN, sent as `X-VUM-toParty`.
    public var bronOIN: OIN?
    /// Time kept back from the deadline to publish the answer: the request is given up this long before it.
    public var margin: Duration = .milliseconds(100)
    /// The timeout of a detail request that carries no deadline.
    public var detailTimeout: Duration = .seconds(5)
    /// The largest response body accepted.
    public var maximumResponseSize = 16 << 20

    public init(baseURL: String, gegevenssets: Set<Gegevensset>) {
        self.baseURL = baseURL
        self.gegevenssets = gegevenssets
    }
}

/// A bron answered by a partner's existing REST endpoint (DOMAIN.md section 4, exchange ⇄ bron): the
/// adapter forwards each zoekvraag and detail request over HTTPS with its client certificate and the
/// X-VUM headers, gives up before the deadline, and checks what comes back. A match that is not a valid
/// matching profile of the standard is reported (logged with the partner's id and what is wrong, and
/// counted) and left out, never forwarded; an endpoint that fails or answers nonsense is answered
/// `500.1`, one that is too slow `500.3`, both with the reason.
public final class RESTBronSource: BronSource {
    public let settings: RESTBronSettings
    let client: HTTPClient
    let logger: Logger
    private let leftOut = Mutex(0)

    public init(settings: RESTBronSettings, logger: Logger = Logger(label: "vum.adapter.rest")) throws {
        guard let url = URL(string: settings.baseURL), let scheme = url.scheme, ["http", "https"].contains(scheme),
            url.host != nil
        else {
            throw AdapterError(description: "rest.url \(settings.baseURL): not an http(s) URL")
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let ca = settings.caFile { tls.trustRoots = .file(ca) }
        if let certificate = settings.certificateFile, let key = settings.keyFile {
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            } catch {
                throw AdapterError(description: "rest.tls.certificate/rest.tls.key: \(error)")
            }
        }
        var settings = settings
        settings.baseURL = settings.baseURL.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        self.settings = settings
        self.logger = logger
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
    }

    /// Closes the HTTP client's connections; call once when the adapter stops.
    public func shutdown() async throws { try await client.shutdown() }

    /// Matches from the partner that were left out because they are not valid matching profiles.
    public var leftOutMatches: Int { leftOut.withLock { $0 } }

    public var gegevenssets: Set<Gegevensset> { settings.gegevenssets }
    public var ondersteundeCriteria: [String] { SupportedCriteria.keys(for: settings.gegevenssets) }

    static func collection(_ g: Gegevensset) -> String { g == .werkzoekenden ? "werkzoekendeProfielen" : "vacatures" }

    public func zoek(_ q: Evaluator.PreparedQuestion, limit: Int, context: Verzoekcontext) async throws -> Zoekresultaat
    {
        let g = q.vraag.gegevensset
        let body = JSONValue.object(JSONObject([("vraagObject", q.vraag.json)]))
        let (status, json) = try await send(
            "POST", "/\(Self.collection(g))/matches", body: body, context: context,
            timeout: try timeout(context, otherwise: nil))
        guard status == 200 else { throw Self.failure(status, json) }
        guard case .object(let o) = json, case .array(let raw)? = o["matches"] else {
            throw Fout.internalError("the bron's endpoint answered without a matches list")
        }
        var matches: [JSONValue] = []
        for (i, item) in raw.enumerated() {
            let checked: Result<JSONValue, ValidationError> =
                switch g {
                case .werkzoekenden: WerkzoekendeMatchingProfiel.validate(item).map { $0.value.json }
                case .vacatures: VacatureMatchingProfiel.validate(item).map { $0.value.json }
                }
            switch checked {
            case .success(let profile): matches.append(profile)
            case .failure(let error):
                leftOut.withLock { $0 += 1 }
                let id = if case .object(let m) = item, case .string(let s)? = m[g.idKey] { s } else { "matches[\(i)]" }
                logger.warning(
                    "match left out: the bron's endpoint sent an invalid matching profile",
                    metadata: [
                        "vum.vraag_id": "\(context.vraagID)", "vum.record_id": "\(id)",
                        "vum.issues":
                            "\(error.issues.filter { $0.severity == .error }.prefix(5).map(\.description).joined(separator: "; "))",
                    ])
            }
        }
        var more = false
        if case .bool(let b)? = o["maximumAantalResultatenBereikt"] { more = b }
        if matches.count > limit {
            matches.removeLast(matches.count - limit)
            more = true
        }
        return Zoekresultaat(matches: matches, maximumAantalResultatenBereikt: more)
    }

    public func detail(_ id: RecordID, gegevensset g: Gegevensset, context: Verzoekcontext) async throws
        -> DetailRecord?
    {
        let (status, json) = try await send(
            "GET", "/\(Self.collection(g))/\(id.rawValue)", body: nil, context: context,
            timeout: try timeout(context, otherwise: settings.detailTimeout))
        if status == 404 { return nil }
        guard status == 200 else { throw Self.failure(status, json) }
        let key = g == .werkzoekenden ? "werkzoekende" : "vacature"
        guard case .object(let o) = json, let record = o[key] else {
            throw Fout.internalError("the bron's endpoint answered without \(key)")
        }
        do {
            switch g {
            case .werkzoekenden: return .werkzoekende(try Werkzoekende(json: record))
            case .vacatures: return .vacature(try Vacature(json: record))
            }
        } catch {
            leftOut.withLock { $0 += 1 }
            let issues = error.issues.filter { $0.severity == .error }.prefix(3).map(\.description).joined(
                separator: "; ")
            logger.warning(
                "detail refused: the bron's endpoint sent an invalid record",
                metadata: ["vum.record_id": "\(id)", "vum.issues": "\(issues)"])
            throw Fout.internalError("the bron's endpoint sent an invalid \(key)", details: issues)
        }
    }

    /// The time left before the deadline minus the margin; a request that cannot make it is not sent.
    func timeout(_ context: Verzoekcontext, otherwise: Duration?) throws -> Duration {
        try RequestDeadline(margin: settings.margin, withoutDeadline: otherwise ?? .seconds(5)).timeLeft(context)
    }

    private func send(
        _ method: String, _ path: String, body: JSONValue?, context: Verzoekcontext,
        timeout: Duration
    ) async throws -> (Int, JSONValue) {
        var request = HTTPClientRequest(url: settings.baseURL + path)
        request.method = .init(rawValue: method)
        request.headers.add(name: "API-Version", value: "3.0.0")
        request.headers.add(name: "X-VUM-berichtVersie", value: "3.0.0")
        request.headers.add(name: "Accept", value: "application/json")
        if let from = context.fromParty {
            request.headers.add(name: "X-VUM-fromParty", value: from.rawValue)
            request.headers.add(name: "X-VUM-viaParty", value: (context.viaParty ?? from).rawValue)
        }
        if let to = settings.bronOIN { request.headers.add(name: "X-VUM-toParty", value: to.rawValue) }
        if let suwi = context.suwiParty { request.headers.add(name: "X-VUM-SUWIparty", value: suwi ? "true" : "false") }
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body.serializedBytes()))
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        let started = ContinuousClock.now
        do {
            let response = try await client.execute(
                request,
                timeout: .nanoseconds(
                    Int64(timeout.components.seconds) * 1_000_000_000
                        + timeout.components.attoseconds / 1_000_000_000))
            let bytes = try await response.body.collect(upTo: settings.maximumResponseSize)
            let status = Int(response.status.code)
            guard let json = try? JSONValue.parse(bytes.readableBytesView) else {
                if status == 404 { return (404, .null) }
                throw Fout.internalError("the bron's endpoint answered HTTP \(status) without JSON")
            }
            return (status, json)
        } catch let fout as Fout {
            throw fout
        } catch let error as HTTPClientError
            where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout
        {
            throw Fout(
                code: "500.3", message: "the bron's endpoint did not answer before the deadline",
                details: "gave up after \(ContinuousClock.now - started) (\(settings.baseURL))")
        } catch let error as NIOTooManyBytesError {
            throw Fout.internalError(
                "the bron's endpoint answered more than \(settings.maximumResponseSize) bytes", details: "\(error)")
        } catch {
            throw Fout.internalError("the bron's endpoint cannot be reached", details: "\(settings.baseURL): \(error)")
        }
    }

    /// An endpoint's error answer as the adapter's: its own `{code, message}` kept in the details.
    static func failure(_ status: Int, _ json: JSONValue) -> Fout {
        var said = ""
        if case .object(let o) = json {
            let code = if case .string(let c)? = o["code"] { c } else { "" }
            let message = if case .string(let m)? = o["message"] { m } else { "" }
            said = [code, message].filter { !$0.isEmpty }.joined(separator: " ")
        }
        return Fout.internalError("the bron's endpoint answered HTTP \(status)", details: said.isEmpty ? nil : said)
    }
}
