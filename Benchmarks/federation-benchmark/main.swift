import AMQPClient
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import VUMAdapter
import VUMAggregator
import VUMConfiguration
import VUMExchange
import VUMStandaard

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

// End-to-end latency of a federated zoekvraag: REST in → fan-out → N adapters answering from memory →
// merged answer out, all in this process against one private broker; and throughput with 5 bronnen. The
// REST client is URLSession (FoundationNetworking) and, measured the same way, AsyncHTTPClient.
//
//   federation-benchmark HOST PORT USER PASSWORD [--bronnen 1,5,20,50] [--requests 300] [--records 1000]
//                        [--clients 16] [--seconds 5] [--pc4 path] [--transient-audit] [--postgres-store HOST:PORT]
//
// Prints one JSON line per measurement; scripts/bench-federation.sh turns them into Docs/benchmarks.md.

var arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 4 else { fatalError("usage: federation-benchmark HOST PORT USER PASSWORD [options]") }
let (host, port, user, password) = (arguments[0], Int(arguments[1])!, arguments[2], arguments[3])
arguments.removeFirst(4)
var sizes = [1, 5, 20, 50]
var requestCount = 300
var recordCount = 1000
var clients = 16
var throughputSeconds = 5
var pc4 = ProcessInfo.processInfo.environment["VUM_PC4_TABLE"] ?? ""
// --transient-audit: no durable vum.audit queue, so the broker confirms procesgegevens without writing
// them to disk; shows what the durable audit trail costs a zoekvraag.
var durableAudit = true
// --postgres-store HOST:PORT: the aggregator keeps its zoekvragen in PostgreSQL (database postgres, user vum,
// as scripts/postgres.sh makes it), as aggregators that share the load do, instead of SQLite.
var postgresStore: (host: String, port: Int)?
while !arguments.isEmpty {
    let flag = arguments.removeFirst()
    if flag == "--transient-audit" {
        durableAudit = false
        continue
    }
    let value = arguments.removeFirst()
    switch flag {
    case "--bronnen": sizes = value.split(separator: ",").map { Int($0)! }
    case "--requests": requestCount = Int(value)!
    case "--records": recordCount = Int(value)!
    case "--clients": clients = Int(value)!
    case "--seconds": throughputSeconds = Int(value)!
    case "--pc4": pc4 = value
    case "--postgres-store":
        let parts = value.split(separator: ":")
        guard parts.count == 2, let p = Int(parts[1]) else { fatalError("--postgres-store HOST:PORT") }
        postgresStore = (String(parts[0]), p)
    default: fatalError("unknown option \(flag)")
    }
}
let table = try PC4Table.load(path: pc4)
var sharedStore: PostgresRequestStore?
if let address = postgresStore {
    let server = PostgresServer(host: address.host, port: address.port, database: "postgres", user: "vum")
    var logger = Logger(label: "bench")
    logger.logLevel = .critical
    let client = server.makeClient(logger: logger)
    Task { await client.run() }
    sharedStore = try await PostgresRequestStore(client: client, address: server.address, logger: logger)
}
// The allocator settings vum-aggregator runs with (no effect when GLIBC_TUNABLES is set).
AllocatorTuning.keepFreedMemory()
var quiet = Logger(label: "bench")
quiet.logLevel = .critical
let party = try OIN(validating: "00000001234567890000")
let broker = AMQPConfiguration(
    host: host, port: port, virtualHost: Topology.virtualHost,
    authentication: .plain(user: user, password: password))
let question =
    #"{"vraagObject":{"selectiegebied":{"postcode":"3511AB","afstand":15},"werktijden.aantalWerkurenPerWeekMaximaal":{"$gte":16}}}"#

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}
func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }

/// One POST; throws unless 200 with every bron answered. The body is received whole but not parsed (a
/// client's parsing of up to megabytes of matches is not the exchange's latency); the
/// `X-VUM-gedeeltelijk: false` header says every expected bron answered, checked against `bronnen` once.
@Sendable func ask(_ session: URLSession, _ url: URL, bronnen: Int, verify: Bool = false) async throws {
    var request = URLRequest(url: url)
    request.httpMethod = "POST"
    request.setValue(party.rawValue, forHTTPHeaderField: "X-VUM-fromParty")
    request.httpBody = Data(question.utf8)
    let (data, response) = try await session.data(for: request)
    let http = response as? HTTPURLResponse
    guard http?.statusCode == 200, http?.value(forHTTPHeaderField: "X-VUM-gedeeltelijk") == "false" else {
        throw AMQPError(
            .invalidArgument, replyText: "unexpected answer: \(String(decoding: data, as: UTF8.self).prefix(300))")
    }
    if verify {
        guard case .object(let o) = try JSONValue.parse(Array(data)), case .array(let statuses)? = o["vumBronnen"],
            statuses.count == bronnen
        else { throw AMQPError(.invalidArgument, replyText: "not every bron in the answer") }
    }
}

