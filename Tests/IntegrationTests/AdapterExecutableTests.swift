import AMQPClient
import Foundation
import Glibc
import Testing
import VUMAdapter
import VUMExchange
import VUMStandaard
import VUMTesting

/// The built `vum-adapter`, beside the test bundle.
let vumAdapterExecutable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    .appendingPathComponent("vum-adapter").path

extension FederationSuites {
    @Suite("vum-adapter executable end to end", .timeLimit(.minutes(2)))
    struct AdapterExecutableTests {
        func temporaryFolder() throws -> URL {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "vum-adapter-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return folder
        }

        static func configuration(_ bron: BronID, store: String) -> String {
            """
            # written by AdapterExecutableTests
            bron = \(bron)
            gegevenssets = werkzoekenden
            broker.url = amqp://\(broker.user)@\(broker.host):\(broker.port)/vum
            store = "\(store)"
            pc4 = \(testPC4TablePath)
            heartbeat = 1s
            log-level = debug
            """
        }

        /// `vum-adapter` started from a configuration file in `folder` (plus `extra` lines) and a SQLite store of `people`.
        static func startFromStore(_ people: [Werkzoekende], bron: BronID, in folder: URL, extra: String = "")
            async throws
            -> ChildProcess.Running
        {
            let storePath = folder.appendingPathComponent("bron.sqlite").path
            try await offPool { try SQLiteStore(path: storePath).upsert(people) }
            let configPath = folder.appendingPathComponent("adapter.conf").path
            try (configuration(bron, store: storePath) + "\n" + extra).write(
                toFile: configPath, atomically: true, encoding: .utf8)
            return try ChildProcess.start(
                vumAdapterExecutable, ["--config", configPath],
                environment: ["VUM_ADAPTER_BROKER_PASSWORD": broker.password])
        }

        @Test(
            "from a configuration file and a SQLite store: announces, answers like the evaluator, stops on SIGTERM with an afmelding"
        )
        func servesFromStore() async throws {
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let federation = try await TestFederation.start()
            defer { Task { await federation.stop() } }
            let bron = try await federation.addBron("sqlite")
            let people = (0..<1500).map(SyntheticData(seed: 31, table: testPC4Table).werkzoekende)
            let daemon = try await Self.startFromStore(people, bron: bron, in: folder)
            var stopped = false
            defer { if !stopped { daemon.signal(SIGKILL) } }
            let aanmelding = try await federation.announcement(from: bron, .aanmelding)
            #expect(aanmelding.gegevenssets == [.werkzoekenden])

            let question =
                #"{"selectiegebied":{"postcode":"3511AB","afstand":40},"werktijden.aantalWerkurenPerWeekMaximaal":{"$gte":24}}"#
            let vraagID = try await federation.ask(question)
            let (envelope, antwoord) = try await federation.answer(to: vraagID, from: bron)
            let expected = try evaluatorAnswer(people, question)
            #expect(antwoord.fout == nil)
            #expect(!expected.matches.isEmpty)
            #expect(antwoord.matches == expected.matches.map(\.json))
            #expect(antwoord.maximumAantalResultatenBereikt == expected.maximumAantalResultatenBereikt)
            #expect(envelope.userID == broker.user)

            daemon.signal(SIGTERM)
            _ = try await federation.announcement(from: bron, .afmelding)
            let result = await daemon.wait()
            stopped = true
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("password login to the broker: for local development only"))
        }

        @Test("source.delay: every answer comes that much later, with a warning at start (benchmarks and drills)")
        func delayedAnswers() async throws {
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let federation = try await TestFederation.start()
            defer { Task { await federation.stop() } }
            let bron = try await federation.addBron("traag")
            let people = (0..<200).map(SyntheticData(seed: 32, table: testPC4Table).werkzoekende)
            let daemon = try await Self.startFromStore(people, bron: bron, in: folder, extra: "source.delay = 700ms\n")
            defer { daemon.signal(SIGKILL) }
            _ = try await federation.announcement(from: bron, .aanmelding)
            let question = #"{"selectiegebied":{"postcode":"3511AB","afstand":40}}"#
            for _ in 0..<2 {
                let asked = ContinuousClock.now
                let vraagID = try await federation.ask(question)
                let (_, antwoord) = try await federation.answer(to: vraagID, from: bron)
                #expect(antwoord.fout == nil)
                #expect(antwoord.matches == (try evaluatorAnswer(people, question)).matches.map(\.json))
                // The bron's own measure of its work includes the delay; the asker waited at least as long.
                #expect((antwoord.duurMs ?? 0) >= 700, "duurMs \(antwoord.duurMs ?? -1)")
                #expect(ContinuousClock.now - asked >= .milliseconds(700))
            }
            daemon.signal(SIGTERM)
            let result = await daemon.wait()
            #expect(result.output.contains("every answer is delayed on purpose (source.delay)"), "\(result.output)")
        }

