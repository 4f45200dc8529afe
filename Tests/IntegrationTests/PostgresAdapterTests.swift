import AMQPClient
import Foundation
import Glibc
import Testing
import VUMAdapter
import VUMExchange
import VUMStandaard
import VUMTesting

extension FederationSuites {
    @Suite("vum-adapter serving from a partner's PostgreSQL database", .timeLimit(.minutes(3)))
    struct PostgresAdapterTests {
        static var exampleFolder: URL {
            var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                url = url.deletingLastPathComponent()
            }
            return url.appendingPathComponent("Docs/examples/legacy-crm")
        }

        /// Four job seekers of the example CRM: one to find, one with too few hours, one deregistered, one far away.
        static let rows = """
            INSERT INTO crm.beroep VALUES ('B1000', 'orderpicker', 'https://linkeddata.competentnl.nl/uwv/id/occupation/1000-orderpicker');
            INSERT INTO crm.klant (klantnummer, status, postcode, uren_min, uren_max, kantoortijden, contact_akkoord, opleidingsniveau)
              VALUES (1, 'A', '3511 AB', 24, 32, 'J', true, 'MBO'),
                     (2, 'A', '3512 CD', 8, 16, 'J', true, 'HBO'),
                     (3, 'U', '3511 AB', 24, 40, 'N', false, 'WO'),
                     (4, 'A', '9711 AA', 24, 40, 'N', true, 'VMBO');
            INSERT INTO crm.beroepswens VALUES (1, 'B1000');
            INSERT INTO crm.rijbewijs VALUES (1, 'AUTO'), (1, 'VRACHTWAGEN+AANHANGER');
            """

