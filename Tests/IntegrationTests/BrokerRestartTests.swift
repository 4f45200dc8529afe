import AMQPClient
import Foundation
import Synchronization
import Testing
import VUMAdapter
import VUMAggregator
import VUMAudit
import VUMExchange
import VUMStandaard
import VUMTesting

extension FederationSuites {
    @Suite("Reliability: the broker node stopped and started under load", .timeLimit(.minutes(4)))
    struct BrokerRestartTests {
        struct Outcome: Sendable {
            var sentAt: Duration
            var status: Int
            var took: Duration
            var vraagID: String?
            var beantwoord: Int
            /// The status of one bron the test follows, when it asked for one.
            var victimStatus: String? = nil
        }

        final class Outcomes: Sendable {
            private let list = Mutex<[Outcome]>([])
            private let end = Mutex<ContinuousClock.Instant?>(nil)
            func add(_ o: Outcome) { list.withLock { $0.append(o) } }
            var all: [Outcome] { list.withLock { $0 } }
            /// Sending goes on until this is set and passed.
            var endOfLoad: ContinuousClock.Instant? { end.withLock { $0 } }
            func endLoad(at instant: ContinuousClock.Instant) { end.withLock { $0 = instant } }
        }

        /// One zoekvraag every `interval` from `start` until `outcomes.endOfLoad`, each on its own task.
        static func sendLoad(_ exchange: TestExchange, _ question: String, _ outcomes: Outcomes,
                             _ start: ContinuousClock.Instant, every interval: Duration = .milliseconds(100),
                             statusOf followed: BronID? = nil) async {
            await withTaskGroup(of: Void.self) { group in
                var next = start
                while outcomes.endOfLoad.map({ next <= $0 }) ?? true {
                    try? await Task.sleep(until: next)
                    next = next + interval
                    group.addTask { outcomes.add(await Self.ask(exchange, question, start, followed)) }
                }
            }
        }

        static func ask(_ exchange: TestExchange, _ question: String, _ start: ContinuousClock.Instant,
                        _ followed: BronID? = nil) async -> Outcome {
            let began = ContinuousClock.now
            var outcome = Outcome(sentAt: began - start, status: -1, took: .zero, vraagID: nil, beantwoord: 0)
            if let r = try? await exchange.zoek(question, deadlineMs: 2000) {
                outcome.status = r.status
                outcome.vraagID = r.json["vraagID"]?.string
                outcome.beantwoord = r.json["vumBronnen"]?.array.filter { $0["status"]?.string == "beantwoord" }.count ?? 0
                if let followed {
                    outcome.victimStatus = r.json["vumBronnen"]?.array.first { $0["bronID"]?.string == followed.rawValue }?["status"]?.string
                }
            }
            outcome.took = ContinuousClock.now - began
            return outcome
        }

        /// Waits until the audit store holds the `zoekvraag.ontvangen` of every answered zoekvraag, then expects
        /// each exactly once, no event twice and the chain intact. Returns how many events are stored.
        static func expectAuditedOnce(_ answered: Set<String>, in store: AuditStore) async throws -> Int {
            var ontvangen: [String: Int] = [:]
            var ids = Set<String>()
            var duplicates = 0
            try await eventually("every confirmed zoekvraag.ontvangen in the audit store", timeout: .seconds(30)) {
                ontvangen = [:]
                ids = []
                duplicates = 0
                try store.forEachEvent { e in
                    if !ids.insert(e.event.eventID).inserted { duplicates += 1 }
                    if e.event.soort == .zoekvraagOntvangen, let v = e.event.vraagID { ontvangen[v, default: 0] += 1 }
                }
                return answered.isSubset(of: Set(ontvangen.keys))
            }
            #expect(duplicates == 0)
            #expect(answered.allSatisfy { ontvangen[$0] == 1 })
            #expect(try store.verify().intact)
            return ids.count
        }

        /// Stops the auditor and the adapters and closes their connections.
        static func stop(_ auditTask: Task<Void, any Error>, _ auditConnection: AMQPConnection,
                         _ adapters: [(AMQPConnection, Task<Void, any Error>)]) async {
            auditTask.cancel()
            _ = try? await auditTask.value
            await auditConnection.close()
            for (connection, task) in adapters {
                task.cancel()
                _ = try? await task.value
                await connection.close()
            }
        }

        @Test("every zoekvraag ends with an answer or an explicit error in bounded time; all reconnect; the audit store holds each confirmed event once")
        func restartUnderLoad() async throws {
            try await PrivateBroker.with(name: "restart-load") { node in
                var configuration = try node.environment().configuration(virtualHost: Topology.virtualHost)
                configuration.reconnect?.maximumDelay = .milliseconds(500)
                configuration.heartbeat = .seconds(2)
                let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vum-restart-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: folder) }