/// The same POST through AsyncHTTPClient, with the same checks.
@Sendable func ask(_ http: HTTPClient, _ url: String, bronnen: Int) async throws {
    var request = HTTPClientRequest(url: url)
    request.method = .POST
    request.headers.add(name: "X-VUM-fromParty", value: party.rawValue)
    request.body = .bytes(ByteBuffer(string: question))
    let response = try await http.execute(request, timeout: .seconds(30))
    let body = try await response.body.collect(upTo: 64 << 20)
    guard response.status.code == 200, response.headers.first(name: "X-VUM-gedeeltelijk") == "false" else {
        throw AMQPError(.invalidArgument, replyText: "unexpected answer: \(String(buffer: body).prefix(300))")
    }
}

/// Zoekvragen per second that `clients` concurrent askers complete in `seconds` (closed loop).
func closedLoop(clients: Int, seconds: Int, _ ask: @escaping @Sendable () async throws -> Void) async throws -> Double {
    let start = ContinuousClock.now
    let end = start + .seconds(seconds)
    let done = try await withThrowingTaskGroup(of: Int.self) { group in
        for _ in 0..<clients {
            group.addTask {
                var count = 0
                while ContinuousClock.now < end {
                    try await ask()
                    count += 1
                }
                return count
            }
        }
        return try await group.reduce(0, +)
    }
    return Double(done) / (ms(start.duration(to: .now)) / 1000)
}

// Topology, as the definitions would create it.
let admin = try await AMQPConnection.connect(broker, logger: quiet)
let setup = try await admin.openChannel()
for (name, type) in [
    (Topology.zoekvragen, AMQPExchangeType.fanout), (Topology.detailverzoeken, .direct),
    (Topology.antwoorden, .direct), (Topology.aanmeldingen, .fanout), (Topology.procesgegevens, .topic),
    (Topology.deadLetterExchange, .fanout),
] {
    try await setup.declareExchange(name, type: type, durable: true)
}
// The audit queue exists so procesgegevens are routed and stored as in production; purged per size.
if durableAudit {
    _ = try await setup.declareQueue(Topology.audit, durable: true)
    try await setup.bindQueue(Topology.audit, exchange: Topology.procesgegevens, routingKey: "#")
}

