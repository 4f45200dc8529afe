import AMQPClient
import Foundation
import Glibc
import Testing
import VUMAdapter
import VUMAggregator
import VUMAudit
import VUMExchange
import VUMStandaard
import VUMTesting

/// The built `vum-audit`, beside the test bundle.
let vumAuditExecutable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    .appendingPathComponent("vum-audit").path

/// A temporary folder for one test, removed by the caller.
func auditFolder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vum-audit-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

/// Polls until `condition` holds, or fails after `timeout` saying what was awaited.
func eventually(_ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
    let end = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < end else { throw InboxError("timed out waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(50))
    }
}

extension FederationSuites {
    @Suite("vum-audit: a real aggregator's procesgegevens into the store", .timeLimit(.minutes(3)))
    struct AuditTrailTests {
        @Test(
            "a zoekvraag and a detail through a real aggregator and adapters end up in the store, chained, counted and clean"
        )
        func aggregatorRoundTrip() async throws {
            let folder = try auditFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let federation = try await TestFederation.start()
            var bronnen: [BronID] = []
            var adapterTasks: [Task<Void, any Error>] = []
            for (i, name) in ["gemeente", "uwv"].enumerated() {
                let bron = try await federation.addBron(name)
                let records = (0..<300).map(SyntheticData(seed: UInt64(170 + i), table: testPC4Table).werkzoekende)
                adapterTasks.append(
                    federation.adapter(bron, source: InMemorySource(werkzoekenden: records, table: testPC4Table)).1)
                bronnen.append(bron)
            }
            defer { for t in adapterTasks { t.cancel() } }
            let exchange = try await TestExchange.start(
                bronnen: Dictionary(uniqueKeysWithValues: bronnen.map { ($0, broker.user) }))
            defer { Task { await exchange.stop() } }
            // The auditor's own queue bound to vum.procesgegevens, as ARCHITECTURE.md allows; its own connection.
            let queue = uniqueName("audit")
            _ = try await federation.channel.declareQueue(queue, arguments: ["x-expires": .int32(60_000)])
            try await federation.channel.bindQueue(queue, exchange: Topology.procesgegevens, routingKey: "#")
            let store = try AuditStore(path: folder.appendingPathComponent("audit.sqlite").path)
            let connection = try await connect { $0.virtualHost = Topology.virtualHost }
            var configuration = AuditServiceConfiguration()
            configuration.queue = queue
            let auditor = AuditService(configuration: configuration, connection: connection, store: store)
            let auditTask = Task { try await auditor.serve() }
            try await exchange.waitOnline(bronnen)

            let answer = try await exchange.zoek(
                #"{"selectiegebied":{"postcode":"3511AB","afstand":80}}"#, deadlineMs: 20_000)
            #expect(answer.status == 200)
            let vraagID = try #require(answer.json["vraagID"]?.string)
            let vumID = try #require(answer.json["matches"]?.array.first?["vumID"]?.string)
            let detail = try await exchange.request("GET", "/api/v3/werkzoekendeProfielen/\(vumID)")
            #expect(detail.status == 200)

            func soorten() throws -> [Procesgebeurtenis.Soort] {
                var found: [Procesgebeurtenis.Soort] = []
                try store.forEachEvent { if $0.event.vraagID == vraagID { found.append($0.event.soort) } }
                return found
            }
            try await eventually("the zoekvraag's events in the store") {
                let s = try soorten()
                return s.contains(.zoekvraagAfgerond) && s.contains(.detailGeleverd)
            }
            let stored = try soorten()
            #expect(
                Set(stored) == [
                    .zoekvraagOntvangen, .zoekvraagVerstuurd, .gegevenssetOntvangen, .zoekvraagAfgerond,
                    .detailOpgevraagd, .detailGeleverd,
                ], "\(stored)")
            #expect(stored.filter { $0 == .gegevenssetOntvangen }.count == 2)
            #expect(try store.verify().intact)

            let report = try AuditReport(store: store, filter: .init(bemiddelaar: gemeenteOIN.rawValue))
            for bron in bronnen {
                let figures = try #require(report.bronnen.first { $0.bron == bron.rawValue })
                #expect(figures.ontvangen == 1)
                #expect(figures.beantwoord + figures.geenResultaten == 1)
                #expect(figures.latency != nil)
            }
            let party = try #require(report.bemiddelaars.first { $0.oin == gemeenteOIN.rawValue })
            #expect(party.zoekvragen == 1 && party.detailsGeleverd == 1)
            #expect(try RulesCheck().run(store).isEmpty)
            auditTask.cancel()
            _ = try? await auditTask.value
            await connection.close()
            #expect(auditor.counters.quarantined == 0)
        }

        @Test(
            "datakwaliteit: a REST report reaches the bron's adapter with the record id, is counted there, and the trail keeps only the code"
        )
        func datakwaliteit() async throws {
            let federation = try await TestFederation.start()
            let bron = try await federation.addBron("meld")
            let records = (0..<200).map(SyntheticData(seed: 190, table: testPC4Table).werkzoekende)
            let (adapter, adapterTask) = federation.adapter(
                bron, source: InMemorySource(werkzoekenden: records, table: testPC4Table))
            defer { adapterTask.cancel() }
            let exchange = try await TestExchange.start(bronnen: [bron: broker.user])
            defer { Task { await exchange.stop() } }
            try await exchange.waitOnline([bron])
            let answer = try await exchange.zoek(
                #"{"selectiegebied":{"postcode":"3511AB","afstand":80}}"#, deadlineMs: 20_000)
            let vumID = try #require(answer.json["matches"]?.array.first?["vumID"]?.string)

            let path = "/api/v3/werkzoekendeProfielen/\(vumID)/datakwaliteit"
            let reported = try await exchange.request(
                "POST", path, body: #"{"reden":"verouderd","toelichting":"werkt inmiddels bij j.jansen@example.nl"}"#)
            #expect(reported.status == 202, "\(reported.json.serialized())")
            let meldingID = try #require(reported.json["meldingID"]?.string)
            try await eventually("the adapter counting the report") { adapter.counters.datakwaliteit == 1 }
            #expect(adapter.datakwaliteitPerRecord.values.reduce(0, +) == 1)
            #expect(
                adapter.datakwaliteitPerRecord.keys.allSatisfy { id in
                    records.contains { $0.matchingProfiel.idWerkzoekende == id }
                })

            let event = try await exchange.waitForEvent(.datakwaliteitGemeld) { $0.vumID == vumID }
            #expect(event.bronID == bron.rawValue)
            #expect(event.reden == "verouderd")
            #expect(event.fromParty == gemeenteOIN.rawValue)
            #expect(!(event.json.serialized().contains("jansen")), "the free text reached the trail")
            _ = meldingID

            // Refusals: an unknown reden, a vumID of another party, a tampered vumID.
            let badReden = try await exchange.request("POST", path, body: #"{"reden":"slecht"}"#)
            #expect(badReden.status == 400 && badReden.json["details"]?.string?.contains("onjuist, verouderd") == true)
            let otherParty = try await exchange.request("POST", path, body: #"{"reden":"onjuist"}"#, from: uitzendOIN)
            #expect(otherParty.status == 404 || otherParty.status == 403, "\(otherParty.json.serialized())")
            let tampered = try await exchange.request(
                "POST", "/api/v3/werkzoekendeProfielen/\(vumID)x/datakwaliteit",
                body: #"{"reden":"onjuist"}"#)
            #expect(tampered.status == 404)
            #expect(adapter.counters.datakwaliteit == 1)
        }
    }
}

@Suite("vum-audit executable: crash, restart, nothing lost, nothing twice", .timeLimit(.minutes(5)))
struct AuditExecutableTests {
    @Test(
        "SIGKILL in the middle of a stream of events: after a restart every event is stored exactly once, garbage quarantined"
    )
    func killedAndRestarted() async throws {
        let folder = try auditFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let queue = uniqueName("audit")
        let storePath = folder.appendingPathComponent("audit.sqlite").path
        let configPath = folder.appendingPathComponent("audit.conf").path
        try """
        # written by AuditExecutableTests
        store = "\(storePath)"
        queue = \(queue)
        broker.url = amqp://\(broker.user)@\(broker.host):\(broker.port)/vum
        prefetch = 100
        checkpoint-interval = 500
        """.write(toFile: configPath, atomically: true, encoding: .utf8)
        let environment = ["VUM_AUDIT_BROKER_PASSWORD": broker.password]

        var configuration = broker.configuration()
        configuration.virtualHost = Topology.virtualHost
        try await withConnection(configuration) { connection in
            let channel = try await connection.openChannel()
            try await channel.declareQueue(queue, durable: true)
            try await channel.enableConfirms()
            let total = 6000
            let ids = (0..<total).map { _ in UUID().uuidString.lowercased() }
            // Every 50th event twice, as a redelivery would; three messages that are no event at all.
            let publisher = Task {
                for (i, id) in ids.enumerated() {
                    var e = Procesgebeurtenis(
                        eventID: id, soort: .bronAangemeld, tijdMs: Envelope.nowMs(), component: "test")
                    e.bronID = "bron-\(i % 7)"
                    let body = MessageCodec.encode(e)
                    let properties = Envelope(type: .procesgebeurtenis, appID: "test").properties()
                    _ = try await channel.publish(body, exchange: "", routingKey: queue, properties: properties)
                    if i % 50 == 0 {
                        _ = try await channel.publish(body, exchange: "", routingKey: queue, properties: properties)
                    }
                    if i % 2000 == 1 {
                        _ = try await channel.publish(
                            Data("not an event \(i)".utf8), exchange: "", routingKey: queue, properties: properties)
                    }
                }
            }
            let first = try ChildProcess.start(vumAuditExecutable, ["--config", configPath], environment: environment)
            var storedAtKill = 0
            // Generous: this suite runs beside the parallel unit tests, and on a slow 2-core machine a debug
            // daemon's start-up under that load took longer than 30 s.
            try await eventually("the first auditor storing events", timeout: .seconds(120)) {
                guard FileManager.default.fileExists(atPath: storePath),
                    let counts = try? AuditStore(path: storePath, readOnly: true).counts()
                else { return false }
                storedAtKill = counts.events
                return counts.events >= 300
            }
            first.signal(SIGKILL)
            let killed = await first.wait()
            #expect(killed.status != 0)
            #expect(storedAtKill < total, "the stream was over before the kill; the test proves less than it says")

            let second = try ChildProcess.start(vumAuditExecutable, ["--config", configPath], environment: environment)
            try await publisher.value
            try await eventually("every event stored after the restart", timeout: .seconds(90)) {
                let counts = try AuditStore(path: storePath, readOnly: true).counts()
                return counts.events + counts.quarantined >= total + 3
            }
            second.signal(SIGTERM)
            let stopped = await second.wait()
            #expect(stopped.status == 0, "\(stopped.output.suffix(2000))")
            #expect(try await connection.queueInfo(queue)?.messageCount == 0)

            let store = try AuditStore(path: storePath, readOnly: true)
            let counts = try store.counts()
            #expect(counts.events == total)
            #expect(counts.quarantined == 3)
            var seen = Set<String>()
            try store.forEachEvent { seen.insert($0.event.eventID) }
            #expect(seen == Set(ids))
            let verification = try store.verify()
            #expect(verification.intact, "\(verification)")
            #expect(verification.checkpoints == total / 500)
            try await channel.deleteQueue(queue)
        }
    }

    @Test("every status-interval a status line: the events stored since the line before, the quarantined ones named")
    func statusLines() async throws {
        let folder = try auditFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let queue = uniqueName("audit-status")
        let storePath = folder.appendingPathComponent("audit.sqlite").path
        let configPath = folder.appendingPathComponent("audit.conf").path
        try """
        store = "\(storePath)"
        queue = \(queue)
        broker.url = amqp://\(broker.user)@\(broker.host):\(broker.port)/vum
        status-interval = 1s
        """.write(toFile: configPath, atomically: true, encoding: .utf8)
        var configuration = broker.configuration()
        configuration.virtualHost = Topology.virtualHost
        try await withConnection(configuration) { connection in
            let channel = try await connection.openChannel()
            try await channel.declareQueue(queue, durable: true)
            let properties = Envelope(type: .procesgebeurtenis, appID: "test").properties()
            for _ in 0..<20 {
                let e = Procesgebeurtenis(
                    eventID: UUID().uuidString.lowercased(), soort: .bronAangemeld, tijdMs: Envelope.nowMs(),
                    component: "test")
                _ = try await channel.publish(
                    MessageCodec.encode(e), exchange: "", routingKey: queue, properties: properties)
            }
            _ = try await channel.publish(
                Data("not an event".utf8), exchange: "", routingKey: queue, properties: properties)
            let daemon = try ChildProcess.start(
                vumAuditExecutable, ["--config", configPath],
                environment: ["VUM_AUDIT_BROKER_PASSWORD": broker.password])
            var stopped = false
            defer { if !stopped { daemon.signal(SIGKILL) } }
            try await eventually("the events stored", timeout: .seconds(60)) {
                guard FileManager.default.fileExists(atPath: storePath),
                    let counts = try? AuditStore(path: storePath, readOnly: true).counts()
                else { return false }
                return counts.events == 20 && counts.quarantined == 1
            }
            // Everything stored falls in one line's period; a line comes each second.
            try await Task.sleep(for: .milliseconds(2500))
            daemon.signal(SIGTERM)
            let output = await daemon.wait().output
            stopped = true
            let lines = output.split(separator: "\n").filter { $0.contains("status: the last 1s: ") }
            let stored = lines.compactMap { line -> Int? in
                guard let said = line.range(of: "status: the last 1s: ") else { return nil }
                return Int(line[said.upperBound...].prefix { $0.isNumber })
            }
            #expect(stored.count >= 2, "\(output)")
            #expect(stored.reduce(0, +) == 20, "\(stored) in \(output)")
            #expect(
                lines.filter { $0.contains("1 quarantined (vum-audit quarantine lists them)") }.count == 1,
                "\(output)")
            try await channel.deleteQueue(queue)
        }
    }

    @Test("verify, check and report from the command line: exit codes and output")
    func commandLine() async throws {
        let folder = try auditFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let storePath = folder.appendingPathComponent("audit.sqlite").path
        var events: [ReceivedEvent] = []
        for i in 0..<12 {
            var e = Procesgebeurtenis(
                eventID: "e\(i)", soort: .detailGeleverd, tijdMs: 1_780_000_000_000 + Int64(i), component: "test")
            e.vraagID = "v1"
            e.fromParty = gemeenteOIN.rawValue
            e.suwi = true
            e.gegevensset = "werkzoekenden"
            events.append(ReceivedEvent(body: MessageCodec.encode(e)))
        }
        _ = try AuditStore(path: storePath).appendSynchronously(events)

        let verify = try await ChildProcess.run(vumAuditExecutable, ["verify", "--store", storePath])
        #expect(verify.status == 0 && verify.output.contains("intact: 12 events"), "\(verify.output)")
        // A store where none can be: the daemon says which file, not only SQLite's number.
        let unopenable = try await ChildProcess.run(
            vumAuditExecutable,
            ["--set", "store=/nonexistent/vum/audit.sqlite", "--set", "broker.url=amqp://u@127.0.0.1:1/vum"])
        #expect(unopenable.status == 1, "\(unopenable.output)")
        #expect(
            unopenable.output.contains(
                "cannot open the audit store /nonexistent/vum/audit.sqlite: the folder /nonexistent/vum does not exist (SQLite error 14"
            ),
            "\(unopenable.output)")
        let check = try await ChildProcess.run(vumAuditExecutable, ["check", "--store", storePath])
        #expect(check.status == 1)
        #expect(check.output.contains("[te-veel-details] event 11 (e10)"), "\(check.output)")
        #expect(check.output.contains("2 violations"))
        let report = try await ChildProcess.run(
            vumAuditExecutable,
            [
                "report", "--store", storePath, "--format", "csv",
                "--from", "2026-05-01", "--to", "2027-01-01",
            ])
        #expect(report.status == 0)
        #expect(report.output.contains("bemiddelaar,\(gemeenteOIN.rawValue),details_geleverd,12"), "\(report.output)")
        // To a file: the same figures; into a folder that is not there: the reason, exit 1.
        let html = folder.appendingPathComponent("report.html").path
        let written = try await ChildProcess.run(
            vumAuditExecutable, ["report", "--store", storePath, "--format", "html", "--output", html])
        #expect(written.status == 0, "\(written.output)")
        #expect(try FileContents.text(html).hasPrefix("<!DOCTYPE html>"))
        let unwritable = try await ChildProcess.run(
            vumAuditExecutable, ["report", "--store", storePath, "--output", folder.path + "/nope/report.txt"])
        #expect(unwritable.status == 1)
        #expect(unwritable.output.contains("nope/report.txt: No such file or directory"), "\(unwritable.output)")
        let badDate = try await ChildProcess.run(
            vumAuditExecutable, ["report", "--store", storePath, "--from", "gisteren"])
        #expect(badDate.status != 0 && badDate.output.contains("--from gisteren: not a date"), "\(badDate.output)")
        let missing = try await ChildProcess.run(
            vumAuditExecutable, ["verify", "--store", folder.appendingPathComponent("nope.sqlite").path])
        #expect(missing.status == 2 && missing.output.contains("cannot open the audit store"), "\(missing.output)")
    }
}
