import AMQPClient
import Foundation
import Hummingbird
import HummingbirdTLS
import NIOCore
import NIOSSL
import Synchronization
import Testing
import VUMAdapter
import VUMExchange
import VUMStandaard
import VUMTesting

/// A partner's existing koppelvlak 3.0 Bron endpoint, over HTTPS that requires a client certificate from
/// the test CA. Under `/good` it answers from its records with the evaluator; `/slow` does so after three
/// seconds; `/failing` answers HTTP 500; `/invalid` mixes valid matching profiles with invalid ones.
struct FakeBronEndpoint {
    let port: Int
    let task: Task<Void, any Error>
    /// The headers of every request (names in lower case), in order.
    let requests: RequestLog

    final class RequestLog: Sendable {
        private let entries = Mutex<[(path: String, headers: [String: String])]>([])
        func add(_ path: String, _ headers: HTTPFields) {
            var h: [String: String] = [:]
            for field in headers { h[field.name.canonicalName] = field.value }
            entries.withLock { $0.append((path, h)) }
        }
        var all: [(path: String, headers: [String: String])] { entries.withLock { $0 } }
    }

    static func start(people: [Werkzoekende], certificates: TestCertificates) async throws -> FakeBronEndpoint {
        let log = RequestLog()
        let evaluator = Evaluator(table: testPC4Table)
        let byID = Dictionary(uniqueKeysWithValues: people.map { ($0.recordID.rawValue, $0) })
        @Sendable func json(_ status: HTTPResponse.Status, _ value: JSONValue) -> Response {
            Response(
                status: status, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: value.serializedBytes())))
        }
        @Sendable func matches(_ request: Request) async throws -> JSONValue {
            let body = try await request.body.collect(upTo: 1 << 20)
            guard case .object(let o) = try JSONValue.parse(body.readableBytesView), let vraagObject = o["vraagObject"]
            else {
                return .null
            }
            let q = try evaluator.prepare(Selectievraag(json: vraagObject, gegevensset: .werkzoekenden))
            let found = evaluator.select(people.lazy.map(\.matchingProfiel), q, limit: 100)
            return .object(
                JSONObject([
                    ("vraagID", .string("bron-1")),
                    ("maximumAantalResultatenBereikt", .bool(found.maximumAantalResultatenBereikt)),
                    ("matches", .array(found.matches.map(\.json))),
                ]))
        }
        let router = Router()
        router.post("/:mode/api/v3/werkzoekendeProfielen/matches") { request, context -> Response in
            log.add(request.uri.path, request.headers)
            switch context.parameters.get("mode") ?? "" {
            case "good": return json(.ok, try await matches(request))
            case "slow":
                try await Task.sleep(for: .seconds(3))
                return json(.ok, try await matches(request))
            case "failing":
                return json(.internalServerError, try JSONValue.parse(#"{"code":"500.1","message":"database down"}"#))
            case "invalid":
                guard case .object(var o) = try await matches(request), case .array(let valid)? = o["matches"] else {
                    return json(.ok, .null)
                }
                // Three valid profiles and three that are not: hours out of range, a detail-only field, no mobiliteit.
                var bad1 = valid[0]
                var bad2 = valid[1]
                if case .object(var b) = bad1 {
                    b["werktijden"] = try JSONValue.parse(#"{"aantalWerkurenPerWeekMaximaal":150}"#)
                    b["idWerkzoekende"] = .string("bad-hours")
                    bad1 = .object(b)
                }
                if case .object(var b) = bad2 {
                    b["emailadres"] = .array([.string("iemand@example.nl")])
                    b["idWerkzoekende"] = .string("bad-email")
                    bad2 = .object(b)
                }
                let bad3 = try JSONValue.parse(#"{"idWerkzoekende":"bad-no-mobiliteit"}"#)
                o["matches"] = .array(Array(valid.prefix(3)) + [bad1, bad2, bad3])
                return json(.ok, .object(o))
            default: return json(.notFound, .null)
            }
        }
        router.get("/:mode/api/v3/werkzoekendeProfielen/:id") { request, context -> Response in
            log.add(request.uri.path, request.headers)
            let mode = context.parameters.get("mode") ?? ""
            guard let id = context.parameters.get("id"), let w = byID[id] else {
                return json(.notFound, try JSONValue.parse(#"{"code":"404","message":"onbekend"}"#))
            }
            switch mode {
            case "failing":
                return json(.internalServerError, try JSONValue.parse(#"{"code":"500.1","message":"database down"}"#))
            case "invalid":
                guard case .object(var o) = w.json else { return json(.ok, .null) }
                o["mobiliteit"] = nil
                return json(.ok, .object(JSONObject([("bronID", .string("x")), ("werkzoekende", .object(o))])))
            default: return json(.ok, .object(JSONObject([("bronID", .string("x")), ("werkzoekende", w.json)])))
            }
        }
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificates.serverCertificate).map {
                .certificate($0)
            },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates.serverKey, format: .pem)))
        tls.trustRoots = .file(certificates.ca)
        tls.certificateVerification = .noHostnameVerification
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, server: try .tls(.http1(), tlsConfiguration: tls),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
        let task = Task { try await app.run() }
        var port = 0
        for await p in ports {
            port = p
            break
        }
        return FakeBronEndpoint(port: port, task: task, requests: log)
    }
}

extension FederationSuites {
    @Suite("REST forwarder: a bron's own koppelvlak 3.0 endpoint behind the adapter", .timeLimit(.minutes(3)))
    struct RESTForwarderTests {
        static let asker = try! OIN(validating: "00000001234567890001")
        static let bronOIN = try! OIN(validating: "00000001234567890077")
        let people = (0..<300).map(SyntheticData(seed: 41, table: testPC4Table).werkzoekende)
        let question =
            #"{"selectiegebied":{"postcode":"3511AB","afstand":60},"werktijden.aantalWerkurenPerWeekMaximaal":{"$gte":24}}"#

        /// A federation, the endpoint, and an adapter forwarding to `mode`.
        func withForwarder(
            _ mode: String, clientCertificate: Bool = true, margin: Duration = .milliseconds(150),
            _ body: (TestFederation, BronID, RESTBronSource, FakeBronEndpoint) async throws -> Void
        ) async throws {
            let certificates = try await TestCertificates.make()
            defer { certificates.remove() }
            let endpoint = try await FakeBronEndpoint.start(people: people, certificates: certificates)
            defer { endpoint.task.cancel() }
            var settings = RESTBronSettings(
                baseURL: "https://localhost:\(endpoint.port)/\(mode)/api/v3", gegevenssets: [.werkzoekenden])
            settings.caFile = certificates.ca
            if clientCertificate {
                settings.certificateFile = certificates.clientCertificate
                settings.keyFile = certificates.clientKey
            }
            settings.bronOIN = Self.bronOIN
            settings.margin = margin
            let source = try RESTBronSource(settings: settings)
            let federation = try await TestFederation.start()
            let bron = try await federation.addBron("rest")
            let (_, task) = federation.adapter(bron, source: source)
            _ = try await federation.announcement(from: bron, .aanmelding)
            do {
                try await body(federation, bron, source, endpoint)
            } catch {
                task.cancel()
                try? await source.shutdown()
                await federation.stop()
                throw error
            }
            task.cancel()
            try await task.value
            try await source.shutdown()
            await federation.stop()
        }

        /// A zoekvraag as the aggregator sends it: with the asker's OIN and SUWI status.
        func ask(_ federation: TestFederation, deadline: Duration = .seconds(5)) async throws -> String {
            let vraagID = UUID().uuidString
            let payload = ZoekvraagBericht(
                vraagID: vraagID, gegevensset: .werkzoekenden, vraagObject: try JSONValue.parse(question))
            var envelope = Envelope(
                type: .zoekvraag, correlationID: vraagID, appID: "tests/1", userID: broker.user,
                replyTo: federation.replyQueue,
                deadlineMs: Envelope.nowMs() + Int64(deadline.components.seconds * 1000))
            envelope.fromParty = Self.asker
            envelope.suwiParty = true
            try await federation.channel.publish(
                MessageCodec.encode(payload), exchange: Topology.zoekvragen, routingKey: "",
                properties: envelope.properties())
            return vraagID
        }

        func detail(_ federation: TestFederation, _ bron: BronID, _ id: String) async throws -> DetailBericht {
            let requestID = UUID().uuidString
            let payload = DetailverzoekBericht(
                vraagID: "v", gegevensset: .werkzoekenden, recordID: try RecordID(validating: id))
            var envelope = Envelope(
                type: .detailverzoek, correlationID: requestID, appID: "tests/1", userID: broker.user,
                replyTo: federation.replyQueue, deadlineMs: Envelope.nowMs() + 5000)
            envelope.bron = bron
            envelope.fromParty = Self.asker
            envelope.suwiParty = true
            try await federation.channel.publish(
                MessageCodec.encode(payload), exchange: Topology.detailverzoeken,
                routingKey: bron.rawValue, properties: envelope.properties())
            let d = try await federation.answers.first(timeout: .seconds(10), "detail") {
                $0.properties.correlationID == requestID
            }
            return try MessageCodec.decode(DetailBericht.self, from: d.body)
        }

        @Test("forwards over mutual TLS with the X-VUM headers; answers and details are the endpoint's, checked")
        func forwards() async throws {
            try await withForwarder("good") { federation, bron, _, endpoint in
                let (_, answer) = try await federation.answer(to: try await ask(federation), from: bron)
                let expected = try evaluatorAnswer(people, question)
                #expect(answer.fout == nil)
                #expect(Set(answer.matches) == Set(expected.matches.map(\.json)))
                #expect(answer.maximumAantalResultatenBereikt == expected.maximumAantalResultatenBereikt)
                let request = try #require(endpoint.requests.all.first)
                #expect(request.path.hasSuffix("/good/api/v3/werkzoekendeProfielen/matches"))
                #expect(request.headers["api-version"] == "3.0.0")
                #expect(request.headers["x-vum-berichtversie"] == "3.0.0")
                #expect(request.headers["x-vum-fromparty"] == Self.asker.rawValue)
                #expect(request.headers["x-vum-viaparty"] == Self.asker.rawValue)
                #expect(request.headers["x-vum-toparty"] == Self.bronOIN.rawValue)
                #expect(request.headers["x-vum-suwiparty"] == "true")

                let d = try await detail(federation, bron, people[3].recordID.rawValue)
                #expect(try d.werkzoekendeRecord() == people[3])
                #expect(try await detail(federation, bron, "onbekend-id").fout?.code == "404")
            }
        }

        @Test("without the client certificate the endpoint's TLS refuses the adapter: answered 500.1, not hung")
        func needsClientCertificate() async throws {
            try await withForwarder("good", clientCertificate: false) { federation, bron, _, endpoint in
                let (_, answer) = try await federation.answer(to: try await ask(federation), from: bron)
                #expect(answer.fout?.code == "500.1", "\(String(describing: answer.fout))")
                #expect(
                    answer.fout?.message.contains("cannot be reached") == true, "\(String(describing: answer.fout))")
                #expect(endpoint.requests.all.isEmpty)
            }
        }

        @Test("a slow endpoint is given up before the deadline: answered 500.3 in time")
        func slowEndpoint() async throws {
            // The adapter gives up `margin` before the deadline; 400 ms leave the answer room to travel back
            // on a loaded machine, so "in time" tests the adapter, not the scheduler.
            try await withForwarder("slow", margin: .milliseconds(400)) { federation, bron, _, _ in
                let started = ContinuousClock.now
                let vraagID = try await ask(federation, deadline: .seconds(1))
                let (_, answer) = try await federation.answer(to: vraagID, from: bron)
                let took = ContinuousClock.now - started
                #expect(answer.fout?.code == "500.3", "\(String(describing: answer.fout))")
                #expect(took < .milliseconds(1000), "answered after \(took), past the deadline")
                #expect(took > .milliseconds(550), "gave up after only \(took)")
            }
        }

        @Test("a failing endpoint is reported to the aggregator as 500.1 with its own words")
        func failingEndpoint() async throws {
            try await withForwarder("failing") { federation, bron, _, _ in
                let (_, answer) = try await federation.answer(to: try await ask(federation), from: bron)
                #expect(answer.fout?.code == "500.1")
                #expect(answer.fout?.details?.contains("database down") == true, "\(String(describing: answer.fout))")
                #expect(try await detail(federation, bron, people[0].recordID.rawValue).fout?.code == "500.1")
            }
        }

        @Test("invalid records from the endpoint are reported and left out, never forwarded")
        func invalidRecords() async throws {
            try await withForwarder("invalid") { federation, bron, source, _ in
                let (_, answer) = try await federation.answer(to: try await ask(federation), from: bron)
                let expected = try evaluatorAnswer(people, question)
                #expect(answer.fout == nil)
                #expect(answer.matches == Array(expected.matches.prefix(3).map(\.json)))
                #expect(source.leftOutMatches == 3)
                let d = try await detail(federation, bron, people[0].recordID.rawValue)
                #expect(d.fout?.code == "500.1")
                #expect(d.fout?.details?.contains("mobiliteit") == true, "\(String(describing: d.fout))")
                #expect(source.leftOutMatches == 4)
            }
        }
    }
}
