import AMQPClient
import Foundation
import Synchronization
import Testing
import VUMAdapter
import VUMAudit
import VUMExchange
import VUMStandaard
import VUMTesting

/// What the fault tests under load share (broker restart, cluster node stopped, adapter killed): an
/// open-model load of zoekvragen and what became of each, three in-memory adapters, an auditor storing
/// into a real audit store, and the check that every answered zoekvraag was audited exactly once.
enum FaultLoad {
    struct Outcome: Sendable {
        var sentAt: Duration
        var status: Int
        var took: Duration
        var vraagID: String?
        var beantwoord: Int
        /// "bron: status" of every bron that did not answer.
        var unanswered: [String] = []
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
    static func sendLoad(
        _ exchange: TestExchange, _ question: String, _ outcomes: Outcomes,
        _ start: ContinuousClock.Instant, every interval: Duration = .milliseconds(100),
        statusOf followed: BronID? = nil
    ) async {
        await withTaskGroup(of: Void.self) { group in
            var next = start
            while outcomes.endOfLoad.map({ next <= $0 }) ?? true {
                try? await Task.sleep(until: next)
                next = next + interval
                group.addTask { outcomes.add(await Self.ask(exchange, question, start, followed)) }
            }
        }
    }

    static func ask(
        _ exchange: TestExchange, _ question: String, _ start: ContinuousClock.Instant,
        _ followed: BronID? = nil
    ) async -> Outcome {
        let began = ContinuousClock.now
        var outcome = Outcome(sentAt: began - start, status: -1, took: .zero, vraagID: nil, beantwoord: 0)
        if let r = try? await exchange.zoek(question, deadlineMs: 2000) {
            outcome.status = r.status
            outcome.vraagID = r.json["vraagID"]?.string
            let bronnen = r.json["vumBronnen"]?.array ?? []
            outcome.beantwoord = bronnen.filter { $0["status"]?.string == "beantwoord" }.count
            outcome.unanswered = bronnen.filter { $0["status"]?.string != "beantwoord" }
                .map { "\($0["bronID"]?.string ?? "?"): \($0["status"]?.string ?? "?")" }
            if let followed {
                outcome.victimStatus =
                    r.json["vumBronnen"]?.array.first { $0["bronID"]?.string == followed.rawValue }?["status"]?.string
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
    static func stop(_ auditor: Auditor, _ adapters: [(AMQPConnection, Task<Void, any Error>)]) async {
        auditor.task.cancel()
        _ = try? await auditor.task.value
        await auditor.connection.close()
        for (connection, task) in adapters {
            task.cancel()
            _ = try? await task.value
            await connection.close()
        }
    }

    /// Three bronnen (noord, midden, zuid) with 300 generated werkzoekenden each, every adapter on its own
    /// connection made with `configuration(i)`.
    static func threeAdapters(
        _ federation: TestFederation, seed: UInt64,
        _ configuration: (Int) throws -> AMQPConfiguration
    ) async throws
        -> ([BronID], [(AMQPConnection, Task<Void, any Error>)], [AdapterService])
    {
        let data = SyntheticData(seed: seed, table: testPC4Table)
        var bronnen: [BronID] = []
        var adapters: [(AMQPConnection, Task<Void, any Error>)] = []
        var services: [AdapterService] = []
        for (i, name) in ["noord", "midden", "zuid"].enumerated() {
            let bron = try await federation.addBron(name)
            bronnen.append(bron)
            let connection = try await AMQPConnection.connect(try configuration(i))
            let people = (i * 300..<(i + 1) * 300).map(data.werkzoekende)
            // Checked every second that the broker still feeds them (ConsumerWatchdog), so a starved consumer is
            // replaced within the tests' recovery windows.
            let (service, task) = federation.adapter(
                bron, source: InMemorySource(werkzoekenden: people, table: testPC4Table),
                connection: connection
            ) { $0.consumerCheckInterval = .seconds(1) }
            adapters.append((connection, task))
            services.append(service)
        }
        return (bronnen, adapters, services)
    }

    /// An auditor on its own connection, storing `queue` into an audit store in `folder`.
    struct Auditor {
        let store: AuditStore
        let connection: AMQPConnection
        let task: Task<Void, any Error>

        static func start(queue: String, configuration: AMQPConfiguration, folder: URL) async throws -> Auditor {
            let store = try AuditStore(
                path: folder.appendingPathComponent("audit.sqlite").path, checkpointInterval: 100)
            let connection = try await AMQPConnection.connect(configuration)
            var settings = AuditServiceConfiguration()
            settings.queue = queue
            settings.retryDelay = .milliseconds(200)
            let service = AuditService(configuration: settings, connection: connection, store: store)
            return Auditor(store: store, connection: connection, task: Task { try await service.run() })
        }
    }
}
