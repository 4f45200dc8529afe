import AMQPClient
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Histogram
import NIOCore
import Synchronization
import VUMExchange
import VUMStandaard

// The load generator of issue 11: zoekvragen at a fixed arrival rate (an open model: a request is sent at
// its scheduled time whatever the earlier ones are doing, so slow answers cannot hide queueing) against a
// running exchange, over the REST API or the AMQP entry (vum.verzoeken). Latency is measured from each
// request's *scheduled* send time, not from when the client got round to sending it: if the generator
// itself falls behind, that delay counts (the coordinated-omission correction of an open model). Values go
// into an HdrHistogram (1 µs to 120 s, 3 significant digits). Prints one JSON line.
//
//   vum-bench --url http://127.0.0.1:8080 --oin OIN --rate 50 --seconds 20
//   vum-bench --entry amqp --amqp-url amqp://bemiddelaar-x:pw@127.0.0.1:5672/vum --oin OIN --rate 50
//
// scripts/bench-load.sh starts the federation, runs this per scenario, and writes Docs/benchmarks.md.

@main
struct VumBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vum-bench",
        abstract: "Zoekvragen at a fixed arrival rate against a running exchange; one JSON line of results.")

    enum Entry: String, ExpressibleByArgument { case rest, amqp }

    @Option(help: "rest (the koppelvlak API) or amqp (vum.verzoeken)") var entry: Entry = .rest
    @Option(help: "the aggregator's REST base URL") var url = "http://127.0.0.1:8080"
    @Option(help: "amqp://user:password@host:port/vum of a bus-native bemiddelaar (for --entry amqp)") var amqpURL = ""
    @Option(help: "the asking bemiddelaar's OIN (X-VUM-fromParty)") var oin: String
    @Option(help: "the exchange's OIN (X-VUM-toParty)") var exchangeOin = "00000009000000000001"
    @Option(help: "zoekvragen per second") var rate: Double = 20
    @Option(help: "seconds of measured load") var seconds: Double = 20
    @Option(help: "seconds of load before measuring starts") var warmup: Double = 3
    @Option(help: "the zoekvraag's deadline in milliseconds") var deadlineMs = 2000
    @Option(help: "a label copied into the output") var label = ""

    /// Typical zoekvragen (hours, licence or occupation near four cities), sent in turn.
    static let questions = [
        #"{"selectiegebied":{"postcode":"3511AB","afstand":25},"werktijden.aantalWerkurenPerWeekMinimaal":{"$lte":32},"werktijden.aantalWerkurenPerWeekMaximaal":{"$gte":24},"rijbewijzen.rijbewijs":{"$in":["B"]}}"#,
        #"{"selectiegebied":{"postcode":"1012AB","afstand":15},"werktijden.aantalWerkurenPerWeekMaximaal":{"$gte":32}}"#,
        #"{"selectiegebied":{"postcode":"9712CP","afstand":30},"rijbewijzen.rijbewijs":{"$in":["B","C"]}}"#,
        #"{"selectiegebied":{"postcode":"5611AB","afstand":20},"werktijden.aantalWerkurenPerWeekMinimaal":{"$lte":24}}"#,
    ]

    func run() async throws {
        guard rate > 0, seconds > 0, warmup >= 0 else { throw ValidationError("--rate and --seconds must be positive") }
        let client: any ZoekClient =
            switch entry {
            case .rest: try RESTClient(url: url, oin: oin, exchangeOIN: exchangeOin, deadlineMs: deadlineMs)
            case .amqp: try await AMQPEntryClient(url: amqpURL, oin: oin, deadlineMs: deadlineMs)
            }
        let results = Results()
        let interval = Duration.seconds(1 / rate)
        let start = ContinuousClock.now + .milliseconds(200)
        let measureFrom = start + .seconds(warmup)
        let end = measureFrom + .seconds(seconds)
        var lateSends = 0
        // The generator's own CPU from the start of measurement on: it shares the machine with the exchange.
        let cpuAtStart = Task {
            try? await Task.sleep(until: measureFrom, tolerance: .milliseconds(1))
            return Self.processCPUSeconds()
        }
        await withTaskGroup(of: Void.self) { group in
            var i = 0
            var scheduled = start
            while scheduled < end {
                try? await Task.sleep(until: scheduled, tolerance: .microseconds(100))
                if ContinuousClock.now - scheduled > .milliseconds(5) { lateSends += 1 }
                let question = Self.questions[i % Self.questions.count]
                let measured = scheduled >= measureFrom
                let intended = scheduled
                group.addTask {
                    results.started()
                    let outcome = await client.zoek(question)
                    results.finished()
                    // From the scheduled time: a generator that falls behind does not hide the delay.
                    let took = ContinuousClock.now - intended
                    if measured { results.add(outcome, took) }
                }
                i += 1
                scheduled = start + interval * i
            }
        }
        let finished = ContinuousClock.now
        let generatorCPU = Self.processCPUSeconds() - (await cpuAtStart.value)
        await client.shutdown()
        let r = results.snapshot()
        let h = r.histogram
        func ms(_ p: Double) -> Double { Double(h.valueAtPercentile(p)) / 1000 }
        let lastScheduled = min(end, finished)
        var out: [String: Any] = [
            "label": label, "entry": entry.rawValue, "rate": rate, "seconds": seconds,
            "sent": r.sent, "ok": r.ok, "partial": r.partial, "errors": r.errors,
            "statuses": Dictionary(uniqueKeysWithValues: r.statuses.map { ("\($0.key)", $0.value) }),
            "achieved_per_s": Double(r.ok) / max(0.001, (lastScheduled - measureFrom).seconds),
            "partial_rate": r.ok == 0 ? 0 : Double(r.partial) / Double(r.ok),
            "p50_ms": ms(50), "p90_ms": ms(90), "p99_ms": ms(99), "p999_ms": ms(99.9),
            "max_ms": Double(h.max) / 1000, "mean_ms": h.mean / 1000,
            "late_sends": lateSends, "generator_cpu_s": generatorCPU, "max_in_flight": r.maxInFlight,
        ]
        if let e = r.firstError { out["first_error"] = e }
        let data = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}

