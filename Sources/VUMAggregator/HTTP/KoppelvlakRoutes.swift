import Foundation
import HTTPTypes
import Hummingbird
import VUMExchange
import VUMStandaard

/// The REST API a bemiddelaar talks to, compatible with the VUM koppelvlak 3.0 bemiddelaar contract
/// (DOMAIN.md section 4), plus the operator's endpoints:
///
/// - `POST /api/v3/werkzoekendeProfielen/matches`, `POST /api/v3/vacatures/matches`
/// - `GET /api/v3/werkzoekendeProfielen/{vumID}`, `GET /api/v3/vacatures/{vumID}`
/// - `GET /api/v3/openapi.json` (the OpenAPI document), `GET /health`, `GET /bronnen` (presence)
///
/// Every error is the koppelvlak's `{"code", "message", "details"}` with the matching HTTP status; a method a
/// path does not serve is `405` with an `Allow` header.
public enum KoppelvlakRoutes {
    /// Request bodies larger than this are refused with `400.01`.
    public static let maximumBodySize = 1 << 20

    static let fromParty = HTTPField.Name("X-VUM-fromParty")!
    static let viaParty = HTTPField.Name("X-VUM-viaParty")!
    static let toParty = HTTPField.Name("X-VUM-toParty")!
    static let berichtVersie = HTTPField.Name("X-VUM-berichtVersie")!
    static let apiVersion = HTTPField.Name("API-Version")!
    static let gedeeltelijk = HTTPField.Name("X-VUM-gedeeltelijk")!
    static let deadline = HTTPField.Name("X-VUM-deadline-ms")!
    static let verzoekID = HTTPField.Name("X-VUM-verzoekID")!

