import AMQPClient
import Foundation
import Logging
import VUMAudit
import VUMExchange

// The audit trail under load: events stored per second (straight into the store, and through a private
// broker with the AuditService as the daemon runs it), and the time of verify, report and check over a
// store of one million events.
//
//   audit-benchmark HOST PORT USER PASSWORD [--events 1000000] [--broker-events 100000] [--dir /tmp]
//
// Prints a Markdown table; scripts/bench-audit.sh starts the broker and writes it to Docs/benchmarks.md.

var positional: [String] = []
var total = 1_000_000
var brokerEvents = 100_000
var folder = FileManager.default.temporaryDirectory.path
var arguments = CommandLine.arguments.dropFirst()
while let a = arguments.popFirst() {
    guard a.hasPrefix("--") else {
        positional.append(a)
        continue
    }
    guard let value = arguments.popFirst() else { fatalError("\(a) needs a value") }
    switch a {
    case "--events": total = Int(value)!
    case "--broker-events": brokerEvents = Int(value)!
    case "--dir": folder = value
    default: fatalError("unknown option \(a)")
    }
}
guard positional.count == 4, let port = Int(positional[1]) else {
    fatalError("usage: audit-benchmark HOST PORT USER PASSWORD [options]")
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
func peakResidentMB() -> Double {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
}
func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let start = ContinuousClock.now
    let value = try body()
    return (value, seconds(start.duration(to: .now)))
}

/// A realistic trail: per zoekvraag ontvangen, verstuurd, three answers, afgerond; a detail now and then.
func trail(count: Int, startMs: Int64) -> [Data] {
    var out: [Data] = []
    out.reserveCapacity(count)
    var i = 0
    let bronnen = ["gemeente-utrecht", "uwv", "uitzend-noord"]
    while out.count < count {
        let vraagID = UUID().uuidString.lowercased()
        let t = startMs + Int64(i) * 200
        func e(_ soort: Procesgebeurtenis.Soort, _ dt: Int64, _ set: (inout Procesgebeurtenis) -> Void = { _ in }) {
            var x = Procesgebeurtenis(
                eventID: UUID().uuidString.lowercased(), soort: soort, tijdMs: t + dt, component: "vum-aggregator/0.1.0"
            )
            x.vraagID = vraagID
            x.gegevensset = "werkzoekenden"
            set(&x)
            out.append(MessageCodec.encode(x))
        }
        let party = i % 3 == 0 ? "00000001111111111111" : "00000004444444444444"
        e(.zoekvraagOntvangen, 0) {
            $0.fromParty = party
            $0.viaParty = party
            $0.suwi = true
            $0.criteriaSleutels = ["mobiliteit.bemiddelingspostcode", "werktijden.aantalWerkurenPerWeekMaximaal"]
        }
        e(.zoekvraagVerstuurd, 1) {
            $0.fromParty = party
            $0.suwi = true
            $0.verwachteBronnen = bronnen
        }
        for (k, b) in bronnen.enumerated() {
            e(.gegevenssetOntvangen, 5 + Int64(k) * 3) {
                $0.bronID = b
                $0.aantal = (i + k) % 40
                $0.antwoordMs = 4 + (i * 7 + k * 13) % 60
                $0.duurMs = 2
            }
        }
        e(.zoekvraagAfgerond, 70) {
            $0.fromParty = party
            $0.suwi = true
            $0.aantal = 30
            $0.gedeeltelijk = false
            $0.duurMs = 70
            $0.statusPerBron = Dictionary(uniqueKeysWithValues: bronnen.map { ($0, "beantwoord") })
            $0.aantallenPerStatus = ["beantwoord": 3]
        }
        if i % 10 == 0 {
            e(.detailGeleverd, 90) {
                $0.fromParty = party
                $0.suwi = true
                $0.vumID = "v1.abcdefghijklmnop"
            }
        }
        i += 1
    }
    return Array(out.prefix(count))
}

var rows: [String] = ["| measure | value |", "|---|---:|"]
let quiet = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }

