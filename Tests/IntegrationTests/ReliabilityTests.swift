import AMQPClient
import Foundation
import Glibc
import Testing
import VUMAdapter
import VUMExchange
import VUMStandaard
import VUMTesting

extension FederationSuites {
    @Suite("Reliability: an adapter killed and restarted", .timeLimit(.minutes(3)))
    struct ReliabilityTests {
        /// Ready and unacknowledged messages of a queue on the run's broker, from rabbitmqctl.
        func queueCounts(_ queue: String) async throws -> (ready: Int, unacknowledged: Int)? {
            guard let dir = broker.brokerDirectory else { return nil }
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("scripts/broker.sh").path
            let result = try await ChildProcess.run("/bin/bash", [script, "ctl", "--dir", dir, "--", "list_queues", "-p", "vum", "-q",
                                                                  "name", "messages_ready", "messages_unacknowledged"])
            for line in result.output.split(separator: "\n") {
                let f = line.split(whereSeparator: \.isWhitespace)
                if f.count == 3, f[0] == queue, let r = Int(f[1]), let u = Int(f[2]) { return (r, u) }
            }
            return nil
        }

        @Test("SIGKILL: the next zoekvraag is partial with the bron te_laat; restarted, it serves again and nothing stays unacknowledged")
        func killedAdapter() async throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vum-reliability-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let federation = try await TestFederation.start()
            let bron = try await federation.addBron("kill")
            let storePath = folder.appendingPathComponent("bron.sqlite").path
            let people = (0..<500).map(SyntheticData(seed: 81, table: testPC4Table).werkzoekende)
            try await offPool { try SQLiteStore(path: storePath).upsert(people) }
            let configPath = folder.appendingPathComponent("adapter.conf").path
            try FederationSuites.AdapterExecutableTests.configuration(bron, store: storePath)
                .write(toFile: configPath, atomically: true, encoding: .utf8)
            func startAdapter() async throws -> ChildProcess.Running {
                let daemon = try ChildProcess.start(vumAdapterExecutable, ["--config", configPath],
                                                    environment: ["VUM_ADAPTER_BROKER_PASSWORD": broker.password])
                _ = try await federation.announcement(from: bron, .aanmelding)
                return daemon
            }
            let exchange = try await TestExchange.start(bronnen: [bron: broker.user])
            defer { Task { await exchange.stop() } }
            let question = #"{"selectiegebied":{"postcode":"3511AB","afstand":100}}"#
            func status(_ r: TestExchange.HTTPResult) -> String? {
                r.json["vumBronnen"]?.array.first { $0["bronID"]?.string == bron.rawValue }?["status"]?.string
            }

            var daemon = try await startAdapter()
            try await exchange.waitOnline([bron])
            let before = try await exchange.zoek(question, deadlineMs: 5000)
            #expect(status(before) == "beantwoord", "\(before.json.serialized())")

            daemon.signal(SIGKILL)
            _ = await daemon.wait()
            // Still listed online (its heartbeats stopped only now): waited for, not answered, partial; on a
            // slow machine its missed heartbeats may already have made it offline, which is marked just as clearly.
            let during = try await exchange.zoek(question, deadlineMs: 1500)
            #expect(during.status == 200)
            #expect(["te_laat", "offline"].contains(status(during) ?? "-"), "\(during.json.serialized())")
            #expect(during.headers["x-vum-gedeeltelijk"] == "true")

            daemon = try await startAdapter()
            defer { daemon.signal(SIGKILL) }
            try await exchange.waitOnline([bron])
            let after = try await exchange.zoek(question, deadlineMs: 5000)
            #expect(status(after) == "beantwoord", "\(after.json.serialized())")
            // The question sent while it was dead expired or was skipped and acknowledged: nothing is left.
            var counts = try await queueCounts(Topology.bronQueue(bron))
            let end = ContinuousClock.now + .seconds(15)
            while let c = counts, c.ready + c.unacknowledged > 0, ContinuousClock.now < end {
                try await Task.sleep(for: .milliseconds(200))
                counts = try await queueCounts(Topology.bronQueue(bron))
            }
            #expect(counts.map { $0.ready == 0 && $0.unacknowledged == 0 } ?? false, "\(String(describing: counts))")
            daemon.signal(SIGTERM)
            _ = await daemon.wait()
            await federation.stop()
        }
    }
}