extension VumBench {
    /// User plus system CPU of this process so far.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}

/// What one zoekvraag came to.
struct Outcome: Sendable {
    /// HTTP status (the AMQP entry's answers map to 200, or the error's status); 0: no answer at all.
    var status: Int
    var partial: Bool
    var error: String?
}

protocol ZoekClient: Sendable {
    func zoek(_ question: String) async -> Outcome
    func shutdown() async
}

final class Results: Sendable {
    struct State {
        var histogram = Histogram<UInt64>(
            lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
        var sent = 0, ok = 0, partial = 0, errors = 0
        var statuses: [Int: Int] = [:]
        var firstError: String?
        /// Zoekvragen sent and not yet answered: now, and the most at any moment of the run.
        var inFlight = 0, maxInFlight = 0
    }
    private let state = Mutex(State())

    func started() {
        state.withLock { s in
            s.inFlight += 1
            s.maxInFlight = max(s.maxInFlight, s.inFlight)
        }
    }

    func finished() { state.withLock { $0.inFlight -= 1 } }

    func add(_ o: Outcome, _ took: Duration) {
        let micros = UInt64(max(1, took.seconds * 1_000_000))
        state.withLock { s in
            s.sent += 1
            s.statuses[o.status, default: 0] += 1
            if o.status == 200 {
                s.ok += 1
                if o.partial { s.partial += 1 }
                _ = s.histogram.record(micros)
            } else {
                s.errors += 1
                if s.firstError == nil { s.firstError = o.error ?? "status \(o.status)" }
            }
        }
    }

    func snapshot() -> State { state.withLock { $0 } }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// The koppelvlak REST API through AsyncHTTPClient (a pool large enough that requests never queue in the client).
struct RESTClient: ZoekClient {
    let http: HTTPClient
    let target: String
    let headers: [(String, String)]

    init(url: String, oin: String, exchangeOIN: String, deadlineMs: Int) throws {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(60))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        target = url + "/api/v3/werkzoekendeProfielen/matches"
        headers = [
            ("X-VUM-fromParty", oin), ("X-VUM-toParty", exchangeOIN), ("API-Version", "3.0.0"),
            ("Content-Type", "application/json"), ("X-VUM-deadline-ms", "\(deadlineMs)"),
        ]
    }

    func zoek(_ question: String) async -> Outcome {
        var request = HTTPClientRequest(url: target)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: #"{"vraagObject":\#(question)}"#))
        do {
            let response = try await http.execute(request, timeout: .seconds(60))
            _ = try await response.body.collect(upTo: 64 << 20)
            let partial = response.headers.first(name: "X-VUM-gedeeltelijk") == "true"
            return Outcome(
                status: Int(response.status.code), partial: partial,
                error: response.status.code == 200 ? nil : "\(response.status)")
        } catch {
            return Outcome(status: 0, partial: false, error: "\(error)")
        }
    }