// 1. Straight into the store, in batches as the daemon commits them (its prefetch, 500), and one by one.
let path = "\(folder)/audit-bench-\(ProcessInfo.processInfo.processIdentifier).sqlite"
defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
let store = try AuditStore(path: path)
let events = trail(count: total, startMs: 1_780_000_000_000)
let (_, bulk) = try timed {
    var start = 0
    while start < events.count {
        _ = try store.appendSynchronously(
            events[start..<min(events.count, start + 500)].map { ReceivedEvent(body: $0) })
        start += 500
    }
}
rows.append("| store, batches of 500 (\(total) events) | \(Int(Double(total) / bulk)) events/s |")
let singles = trail(count: 2_000, startMs: 1_790_000_000_000)
let (_, single) = try timed { for e in singles { _ = try store.appendSynchronously([ReceivedEvent(body: e)]) } }
rows.append("| store, one event per commit (2000 events; an fsync each) | \(Int(2000 / single)) events/s |")
let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
rows.append("| store size at \(total + 2000) events | \(size / 1_048_576) MB |")

// 2. Reading a million events.
let (verification, verifyTime) = try timed { try store.verify() }
precondition(verification.intact, "\(verification)")
rows.append("| verify \(verification.events) events | \(String(format: "%.1f", verifyTime)) s |")
let (report, reportTime) = try timed { try AuditReport(store: store) }
rows.append(
    "| report (all formats share one pass), \(report.events) events | \(String(format: "%.1f", reportTime)) s |")
let (_, htmlTime) = timed { _ = report.render(.html) }
rows.append("| rendering the HTML report | \(String(format: "%.2f", htmlTime)) s |")
let (violations, checkTime) = try timed { try RulesCheck().run(store) }
precondition(violations.isEmpty, "unexpected violations: \(violations.prefix(3))")
rows.append("| check \(report.events) events | \(String(format: "%.1f", checkTime)) s |")

// 3. Through the broker: events waiting in a durable queue, drained by the AuditService.
let broker = AMQPConfiguration(
    host: positional[0], port: port, virtualHost: Topology.virtualHost,
    authentication: .plain(user: positional[2], password: positional[3]))
let connection = try await AMQPConnection.connect(broker, logger: quiet)
let channel = try await connection.openChannel()
let queue = "audit-bench"
_ = try await channel.declareQueue(queue, durable: true)
_ = try await channel.purgeQueue(queue)
try await channel.enableConfirms()
let published = trail(count: brokerEvents, startMs: 1_800_000_000_000)
let properties = Envelope(type: .procesgebeurtenis, appID: "bench").properties()
for chunk in stride(from: 0, to: published.count, by: 1000) {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for body in published[chunk..<min(published.count, chunk + 1000)] {
            group.addTask {
                _ = try await channel.publish(body, exchange: "", routingKey: queue, properties: properties)
            }
        }
        try await group.waitForAll()
    }
}
let brokerPath = "\(folder)/audit-bench-broker-\(ProcessInfo.processInfo.processIdentifier).sqlite"
defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: brokerPath + s) } }
var configuration = AuditServiceConfiguration()
configuration.queue = queue
let service = AuditService(
    configuration: configuration, connection: connection,
    store: try AuditStore(path: brokerPath), logger: quiet)
let drainStart = ContinuousClock.now
let task = Task { try await service.serve() }
while service.counters.stored < brokerEvents { try await Task.sleep(for: .milliseconds(10)) }
let drain = seconds(drainStart.duration(to: .now))
task.cancel()
_ = try? await task.value
rows.append(
    "| through the broker: \(brokerEvents) queued events drained by the AuditService | \(Int(Double(brokerEvents) / drain)) events/s (\(service.counters.batches) commits) |"
)
rows.append("| peak resident memory of the benchmark | \(Int(peakResidentMB())) MB |")
try await channel.deleteQueue(queue)
await connection.close()
print(rows.joined(separator: "\n"))
