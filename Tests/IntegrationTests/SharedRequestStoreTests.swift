import AMQPClient
import Foundation
import Testing
import VUMAdapter
import VUMExchange
import VUMStandaard
import VUMTesting

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

extension FederationSuites {
    @Suite("Several vum-aggregators sharing a PostgreSQL request store", .timeLimit(.minutes(4)))
    struct SharedRequestStoreTests {
        static let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("vum-aggregator").path

        struct Daemon {
            let process: ChildProcess.Running
            let port: Int

            func get(_ path: String, from party: OIN = gemeenteOIN) async throws -> (status: Int, json: JSONValue) {
                var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
                request.setValue(party.rawValue, forHTTPHeaderField: "X-VUM-fromParty")
                let (data, response) = try await URLSession.shared.data(for: request)
                return ((response as? HTTPURLResponse)?.statusCode ?? 0, (try? JSONValue.parse(Array(data))) ?? .null)
            }

            func zoek(_ selectievraag: String) async throws -> (status: Int, json: JSONValue) {
                var request = URLRequest(
                    url: URL(string: "http://127.0.0.1:\(port)/api/v3/werkzoekendeProfielen/matches")!)
                request.httpMethod = "POST"
                request.setValue(gemeenteOIN.rawValue, forHTTPHeaderField: "X-VUM-fromParty")
                request.httpBody = Data(#"{"vraagObject":\#(selectievraag)}"#.utf8)
                let (data, response) = try await URLSession.shared.data(for: request)
                return ((response as? HTTPURLResponse)?.statusCode ?? 0, (try? JSONValue.parse(Array(data))) ?? .null)
            }

            /// Until `/bronnen` lists `bron` online.
            func waitOnline(_ bron: BronID) async throws {
                for _ in 0..<300 {
                    if let (_, json) = try? await get("/bronnen"),
                        json["bronnen"]?.array.contains(where: {
                            $0["bronID"]?.string == bron.rawValue && $0["online"] == .bool(true)
                        })
                            == true
                    {
                        return
                    }
                    try await Task.sleep(for: .milliseconds(50))
                }
                throw InboxError("the aggregator on port \(port) did not list \(bron) online: \(process.output)")
            }
        }

        /// A private PostgreSQL cluster, a folder with the registry and the vumID secret, and one bron answering
        /// from 200 generated werkzoekenden on the test broker; all gone again after `body`.
        static func withDatabaseAndBron(
            _ name: String, _ body: (PrivatePostgres, URL, BronID, Inbox<AMQPDelivery>) async throws -> Void
        ) async throws {
            try await PrivatePostgres.with(name: name) { cluster in
                let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                    "vum-\(name)-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: folder) }
                let federation = try await TestFederation.start()
                try await federation.channel.declareExchange(Topology.procesgegevens, type: .topic)
                let auditQueue = try await federation.channel.declareQueue(exclusive: true)
                try await federation.channel.bindQueue(
                    auditQueue.name, exchange: Topology.procesgegevens, routingKey: "#")
                let (audit, _) = try await federation.channel.consume(queue: auditQueue.name, noAck: true).collect()
                let bron = try await federation.addBron(name)
                let people = (0..<200).map(SyntheticData(seed: 9, table: testPC4Table).werkzoekende)
                let (_, adapter) = federation.adapter(
                    bron, source: InMemorySource(werkzoekenden: people, table: testPC4Table))
                try Self.writeSharedFiles(folder, bron: bron)
                do {
                    try await body(cluster, folder, bron, audit)
                } catch {
                    adapter.cancel()
                    await federation.stop()
                    throw error
                }
                adapter.cancel()
                await federation.stop()
            }
        }