    func shutdown() async { try? await http.shutdown() }
}

/// Answers by correlation id: a waiter, or an answer that came before its waiter did.
final class Waiting: Sendable {
    private struct State {
        var waiters: [String: CheckedContinuation<Outcome, Never>] = [:]
        var early: [String: Outcome] = [:]
    }
    private let state = Mutex(State())

    func wait(for id: String) async -> Outcome {
        await withCheckedContinuation { c in
            let ready: Outcome? = state.withLock { s in
                if let o = s.early.removeValue(forKey: id) { return o }
                s.waiters[id] = c
                return nil
            }
            if let ready { c.resume(returning: ready) }
        }
    }

    func deliver(_ id: String, _ outcome: Outcome) {
        let c: CheckedContinuation<Outcome, Never>? = state.withLock { s in
            if let c = s.waiters.removeValue(forKey: id) { return c }
            s.early[id] = outcome
            return nil
        }
        c?.resume(returning: outcome)
    }
}

/// The AMQP entry: a vum.verzoek.v1 to exchange vum.verzoeken, the answer on an exclusive reply queue.
final class AMQPEntryClient: ZoekClient {
    let connection: AMQPConnection
    let channel: AMQPChannel
    let replyQueue: String
    let oin: OIN
    let user: String
    let deadlineMs: Int
    let waiting = Waiting()
    let consumer: Task<Void, Never>

    init(url: String, oin: String, deadlineMs: Int) async throws {
        let configuration = try AMQPConfiguration(url: url)
        guard case .plain(let user, _) = configuration.authentication else {
            throw ValidationError("--amqp-url needs user:password@")
        }
        self.user = user
        self.oin = try OIN(validating: oin)
        self.deadlineMs = deadlineMs
        connection = try await AMQPConnection.connect(configuration)
        channel = try await connection.openChannel()
        let queue = try await channel.declareQueue(exclusive: true)
        replyQueue = queue.name
        let deliveries = try await channel.consume(queue: queue.name, noAck: true)
        let waiting = self.waiting
        consumer = Task {
            do {
                for try await d in deliveries {
                    guard let id = d.properties.correlationID else { continue }
                    var outcome = Outcome(status: 0, partial: false)
                    do {
                        // An answer holds up to 100 matches per bron (nearly 3 MB at 20 bronnen): far above the
                        // 1 MB a daemon accepts from the bus by default.
                        let answer = try MessageCodec.decode(
                            VerzoekantwoordBericht.self, from: d.body, maximumSize: 64 << 20)
                        if let fout = answer.fout {
                            outcome.status = Int(fout.code.split(separator: ".").first ?? "") ?? 500
                            outcome.error = fout.description
                        } else {
                            outcome.status = 200
                            if case .object(let o)? = answer.antwoord, case .bool(true)? = o["vumGedeeltelijk"] {
                                outcome.partial = true
                            }
                        }
                    } catch {
                        outcome.error = "an undecodable answer (\(d.body.count) bytes, correlation id \(id)): \(error)"
                    }
                    waiting.deliver(id, outcome)
                }
            } catch {}
        }
    }

    func zoek(_ question: String) async -> Outcome {
        let id = UUID().uuidString.lowercased()
        do {
            let payload = VerzoekBericht(
                zoek: .werkzoekenden, vraagObject: try JSONValue.parse(question), deadlineMs: deadlineMs)
            var envelope = Envelope(
                type: .verzoek, correlationID: id, appID: "vum-bench/1", userID: user, replyTo: replyQueue)
            envelope.fromParty = oin
            try await channel.publish(
                MessageCodec.encode(payload), exchange: Topology.verzoeken, routingKey: "",
                properties: envelope.properties())
        } catch {
            return Outcome(status: 0, partial: false, error: "\(error)")
        }
        // No answer at all counts as an error, not a hang: give up 10 s after the deadline.
        let waiting = self.waiting
        let limit = deadlineMs
        let timer = Task {
            try await Task.sleep(for: .milliseconds(limit) + .seconds(10))
            waiting.deliver(id, Outcome(status: 0, partial: false, error: "no answer within \(limit) ms + 10 s"))
        }
        defer { timer.cancel() }
        return await waiting.wait(for: id)
    }

    func shutdown() async {
        consumer.cancel()
        await connection.close()
    }
}
