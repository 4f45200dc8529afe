import AMQPClient
import Foundation
import Testing
import VUMAdapter
import VUMAggregator
import VUMAudit
import VUMExchange
import VUMStandaard
import VUMTesting

extension FederationSuites {
    @Suite("Reliability: a three-node cluster with quorum queues, one node stopped under load", .timeLimit(.minutes(6)))
    struct ClusterTests {
        /// The quorum queues of vhost `vum` and the node that leads each.
        static func leaders(_ node: PrivateBroker) async throws -> [String: String] {
            let output = try await node.ctl([
                "list_queues", "-p", Topology.virtualHost, "--no-table-headers", "--quiet",
                "name", "type", "leader",
            ])
            var leaders: [String: String] = [:]
            for line in output.split(separator: "\n") {
                let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " }).map(String.init)
                if fields.count == 3, fields[1] == "quorum" { leaders[fields[0]] = fields[2] }
            }
            return leaders
        }

        @Test(
            "stop the node the aggregator, an adapter and the auditor use: the federation keeps answering, every daemon moves to another node, no confirmed audit event is lost"
        )
        func nodeStoppedUnderLoad() async throws {
            try await PrivateCluster.with(name: "cluster") { cluster in
                func settings(first: Int) throws -> AMQPConfiguration {
                    var c = try cluster.configuration(virtualHost: Topology.virtualHost, first: first)
                    c.reconnect?.maximumDelay = .milliseconds(500)
                    c.heartbeat = .seconds(2)
                    return c
                }
                let victimName = try cluster.nodes[0].environment()
                let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                    "vum-cluster-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: folder) }

                // Declared through node 1 (the one to stop), so it leads the quorum queues: the bron
                // inboxes, vum.verzoeken and the audit queue must all move to another leader.
                let federation = try await TestFederation.start(configuration: try settings(first: 0), quorum: true)
                try await federation.channel.declareExchange(Topology.procesgegevens, type: .topic)
                let auditQueue = "test.audit.\(UUID().uuidString.prefix(8))"
                _ = try await federation.channel.declareQueue(
                    auditQueue, durable: true, arguments: ["x-queue-type": "quorum"])
                try await federation.channel.bindQueue(auditQueue, exchange: Topology.procesgegevens, routingKey: "#")
                // Adapter i starts on node i + 1: one loses its node, two do not.
                let (bronnen, adapters, services) = try await FaultLoad.threeAdapters(federation, seed: 73) {
                    try settings(first: $0)
                }
                // The aggregator and the auditor on node 1 as well.
                let exchange = try await TestExchange.start(
                    bronnen: Dictionary(uniqueKeysWithValues: bronnen.map { ($0, broker.user) }),
                    broker: try settings(first: 0), quorum: true)
                let auditor = try await FaultLoad.Auditor.start(
                    queue: auditQueue, configuration: try settings(first: 0), folder: folder)
                try await exchange.waitOnline(bronnen)

                let leadersBefore = try await Self.leaders(cluster.nodes[1])
                let victim = try #require(victimName.nodeName)
                #expect(leadersBefore[auditQueue] == victim, "\(leadersBefore)")
                #expect(bronnen.allSatisfy { leadersBefore[Topology.bronQueue($0)] == victim }, "\(leadersBefore)")

                // An open model: one zoekvraag every 100 ms, from 4 s before node 1 stops until 16 s after; the
                // node stays down.
                let question =
                    #"{"selectiegebied":{"postcode":"3511AB","afstand":60},"werktijden.aantalWerkurenPerWeekMaximaal":{"$gte":16}}"#
                let outcomes = FaultLoad.Outcomes()
                let start = ContinuousClock.now
                async let load: Void = FaultLoad.sendLoad(exchange, question, outcomes, start)
                try await Task.sleep(until: start + .seconds(4))
                let stopping = ContinuousClock.now - start
                try await cluster.nodes[0].stop()
                let stopped = ContinuousClock.now - start
                outcomes.endLoad(at: start + stopped + .seconds(16))
                await load
                let all = outcomes.all.sorted { $0.sentAt < $1.sentAt }
                let summary = Dictionary(grouping: all, by: \.status).mapValues(\.count)

                // Every zoekvraag ended, with an answer or an explicit error, within the deadline plus a bound.
                #expect(all.allSatisfy { $0.status != -1 }, "a request failed without an HTTP answer")
                #expect(Set(all.map(\.status)).isSubset(of: [200, 503]), "\(summary)")
                let slowest = all.map(\.took).max() ?? .zero
                #expect(slowest < .seconds(2) + .seconds(4), "the slowest zoekvraag took \(slowest)")
                let before = all.filter { $0.sentAt < stopping - .milliseconds(500) }
                #expect(
                    before.allSatisfy { $0.status == 200 && $0.beantwoord == 3 },
                    "\(before.map { ($0.status, $0.beantwoord) })")
                // With one node of three down, the federation answers in full again: from 12 s after the stop. Two
                // failures seen before lasted to the end of the run: RabbitMQ 3.10 nacking every audit event after
                // the audit queue's leader moved (503 for everything), and a bron whose consumer on its quorum
                // queue was still listed but never fed (200 with 2 of 3). The aggregator now replaces a channel
                // the broker refuses everything on (2 s of nacks) and the adapters consume again when their queue
                // holds messages and nothing arrives (two checks, 1 s apart here); 12 s leaves room for both.
                let after = all.filter { $0.sentAt > stopped + .seconds(12) }
                #expect(after.count >= 30)
                #expect(
                    after.allSatisfy { $0.status == 200 && $0.beantwoord == 3 },
                    "\(after.map { ($0.status, $0.unanswered) })")
                if !after.allSatisfy({ $0.status == 200 && $0.beantwoord == 3 }) {
                    // For the post-mortem: which bronnen did not answer, and what the surviving nodes think of the
                    // queues, consumers and bindings.
                    let missing = Dictionary(grouping: after.flatMap(\.unanswered), by: { $0 }).mapValues(\.count)
                    print("cluster post-mortem: not answered from 12 s after the stop: \(missing)")
                    for service in services {
                        print("cluster post-mortem: adapter \(service.configuration.bron): \(service.counters)")
                    }
                    for args in [
                        [
                            "list_queues", "-p", Topology.virtualHost, "name", "type", "leader", "members", "online",
                            "messages_ready", "messages_unacknowledged", "consumers",
                        ],
                        ["list_consumers", "-p", Topology.virtualHost],
                        ["list_bindings", "-p", Topology.virtualHost],
                        ["list_channels", "name", "confirm", "messages_unconfirmed", "messages_unacknowledged"],
                    ] {
                        print(
                            "cluster post-mortem: rabbitmqctl \(args.joined(separator: " ")):\n"
                                + ((try? await cluster.nodes[1].ctl(args)) ?? "?"))
                    }
                }
                let interrupted = all.filter {
                    $0.sentAt >= stopping - .milliseconds(500) && $0.sentAt <= stopped + .seconds(12)
                }
                #expect(exchange.federation.connection.isConnected)
                for (connection, _) in adapters { #expect(connection.isConnected) }
                #expect(auditor.connection.isConnected)

                let leadersAfter = try await Self.leaders(cluster.nodes[1])
                #expect(leadersAfter[auditQueue].map { $0 != victim } == true, "\(leadersAfter)")

                // Every answered zoekvraag had its zoekvraag.ontvangen confirmed: the store holds each exactly once.
                let answered = Set(all.filter { $0.status == 200 }.compactMap(\.vraagID))
                let stored = try await FaultLoad.expectAuditedOnce(answered, in: auditor.store)
                let partial = interrupted.filter { $0.status == 200 && $0.beantwoord < 3 }.count
                print(
                    "cluster: node \(victim) stopped at \(stopping) (down at \(stopped)); sent \(all.count), outcomes \(summary), "
                        + "in the 12 s after the stop \(interrupted.count) sent, \(partial) partial; slowest \(slowest); stored \(stored) events, "
                        + "\(answered.count) answered zoekvragen all audited once; audit queue leader \(leadersBefore[auditQueue] ?? "?") -> \(leadersAfter[auditQueue] ?? "?")"
                )

                await FaultLoad.stop(auditor, adapters)
                await exchange.stop()
                await federation.stop()
            }
        }
    }
}
