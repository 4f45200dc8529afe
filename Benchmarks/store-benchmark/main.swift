import Foundation
import VUMAdapter
import VUMStandaard

// The SQLite store under load: import rate and selectievraag latency at 100k and 1M werkzoekenden.
//
//   store-benchmark [--records 100000,1000000] [--questions 400] [--dir /tmp] [--pc4 path]
//
// Prints a Markdown table; scripts/bench-store.sh writes it to Docs/benchmarks.md.

var sizes = [100_000, 1_000_000]
var questionCount = 400
var folder = FileManager.default.temporaryDirectory.path
var pc4 = ProcessInfo.processInfo.environment["VUM_PC4_TABLE"] ?? ""
// --keep: stores are named store-bench-<n>.sqlite in --dir, kept, and reused when complete (for profiling).
var keep = false
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    if flag == "--keep" {
        keep = true
        continue
    }
    guard let value = arguments.popFirst() else { fatalError("\(flag) needs a value") }
    switch flag {
    case "--records": sizes = value.split(separator: ",").map { Int($0)! }
    case "--questions": questionCount = Int(value)!
    case "--dir": folder = value
    case "--pc4": pc4 = value
    default: fatalError("unknown option \(flag)")
    }
}
let table = try PC4Table.load(path: pc4)
let evaluator = Evaluator(table: table)
let data = SyntheticData(seed: 2026, table: table)
let questions = SyntheticQuestions(seed: 2026, table: table)

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}
func peakResidentMB() -> Double {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    return Double(line.split(separator: " ").dropFirst().first ?? "0")! / 1024
}
func fileMB(_ path: String) -> Double {
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    return Double(size) / 1_048_576
}

var rows: [String] = []
var importRows: [String] = []

// The whole import path once: NDJSON bytes → parse → validate → store.
if !keep {
    let n = min(100_000, sizes.min() ?? 100_000)
    let path = "\(folder)/store-bench-import-\(UUID().uuidString).sqlite"
    defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
    var bytes: [UInt8] = []
    for i in 0..<n {
        bytes += data.werkzoekende(i).json.serializedBytes()
        bytes.append(0x0A)
    }
    let store = try SQLiteStore(path: path)
    let start = ContinuousClock.now
    let summary = try RecordImport(store: store).load(bytes: bytes, csv: false)
    let elapsed = seconds(start.duration(to: .now))
    precondition(summary.inserted == n)
    importRows.append(
        String(
            format:
                "| `vum import` path (NDJSON → parse → validate → store), peak resident %.0f MB | %d | %.1f s | %.0f records/s |",
            peakResidentMB(), n, elapsed, Double(n) / elapsed))
}

for n in sizes {
    let path = keep ? "\(folder)/store-bench-\(n).sqlite" : "\(folder)/store-bench-\(n)-\(UUID().uuidString).sqlite"
    defer {
        if !keep { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
    }
    let store = try SQLiteStore(path: path)
    var writing = Duration.zero
    let batch = 20_000
    let stored = try store.count(.werkzoekenden)
    for start in stride(from: stored, to: n, by: batch) {
        let records = (start..<min(n, start + batch)).map(data.werkzoekende)
        let t = ContinuousClock.now
        try store.upsert(records)
        writing += t.duration(to: .now)
    }
    if stored == 0 {
        importRows.append(
            String(
                format:
                    "| store writes (validated records → SQLite, %d per transaction) | %d | %.1f s | %.0f records/s |",
                batch, n, seconds(writing), Double(n) / seconds(writing)))
    }
    let source = SQLiteSource(store: store, gegevenssets: [.werkzoekenden], table: table)

    let kinds: [(String, (Int) -> JSONValue)] = [
        ("typical: one beroep, 25 km, hours", { questions.typical(.werkzoekenden, $0) }),
        ("generated mix (0–999 km, 0–8 criteria)", { questions.werkzoekenden($0) }),
        (
            "broad: only selectiegebied, 25 km",
            { i in
                let q = questions.typical(.werkzoekenden, i)
                guard case .object(let o) = q, let gebied = o["selectiegebied"] else { return q }
                return .object(JSONObject([("selectiegebied", gebied)]))
            }
        ),
    ]
    for (name, make) in kinds {
        let prepared = try (0..<questionCount).map {
            try evaluator.prepare(Selectievraag(json: make($0), gegevensset: .werkzoekenden))
        }
        // Warm the page cache and statement caches once.
        for q in prepared.prefix(20) { _ = try await store.search(q, limit: 100, evaluator: evaluator) }
        // Each question twice: rows answered as read (the adapter's path) and each run through the evaluator.
        for check in [SQLiteStore.RowCheck.trustQuery, .evaluate] {
            var latencies: [Double] = []
            var candidates = 0
            var matches = 0
            for q in prepared {
                let t = ContinuousClock.now
                let outcome = try await store.search(q, limit: 100, evaluator: evaluator, check: check)
                latencies.append(seconds(t.duration(to: .now)) * 1000)
                candidates += outcome.candidates
                matches += outcome.matches.count
                precondition(outcome.refusedByEvaluator == 0)
            }
            latencies.sort()
            let label = name + (check == .trustQuery ? ", as read" : ", evaluated")
            rows.append(
                String(
                    format: "| %d | %@ | %.2f | %.2f | %.2f | %.2f | %.0f | %.0f |", n, label,
                    percentile(latencies, 0.5), percentile(latencies, 0.9), percentile(latencies, 0.99),
                    latencies.last!, Double(candidates) / Double(questionCount), Double(matches) / Double(questionCount)
                ))
        }
        _ = source
    }
    rows.append(
        String(
            format: "| %d | store file %.0f MB, peak resident %.0f MB | | | | | | |", n, fileMB(path), peakResidentMB())
    )
}

print(
    """
    | records | question | p50 ms | p90 ms | p99 ms | max ms | rows read | matches |
    |---:|---|---:|---:|---:|---:|---:|---:|
    \(rows.joined(separator: "\n"))

    | import | records | time | rate |
    |---|---:|---:|---:|
    \(importRows.joined(separator: "\n"))
    """)