        /// The registry (one bron, the gemeente as asker) and a vumID secret, written to `folder`.
        static func writeSharedFiles(_ folder: URL, bron: BronID) throws {
            try #"""
            {"bronnen": [{"id": "\#(bron)", "brokerUser": "\#(broker.user)"}],
             "bemiddelaars": [{"oin": "\#(gemeenteOIN)", "naam": "Gemeente", "suwi": true,
                               "gegevenssets": ["werkzoekenden"]}]}
            """#.write(to: folder.appendingPathComponent("registry.json"), atomically: true, encoding: .utf8)
            try Data((0..<48).map { _ in UInt8.random(in: 0...255) }).write(
                to: folder.appendingPathComponent("vumid.secret"))
        }

        /// The configuration file of aggregator `name` on a free port; its request store the cluster's database
        /// unless `store` names another.
        static func writeConfiguration(
            _ name: String, folder: URL, cluster: PrivatePostgres, store: String? = nil,
            extra: String = ""
        ) throws -> (file: URL, port: Int) {
            let port = freeTCPPort()
            let conf = folder.appendingPathComponent("aggregator-\(name).conf")
            try """
            exchange-oin = \(exchangeOIN)
            registry = \(folder.appendingPathComponent("registry.json").path)
            broker.url = amqp://\(broker.user)@\(broker.host):\(broker.port)/vum
            http.port = \(port)
            request-store = \(try store ?? "postgres://vum@127.0.0.1:\(cluster.port())/postgres")
            vumid-secret-file = \(folder.appendingPathComponent("vumid.secret").path)
            pc4 = \(testPC4TablePath)
            \(extra)
            """.write(to: conf, atomically: true, encoding: .utf8)
            return (conf, port)
        }

        /// A vum-aggregator daemon on a free port with the cluster's database as its request store (or `store`).
        static func startAggregator(
            _ name: String, folder: URL, cluster: PrivatePostgres, store: String? = nil,
            extra: String = ""
        ) throws -> Daemon {
            let (conf, port) = try writeConfiguration(
                name, folder: folder, cluster: cluster, store: store, extra: extra)
            let process = try ChildProcess.start(
                executable, ["--config", conf.path],
                environment: ["VUM_AGGREGATOR_BROKER_PASSWORD": broker.password])
            return Daemon(process: process, port: port)
        }

        @Test(
            "rotating the vumID secret: with the previous secret beside the new one, earlier vumIDs resolve; without it not"
        )
        func secretRotation() async throws {
            try await Self.withDatabaseAndBron("rotation") { cluster, folder, bron, _ in
                let question = #"{"selectiegebied":{"postcode":"3511AB","afstand":100}}"#
                func vumIDs(_ answer: (status: Int, json: JSONValue)) -> [String] {
                    answer.json["matches"]?.array.compactMap { $0["vumID"]?.string } ?? []
                }
                func stop(_ daemon: Daemon) async {
                    daemon.process.signal(SIGTERM)
                    #expect(await daemon.process.wait().status == 0)
                }
                let before = try Self.startAggregator("before", folder: folder, cluster: cluster)
                defer { before.process.signal(SIGKILL) }
                try await before.waitOnline(bron)
                let old = vumIDs(try await before.zoek(question))
                try #require(old.count >= 2)
                await stop(before)

                // The new secret where the old one was; the old one named as the previous secret.
                let secret = folder.appendingPathComponent("vumid.secret").path
                let previous = folder.appendingPathComponent("vumid-previous.secret").path
                try FileManager.default.moveItem(atPath: secret, toPath: previous)
                try FileContents.write((0..<48).map { _ in UInt8.random(in: 0...255) }, to: secret, permissions: 0o600)
                let rotating = try Self.startAggregator(
                    "rotating", folder: folder, cluster: cluster, extra: "vumid-previous-secret-file = \(previous)")
                defer { rotating.process.signal(SIGKILL) }
                try await rotating.waitOnline(bron)
                let kept = try await rotating.get("/api/v3/werkzoekendeProfielen/\(old[0])")
                #expect(kept.status == 200, "\(kept.json.serialized())")
                let new = vumIDs(try await rotating.zoek(question))
                try #require(!new.isEmpty)
                await stop(rotating)

                // The previous secret dropped: its vumIDs are unknown, the new secret's still resolve.
                let after = try Self.startAggregator("after", folder: folder, cluster: cluster)
                defer { after.process.signal(SIGKILL) }
                try await after.waitOnline(bron)
                #expect(try await after.get("/api/v3/werkzoekendeProfielen/\(old[1])").status == 404)
                let fresh = try await after.get("/api/v3/werkzoekendeProfielen/\(new[0])")
                #expect(fresh.status == 200, "\(fresh.json.serialized())")
                await stop(after)
            }
        }

        @Test(
            "copy-store: from one aggregator's SQLite store to the shared one; its vumIDs resolve there with their detail count"
        )
        func copyStore() async throws {
            try await Self.withDatabaseAndBron("copy") { cluster, folder, bron, _ in
                let old = folder.appendingPathComponent("old-requests.sqlite").path
                let single = try Self.startAggregator(
                    "single", folder: folder, cluster: cluster, store: old,
                    extra: "detail-limit = 3")
                defer { single.process.signal(SIGKILL) }
                try await single.waitOnline(bron)
                let answer = try await single.zoek(#"{"selectiegebied":{"postcode":"3511AB","afstand":100}}"#)
                let vumIDs = answer.json["matches"]?.array.compactMap { $0["vumID"]?.string } ?? []
                try #require(vumIDs.count >= 4, "\(answer.json.serialized())")
                #expect(try await single.get("/api/v3/werkzoekendeProfielen/\(vumIDs[0])").status == 200)
                single.process.signal(SIGTERM)
                #expect(await single.process.wait().status == 0)

                // The configuration of the aggregators that will share the PostgreSQL store names the target.
                let (conf, port) = try Self.writeConfiguration(
                    "shared", folder: folder, cluster: cluster,
                    extra: "detail-limit = 3")
                let environment = ["VUM_AGGREGATOR_BROKER_PASSWORD": broker.password]
                let copy = try await ChildProcess.start(
                    Self.executable, ["copy-store", "--from", old, "--config", conf.path], environment: environment
                ).wait()
                #expect(copy.status == 0, "\(copy.output)")
                #expect(
                    copy.output.contains("copied 1 zoekvragen from \(old) to postgres://vum@127.0.0.1:"),
                    "\(copy.output)")
                #expect(copy.output.contains("0 were there already, 0 had expired"), "\(copy.output)")
                let again = try await ChildProcess.start(
                    Self.executable, ["copy-store", "--from", old, "--config", conf.path], environment: environment
                ).wait()
                #expect(
                    again.output.contains("copied 0 zoekvragen") && again.output.contains("1 were there already"),
                    "\(again.output)")

                let shared = Daemon(
                    process: try ChildProcess.start(
                        Self.executable, ["--config", conf.path], environment: environment),
                    port: port)
                defer { shared.process.signal(SIGKILL) }
                try await shared.waitOnline(bron)
                // The detail the old aggregator served counts: two more, then the limit of 3.
                for i in 1...2 {
                    let detail = try await shared.get("/api/v3/werkzoekendeProfielen/\(vumIDs[i])")
                    #expect(detail.status == 200, "\(detail.json.serialized())")
                }
                #expect(try await shared.get("/api/v3/werkzoekendeProfielen/\(vumIDs[3])").status == 429)

                // What cannot be copied says why: no source file, or the configured store itself.
                let missing = try await ChildProcess.start(
                    Self.executable,
                    [
                        "copy-store", "--from", folder.appendingPathComponent("nope.sqlite").path,
                        "--config", conf.path,
                    ], environment: environment
                ).wait()
                #expect(
                    missing.status == 2 && missing.output.contains("nope.sqlite: no such file"), "\(missing.output)")
                let (oldConf, _) = try Self.writeConfiguration("self", folder: folder, cluster: cluster, store: old)
                let itself = try await ChildProcess.start(
                    Self.executable, ["copy-store", "--from", old, "--config", oldConf.path], environment: environment
                ).wait()
                #expect(
                    itself.status == 2 && itself.output.contains("is the configured request-store itself"),
                    "\(itself.output)")
                shared.process.signal(SIGTERM)
                #expect(await shared.process.wait().status == 0)
            }
        }

        @Test("a vumID issued by one aggregator resolves at the other, and the detail limit counts the details of both")
        func vumIDsAcrossAggregators() async throws {
            try await Self.withDatabaseAndBron("shared") { cluster, folder, bron, audit in
                var daemons: [Daemon] = []
                defer { for d in daemons { d.process.signal(SIGKILL) } }
                for name in ["a", "b"] {
                    daemons.append(
                        try Self.startAggregator(
                            name, folder: folder, cluster: cluster, extra: "detail-limit = 4\ninstance = agg-\(name)"))
                }
                let (a, b) = (daemons[0], daemons[1])
                try await a.waitOnline(bron)
                try await b.waitOnline(bron)

                let answer = try await a.zoek(#"{"selectiegebied":{"postcode":"3511AB","afstand":100}}"#)
                #expect(answer.status == 200, "\(answer.json.serialized())")
                let vumIDs = answer.json["matches"]?.array.compactMap { $0["vumID"]?.string } ?? []
                try #require(vumIDs.count >= 5, "\(answer.json.serialized())")

                // Two details through each aggregator: all resolve. The fifth, through either, is over the limit of 4.
                for (i, daemon) in [a, b, b, a].enumerated() {
                    let detail = try await daemon.get("/api/v3/werkzoekendeProfielen/\(vumIDs[i])")
                    #expect(detail.status == 200, "detail \(i) at port \(daemon.port): \(detail.json.serialized())")
                    #expect(detail.json["werkzoekende"]?["vumID"]?.string == vumIDs[i])
                }
                let fifth = try await b.get("/api/v3/werkzoekendeProfielen/\(vumIDs[4])")
                #expect(fifth.status == 429 && fifth.json["code"]?.string == "429.01", "\(fifth.json.serialized())")

                // The procesgegevens say which aggregator did what: the zoekvraag through a, details through both.
                let vraagID = try #require(answer.json["vraagID"]?.string)
                _ = try await audit.first(timeout: .seconds(10), "detail.geweigerd") {
                    (try? MessageCodec.decode(Procesgebeurtenis.self, from: $0.body))?.soort == .detailGeweigerd
                }
                let events = await audit.items.compactMap {
                    try? MessageCodec.decode(Procesgebeurtenis.self, from: $0.body)
                }
                .filter { $0.vraagID == vraagID }
                func components(_ soort: Procesgebeurtenis.Soort) -> Set<String> {
                    Set(events.filter { $0.soort == soort }.map(\.component))
                }
                #expect(components(.zoekvraagOntvangen) == ["vum-aggregator/0.1.0 on agg-a"])
                #expect(
                    components(.detailGeleverd) == ["vum-aggregator/0.1.0 on agg-a", "vum-aggregator/0.1.0 on agg-b"])
                #expect(components(.detailGeweigerd) == ["vum-aggregator/0.1.0 on agg-b"])

                for d in daemons { d.process.signal(SIGTERM) }
                for d in daemons {
                    let result = await d.process.wait()
                    #expect(result.status == 0, "\(result.output)")
                    #expect(result.output.contains("shared request store opened"), "\(result.output)")
                }
            }
        }

        @Test(
            "the store's table locked: a zoekvraag 500 in time, the statement ended; its database stopped: /health 503, a zoekvraag 500 in bounded time; back, both recover"
        )
        func databaseGone() async throws {
            try await Self.withDatabaseAndBron("gone") { cluster, folder, bron, _ in
                let daemon = try Self.startAggregator(
                    "gone", folder: folder, cluster: cluster, extra: "request-store.timeout = 1s")
                defer { daemon.process.signal(SIGKILL) }
                try await daemon.waitOnline(bron)
                let question = #"{"selectiegebied":{"postcode":"3511AB","afstand":100}}"#
                #expect(try await daemon.get("/health").status == 200)
                #expect(try await daemon.zoek(question).status == 200)

                // The store's table locked by another session: 500 in time, and the database ends the
                // given-up statement (its statement_timeout is request-store.timeout) while the lock is held.
                let lock = try await cluster.holdLock(on: "vum_zoekvraag")
                let blocked = try await daemon.zoek(question)
                #expect(blocked.status == 500, "\(blocked.json.serialized())")
                #expect(
                    try await lock.waiting(after: .seconds(5)) == 0,
                    "the aggregator's given-up statement still waits for the lock")
                #expect(try await lock.isHeld())
                try await lock.release()
                #expect(try await daemon.zoek(question).status == 200)

                try await cluster.stop()
                let refused = try await daemon.zoek(question)
                #expect(refused.status == 500, "\(refused.json.serialized())")
                #expect(
                    refused.json["message"]?.string == "the exchange could not keep the zoekvraag",
                    "\(refused.json.serialized())")
                var health = try await daemon.get("/health")
                for _ in 0..<50 where health.status != 503 {
                    try await Task.sleep(for: .milliseconds(200))
                    health = try await daemon.get("/health")
                }
                #expect(
                    health.status == 503 && health.json["reason"]?.string == "the request store does not answer",
                    "\(health.json.serialized())")
                #expect(!health.json.serialized().contains("127.0.0.1"), "/health tells anyone where the store is")

                try await cluster.start()
                for _ in 0..<100 where health.status != 200 {
                    try await Task.sleep(for: .milliseconds(200))
                    health = try await daemon.get("/health")
                }
                #expect(health.status == 200, "\(health.json.serialized())")
                #expect(try await daemon.zoek(question).status == 200)
                daemon.process.signal(SIGTERM)
                let result = await daemon.process.wait()
                #expect(result.status == 0, "\(result.output)")
                #expect(
                    result.output.contains("the request store does not answer: /health says 503"), "\(result.output)")
                #expect(result.output.contains("the request store answers again"), "\(result.output)")

                // A store that cannot be reached at start stops the daemon at once, saying which and why.
                let unknown = try await ChildProcess.start(
                    Self.executable,
                    [
                        "--config", folder.appendingPathComponent("aggregator-gone.conf").path,
                        "--set", "request-store=postgres://vum@127.0.0.1:\(try cluster.port())/nope",
                    ],
                    environment: ["VUM_AGGREGATOR_BROKER_PASSWORD": broker.password]
                ).wait()
                #expect(unknown.status == 1, "\(unknown.output)")
                #expect(
                    unknown.output.contains(#"/nope: cannot connect: SQLSTATE 3D000: database "nope" does not exist"#),
                    "\(unknown.output)")
            }
        }

        @Test(
            "configuration: a password in the URL refused, not repeated; a shared store needs the vumID secret"
        )
        func configuration() async throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "vum-shared-conf-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let registry = folder.appendingPathComponent("registry.json").path
            try #"{"bronnen": [], "bemiddelaars": []}"#.write(toFile: registry, atomically: true, encoding: .utf8)
            func config(_ settings: [String]) async throws -> ChildProcess.Result {
                try await ChildProcess.run(
                    Self.executable,
                    [
                        "config", "--set", "exchange-oin=\(exchangeOIN)",
                        "--set", "broker.url=amqp://u@localhost/vum", "--set", "registry=\(registry)", "--set",
                        "pc4=\(testPC4TablePath)",
                    ]
                        + settings.flatMap { ["--set", $0] })
            }
            let password = try await config(["request-store=postgres://vum:hunter2@db.example/vum"])
            #expect(password.status == 2)
            #expect(password.output.contains("request-store (--set): holds a password"), "\(password.output)")
            #expect(!password.output.contains("hunter2"), "\(password.output)")
            let noSecret = try await config(["request-store=postgres://vum@db.example/vum"])
            #expect(noSecret.status == 2)
            #expect(
                noSecret.output.contains("vumid-secret-file (default): is required with a shared request store"),
                "\(noSecret.output)")
            let noDatabase = try await config(["request-store=postgres://vum@db.example"])
            #expect(noDatabase.output.contains("request-store (--set): names no database"), "\(noDatabase.output)")
            let parameters = try await config(["request-store=postgres://vum@db.example/vum?sslmode=require"])
            #expect(parameters.output.contains("request-store (--set): takes no ?parameters"), "\(parameters.output)")
            let badInstance = try await config(["instance=two words"])
            #expect(
                badInstance.output.contains(#"instance (--set): "two words" is not 1-60 of"#), "\(badInstance.output)")
            let badTLS = try await config(["request-store=postgres://vum@db.example/vum", "request-store.tls=maybe"])
            #expect(
                badTLS.output.contains(#"request-store.tls (--set): "maybe" is not disable or require"#),
                "\(badTLS.output)")
        }
    }
}
