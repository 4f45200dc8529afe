import AMQPClient
import Foundation
import Hummingbird
import Testing
import VUMAdapter
import VUMExchange
import VUMStandaard
import VUMTesting

@testable import VUMAggregator

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

let exchangeOIN = try! OIN(validating: "00000009876543210000")
let gemeenteOIN = try! OIN(validating: "00000001111111111111")
let uitzendOIN = try! OIN(validating: "00000002222222222222")
let gastOIN = try! OIN(validating: "00000003333333333333")

/// A running exchange for a test: an aggregator with its REST API on a free port, its own registry of
/// bronnen, a request store in a temporary folder, and an inbox of every procesgebeurtenis.
struct TestExchange {
    let federation: TestFederation
    let aggregator: AggregatorService
    let tasks: [Task<Void, any Error>]
    let port: Int
    let audit: Inbox<AMQPDelivery>
    let folder: URL

    /// `quorum`: a cluster's shape: `vum.verzoeken` a replicated quorum queue, and no test inbox of events
    /// (`audit` stays empty; read the events from a quorum audit queue of the test's own).
    static func start(
        bronnen: [BronID: String], broker configuration: AMQPConfiguration? = nil, quorum: Bool = false,
        configure: (inout AggregatorConfiguration) -> Void = { _ in }
    ) async throws -> TestExchange {
        let federation = try await TestFederation.start(configuration: configuration)
        try await federation.channel.declareExchange(Topology.procesgegevens, type: .topic)
        let audit: Inbox<AMQPDelivery>
        if quorum {
            // A cluster's shape: only quorum queues behind vum.procesgegevens. A classic queue on a node that
            // stops makes the broker nack every event routed to it until the node's queues are cleaned up
            // (rabbitmq-server#4888), and the aggregator answers 503: no audit, no answer.
            audit = Inbox()
        } else {
            let auditQueue = try await federation.channel.declareQueue(exclusive: true)
            try await federation.channel.bindQueue(auditQueue.name, exchange: Topology.procesgegevens, routingKey: "#")
            (audit, _) = try await federation.channel.consume(queue: auditQueue.name, noAck: true).collect()
        }
        // The AMQP entry for bus-native bemiddelaars, as the definitions create it.
        try await federation.channel.declareExchange(Topology.verzoeken, type: .direct)
        // As the definitions declare it: dead-lettering to vum.dlx.
        var verzoeken: AMQPTable = ["x-dead-letter-exchange": .string(Topology.deadLetterExchange)]
        if quorum { verzoeken["x-queue-type"] = .string("quorum") }
        _ = try await federation.channel.declareQueue(Topology.verzoeken, durable: true, arguments: verzoeken)
        try await federation.channel.bindQueue(Topology.verzoeken, exchange: Topology.verzoeken)
        _ = try await federation.channel.purgeQueue(Topology.verzoeken)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vum-aggregator-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var settings = AggregatorConfiguration(brokerUser: broker.user, exchangeOIN: exchangeOIN)
        if case .plain(let user, _)? = configuration?.authentication { settings.brokerUser = user }
        configure(&settings)
        let registry = Registry(
            bronnen: bronnen,
            bemiddelaars: [
                .init(
                    oin: gemeenteOIN, naam: "Gemeente", suwi: true, gegevenssets: [.werkzoekenden, .vacatures],
                    brokerUser: broker.user),
                .init(
                    oin: uitzendOIN, naam: "Uitzendbureau", suwi: false, gegevenssets: [.werkzoekenden, .vacatures],
                    brokerUser: "bemiddelaar-uitzendbureau"),
            ])
        let aggregator = AggregatorService(
            configuration: settings, registry: registry, connection: federation.connection,
            store: try SQLiteRequestStore(path: folder.appendingPathComponent("requests.sqlite").path),
            vumIDSecret: VumIDs.randomSecret(), table: testPC4Table)
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: KoppelvlakRoutes.router(aggregator),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { portContinuation.yield($0.localAddress?.port ?? 0) })
        let tasks = [Task { try await aggregator.run() }, Task { try await app.run() }]
        var port = 0
        for await p in ports {
            port = p
            break
        }
        try await aggregator.waitUntilReady()
        return TestExchange(
            federation: federation, aggregator: aggregator, tasks: tasks, port: port, audit: audit, folder: folder)
    }

    /// Waits until the aggregator lists these bronnen as online.
    func waitOnline(_ bronnen: [BronID]) async throws {
        let end = ContinuousClock.now + .seconds(10)
        while !bronnen.allSatisfy({ aggregator.presence.entries[$0]?.online == true }) {
            guard ContinuousClock.now < end else { throw InboxError("bronnen \(bronnen) not online at the aggregator") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// One session for all tests, allowed as many parallel requests as the load tests send (the shared
    /// session's per-host limit would queue them in the client and pollute the latencies measured).
    static let session: URLSession = {
        let c = URLSessionConfiguration.ephemeral
        c.httpMaximumConnectionsPerHost = 128
        c.timeoutIntervalForRequest = 60
        return URLSession(configuration: c)
    }()

    struct HTTPResult {
        var status: Int
        var json: JSONValue
        var headers: [String: String]
    }

    func request(
        _ method: String, _ path: String, body: String? = nil, from party: OIN? = gemeenteOIN,
        headers extra: [String: String] = [:]
    ) async throws -> HTTPResult {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 60
        if let party {
            request.setValue(party.rawValue, forHTTPHeaderField: "X-VUM-fromParty")
            request.setValue(exchangeOIN.rawValue, forHTTPHeaderField: "X-VUM-toParty")
        }
        request.setValue("3.0.0", forHTTPHeaderField: "API-Version")
        for (k, v) in extra { request.setValue(v, forHTTPHeaderField: k) }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await Self.session.data(for: request)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (k, v) in http.allHeaderFields { headers[String(describing: k).lowercased()] = String(describing: v) }
        return HTTPResult(status: http.statusCode, json: (try? JSONValue.parse(Array(data))) ?? .null, headers: headers)
    }

    func zoek(
        _ selectievraag: String, _ gegevensset: Gegevensset = .werkzoekenden, from party: OIN? = gemeenteOIN,
        deadlineMs: Int? = nil, headers: [String: String] = [:]
    ) async throws -> HTTPResult {
        let path = gegevensset == .werkzoekenden ? "werkzoekendeProfielen" : "vacatures"
        var headers = headers
        if let deadlineMs { headers["X-VUM-deadline-ms"] = "\(deadlineMs)" }
        return try await request(
            "POST", "/api/v3/\(path)/matches", body: #"{"vraagObject":\#(selectievraag)}"#, from: party,
            headers: headers)
    }

    /// The events about one zoekvraag that have arrived so far, by type.
    func events(_ vraagID: String) async -> [Procesgebeurtenis] {
        await audit.items.compactMap { try? MessageCodec.decode(Procesgebeurtenis.self, from: $0.body) }.filter {
            $0.vraagID == vraagID
        }
    }

    func waitForEvent(
        _ soort: Procesgebeurtenis.Soort, _ match: @escaping @Sendable (Procesgebeurtenis) -> Bool = { _ in true }
    )
        async throws -> Procesgebeurtenis
    {
        let d = try await audit.first(timeout: .seconds(10), "event \(soort.rawValue)") {
            guard let e = try? MessageCodec.decode(Procesgebeurtenis.self, from: $0.body) else { return false }
            return e.soort == soort && match(e)
        }
        return try MessageCodec.decode(Procesgebeurtenis.self, from: d.body)
    }

    func stop() async {
        for t in tasks { t.cancel() }
        for t in tasks { _ = try? await t.value }
        await federation.stop()
        try? FileManager.default.removeItem(at: folder)
    }
}

extension JSONValue {
    subscript(key: String) -> JSONValue? { if case .object(let o) = self { o[key] } else { nil } }
    var array: [JSONValue] { if case .array(let a) = self { a } else { [] } }
    var string: String? { if case .string(let s) = self { s } else { nil } }
}

extension FederationSuites {
    @Suite("vum-aggregator against a real broker, real adapters and real HTTP", .timeLimit(.minutes(3)))
    struct AggregatorTests {
        let question =
            #"{"selectiegebied":{"postcode":"3511AB","afstand":80},"werktijden.aantalWerkurenPerWeekMaximaal":{"$gte":16}}"#

        /// Three bronnen with their own generated werkzoekenden, registered as the test's broker user.
        func threeBronnen(_ federation: TestFederation) async throws
            -> (bronnen: [BronID], people: [BronID: [Werkzoekende]], tasks: [Task<Void, any Error>])
        {
            var bronnen: [BronID] = []
            var people: [BronID: [Werkzoekende]] = [:]
            var tasks: [Task<Void, any Error>] = []
            for (i, name) in ["gemeente", "uwv", "reintegratie"].enumerated() {
                let bron = try await federation.addBron(name)
                let records = (0..<300).map(SyntheticData(seed: UInt64(70 + i), table: testPC4Table).werkzoekende)
                let (_, task) = federation.adapter(
                    bron, source: InMemorySource(werkzoekenden: records, table: testPC4Table))
                bronnen.append(bron)
                people[bron] = records
                tasks.append(task)
            }
            return (bronnen, people, tasks)
        }

        /// With the default memory budget for answers, and with none: every answer parked in a file and read
        /// back for the merge (``AnswerParking``), to the same result.
        @Test(
            "REST round trip with three bronnen: merged, vumIDs instead of record ids, complete before the deadline, audited",
            arguments: [AggregatorConfiguration(brokerUser: "", exchangeOIN: exchangeOIN).answerMemoryBudget, 0])
        func roundTrip(answerMemory: Int) async throws {
            // Bron ids are made per test; the registry is filled after they exist.
            let federation = try await TestFederation.start()
            let (bronnen, people, adapterTasks) = try await threeBronnen(federation)
            let exchange = try await TestExchange.start(
                bronnen: Dictionary(uniqueKeysWithValues: bronnen.map { ($0, broker.user) })
            ) {
                $0.answerMemoryBudget = answerMemory
            }
            defer { for t in adapterTasks { t.cancel() } }
            try await exchange.waitOnline(bronnen)

            let start = ContinuousClock.now
            let result = try await exchange.zoek(question, deadlineMs: 20_000)
            #expect(start.duration(to: .now) < .seconds(10), "waited for the deadline although every bron answered")
            #expect(result.status == 200, "\(result.json.serialized())")
            #expect(result.headers["x-vum-gedeeltelijk"] == "false")
            #expect(result.headers["x-vum-toparty"] == gemeenteOIN.rawValue)
            let body = result.json
            let vraagID = try #require(body["vraagID"]?.string)
            let statuses = body["vumBronnen"]!.array
            #expect(Set(statuses.compactMap { $0["bronID"]?.string }) == Set(bronnen.map(\.rawValue)))
            #expect(statuses.allSatisfy { $0["status"]?.string == "beantwoord" }, "\(statuses)")
            let evaluator = Evaluator(table: testPC4Table)
            let prepared = try evaluator.prepare(
                Selectievraag(json: JSONValue.parse(question), gegevensset: .werkzoekenden))
            let expected = bronnen.flatMap { evaluator.select(people[$0]!.map(\.matchingProfiel), prepared).matches }
            let expectedCount = expected.count
            let matches = body["matches"]!.array
            #expect(matches.count == expectedCount)
            #expect(expectedCount > 11)
            #expect(matches.allSatisfy { $0["idWerkzoekende"] == nil && $0["vumID"]?.string != nil })
            // Each match is the bron's profile, as it sent it, with the vumID in place of its record id.
            func withoutID(_ value: JSONValue, _ key: String) -> String {
                guard case .object(var o) = value else { return value.serialized() }
                o[key] = nil
                return JSONValue.object(o).serialized()
            }
            #expect(
                Set(matches.map { withoutID($0, "vumID") })
                    == Set(expected.map { withoutID($0.json, "idWerkzoekende") }))
            #expect(Set(matches.compactMap { $0["vumID"]?.string }).count == matches.count)
            #expect(exchange.aggregator.parking.parkedCount == (answerMemory == 0 ? 3 : 0))
            #expect(exchange.aggregator.parking.bytesInMemory == 0, "an answer's bytes still counted after the merge")

            // Every step left its procesgebeurtenis.
            _ = try await exchange.waitForEvent(.zoekvraagAfgerond) { $0.vraagID == vraagID }
            let events = await exchange.events(vraagID)
            let soorten = events.map(\.soort)
            #expect(soorten.contains(.zoekvraagOntvangen) && soorten.contains(.zoekvraagVerstuurd))
            #expect(soorten.filter { $0 == .gegevenssetOntvangen }.count == 3)
            let afgerond = events.first { $0.soort == .zoekvraagAfgerond }
            #expect(afgerond?.aantallenPerStatus == ["beantwoord": 3] && afgerond?.gedeeltelijk == false)
            #expect(events.allSatisfy { $0.fromParty == nil || $0.fromParty == gemeenteOIN.rawValue })

            // Details: ten per zoekvraag, the eleventh refused; another party's or a tampered vumID is unknown.
            let vumIDs = matches.compactMap { $0["vumID"]?.string }
            for vumID in vumIDs.prefix(10) {
                let detail = try await exchange.request("GET", "/api/v3/werkzoekendeProfielen/\(vumID)")
                #expect(detail.status == 200, "\(detail.json.serialized())")
                #expect(detail.json["werkzoekende"]?["vumID"]?.string == vumID)
                #expect(detail.json["werkzoekende"]?["idWerkzoekende"] == nil)
            }
            let eleventh = try await exchange.request("GET", "/api/v3/werkzoekendeProfielen/\(vumIDs[10])")
            #expect(eleventh.status == 429 && eleventh.json["code"]?.string == "429.01")
            let otherParty = try await exchange.request(
                "GET", "/api/v3/werkzoekendeProfielen/\(vumIDs[0])", from: uitzendOIN)
            #expect(otherParty.status == 404, "\(otherParty.json.serialized())")
            let tampered = try await exchange.request("GET", "/api/v3/werkzoekendeProfielen/\(vumIDs[0].dropLast())x")
            #expect(tampered.status == 404)
            _ = try await exchange.waitForEvent(.detailGeweigerd) { $0.vraagID == vraagID && $0.uitkomst == "429.01" }
            let geleverd = await exchange.events(vraagID).filter { $0.soort == .detailGeleverd }
            #expect(geleverd.count == 10)
            await exchange.stop()
            await federation.stop()
        }

        /// Three bronnen, an exchange whose details wait `detailTimeout`, and a zoekvraag answered with at least
        /// `vumIDs` vumIDs.
        func answered(detailTimeout: Duration, vumIDs minimum: Int) async throws -> (
            federation: TestFederation, bronnen: [BronID], people: [BronID: [Werkzoekende]],
            adapterTasks: [Task<Void, any Error>], exchange: TestExchange, vraagID: String, vumIDs: [String]
        ) {
            let federation = try await TestFederation.start()
            let (bronnen, people, adapterTasks) = try await threeBronnen(federation)
            let exchange = try await TestExchange.start(
                bronnen: Dictionary(uniqueKeysWithValues: bronnen.map { ($0, broker.user) })
            ) {
                $0.detailTimeout = detailTimeout
            }
            try await exchange.waitOnline(bronnen)
            let result = try await exchange.zoek(question, deadlineMs: 20_000)
            #expect(result.status == 200, "\(result.json.serialized())")
            let vraagID = try #require(result.json["vraagID"]?.string)
            let vumIDs = result.json["matches"]?.array.compactMap { $0["vumID"]?.string } ?? []
            try #require(vumIDs.count >= minimum)
            return (federation, bronnen, people, adapterTasks, exchange, vraagID, vumIDs)
        }

        @Test(
            "a detail the bron cannot give: 503 at once when no queue takes the request, 503 after the detail timeout when the bron does not answer; both audited"
        )
        func undeliverableDetails() async throws {
            let (federation, bronnen, _, adapterTasks, exchange, vraagID, vumIDs) = try await answered(
                detailTimeout: .seconds(1), vumIDs: 2)
            defer { for t in adapterTasks { t.cancel() } }

            // No queue takes the bronnen's detail requests: the broker returns the request, the asker is told so.
            for bron in bronnen {
                try await federation.channel.unbindQueue(
                    Topology.bronQueue(bron), exchange: Topology.detailverzoeken, routingKey: bron.rawValue)
            }
            let unroutable = try await exchange.request("GET", "/api/v3/werkzoekendeProfielen/\(vumIDs[0])")
            #expect(unroutable.status == 503, "\(unroutable.json.serialized())")
            #expect(unroutable.json["message"]?.string == "the bron could not be asked")
            #expect(
                unroutable.json["details"]?.string?.hasSuffix("has no queue for detail requests") == true,
                "\(unroutable.json.serialized())")

            // Bound again, but no adapter reads the queues any more: 503 after the detail timeout.
            for bron in bronnen {
                try await federation.channel.bindQueue(
                    Topology.bronQueue(bron), exchange: Topology.detailverzoeken, routingKey: bron.rawValue)
            }
            for t in adapterTasks {
                t.cancel()
                _ = await t.result
            }
            let silent = try await exchange.request("GET", "/api/v3/werkzoekendeProfielen/\(vumIDs[1])")
            #expect(silent.status == 503, "\(silent.json.serialized())")
            #expect(silent.json["message"]?.string == "the bron did not answer in time")
            #expect(silent.json["details"]?.string?.hasSuffix("gave no detail within 1.0 seconds") == true)

            for reden in ["detail request not delivered", "bron did not answer"] {
                let refused = try await exchange.waitForEvent(.detailGeweigerd) {
                    $0.vraagID == vraagID && $0.reden == reden
                }
                #expect(refused.uitkomst == "503")
            }
            await exchange.stop()
            await federation.stop()
        }

        @Test(
            "a bron's detail is checked: unreadable, invalid, another record or dataset gets 500.1 at once, not passed on"
        )
        func checkedDetails() async throws {
            let (federation, bronnen, people, adapterTasks, exchange, vraagID, vumIDs) = try await answered(
                detailTimeout: .seconds(60), vumIDs: 7)
            defer { for t in adapterTasks { t.cancel() } }

            // The adapters stop; the test answers the bronnen's detail requests itself, as a faulty adapter would.
            for t in adapterTasks {
                t.cancel()
                _ = await t.result
            }
            var requests: [Inbox<AMQPDelivery>] = []
            for bron in bronnen {
                requests.append(
                    try await federation.channel.consume(queue: Topology.bronQueue(bron), noAck: true).collect().0)
            }
            let everyone = people.values.flatMap { $0 }
            /// Asks the detail of `vumID`; the bron "answers" the body `answer` makes of the record asked for.
            func ask(_ vumID: String, answer: (Werkzoekende) throws -> String) async throws
                -> (TestExchange.HTTPResult, Duration)
            {
                let start = ContinuousClock.now
                let asking = Task { try await exchange.request("GET", "/api/v3/werkzoekendeProfielen/\(vumID)") }
                var delivery: AMQPDelivery?
                while delivery == nil, start.duration(to: .now) < .seconds(10) {
                    for inbox in requests where delivery == nil { delivery = try? await inbox.next(timeout: .zero) }
                    try await Task.sleep(for: .milliseconds(5))
                }
                let request = try #require(delivery, "no detail request reached a bron")
                let verzoek = try MessageCodec.decode(DetailverzoekBericht.self, from: request.body)
                let asked = try #require(everyone.first { $0.recordID == verzoek.recordID })
                let envelope = try Envelope(properties: request.properties)
                var reply = Envelope(
                    type: .detail, correlationID: envelope.correlationID, appID: "tests/1",
                    userID: broker.user)
                reply.bron = envelope.bron
                try await federation.channel.publish(
                    Data(try answer(asked).utf8), exchange: Topology.antwoorden,
                    routingKey: try #require(request.properties.replyTo), properties: reply.properties())
                let http = try await asking.value
                return (http, start.duration(to: .now))
            }
            func detail(_ record: JSONValue, bron: String = "", gegevensset: String = "werkzoekenden") -> String {
                JSONValue.object(
                    JSONObject([
                        ("bronID", .string(bron)), ("gegevensset", .string(gegevensset)), ("werkzoekende", record),
                    ])
                ).serialized()
            }
            func bronID(of w: Werkzoekende) -> String {
                people.first { $0.value.contains(w) }!.key.rawValue
            }

            let cases: [(String, (Werkzoekende) throws -> String, String)] = [
                ("unreadable", { _ in #"{"not":"a detail"}"# }, "detail"),
                (
                    "another record",
                    { w in
                        let other = everyone.first { $0.recordID != w.recordID }!
                        return detail(other.json, bron: bronID(of: w))
                    }, "the bron answered with another record than the one asked for"
                ),
                (
                    "invalid record",
                    { w in
                        guard case .object(var o) = w.json else { return "" }
                        o["mobiliteit"] = nil
                        return detail(.object(o), bron: bronID(of: w))
                    }, "not a valid werkzoekende: mobiliteit"
                ),
                (
                    "another dataset",
                    { w in detail(w.json, bron: bronID(of: w), gegevensset: "vacatures") },
                    "a detail of vacatures, asked for werkzoekenden"
                ),
                (
                    // What is wrong with another person's record is not the asker's to read.
                    "another, invalid record",
                    { w in
                        guard case .object(var o) = everyone.first(where: { $0.recordID != w.recordID })!.json else {
                            return ""
                        }
                        o["mobiliteit"] = nil
                        return detail(.object(o), bron: bronID(of: w))
                    }, "the bron answered with another record than the one asked for"
                ),
            ]
            for (i, (name, answer, said)) in cases.enumerated() {
                let (refused, took) = try await ask(vumIDs[i], answer: answer)
                #expect(refused.status == 500, "\(name): \(refused.json.serialized())")
                #expect(refused.json["code"]?.string == "500.1", "\(name)")
                #expect(refused.json["message"]?.string == "the bron sent an invalid detail", "\(name)")
                #expect(
                    refused.json["details"]?.string?.contains(said) == true, "\(name): \(refused.json.serialized())")
                #expect(took < .seconds(30), "\(name): waited for the detail timeout")
                let text = refused.json.serialized()
                #expect(
                    !everyone.contains { text.contains("\"\($0.recordID.rawValue)\"") }, "\(name): a record id leaked")
                if name.hasPrefix("another") { #expect(!text.contains("mobiliteit"), "\(name): \(text)") }
            }
            // The record asked for, valid: passed on, its id replaced by the vumID.
            let (good, _) = try await ask(vumIDs[5]) { w in detail(w.json, bron: bronID(of: w)) }
            #expect(good.status == 200, "\(good.json.serialized())")
            #expect(good.json["werkzoekende"]?["vumID"]?.string == vumIDs[5])
            #expect(good.json["werkzoekende"]?["idWerkzoekende"] == nil)
            #expect(good.json["werkzoekende"]?["mobiliteit"] != nil)

            for vumID in vumIDs.prefix(cases.count) {
                let refusal = try await exchange.waitForEvent(.detailGeweigerd) {
                    $0.vraagID == vraagID && $0.vumID == vumID && $0.reden == "bron sent an invalid detail"
                }
                #expect(refusal.uitkomst == "500.1")
            }
            await exchange.stop()
            await federation.stop()
        }

        @Test("a bron's clock: estimated from its heartbeats, in /bronnen, and named by vum bronnen when it is off")
        func bronClock() async throws {
            let federation = try await TestFederation.start()
            let (bronnen, _, adapterTasks) = try await threeBronnen(federation)
            let ahead = try await federation.addBron("voor")
            let exchange = try await TestExchange.start(
                bronnen: Dictionary(uniqueKeysWithValues: (bronnen + [ahead]).map { ($0, broker.user) }))
            defer { for t in adapterTasks { t.cancel() } }
            try await exchange.waitOnline(bronnen)
            // Five seconds ahead; one heartbeat looks less so (as if it had waited in a queue for a second):
            // the estimate is the smallest difference seen.
            for (i, offset) in [5000, 4000, 5000].enumerated() {
                try await federation.announceByHand(
                    ahead, i == 0 ? .aanmelding : .heartbeat, sentAtMs: Envelope.nowMs() + Int64(offset))
            }
            var listed: [JSONValue] = []
            let end = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < end {
                listed = try await exchange.request("GET", "/bronnen", from: nil).json["bronnen"]?.array ?? []
                let seen = listed.first { $0["bronID"]?.string == ahead.rawValue }?["klokverschilMs"]
                if case .number(.integer(let n))? = seen, n > 4500 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            func clock(_ bron: BronID) -> Int64? {
                let entry = listed.first { $0["bronID"]?.string == bron.rawValue }
                if case .number(.integer(let n))? = entry?["klokverschilMs"] { return n }
                return nil
            }
            let estimate = try #require(clock(ahead), "\(listed)")
            #expect((4500...5000).contains(estimate), "\(listed)")
            for bron in bronnen {
                #expect(abs(try #require(clock(bron), "\(listed)")) < 500, "an adapter on this machine: \(listed)")
            }

            let vum = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                .appendingPathComponent("vum").path
            let table = try await ChildProcess.run(
                vum, ["bronnen", "--aggregator", "http://127.0.0.1:\(exchange.port)"])
            #expect(table.status == 0, "\(table.output)")
            let rows = table.output.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
            #expect(rows.first?.hasSuffix("last heartbeat clock") == true, "\(table.output)")
            #expect(rows.contains { $0.hasPrefix(ahead.rawValue) && $0.contains(" s ahead") }, "\(table.output)")
            // Every adapter's row, and each of them "ok" (an empty filter would pass the second line alone).
            let adapterRows = rows.filter { row in bronnen.contains { row.hasPrefix($0.rawValue) } }
            #expect(adapterRows.count == bronnen.count, "\(table.output)")
            #expect(adapterRows.allSatisfy { $0.hasSuffix(" ok") }, "\(table.output)")
            await exchange.stop()
            await federation.stop()
        }

        @Test(
            "a bron that never answers: partial at the deadline with that bron te_laat; its late answer recorded, not merged"
        )
        func silentBron() async throws {
            let federation = try await TestFederation.start()
            let (bronnen, _, adapterTasks) = try await threeBronnen(federation)
            let stil = try await federation.addBron("stil")
            let exchange = try await TestExchange.start(
                bronnen: Dictionary(uniqueKeysWithValues: (bronnen + [stil]).map { ($0, broker.user) }))
            defer { for t in adapterTasks { t.cancel() } }
            // The silent bron announces itself but never answers.
            try await federation.announceByHand(stil)
            try await exchange.waitOnline(bronnen + [stil])

            // The asker follows the zoekvraag while it waits for the silent bron.
            let verzoekID = "cli-\(UUID().uuidString)"
            let asking = Task {
                try await exchange.request(
                    "POST", "/api/v3/werkzoekendeProfielen/matches", body: #"{"vraagObject":\#(question)}"#,
                    headers: ["X-VUM-deadline-ms": "3000", "X-VUM-verzoekID": verzoekID])
            }
            var progress: JSONValue = .null
            let end = ContinuousClock.now + .seconds(3)
            while ContinuousClock.now < end {
                let p = try await exchange.request("GET", "/api/v3/voortgang/\(verzoekID)")
                if p.status == 200, p.json["bronnen"]!.array.filter({ $0["status"]?.string == "beantwoord" }).count == 3
                {
                    progress = p.json
                    break
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            let stand = progress["bronnen"]?.array ?? []
            #expect(
                stand.first { $0["bronID"]?.string == stil.rawValue }?["status"]?.string == "wachtend",
                "\(progress.serialized())")
            #expect(
                stand.filter { $0["status"]?.string == "beantwoord" }.allSatisfy {
                    $0["aantal"] != nil && $0["duurMs"] != nil
                })
            #expect(try await exchange.request("GET", "/api/v3/voortgang/\(verzoekID)", from: uitzendOIN).status == 404)
            let result = try await asking.value
            #expect(try await exchange.request("GET", "/api/v3/voortgang/\(verzoekID)").status == 404)
            #expect(result.status == 200)
            #expect(result.headers["x-vum-gedeeltelijk"] == "true")
            #expect(result.json["vumGedeeltelijk"] == .bool(true))
            let statuses = result.json["vumBronnen"]!.array
            #expect(statuses.first { $0["bronID"]?.string == stil.rawValue }?["status"]?.string == "te_laat")
            #expect(statuses.filter { $0["status"]?.string == "beantwoord" }.count == 3)
            let vraagID = try #require(result.json["vraagID"]?.string)
            let matchCount = result.json["matches"]!.array.count

            // Now the silent bron answers, too late: recorded with its lateness, not merged.
            let late = GegevenssetBericht(
                vraagID: vraagID, bronID: stil, gegevensset: .werkzoekenden,
                matches: [], maximumAantalResultatenBereikt: false, genegeerdeCriteria: [])
            var answerEnvelope = Envelope(
                type: .gegevensset, correlationID: vraagID, appID: "tests/1", userID: broker.user)
            answerEnvelope.bron = stil
            let replyQueue = exchange.aggregatorReplyQueue
            try await federation.channel.publish(
                MessageCodec.encode(late), exchange: Topology.antwoorden, routingKey: replyQueue,
                properties: answerEnvelope.properties())
            let teLaat = try await exchange.waitForEvent(.gegevenssetTeLaat) {
                $0.vraagID == vraagID && $0.bronID == stil.rawValue
            }
            #expect(teLaat.bronID == stil.rawValue)
            #expect((teLaat.teLaatMs ?? -1) >= 0)
            #expect(matchCount > 0)
            await exchange.stop()
            await federation.stop()
        }

        @Test("forged and duplicate answers are dropped, never parked: only the bron's own broker user answers, once")
        func forgedAndDuplicate() async throws {
            let federation = try await TestFederation.start()
            let (bronnen, _, adapterTasks) = try await threeBronnen(federation)
            let stil = try await federation.addBron("stil")
            let nep = try BronID(validating: "nep-\(UUID().uuidString.prefix(6).lowercased())")
            var registry = Dictionary(uniqueKeysWithValues: (bronnen + [stil]).map { ($0, broker.user) })
            registry[nep] = "bron-nep-certificaat"
            // No memory budget: every answer the aggregator keeps is parked in a file, and only those.
            let exchange = try await TestExchange.start(bronnen: registry) { $0.answerMemoryBudget = 0 }
            defer { for t in adapterTasks { t.cancel() } }
            try await federation.announceByHand(stil)
            try await exchange.waitOnline(bronnen + [stil])

            // The silent bron keeps the zoekvraag open until its deadline, so answers can be injected.
            let asking = Task { try await exchange.zoek(question, deadlineMs: 3000) }
            let verstuurd = try await exchange.waitForEvent(.zoekvraagVerstuurd) {
                $0.verwachteBronnen?.contains(stil.rawValue) == true
            }
            let vraagID = try #require(verstuurd.vraagID)
            _ = try await exchange.waitForEvent(.gegevenssetOntvangen) {
                $0.vraagID == vraagID && $0.bronID == bronnen[0].rawValue
            }
            let replyQueue = exchange.aggregatorReplyQueue
            func inject(_ bron: BronID, matches: Int) async throws {
                let bericht = GegevenssetBericht(
                    vraagID: vraagID, bronID: bron, gegevensset: .werkzoekenden,
                    matches: (0..<matches).map { .object(JSONObject([("idWerkzoekende", .string("nep-\($0)"))])) },
                    maximumAantalResultatenBereikt: false, genegeerdeCriteria: [])
                var e = Envelope(type: .gegevensset, correlationID: vraagID, appID: "tests/1", userID: broker.user)
                e.bron = bron
                try await federation.channel.publish(
                    MessageCodec.encode(bericht), exchange: Topology.antwoorden,
                    routingKey: replyQueue, properties: e.properties())
            }
            try await inject(nep, matches: 5)  // forged: nep answers as bron-nep-certificaat, not as this user
            try await inject(bronnen[0], matches: 7)  // duplicate: bron 0 already answered
            // The silent bron answers last, one match leaking a detail-only field: that match is left out.
            let leaking = GegevenssetBericht(
                vraagID: vraagID, bronID: stil, gegevensset: .werkzoekenden,
                matches: try [
                    #"{"idWerkzoekende":"stil-1","marker":"clean"}"#,
                    #"{"idWerkzoekende":"stil-2","emailadres":"a@b.nl","marker":"leak"}"#,
                    #"{"idWerkzoekende":"stil-3","x":{"telefoonnummer":"nested, not a field of the profile"},"marker":"nested"}"#,
                ].map { try JSONValue.parse($0) }, maximumAantalResultatenBereikt: false, genegeerdeCriteria: [])
            var stilEnvelope = Envelope(
                type: .gegevensset, correlationID: vraagID, appID: "tests/1", userID: broker.user)
            stilEnvelope.bron = stil
            try await federation.channel.publish(
                MessageCodec.encode(leaking), exchange: Topology.antwoorden,
                routingKey: replyQueue, properties: stilEnvelope.properties())
            let result = try await asking.value
            let markers = result.json["matches"]!.array.compactMap { $0["marker"]?.string }
            #expect(markers.sorted() == ["clean", "nested"])
            #expect(!result.json["matches"]!.array.contains { $0["emailadres"] != nil })
            let statuses = result.json["vumBronnen"]!.array
            #expect(!statuses.contains { $0["bronID"]?.string == nep.rawValue })
            #expect(!result.json["matches"]!.array.contains { $0["vumID"] == nil })
            let first = statuses.first { $0["bronID"]?.string == bronnen[0].rawValue }
            #expect(first?["aantal"] != .number(.integer(7)))
            let ontvangen = await exchange.events(vraagID).filter {
                $0.soort == .gegevenssetOntvangen && $0.bronID == bronnen[0].rawValue
            }
            #expect(ontvangen.count == 1)
            // The three bronnen's answers and the silent one's were kept; the forged and the duplicate one not.
            #expect(exchange.aggregator.parking.parkedCount == 4)
            await exchange.stop()
            await federation.stop()
        }

        @Test(
            "refusals: non-SUWI for werkzoekenden, unknown party, missing header, bad body, bad question; all audited")
        func refusals() async throws {
            let exchange = try await TestExchange.start(bronnen: [:])
            let nietSuwi = try await exchange.zoek(question, from: uitzendOIN)
            #expect(nietSuwi.status == 403 && nietSuwi.json["code"]?.string == "403")
            let vacatures = try await exchange.zoek(
                #"{"selectiegebied":{"postcode":"3511AB","afstand":5}}"#, .vacatures, from: uitzendOIN)
            #expect(vacatures.status == 200, "\(vacatures.json.serialized())")
            #expect(vacatures.json["matches"]?.array.isEmpty == true)
            let onbekend = try await exchange.zoek(question, from: gastOIN)
            #expect(onbekend.status == 401)
            let zonderPartij = try await exchange.zoek(question, from: nil)
            #expect(zonderPartij.status == 400 && zonderPartij.json["code"]?.string == "400.02")
            let geenJSON = try await exchange.request(
                "POST", "/api/v3/werkzoekendeProfielen/matches", body: "{niet json")
            #expect(geenJSON.status == 400 && geenJSON.json["code"]?.string == "400.01")
            let zonderVraag = try await exchange.request("POST", "/api/v3/werkzoekendeProfielen/matches", body: "{}")
            #expect(zonderVraag.json["code"]?.string == "400.02")
            let slecht = try await exchange.zoek(#"{"selectiegebied":{"postcode":"3511AB","afstand":"ver"}}"#)
            #expect(slecht.status == 400 && slecht.json["code"]?.string == "400.01")
            #expect(slecht.json["details"]?.string?.contains("selectiegebied.afstand") == true)
            let onbekendePostcode = try await exchange.zoek(#"{"selectiegebied":{"postcode":"0999AA","afstand":5}}"#)
            #expect(onbekendePostcode.status == 400)
            let versie = try await exchange.request(
                "POST", "/api/v3/werkzoekendeProfielen/matches", body: #"{"vraagObject":{}}"#,
                headers: ["API-Version": "2.0.0"])
            #expect(versie.status == 400)
            let berichtVersie = try await exchange.zoek(question, headers: ["X-VUM-berichtVersie": "2.1"])
            #expect(
                berichtVersie.status == 400
                    && berichtVersie.json["message"]?.string == "unsupported X-VUM-berichtVersie")
            for deadline in ["soon", "0", "-5"] {
                let slechteDeadline = try await exchange.zoek(question, headers: ["X-VUM-deadline-ms": deadline])
                #expect(
                    slechteDeadline.status == 400 && slechteDeadline.json["code"]?.string == "400.01", "\(deadline)")
                #expect(slechteDeadline.json["details"]?.string?.hasPrefix(deadline) == true)
            }
            // A method a known path does not serve: 405 with the methods it does, not 404 (the path exists).
            for (method, path, allow) in [
                ("GET", "/api/v3/werkzoekendeProfielen/matches", "POST"), ("DELETE", "/health", "GET"),
                ("PUT", "/api/v3/vacatures/some-vumID", "GET"), ("QUERY", "/bronnen", "GET"),
            ] {
                let answer = try await exchange.request(method, path)
                #expect(answer.status == 405 && answer.json["code"]?.string == "405", "\(method) \(path)")
                #expect(answer.headers["allow"] == allow, "\(method) \(path): \(answer.headers)")
            }
            #expect(try await exchange.request("DELETE", "/api/v3/nergens").status == 404)
            let geweigerd = try await exchange.waitForEvent(.zoekvraagGeweigerd) { $0.fromParty == uitzendOIN.rawValue }
            #expect(geweigerd.uitkomst == "403" && geweigerd.suwi == false)
            _ = try await exchange.waitForEvent(.zoekvraagGeweigerd) {
                $0.fromParty == gastOIN.rawValue && $0.uitkomst == "401"
            }
            await exchange.stop()
        }

        @Test("no audit, no answer: when zoekvraag.ontvangen cannot be confirmed the asker gets 503, not matches")
        func failClosed() async throws {
            try await PrivateBroker.with(name: "aggregator-audit") { node in
                let configuration = try node.environment().configuration(virtualHost: Topology.virtualHost)
                let exchange = try await TestExchange.start(bronnen: [:], broker: configuration)
                let before = try await exchange.zoek(
                    #"{"selectiegebied":{"postcode":"3511AB","afstand":5}}"#, .vacatures)
                #expect(before.status == 200)
                // The audit trail goes away: the event's publish is refused by the broker.
                try await exchange.federation.channel.deleteExchange(Topology.procesgegevens)
                let after = try await exchange.zoek(
                    #"{"selectiegebied":{"postcode":"3511AB","afstand":5}}"#, .vacatures)
                #expect(after.status == 503, "\(after.json.serialized())")
                #expect(after.json["matches"] == nil)
                #expect(after.json["details"]?.string?.contains("procesgegevens") == true)
                await exchange.stop()
            }
        }

        @Test(
            "a confirmed channel on which the broker refuses every event is replaced; once the refusal is gone the exchange answers again"
        )
        func nackedChannelReplaced() async throws {
            try await PrivateBroker.with(name: "aggregator-nacks") { node in
                let configuration = try node.environment().configuration(virtualHost: Topology.virtualHost)
                let exchange = try await TestExchange.start(bronnen: [:], broker: configuration) {
                    $0.confirmedChannelReplacement = .init(nacks: 5, during: .milliseconds(300))
                }
                let question = #"{"selectiegebied":{"postcode":"3511AB","afstand":5}}"#
                #expect(try await exchange.zoek(question, .vacatures).status == 200)
                // A queue that takes nothing behind vum.procesgegevens: the broker nacks every event.
                let refusing = "test.refuse.\(UUID().uuidString.prefix(8))"
                let channel = exchange.federation.channel
                _ = try await channel.declareQueue(
                    refusing, arguments: ["x-max-length": .int32(0), "x-overflow": .string("reject-publish")])
                try await channel.bindQueue(refusing, exchange: Topology.procesgegevens, routingKey: "#")
                var refused = 0
                let until = ContinuousClock.now + .seconds(15)
                while exchange.aggregator.confirmedChannelReplacements == 0 && ContinuousClock.now < until {
                    let answer = try await exchange.zoek(question, .vacatures)
                    #expect(answer.status == 503, "\(answer.json.serialized())")
                    refused += 1
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(exchange.aggregator.confirmedChannelReplacements == 1)
                #expect(refused >= 3, "replaced after \(refused) refused zoekvragen")
                // Still refused on the fresh channel while the queue is there: nothing unaudited gets out.
                #expect(try await exchange.zoek(question, .vacatures).status == 503)
                try await channel.deleteQueue(refusing)
                #expect(try await exchange.zoek(question, .vacatures).status == 200)
                await exchange.stop()
            }
        }

        @Test("bus-native bemiddelaars ask over vum.verzoeken with the REST API's semantics and codes")
        func amqpEntry() async throws {
            let federation = try await TestFederation.start()
            let (bronnen, _, adapterTasks) = try await threeBronnen(federation)
            let exchange = try await TestExchange.start(
                bronnen: Dictionary(uniqueKeysWithValues: bronnen.map { ($0, broker.user) }))
            defer { for t in adapterTasks { t.cancel() } }
            try await exchange.waitOnline(bronnen)
            let channel = exchange.federation.channel
            let replies = try await channel.declareQueue(exclusive: true)
            let (inbox, _) = try await channel.consume(queue: replies.name, noAck: true).collect()
            func ask(_ bericht: VerzoekBericht, party: OIN?) async throws -> VerzoekantwoordBericht {
                let id = UUID().uuidString
                var e = Envelope(
                    type: .verzoek, correlationID: id, appID: "tests/1", userID: broker.user, replyTo: replies.name)
                e.fromParty = party
                try await channel.publish(
                    MessageCodec.encode(bericht), exchange: Topology.verzoeken, routingKey: "",
                    properties: e.properties())
                let d = try await inbox.first(timeout: .seconds(15), "verzoekantwoord") {
                    $0.properties.correlationID == id
                }
                #expect(d.properties.type == MessageType.verzoekantwoord.rawValue)
                return try MessageCodec.decode(VerzoekantwoordBericht.self, from: d.body)
            }
            let zoek = try await ask(
                VerzoekBericht(zoek: .werkzoekenden, vraagObject: JSONValue.parse(question)), party: gemeenteOIN)
            let antwoord = try #require(zoek.antwoord, "\(zoek)")
            #expect(antwoord["vumBronnen"]?.array.filter { $0["status"]?.string == "beantwoord" }.count == 3)
            let vumID = try #require(antwoord["matches"]?.array.first?["vumID"]?.string)
            let detail = try await ask(VerzoekBericht(detail: vumID, gegevensset: .werkzoekenden), party: gemeenteOIN)
            #expect(detail.antwoord?["werkzoekende"]?["vumID"]?.string == vumID, "\(detail)")
            // Another party's OIN from this broker user, no party at all, a malformed question.
            let anders = try await ask(
                VerzoekBericht(zoek: .vacatures, vraagObject: JSONValue.parse(question)), party: uitzendOIN)
            #expect(anders.fout?.code == "401")
            let niemand = try await ask(
                VerzoekBericht(zoek: .vacatures, vraagObject: JSONValue.parse(question)), party: nil)
            #expect(niemand.fout?.code == "400.02")
            let slecht = try await ask(
                VerzoekBericht(zoek: .werkzoekenden, vraagObject: .object(JSONObject())), party: gemeenteOIN)
            #expect(slecht.fout?.code == "400.01")
            await exchange.stop()
            await federation.stop()
        }

        @Test("the OpenAPI document is valid OpenAPI 3.0 and every path it lists is served")
        func openAPI() async throws {
            let exchange = try await TestExchange.start(bronnen: [:])
            let document = try await exchange.request("GET", "/api/v3/openapi.json", from: nil)
            #expect(document.status == 200)
            let file = exchange.folder.appendingPathComponent("openapi.json")
            try Data(document.json.serializedBytes()).write(to: file)
            let validation = try await ChildProcess.run(
                "/usr/bin/env", ["python3", "-m", "openapi_spec_validator", file.path])
            #expect(validation.status == 0, "\(validation.output)")
            // It names this exchange as the one X-VUM-toParty, and the selectievraag the aggregator validates.
            let toParty = document.json["paths"]?["/api/v3/vacatures/matches"]?["post"]?["parameters"]?.array
                .first { $0["name"]?.string == "X-VUM-toParty" }
            #expect(toParty?["schema"]?["enum"]?.array.first?.string == exchangeOIN.rawValue)
            let vraag = document.json["components"]?["schemas"]?["SelectievraagWerkzoekenden"]
            #expect(vraag?["required"]?.array.first?.string == "selectiegebied")
            #expect(vraag?["properties"]?["arbeidsmarktkwalificatie.rijbewijs"] != nil)
            for path in document.json["paths"]?.objectKeysList ?? []
            where !path.contains("{") && !path.hasSuffix("/matches") {
                let answer = try await exchange.request("GET", path, from: nil)
                #expect(answer.status == 200, "\(path)")
            }
            let health = try await exchange.request("GET", "/health", from: nil)
            #expect(health.json["status"]?.string == "ok")
            await exchange.stop()
        }
    }
}

extension JSONValue {
    var objectKeysList: [String] { if case .object(let o) = self { o.keys } else { [] } }
}

extension TestExchange {
    /// The aggregator's reply queue (answers are routed to it by name).
    var aggregatorReplyQueue: String { aggregator.replyQueueName ?? "" }
}

extension FederationSuites {
    @Suite("vum-aggregator executable end to end", .timeLimit(.minutes(2)))
    struct AggregatorExecutableTests {
        static let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("vum-aggregator").path

        @Test(
            "HTTPS with client certificates: vum reaches the REST API with a certificate of the trusted CA, not without one or with another CA's; the OIN in the certificate must be the asking party"
        )
        func mutualTLS() async throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "vum-aggregator-tls-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            // The run's broker folder holds a throwaway CA, a server certificate for localhost and client
            // certificates of that CA and of another one: the same serve the REST API here.
            let tls = try #require(broker.brokerDirectory, "no broker folder: \(broker.unreachableHint)") + "/tls"
            let federation = try await TestFederation.start()
            try await federation.channel.declareExchange(Topology.procesgegevens, type: .topic)
            defer { Task { await federation.stop() } }
            try
                #"{"bronnen": [], "bemiddelaars": [{"oin": "\#(gemeenteOIN)", "naam": "G", "suwi": true, "gegevenssets": ["werkzoekenden"]}]}"#
                .write(to: folder.appendingPathComponent("registry.json"), atomically: true, encoding: .utf8)
            let port = freeTCPPort()
            try """
            exchange-oin = \(exchangeOIN)
            registry = \(folder.appendingPathComponent("registry.json").path)
            broker.url = amqp://\(broker.user)@\(broker.host):\(broker.port)/vum
            http.port = \(port)
            http.tls.certificate = \(tls)/server.pem
            http.tls.key = \(tls)/server.key
            http.tls.client-ca = \(tls)/ca.pem
            request-store = \(folder.appendingPathComponent("requests.sqlite").path)
            pc4 = \(testPC4TablePath)
            """.write(to: folder.appendingPathComponent("aggregator.conf"), atomically: true, encoding: .utf8)
            let daemon = try ChildProcess.start(
                Self.executable, ["--config", folder.appendingPathComponent("aggregator.conf").path],
                environment: ["VUM_AGGREGATOR_BROKER_PASSWORD": broker.password])
            defer { daemon.signal(SIGKILL) }
            let vum = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
                "vum"
            ).path
            func bronnen(_ extra: [String]) async throws -> ChildProcess.Result {
                try await ChildProcess.run(
                    vum,
                    ["bronnen", "--json", "--aggregator", "https://localhost:\(port)", "--tls-ca", "\(tls)/ca.pem"]
                        + extra)
            }
            var ok = try await bronnen(["--tls-certificate", "\(tls)/client.pem", "--tls-key", "\(tls)/client.key"])
            // vum tries once, so this waits for the daemon to listen: up to a minute on a busy machine.
            for _ in 0..<600 where ok.status != 0 && !daemon.output.contains("stopped") {
                try await Task.sleep(for: .milliseconds(100))
                ok = try await bronnen(["--tls-certificate", "\(tls)/client.pem", "--tls-key", "\(tls)/client.key"])
            }
            #expect(ok.status == 0 && ok.output.contains(#""bronnen""#), "\(ok.output) \(daemon.output)")
            let without = try await bronnen([])
            #expect(without.status == 1 && without.output.contains("cannot reach the aggregator"), "\(without.output)")
            let rogue = try await bronnen([
                "--tls-certificate", "\(tls)/rogue-client.pem", "--tls-key", "\(tls)/rogue-client.key",
            ])
            #expect(rogue.status == 1, "\(rogue.output)")
            // Plain HTTP to the HTTPS port gets nothing either.
            let plain = try await ChildProcess.run(vum, ["bronnen", "--aggregator", "http://localhost:\(port)"])
            #expect(plain.status == 1, "\(plain.output)")
            #expect(daemon.output.contains("http.tls=mutual"), "\(daemon.output)")

            // Over mutual TLS the certificate says who asks: the OIN in its subject serialNumber must be
            // the party that connects. Refusals are procesgegevens.
            let (audit, auditTask) = try await Self.auditInbox(federation)
            defer { auditTask.cancel() }
            func zoek(_ certificate: String, as party: OIN) async throws -> ChildProcess.Result {
                try await ChildProcess.run(
                    vum,
                    [
                        "zoek", "werkzoekenden", "--postcode", "3511AB", "--afstand", "10", "--format", "json",
                        "--oin", party.rawValue, "--aggregator", "https://localhost:\(port)",
                        "--tls-ca", "\(tls)/ca.pem", "--tls-certificate", "\(tls)/\(certificate).pem",
                        "--tls-key", "\(tls)/\(certificate).key",
                    ])
            }
            let own = try await zoek("oin-client", as: gemeenteOIN)
            #expect(own.status == 0 && own.output.contains(#""vumBronnen""#), "\(own.output)")
            let other = try await zoek("oin-client", as: uitzendOIN)
            #expect(
                other.status == 1 && other.output.contains("403")
                    && other.output.contains("the client certificate is of party \(gemeenteOIN), not of \(uitzendOIN)"),
                "\(other.output)")
            let noOIN = try await zoek("client", as: gemeenteOIN)
            #expect(
                noOIN.status == 1 && noOIN.output.contains("401") && noOIN.output.contains("carries no OIN"),
                "\(noOIN.output)")
            let refused = try await audit.first(timeout: .seconds(10), "zoekvraag.geweigerd for the impersonation") {
                guard let e = try? MessageCodec.decode(Procesgebeurtenis.self, from: $0.body) else { return false }
                return e.soort == .zoekvraagGeweigerd && e.fromParty == uitzendOIN.rawValue && e.uitkomst == "403"
            }
            #expect(String(decoding: refused.body, as: UTF8.self).contains("not of \(uitzendOIN)"))
        }

        /// Every procesgebeurtenis published from now on, through an exclusive queue of the test's own.
        static func auditInbox(_ federation: TestFederation) async throws -> (Inbox<AMQPDelivery>, Task<Void, Never>) {
            let queue = try await federation.channel.declareQueue(exclusive: true)
            try await federation.channel.bindQueue(queue.name, exchange: Topology.procesgegevens, routingKey: "#")
            return try await federation.channel.consume(queue: queue.name, noAck: true).collect()
        }

        @Test("from a configuration file and a registry: answers over REST with an adapter's matches, stops on SIGTERM")
        func servesREST() async throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "vum-aggregator-exe-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let federation = try await TestFederation.start()
            try await federation.channel.declareExchange(Topology.procesgegevens, type: .topic)
            let bron = try await federation.addBron("exe")
            let people = (0..<200).map(SyntheticData(seed: 5, table: testPC4Table).werkzoekende)
            let (_, adapter) = federation.adapter(
                bron, source: InMemorySource(werkzoekenden: people, table: testPC4Table))
            defer { adapter.cancel() }
            try #"""
            {"bronnen": [{"id": "\#(bron)", "brokerUser": "\#(broker.user)"}],
             "bemiddelaars": [{"oin": "\#(gemeenteOIN)", "naam": "Gemeente", "suwi": true, "gegevenssets": ["werkzoekenden"]}]}
            """#.write(to: folder.appendingPathComponent("registry.json"), atomically: true, encoding: .utf8)
            let port = freeTCPPort()
            try """
            exchange-oin = \(exchangeOIN)
            registry = \(folder.appendingPathComponent("registry.json").path)
            broker.url = amqp://\(broker.user)@\(broker.host):\(broker.port)/vum
            http.port = \(port)
            request-store = \(folder.appendingPathComponent("requests.sqlite").path)
            pc4 = \(testPC4TablePath)
            """.write(to: folder.appendingPathComponent("aggregator.conf"), atomically: true, encoding: .utf8)
            let daemon = try ChildProcess.start(
                Self.executable, ["--config", folder.appendingPathComponent("aggregator.conf").path],
                environment: ["VUM_AGGREGATOR_BROKER_PASSWORD": broker.password])
            var stopped = false
            defer { if !stopped { daemon.signal(SIGKILL) } }

            // Ready when /health says so and the bron is online.
            var body = JSONValue.null
            for _ in 0..<200 {
                if let (data, _) = try? await URLSession.shared.data(
                    from: URL(string: "http://127.0.0.1:\(port)/bronnen")!),
                    let json = try? JSONValue.parse(Array(data)),
                    json["bronnen"]?.array.contains(where: {
                        $0["bronID"]?.string == bron.rawValue && $0["online"] == .bool(true)
                    }) == true
                {
                    body = json
                    break
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(body != .null, "the aggregator did not list the bron as online: \(daemon.output)")
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/v3/werkzoekendeProfielen/matches")!)
            request.httpMethod = "POST"
            request.setValue(gemeenteOIN.rawValue, forHTTPHeaderField: "X-VUM-fromParty")
            request.httpBody = Data(#"{"vraagObject":{"selectiegebied":{"postcode":"3511AB","afstand":100}}}"#.utf8)
            let (data, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            let answer = try JSONValue.parse(Array(data))
            #expect(answer["vumBronnen"]?.array.first?["status"]?.string == "beantwoord", "\(answer.serialized())")
            #expect((answer["matches"]?.array.count ?? 0) > 0)

            // The Prometheus endpoint counts it, with bounded labels only.
            let (metricsData, _) = try await URLSession.shared.data(
                from: URL(string: "http://127.0.0.1:\(port)/metrics")!)
            let metrics = String(decoding: metricsData, as: UTF8.self)
            #expect(
                metrics.contains(#"vum_zoekvragen_total{gegevensset="werkzoekenden",uitkomst="200"} 1"#), "\(metrics)")
            #expect(
                metrics.contains(#"vum_bron_antwoorden_total{bron="\#(bron)",status="beantwoord"} 1"#), "\(metrics)")
            #expect(metrics.contains("vum_zoekvraag_duur_bucket"))
            #expect(!metrics.contains(answer["vraagID"]?.string ?? "-"))

            daemon.signal(SIGTERM)
            let result = await daemon.wait()
            stopped = true
            #expect(result.status == 0, "\(result.output)")
        }

        @Test("configuration errors exit 2 naming the key and its source")
        func configurationErrors() async throws {
            let missing = try await ChildProcess.run(Self.executable, ["config", "--set", "registry=/x.json"])
            #expect(missing.status == 2)
            #expect(missing.output.contains("exchange-oin (not set): is required"), "\(missing.output)")
            let badRegistry = try await ChildProcess.run(
                Self.executable,
                [
                    "config", "--set", "exchange-oin=\(exchangeOIN)",
                    "--set", "broker.url=amqp://u@localhost/vum", "--set", "registry=/nonexistent/registry.json",
                ])
            #expect(
                badRegistry.output.contains(
                    "registry (--set): cannot read /nonexistent/registry.json: No such file or directory"),
                "\(badRegistry.output)")
            // Files that are there but wrong: the system's reason or what is wrong, and the file.
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "vum-config-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let notJSON = folder.appendingPathComponent("registry.txt").path
            try FileContents.write("bronnen: none\n".utf8, to: notJSON)
            let shortSecret = folder.appendingPathComponent("vumid.secret").path
            try FileContents.write(Array(repeating: UInt8(7), count: 16), to: shortSecret)
            let good = folder.appendingPathComponent("registry.json").path
            try FileContents.write(#"{"bronnen": [], "bemiddelaars": []}"#.utf8, to: good)
            let secret = folder.appendingPathComponent("vumid-32-bytes.secret").path
            try FileContents.write(Array(repeating: UInt8(9), count: 32), to: secret)
            let cases: [([String], String)] = [
                (["registry=\(notJSON)"], "registry (--set): \(notJSON) is not JSON"),
                (["registry=\(folder.path)"], "registry (--set): cannot read \(folder.path): Is a directory"),
                (
                    ["registry=\(good)", "vumid-secret-file=\(shortSecret)"],
                    "vumid-secret-file (--set): \(shortSecret) holds 16 bytes; a secret needs at least 32"
                ),
                (
                    ["registry=\(good)", "vumid-previous-secret-file=\(secret)"],
                    "vumid-previous-secret-file (--set): needs vumid-secret-file"
                ),
                (
                    ["registry=\(good)", "vumid-secret-file=\(secret)", "vumid-previous-secret-file=\(secret)"],
                    "vumid-previous-secret-file (--set): holds the same secret as vumid-secret-file"
                ),
                (
                    ["registry=\(good)", "vumid-secret-file=\(folder.path)/none"],
                    "vumid-secret-file (--set): cannot read \(folder.path)/none: No such file or directory"
                ),
                (
                    [
                        "registry=\(good)", "pc4=\(testPC4TablePath)", "http.tls.certificate=\(folder.path)/cert.pem",
                        "http.tls.key=\(folder.path)/key.pem",
                    ],
                    "http.tls.certificate (--set): cannot read \(folder.path)/cert.pem: No such file or directory"
                ),
            ]
            for (settings, said) in cases {
                let refused = try await ChildProcess.run(
                    Self.executable,
                    ["config", "--set", "exchange-oin=\(exchangeOIN)", "--set", "broker.url=amqp://u@localhost/vum"]
                        + settings.flatMap { ["--set", $0] })
                #expect(refused.status == 2, "\(refused.output)")
                #expect(refused.output.contains(said), "\(refused.output)")
            }
            let badParking = try await ChildProcess.run(
                Self.executable,
                [
                    "config", "--set", "exchange-oin=\(exchangeOIN)",
                    "--set", "broker.url=amqp://u@localhost/vum", "--set", "answer-park-directory=/nonexistent/parking",
                ])
            #expect(badParking.status == 2)
            // A request store where none can be: the daemon says which file, not only SQLite's number.
            let registry = FileManager.default.temporaryDirectory.appendingPathComponent(
                "registry-\(UUID().uuidString).json")
            try #"{"bronnen": [], "bemiddelaars": []}"#.write(to: registry, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: registry) }
            let unopenable = try await ChildProcess.run(
                Self.executable,
                [
                    "--set", "exchange-oin=\(exchangeOIN)", "--set", "broker.url=amqp://u@127.0.0.1:1/vum",
                    "--set", "registry=\(registry.path)", "--set", "pc4=\(testPC4TablePath)",
                    "--set", "request-store=/nonexistent/vum/requests.sqlite",
                ])
            #expect(unopenable.status == 1, "\(unopenable.output)")
            #expect(
                unopenable.output.contains(
                    "cannot open the request store /nonexistent/vum/requests.sqlite: the folder /nonexistent/vum does not exist (SQLite error 14"
                ),
                "\(unopenable.output)")
            #expect(
                badParking.output.contains(
                    "answer-park-directory (--set): /nonexistent/parking is not a directory the aggregator can write to"
                ), "\(badParking.output)")
        }
    }
}