                // Production's shape on the node: durable bron queues and a durable audit queue.
                let federation = try await TestFederation.start(configuration: configuration, durable: true)
                try await federation.channel.declareExchange(Topology.procesgegevens, type: .topic)
                let auditQueue = "test.audit.\(UUID().uuidString.prefix(8))"
                _ = try await federation.channel.declareQueue(auditQueue, durable: true)
                try await federation.channel.bindQueue(auditQueue, exchange: Topology.procesgegevens, routingKey: "#")
                let data = SyntheticData(seed: 71, table: testPC4Table)
                var bronnen: [BronID] = []
                var adapters: [(AMQPConnection, Task<Void, any Error>)] = []
                for (i, name) in ["noord", "midden", "zuid"].enumerated() {
                    let bron = try await federation.addBron(name)
                    bronnen.append(bron)
                    let connection = try await AMQPConnection.connect(configuration)
                    let people = (i * 300..<(i + 1) * 300).map(data.werkzoekende)
                    let (_, task) = federation.adapter(bron, source: InMemorySource(werkzoekenden: people, table: testPC4Table),
                                                       connection: connection)
                    adapters.append((connection, task))
                }
                let exchange = try await TestExchange.start(bronnen: Dictionary(uniqueKeysWithValues: bronnen.map { ($0, broker.user) }),
                                                            broker: configuration)
                let store = try AuditStore(path: folder.appendingPathComponent("audit.sqlite").path, checkpointInterval: 100)
                let auditConnection = try await AMQPConnection.connect(configuration)
                var auditSettings = AuditServiceConfiguration()
                auditSettings.queue = auditQueue
                auditSettings.retryDelay = .milliseconds(200)
                let auditor = AuditService(configuration: auditSettings, connection: auditConnection, store: store)
                let auditTask = Task { try await auditor.run() }
                try await exchange.waitOnline(bronnen)

                // An open model: one zoekvraag every 100 ms, whatever the answers do, from 4 s before the node
                // stops until 22 s after it is back (a restart takes from a few to twenty seconds here).
                let question = #"{"selectiegebied":{"postcode":"3511AB","afstand":60},"werktijden.aantalWerkurenPerWeekMaximaal":{"$gte":16}}"#
                let outcomes = Outcomes()
                let start = ContinuousClock.now
                async let load: Void = Self.sendLoad(exchange, question, outcomes, start)
                try await Task.sleep(until: start + .seconds(4))
                let stopping = ContinuousClock.now - start
                try await node.stop()
                try await Task.sleep(for: .seconds(2))
                try await node.restart()
                let back = ContinuousClock.now - start
                outcomes.endLoad(at: start + back + .seconds(22))
                await load
                let sent = outcomes.all.count

                let all = outcomes.all.sorted { $0.sentAt < $1.sentAt }
                let summary = Dictionary(grouping: all, by: \.status).mapValues(\.count)
                // Every zoekvraag ended, with an answer or an explicit error, within the deadline plus a bound.
                #expect(all.allSatisfy { $0.status != -1 }, "a request failed without an HTTP answer")
                #expect(Set(all.map(\.status)).isSubset(of: [200, 503]), "\(summary)")
                let slowest = all.map(\.took).max() ?? .zero
                #expect(slowest < .seconds(2) + .seconds(2) + .seconds(2), "the slowest zoekvraag took \(slowest)")
                // Before the stop everything was answered in full; from 15 s after the restart every daemon is back
                // by itself (8 s was too tight: in a fresh-clone run a few zoekvragen 8–15 s after it still missed a bron).
                let before = all.filter { $0.sentAt < stopping - .milliseconds(500) }
                #expect(before.allSatisfy { $0.status == 200 && $0.beantwoord == 3 }, "\(before.map { ($0.status, $0.beantwoord) })")
                let after = all.filter { $0.sentAt > back + .seconds(15) }
                #expect(!after.isEmpty)
                #expect(after.allSatisfy { $0.status == 200 && $0.beantwoord == 3 }, "\(after.map { ($0.status, $0.beantwoord) })")
                #expect(exchange.federation.connection.isConnected)
                for (connection, _) in adapters { #expect(connection.isConnected) }

                // Every answered zoekvraag had its zoekvraag.ontvangen confirmed: the store holds each exactly once.
                let answered = Set(all.filter { $0.status == 200 }.compactMap(\.vraagID))
                let stored = try await BrokerRestartTests.expectAuditedOnce(answered, in: store)
                print("broker restart under load: node stopped at \(stopping), back at \(back); sent \(sent), outcomes \(summary), slowest \(slowest), "
                      + "stored \(stored) events, \(answered.count) answered zoekvragen all audited once")

                await BrokerRestartTests.stop(auditTask, auditConnection, adapters)
                await exchange.stop()
                await federation.stop()
            }
        }
    }
}