        @Test("a clock that differs from the exchange's: the adapter says so once, and once when it is back")
        func clockOff() async throws {
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let federation = try await TestFederation.start()
            defer { Task { await federation.stop() } }
            let bron = try await federation.addBron("klok")
            let people = (0..<100).map(SyntheticData(seed: 33, table: testPC4Table).werkzoekende)
            let daemon = try await Self.startFromStore(people, bron: bron, in: folder)
            defer { daemon.signal(SIGKILL) }
            _ = try await federation.announcement(from: bron, .aanmelding)
            let question = #"{"selectiegebied":{"postcode":"3511AB","afstand":40}}"#
            // The exchange's clock six seconds behind this machine's: as if this machine ran ahead. Then five
            // zoekvragen on time, which is how many it takes to forget the old differences.
            for sentAgo in [6000, 6000, 0, 0, 0, 0, 0] {
                let vraagID = try await federation.ask(question, sentAtMs: Envelope.nowMs() - Int64(sentAgo))
                let (_, antwoord) = try await federation.answer(to: vraagID, from: bron)
                #expect(antwoord.fout == nil)
            }
            daemon.signal(SIGTERM)
            let output = await daemon.wait().output
            let warnings = output.components(separatedBy: "this machine's clock differs from the exchange's").count - 1
            #expect(warnings == 1, "\(output)")
            // Six seconds and the time the first zoekvraag took to arrive.
            #expect(output.contains("vum.klokverschil=6.") && output.contains(" s ahead"), "\(output)")
            #expect(
                output.contains("this machine's clock is within the tolerance of the exchange's again"), "\(output)")
        }

        @Test("every status-interval a status line: the zoekvragen answered since the line before")
        func statusLines() async throws {
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let federation = try await TestFederation.start()
            defer { Task { await federation.stop() } }
            let bron = try await federation.addBron("status")
            let people = (0..<100).map(SyntheticData(seed: 34, table: testPC4Table).werkzoekende)
            let daemon = try await Self.startFromStore(people, bron: bron, in: folder, extra: "status-interval = 1s\n")
            defer { daemon.signal(SIGKILL) }
            _ = try await federation.announcement(from: bron, .aanmelding)
            for _ in 0..<3 {
                let vraagID = try await federation.ask(#"{"selectiegebied":{"postcode":"3511AB","afstand":40}}"#)
                _ = try await federation.answer(to: vraagID, from: bron)
            }
            // Every answer falls in one line's period; a line comes each second.
            try await Task.sleep(for: .milliseconds(2500))
            daemon.signal(SIGTERM)
            let output = await daemon.wait().output
            let counts = output.split(separator: "\n").compactMap { line -> Int? in
                guard let said = line.range(of: "status: the last 1s: ") else { return nil }
                return Int(line[said.upperBound...].prefix { $0.isNumber })
            }
            #expect(counts.count >= 2, "\(output)")
            #expect(counts.reduce(0, +) == 3, "\(counts) in \(output)")
        }

        @Test("a missing bron queue stops start-up with exit 1 and says what to create")
        func missingQueue() async throws {
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let bron = try BronID(validating: "nowhere-\(UUID().uuidString.prefix(6).lowercased())")
            let configPath = folder.appendingPathComponent("adapter.conf").path
            try Self.configuration(bron, store: folder.appendingPathComponent("s.sqlite").path)
                .write(toFile: configPath, atomically: true, encoding: .utf8)
            let result = try await ChildProcess.start(
                vumAdapterExecutable, ["--config", configPath],
                environment: ["VUM_ADAPTER_BROKER_PASSWORD": broker.password]
            ).wait()
            #expect(result.status == 1, "\(result.output)")
            #expect(result.output.contains("the broker lacks queue vum.bron.\(bron)"), "\(result.output)")
        }

        @Test(
            "configuration errors exit 2 naming the key, the file and line, or the flag",
            arguments: [
                (["--set", "gegevenssets=werkzoekenden"], "bron (not set): is required"),
                (
                    ["--set", "bron=x", "--set", "gegevenssets=banen"],
                    "gegevenssets (--set): \"banen\" is not werkzoekenden or vacatures"
                ),
                (
                    [
                        "--set", "bron=x", "--set", "gegevenssets=vacatures", "--set",
                        "broker.url=amqp://u@localhost/vum", "--set", "prefetch=0",
                    ], "prefetch (--set): \"0\" is not a whole number"
                ),
                (
                    ["--set", "bron=x", "--set", "gegevenssets=vacatures", "--set", "brokerurl=amqp://a"],
                    "unknown key \"brokerurl\""
                ),
                (
                    [
                        "--set", "bron=x", "--set", "gegevenssets=vacatures", "--set",
                        "broker.url=amqp://u@localhost/vum", "--set", "heartbeat=soms",
                    ], "heartbeat (--set): \"soms\" is not a duration"
                ),
                (
                    // Reading goes on past a bad value: the second is named as well as the first.
                    [
                        "--set", "bron=x", "--set", "gegevenssets=vacatures", "--set",
                        "broker.url=amqp://u@localhost/vum", "--set", "prefetch=0", "--set", "heartbeat=soms",
                    ],
                    "prefetch (--set): \"0\" is not a whole number in 1...65535\n"
                        + "vum-adapter: heartbeat (--set): \"soms\" is not a duration of at least 100ms"
                ),
                (
                    [
                        "--set", "bron=x", "--set", "gegevenssets=vacatures", "--set",
                        "broker.url=amqp://u@localhost/vum", "--set", "source.delay=-5ms",
                    ], "source.delay (--set): \"-5ms\" is not a duration"
                ),
                (
                    [
                        "--set", "bron=x", "--set", "gegevenssets=vacatures", "--set",
                        "broker.url=amqp://localhost/vum", "--set", "broker.password=x",
                    ], "broker.url (--set): amqp:// needs the user in the URL (amqp://user@host:port/vhost)"
                ),
                (
                    ["--set", "bron=x", "--set", "gegevenssets=vacatures", "--set", "broker.url=amqp://u@:5672/vum"],
                    "broker.url (--set): broker URL amqp://u@:5672/vum: no host"
                ),
            ])
        func configurationErrors(arguments: [String], message: String) async throws {
            let result = try await ChildProcess.run(vumAdapterExecutable, arguments)
            #expect(result.status == 2)
            #expect(result.output.contains(message), "\(result.output)")
        }

        @Test("a typo in the configuration file is an error with the file and line; a missing file or a folder says so")
        func fileTypo() async throws {
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let path = folder.appendingPathComponent("a.conf").path
            try "bron = x\n\nresult_limit = 5\n".write(toFile: path, atomically: true, encoding: .utf8)
            let result = try await ChildProcess.run(vumAdapterExecutable, ["config", "--config", path])
            #expect(result.status == 2)
            #expect(
                result.output.contains("\(path) line 3: unknown key \"result_limit\" (did you mean result-limit?)"),
                "\(result.output)")
            // Every problem of the file at once, each with its line.
            try "bron = x\nresult_limit = 5\nheartbeat 5s\nbron = y\n".write(
                toFile: path, atomically: true, encoding: .utf8)
            let several = try await ChildProcess.run(vumAdapterExecutable, ["config", "--config", path])
            #expect(several.status == 2)
            for said in [
                "\(path) line 2: unknown key \"result_limit\"", "\(path) line 3: expected key = value",
                "\(path) line 4: \"bron\" is set twice (first on \(path) line 1)",
            ] {
                #expect(several.output.contains(said), "\(several.output)")
            }
            // A file that is not there, or a folder given for it, in the system's words.
            let missing = try await ChildProcess.run(vumAdapterExecutable, ["config", "--config", path + ".nope"])
            #expect(missing.status == 2)
            #expect(
                missing.output.contains("cannot read the configuration file \(path).nope: No such file or directory"),
                "\(missing.output)")
            let folderGiven = try await ChildProcess.run(vumAdapterExecutable, ["config", "--config", folder.path])
            #expect(folderGiven.status == 2)
            #expect(folderGiven.output.contains("\(folder.path): Is a directory"), "\(folderGiven.output)")
        }
    }
}