        @Test(
            "answers from the mapped tables, reports unmapped criteria as genegeerd, answers 500.3 in time while a table is locked (the database ends the query) or the database is down, and serves again after"
        )
        func servesFromPostgres() async throws {
            try await PrivatePostgres.with(name: "adapter") { cluster in
                try await cluster.psql(
                    try String(contentsOf: Self.exampleFolder.appendingPathComponent("schema.sql"), encoding: .utf8)
                        + "\n" + Self.rows)
                let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                    "vum-pg-adapter-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: folder) }
                // The example mapping without kantoortijden: a bron that does not hold that field.
                let mapping = try String(
                    contentsOf: Self.exampleFolder.appendingPathComponent("mapping.yaml"), encoding: .utf8
                )
                .replacingOccurrences(
                    of:
                        "    werktijden.indicatieKantoortijden:\n      column: kantoortijden\n      codes: { \"J\": 1, \"N\": 2, \"?\": 0 }\n      default: 0\n",
                    with: "")
                #expect(!mapping.contains("indicatieKantoortijden"))
                let mappingPath = folder.appendingPathComponent("mapping.yaml").path
                try mapping.write(toFile: mappingPath, atomically: true, encoding: .utf8)

                let federation = try await TestFederation.start()
                defer { Task { await federation.stop() } }
                let bron = try await federation.addBron("crm")
                let configPath = folder.appendingPathComponent("adapter.conf").path
                try """
                bron = \(bron)
                gegevenssets = werkzoekenden
                broker.url = amqp://\(broker.user)@\(broker.host):\(broker.port)/vum
                pc4 = \(testPC4TablePath)
                heartbeat = 1s
                source = postgres
                mapping = \(mappingPath)
                postgres.port = \(try cluster.port())
                postgres.database = postgres
                postgres.user = vum
                postgres.margin = 1s
                postgres.detail-timeout = 2s
                postgres.statement-timeout = 3s
                """.write(toFile: configPath, atomically: true, encoding: .utf8)

                let check = try await ChildProcess.run(
                    vumAdapterExecutable, ["mapping", "check", "--config", configPath])
                #expect(check.status == 0, "\(check.output)")
                #expect(check.output.contains("sampled 3 rows: 3 valid records, 0 invalid"), "\(check.output)")
                #expect(check.output.contains("criteria not applied"), "\(check.output)")
                #expect(check.output.contains("werktijden.indicatieKantoortijden"), "\(check.output)")
                #expect(check.output.contains("mapping usable"), "\(check.output)")

                let daemon = try ChildProcess.start(
                    vumAdapterExecutable, ["--config", configPath],
                    environment: ["VUM_ADAPTER_BROKER_PASSWORD": broker.password])
                var stopped = false
                defer { if !stopped { daemon.signal(SIGKILL) } }
                let aanmelding = try await federation.announcement(from: bron, .aanmelding)
                #expect(!aanmelding.ondersteundeCriteria.contains("werktijden.indicatieKantoortijden"))
                #expect(aanmelding.ondersteundeCriteria.contains("bemiddelingsberoep"))

                let question =
                    #"{"selectiegebied":{"postcode":"3511AB","afstand":10},"werktijden.aantalWerkurenPerWeekMaximaal":{"$gte":24},"#
                    + #""werktijden.indicatieKantoortijden":{"$eq":2},"arbeidsmarktkwalificatie.rijbewijs":{"$all":[{"$elemMatch":{"codeSoortRijbewijs":{"$eq":"CE"}}}]}}"#
                func ids(_ antwoord: GegevenssetBericht) -> [String] {
                    antwoord.matches.compactMap {
                        if case .object(let o) = $0, case .string(let id)? = o["idWerkzoekende"] { id } else { nil }
                    }
                }
                let (_, first) = try await federation.answer(to: try await federation.ask(question), from: bron)
                #expect(first.fout == nil)
                #expect(ids(first) == ["1"])
                #expect(first.genegeerdeCriteria == ["werktijden.indicatieKantoortijden"])

                // A table locked by another session: answered in time, and the database ends the query
                // (postgres.statement-timeout) while the lock is still held, so its connection is free again.
                let sessions = try await cluster.psql(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'vum-adapter'", arguments: ["-tA"])
                #expect((Int(sessions.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0, "\(sessions)")
                let lock = try await cluster.holdLock(on: "crm.klant")
                let (_, locked) = try await federation.answer(
                    to: try await federation.ask(question, deadlineMs: Envelope.nowMs() + 3000), from: bron,
                    timeout: .seconds(10))
                #expect(locked.fout?.code == "500.3", "\(String(describing: locked.fout))")
                #expect(
                    try await lock.waiting(after: .seconds(5)) == 0,
                    "the adapter's given-up query still waits for the lock in the database")
                #expect(try await lock.isHeld())
                try await lock.release()

                // The database goes away: the question is answered before its deadline, with the reason,
                // `postgres.margin` (1 s) early: 2 s after it was asked, not at the default 2.85 s.
                try await cluster.stop()
                let asked = ContinuousClock.now
                let (_, down) = try await federation.answer(
                    to: try await federation.ask(question, deadlineMs: Envelope.nowMs() + 3000), from: bron,
                    timeout: .seconds(10))
                let took = ContinuousClock.now - asked
                #expect(took < .milliseconds(2600) && took > .milliseconds(1900), "answered after \(took)")
                #expect(down.fout?.code == "500.3", "\(String(describing: down.fout))")
                #expect(down.fout?.message.contains("the bron's database") == true, "\(String(describing: down.fout))")

                try await cluster.start()
                let (_, again) = try await federation.answer(
                    to: try await federation.ask(question, deadlineMs: Envelope.nowMs() + 15_000), from: bron,
                    timeout: .seconds(20))
                #expect(again.fout == nil, "\(String(describing: again.fout))")
                #expect(ids(again) == ["1"])

                daemon.signal(SIGTERM)
                let result = await daemon.wait()
                stopped = true
                #expect(result.status == 0, "\(result.output)")
                #expect(result.output.contains("database opened"), "\(result.output)")

                // A database that is not there stops the start at once, saying which and why (a pool alone retries for ever).
                let unknown = try await ChildProcess.start(
                    vumAdapterExecutable, ["--config", configPath, "--set", "postgres.database=nope"],
                    environment: ["VUM_ADAPTER_BROKER_PASSWORD": broker.password]
                ).wait()
                #expect(unknown.status == 1, "\(unknown.output)")
                let uncheckable = try await ChildProcess.run(
                    vumAdapterExecutable,
                    ["mapping", "check", "--config", configPath, "--set", "postgres.database=nope"])
                #expect(uncheckable.status == 1, "\(uncheckable.output)")
                #expect(
                    uncheckable.output.contains(#"not usable: postgres://vum@127.0.0.1:"#)
                        && uncheckable.output.contains(#"database "nope" does not exist"#), "\(uncheckable.output)")
                #expect(
                    unknown.output.contains(
                        #"postgres://vum@127.0.0.1:\#(try cluster.port())/nope: cannot connect: SQLSTATE 3D000: database "nope" does not exist"#
                    ),
                    "\(unknown.output)")

                // A statement timeout shorter than the detail timeout would end details the adapter waits for.
                let short = try await ChildProcess.run(
                    vumAdapterExecutable, ["config", "--config", configPath, "--set", "postgres.statement-timeout=1s"])
                #expect(short.status == 2, "\(short.output)")
                #expect(
                    short.output.contains(
                        "postgres.statement-timeout (--set): 1s is shorter than postgres.detail-timeout (2s)"),
                    "\(short.output)")

                // A mapping naming a column the table does not have: the check says which, and exits 1.
                try mapping.replacingOccurrences(of: "reisafstand_km", with: "reisafstand")
                    .write(toFile: mappingPath, atomically: true, encoding: .utf8)
                let broken = try await ChildProcess.run(
                    vumAdapterExecutable, ["mapping", "check", "--config", configPath])
                #expect(broken.status == 1, "\(broken.output)")
                #expect(broken.output.contains("mobiliteit.maximaleReisafstand"), "\(broken.output)")
                #expect(broken.output.contains("reisafstand"), "\(broken.output)")
                // A mapping the standard refuses never gets that far: a configuration error, exit 2.
                try mapping.replacingOccurrences(of: "mobiliteit.maximaleReisafstand", with: "mobiliteit.reisafstand")
                    .write(toFile: mappingPath, atomically: true, encoding: .utf8)
                let refused = try await ChildProcess.run(vumAdapterExecutable, ["config", "--config", configPath])
                #expect(refused.status == 2, "\(refused.output)")
                #expect(
                    refused.output.contains("mobiliteit.reisafstand is not a field of the standard's werkzoekenden"),
                    "\(refused.output)")
            }
        }
    }
}