    /// A router with every route on `service`; `metrics`, when given, serves `GET /metrics` (the Prometheus
    /// text format the executable's registry writes).
    public static func router(_ service: AggregatorService, metrics: (@Sendable () -> [UInt8])? = nil)
        -> Router<KoppelvlakContext>
    {
        let router = Router(context: KoppelvlakContext.self)
        let served = ServedMethods(service: service)
        router.add(middleware: served)
        // Every route through here, so that the 405 answers know each path's methods.
        func on(
            _ method: HTTPRequest.Method, _ path: String,
            _ handler: @escaping @Sendable (Request, KoppelvlakContext) async -> Response
        ) {
            served.add(method, path)
            router.on(RouterPath(path), method: method, use: handler)
        }
        for (path, gegevensset) in [("werkzoekendeProfielen", Gegevensset.werkzoekenden), ("vacatures", .vacatures)] {
            on(.post, "/api/v3/\(path)/matches") { request, context in
                await matches(request, context, gegevensset, service)
            }
            on(.get, "/api/v3/\(path)/:vumID") { request, context in
                await detail(request, context, context.parameters.get("vumID") ?? "", gegevensset, service)
            }
            on(.post, "/api/v3/\(path)/:vumID/datakwaliteit") { request, context in
                await datakwaliteit(request, context, context.parameters.get("vumID") ?? "", gegevensset, service)
            }
        }
        on(.get, "/api/v3/voortgang/:verzoekID") { request, context in
            await voortgang(request, context, context.parameters.get("verzoekID") ?? "", service)
        }
        let openAPI = OpenAPIDocument.json(exchange: service.configuration.exchangeOIN).serializedBytes()
        on(.get, "/api/v3/openapi.json") { _, _ in
            json(.ok, bytes: openAPI, service: service, asker: nil)
        }
        on(.get, "/health") { _, _ in
            guard let reason = await service.unhealthyReason() else {
                return json(.ok, .object(JSONObject([("status", .string("ok"))])), service: service, asker: nil)
            }
            let body = JSONObject([("status", .string("unavailable")), ("reason", .string(reason))])
            return json(.serviceUnavailable, .object(body), service: service, asker: nil)
        }
        if let metrics {
            on(.get, "/metrics") { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(bytes: metrics())))
            }
        }
        on(.get, "/bronnen") { _, _ in
            json(.ok, presenceJSON(service.presence), service: service, asker: nil)
        }
        return router
    }

    /// The parties of a request: `X-VUM-fromParty` is required; via defaults to from; toParty, when
    /// given, must be this exchange; a major API version other than 3 is refused. Over mutual TLS the
    /// client certificate decides who is calling: the party that connects (`X-VUM-viaParty`, else
    /// `X-VUM-fromParty`) must be the OIN in the certificate (`401` without one, `403` for another), and a
    /// refusal is recorded as a `zoekvraag.geweigerd` event.
    static func parties(_ request: Request, _ context: KoppelvlakContext, _ service: AggregatorService)
        async throws(Fout)
        -> (from: OIN, via: OIN)
    {
        let (from, via) = try headerParties(request, service)
        switch await context.certificateParty() {
        case .none:
            break
        case .oin(let oin) where oin == via:
            break
        case .oin(let oin):
            let fout = Fout(
                code: "403", message: "not allowed",
                details:
                    "the client certificate is of party \(oin), not of \(via) (X-VUM-\(via == from ? "fromParty" : "viaParty"))"
            )
            service.refuseAtREST(from: from, via: via, request.uri.path, fout)
            throw fout
        case .withoutOIN(let subject):
            let fout = Fout(
                code: "401", message: "not authorised",
                details: "the client certificate (\(subject)) carries no OIN in its subject serialNumber")
            service.refuseAtREST(from: from, via: via, request.uri.path, fout)
            throw fout
        }
        return (from, via)
    }

    static func headerParties(_ request: Request, _ service: AggregatorService) throws(Fout) -> (from: OIN, via: OIN) {
        for name in [apiVersion, berichtVersie] {
            if let version = request.headers[name], !version.hasPrefix("3.") && version != "3" {
                throw Fout.invalidRequest("unsupported \(name)", details: "\(version); this exchange speaks 3.x")
            }
        }
        guard let fromText = request.headers[fromParty], !fromText.isEmpty else {
            throw Fout(
                code: "400.02", message: "incomplete request",
                details: "the X-VUM-fromParty header (an OIN) is required")
        }
        let from: OIN
        do { from = try OIN(validating: fromText) } catch {
            throw Fout.invalidRequest("invalid X-VUM-fromParty", details: error.description)
        }
        var via = from
        if let viaText = request.headers[viaParty], !viaText.isEmpty {
            do { via = try OIN(validating: viaText) } catch {
                throw Fout.invalidRequest("invalid X-VUM-viaParty", details: error.description)
            }
        }
        if let to = request.headers[toParty], !to.isEmpty, to != service.configuration.exchangeOIN.rawValue {
            throw Fout.invalidRequest(
                "wrong X-VUM-toParty", details: "this exchange is \(service.configuration.exchangeOIN)")
        }
        return (from, via)
    }

    static func matches(
        _ request: Request, _ context: KoppelvlakContext, _ gegevensset: Gegevensset, _ service: AggregatorService
    )
        async -> Response
    {
        var asker: OIN?
        do throws(Fout) {
            let (from, via) = try await parties(request, context, service)
            asker = from
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: maximumBodySize) } catch {
                throw Fout.invalidRequest(
                    "request body too large or unreadable", details: "at most \(maximumBodySize) bytes")
            }
            let parsed: JSONValue
            do { parsed = try JSONValue.parse(body.readableBytesView) } catch {
                throw Fout.invalidRequest("the body is not JSON", details: error.description)
            }
            guard case .object(let o) = parsed, let vraagObject = o["vraagObject"] else {
                throw Fout(
                    code: "400.02", message: "incomplete request",
                    details: "the body must be {\"vraagObject\": selectievraag}")
            }
            var asked: Duration?
            if let text = request.headers[deadline] {
                guard let ms = Int(text), ms > 0 else {
                    throw Fout.invalidRequest(
                        "invalid X-VUM-deadline-ms",
                        details: "\(text): a whole number of milliseconds above 0")
                }
                asked = .milliseconds(ms)
            }
            var zoekverzoek = Zoekverzoek(
                gegevensset: gegevensset, vraagObject: vraagObject, fromParty: from, viaParty: via,
                deadline: asked)
            if let id = request.headers[verzoekID] {
                guard Self.isVerzoekID(id) else {
                    throw Fout.invalidRequest("invalid X-VUM-verzoekID", details: "1 to 100 of a-z A-Z 0-9 . _ -")
                }
                zoekverzoek.verzoekID = id
            }
            let antwoord = try await service.zoek(zoekverzoek)
            // Head, matches and tail straight into the response's buffer: the matches (megabytes at 20 bronnen)
            // are copied once on their way out.
            let (head, tail) = antwoord.framing()
            var buffer = ByteBuffer()
            buffer.reserveCapacity(head.count + antwoord.matchesJSON.count + tail.count)
            buffer.writeBytes(head)
            buffer.writeBytes(antwoord.matchesJSON)
            buffer.writeBytes(tail)
            var response = json(.ok, buffer: buffer, service: service, asker: from)
            response.headers[gedeeltelijk] = antwoord.gedeeltelijk ? "true" : "false"
            return response
        } catch {
            return Self.error(error, service: service, asker: asker)
        }
    }

    static func detail(
        _ request: Request, _ context: KoppelvlakContext, _ vumID: String, _ gegevensset: Gegevensset,
        _ service: AggregatorService
    ) async -> Response {
        var asker: OIN?
        do throws(Fout) {
            let (from, via) = try await parties(request, context, service)
            asker = from
            let antwoord = try await service.detail(vumID, party: from, viaParty: via, gegevensset: gegevensset)
            return json(.ok, antwoord.json(gegevensset), service: service, asker: from)
        } catch {
            return Self.error(error, service: service, asker: asker)
        }
    }

    /// `{"reden": code, "toelichting": text}` about a vumID the asker received: `202` with the report's id.
    /// An extension of koppelvlak 3.0 (which has no such call), documented in the OpenAPI document.
    static func datakwaliteit(
        _ request: Request, _ context: KoppelvlakContext, _ vumID: String, _ gegevensset: Gegevensset,
        _ service: AggregatorService
    ) async -> Response {
        var asker: OIN?
        do throws(Fout) {
            let (from, via) = try await parties(request, context, service)
            asker = from
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: 16 * 1024) } catch {
                throw Fout.invalidRequest("request body too large or unreadable", details: "at most 16384 bytes")
            }
            guard case .object(let o)? = try? JSONValue.parse(body.readableBytesView) else {
                throw Fout.invalidRequest(
                    "the body is not a JSON object", details: "{\"reden\": code, \"toelichting\": text}")
            }
            guard case .string(let redenText)? = o["reden"] else {
                throw Fout(
                    code: "400.02", message: "incomplete request",
                    details: "reden is required: one of \(DatakwaliteitBericht.Reden.list)")
            }
            guard let reden = DatakwaliteitBericht.Reden(rawValue: redenText) else {
                throw Fout.invalidRequest(
                    "invalid reden", details: "\"\(redenText)\" is not one of \(DatakwaliteitBericht.Reden.list)")
            }
            var toelichting: String?
            switch o["toelichting"] {
            case nil, .null?: break
            case .string(let s)?: toelichting = s.isEmpty ? nil : s
            default: throw Fout.invalidRequest("invalid toelichting", details: "must be a string")
            }
            let meldingID = try await service.meld(
                vumID, party: from, viaParty: via, gegevensset: gegevensset, reden: reden,
                toelichting: toelichting)
            return json(
                .accepted, .object(JSONObject([("meldingID", .string(meldingID)), ("vumID", .string(vumID))])),
                service: service, asker: from)
        } catch {
            return Self.error(error, service: service, asker: asker)
        }
    }

    static func isVerzoekID(_ id: String) -> Bool {
        (1...100).contains(id.utf8.count)
            && id.utf8.allSatisfy {
                (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || $0 == 0x2E
                    || $0 == 0x5F || $0 == 0x2D
            }
    }

    /// Where each bron stands in an open zoekvraag its asker follows (extension): `404` when there is none.
    static func voortgang(_ request: Request, _ context: KoppelvlakContext, _ id: String, _ service: AggregatorService)
        async
        -> Response
    {
        var asker: OIN?
        do throws(Fout) {
            let (from, _) = try await parties(request, context, service)
            asker = from
            guard let (vraagID, deadlineMs, bronnen) = service.voortgang(verzoekID: id, party: from) else {
                throw Fout(
                    code: "404", message: "not found", details: "no open zoekvraag of yours with this X-VUM-verzoekID")
            }
            let list: [JSONValue] = bronnen.map { b in
                var o = JSONObject([("bronID", .string(b.bron.rawValue)), ("status", .string(b.status))])
                if let aantal = b.aantal { o["aantal"] = .number(.integer(Int64(aantal))) }
                if let ms = b.duurMs { o["duurMs"] = .number(.integer(Int64(ms))) }
                return .object(o)
            }
            return json(
                .ok,
                .object(
                    JSONObject([
                        ("vraagID", .string(vraagID)), ("deadlineMs", .number(.integer(deadlineMs))),
                        ("bronnen", .array(list)),
                    ])), service: service, asker: from)
        } catch {
            return Self.error(error, service: service, asker: asker)
        }
    }

    /// HTTP status of a koppelvlak error code: its first three digits.
    static func status(_ code: String) -> HTTPResponse.Status {
        guard let n = Int(code.prefix(3)), (400...599).contains(n) else { return .internalServerError }
        return HTTPResponse.Status(code: n)
    }

    static func error(_ fout: Fout, service: AggregatorService, asker: OIN?) -> Response {
        json(status(fout.code), fout.json, service: service, asker: asker)
    }

    static func json(_ status: HTTPResponse.Status, _ value: JSONValue, service: AggregatorService, asker: OIN?)
        -> Response
    {
        json(status, bytes: value.serializedBytes(), service: service, asker: asker)
    }

    static func json(_ status: HTTPResponse.Status, bytes: [UInt8], service: AggregatorService, asker: OIN?) -> Response
    {
        json(status, buffer: ByteBuffer(bytes: bytes), service: service, asker: asker)
    }

    static func json(
        _ status: HTTPResponse.Status, buffer: ByteBuffer, service: AggregatorService,
        asker: OIN?
    ) -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        headers[apiVersion] = "3.0.0"
        headers[berichtVersie] = "3.0.0"
        headers[fromParty] = service.configuration.exchangeOIN.rawValue
        headers[viaParty] = service.configuration.exchangeOIN.rawValue
        if let asker { headers[toParty] = asker.rawValue }
        return Response(status: status, headers: headers, body: .init(byteBuffer: buffer))
    }

    static func presenceJSON(_ presence: PresenceRegistry) -> JSONValue {
        .object(
            JSONObject([
                (
                    "bronnen",
                    .array(
                        presence.entries.values.sorted { $0.bron < $1.bron }.map { e in
                            var o = JSONObject([
                                ("bronID", .string(e.bron.rawValue)), ("online", .bool(e.online)),
                                (
                                    "gegevenssets",
                                    .array(e.gegevenssets.map(\.rawValue).sorted().map(JSONValue.string))
                                ),
                                ("versie", .string(e.versie)), ("laatstGezienMs", .number(.integer(e.lastSeenMs))),
                            ])
                            if let ms = e.klokverschilMs { o["klokverschilMs"] = .number(.integer(ms)) }
                            return .object(o)
                        })
                )
            ]))
    }
}