for n in sizes {
    let bronnen = try (0..<n).map { try BronID(validating: "bench-\(n)-\($0)") }
    var adapterTasks: [Task<Void, any Error>] = []
    var connections: [AMQPConnection] = []
    for (i, bron) in bronnen.enumerated() {
        let queue = Topology.bronQueue(bron)
        _ = try await setup.declareQueue(
            queue, arguments: ["x-dead-letter-exchange": .string(Topology.deadLetterExchange)])
        try await setup.bindQueue(queue, exchange: Topology.zoekvragen)
        try await setup.bindQueue(queue, exchange: Topology.detailverzoeken, routingKey: bron.rawValue)
        let data = SyntheticData(seed: UInt64(1000 + i), table: table)
        let connection = try await AMQPConnection.connect(broker, logger: quiet)
        connections.append(connection)
        var configuration = AdapterConfiguration(bron: bron)
        configuration.brokerUser = user
        configuration.heartbeatInterval = .seconds(2)
        let adapter = AdapterService(
            configuration: configuration, connection: connection,
            source: InMemorySource(werkzoekenden: (0..<recordCount).map(data.werkzoekende), table: table),
            table: table, logger: quiet)
        adapterTasks.append(Task { try await adapter.serve() })
    }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("federation-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let aggregatorConnection = try await AMQPConnection.connect(broker, logger: quiet)
    let aggregator = AggregatorService(
        configuration: AggregatorConfiguration(
            brokerUser: user, exchangeOIN: try OIN(validating: "00000009999999999999")),
        registry: Registry(
            bronnen: Dictionary(uniqueKeysWithValues: bronnen.map { ($0, user) }),
            bemiddelaars: [.init(oin: party, naam: "bench", suwi: true, gegevenssets: [.werkzoekenden])]),
        connection: aggregatorConnection,
        store: try sharedStore ?? SQLiteRequestStore(path: folder.appendingPathComponent("r.sqlite").path),
        vumIDSecret: VumIDs.randomSecret(), table: table, logger: quiet)
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    let app = Application(
        router: KoppelvlakRoutes.router(aggregator), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { portContinuation.yield($0.localAddress?.port ?? 0) }, logger: quiet)
    let serviceTasks = [Task { try await aggregator.run() }, Task { try await app.run() }]
    var httpPort = 0
    for await p in ports {
        httpPort = p
        break
    }
    try await aggregator.waitUntilReady()
    while !bronnen.allSatisfy({ aggregator.presence.entries[$0]?.online == true }) {
        try await Task.sleep(for: .milliseconds(20))
    }
    let url = URL(string: "http://127.0.0.1:\(httpPort)/api/v3/werkzoekendeProfielen/matches")!
    let session = URLSession(configuration: .ephemeral)
    var httpConfiguration = HTTPClient.Configuration()
    httpConfiguration.connectionPool = .init(
        idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: clients)
    let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)

    // Latency: one zoekvraag at a time.
    try await ask(session, url, bronnen: n, verify: true)
    for _ in 0..<30 { try await ask(session, url, bronnen: n) }
    var latencies: [Double] = []
    for _ in 0..<requestCount {
        let t = ContinuousClock.now
        try await ask(session, url, bronnen: n)
        latencies.append(ms(t.duration(to: .now)))
    }
    latencies.sort()
    print(
        String(
            format:
                #"{"mode":"latency","audit":"%@","bronnen":%d,"count":%d,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f}"#,
            durableAudit ? "durable" : "transient", n, requestCount, percentile(latencies, 0.5),
            percentile(latencies, 0.9), percentile(latencies, 0.99)))

    // The same through AsyncHTTPClient.
    for _ in 0..<30 { try await ask(http, url.absoluteString, bronnen: n) }
    var lean: [Double] = []
    for _ in 0..<requestCount {
        let t = ContinuousClock.now
        try await ask(http, url.absoluteString, bronnen: n)
        lean.append(ms(t.duration(to: .now)))
    }
    lean.sort()
    print(
        String(
            format:
                #"{"mode":"latency-asynchttpclient","bronnen":%d,"count":%d,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f}"#,
            n, requestCount, percentile(lean, 0.5), percentile(lean, 0.9), percentile(lean, 0.99)))

    // The same without HTTP: the aggregator's own time (fan-out, answers, merge, store, audit confirm).
    let vraagObject = try JSONValue.parse(
        #"{"selectiegebied":{"postcode":"3511AB","afstand":15},"werktijden.aantalWerkurenPerWeekMaximaal":{"$gte":16}}"#
    )
    var direct: [Double] = []
    for _ in 0..<requestCount {
        let t = ContinuousClock.now
        let antwoord = try await aggregator.zoek(
            Zoekverzoek(gegevensset: .werkzoekenden, vraagObject: vraagObject, fromParty: party))
        direct.append(ms(t.duration(to: .now)))
        precondition(antwoord.bronnen.count == n && !antwoord.gedeeltelijk)
    }
    direct.sort()
    print(
        String(
            format: #"{"mode":"direct","bronnen":%d,"count":%d,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f}"#,
            n, requestCount, percentile(direct, 0.5), percentile(direct, 0.9), percentile(direct, 0.99)))

    // Throughput: `clients` concurrent askers for a few seconds (closed loop), through each client. On Linux
    // URLSession runs on libcurl and Dispatch threads whose CPU, in this one process, is taken from the
    // exchange's; AsyncHTTPClient (the load generator's client) shares the NIO threads of the REST server.
    if n == 5 || sizes.count == 1 {
        let urlSession = try await closedLoop(clients: clients, seconds: throughputSeconds) {
            try await ask(session, url, bronnen: n)
        }
        print(
            String(
                format:
                    #"{"mode":"throughput","client":"urlsession","bronnen":%d,"clients":%d,"zoekvragen_per_s":%.0f}"#,
                n, clients, urlSession))
        let asyncHTTP = try await closedLoop(clients: clients, seconds: throughputSeconds) {
            try await ask(http, url.absoluteString, bronnen: n)
        }
        print(
            String(
                format:
                    #"{"mode":"throughput","client":"asynchttpclient","bronnen":%d,"clients":%d,"zoekvragen_per_s":%.0f}"#,
                n, clients, asyncHTTP))
    }

    try await http.shutdown().get()
    for t in serviceTasks { t.cancel() }
    for t in serviceTasks { _ = try? await t.value }
    for t in adapterTasks { t.cancel() }
    for t in adapterTasks { _ = try? await t.value }
    for c in connections { await c.close() }
    await aggregatorConnection.close()
    for bron in bronnen { _ = try? await setup.deleteQueue(Topology.bronQueue(bron)) }
    if durableAudit { _ = try? await setup.purgeQueue(Topology.audit) }
    try? FileManager.default.removeItem(at: folder)
}
await admin.close()
