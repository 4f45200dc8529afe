import Benchmark
import Foundation
import VUMStandaard

// Decoding (parse + validate) and evaluation of the VUM data standard, per record, with allocations.
// The PC4 table comes from VUM_PC4_TABLE (scripts/bench-standaard.sh sets it to ../shared/data).

let table: PC4Table = {
    guard let path = ProcessInfo.processInfo.environment["VUM_PC4_TABLE"] else {
        fatalError("set VUM_PC4_TABLE to the nl-pc4.csv of ../shared/data")
    }
    return try! PC4Table.load(path: path)
}()
let data = SyntheticData(seed: 2026, table: table)
let recordCount = 10_000
let people = (0..<recordCount).map { data.werkzoekende($0).matchingProfiel }
let serialized = people.map { $0.json.serializedBytes() }
let evaluator = Evaluator(table: table)
/// Bron answers of 100 matches each, as the aggregator receives them.
let answers: [[UInt8]] = (0..<100).map { a in
    Array(#"{"vraagID":"v1","bronID":"bron-a","gegevensset":"werkzoekenden","matches":["#.utf8)
        + (0..<100).map { serialized[(a * 100 + $0) % recordCount] }.joined(separator: [UInt8(ascii: ",")])
        + Array(#"],"maximumAantalResultatenBereikt":true,"genegeerdeCriteria":[],"duurMs":3}"#.utf8)
}

/// Three typical questions: an occupation near Utrecht, hours and a licence near Amsterdam, language
/// and availability near Groningen.
let questions: [Evaluator.PreparedQuestion] = [
    #"{"selectiegebied":{"postcode":"3511AB","afstand":25},"bemiddelingsberoep":{"$elemMatch":{"$or":[{"codeBeroepsnaam":{"$eq":"https://linkeddata.competentnl.nl/uwv/id/occupation/1000-orderpicker"}},{"codeBeroepsnaam":{"$eq":"https://linkeddata.competentnl.nl/uwv/id/occupation/1002-magazijnmedewerker"}}]}}}"#,
    #"{"selectiegebied":{"postcode":"1012AB","afstand":30},"werktijden.aantalWerkurenPerWeekMaximaal":{"$gte":24},"werktijden.aantalWerkurenPerWeekMinimaal":{"$lte":32},"arbeidsmarktkwalificatie.rijbewijs":{"$all":[{"$elemMatch":{"codeSoortRijbewijs":{"$eq":"B"}}}]}}"#,
    #"{"selectiegebied":{"postcode":"9711AB","afstand":50},"arbeidsmarktkwalificatie.taalbeheersing":{"$all":[{"$elemMatch":{"codeTaal":{"$eq":"nld"},"codeNiveauTaalbeheersingMondeling":{"$gte":3}}}]},"datumAanvangBeschikbaarVoorWerk":{"$lte":"2026-12-31"}}"#,
].map { try! evaluator.prepare(Selectievraag(json: JSONValue.parse($0), gegevensset: .werkzoekenden)) }

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        scalingFactor: .kilo, maxDuration: .seconds(5), maxIterations: 50)

    Benchmark("Decode and validate a werkzoekende matching profile (x1000)") { benchmark in
        for i in benchmark.scaledIterations {
            blackHole(try WerkzoekendeMatchingProfiel(json: JSONValue.parse(serialized[i % recordCount])))
        }
    }

    Benchmark("Encode a werkzoekende matching profile to JSON bytes (x1000)") { benchmark in
        for i in benchmark.scaledIterations {
            blackHole(people[i % recordCount].json.serializedBytes())
        }
    }

    // What the aggregator does with every bron answer: check it as JSON, the matches kept as byte ranges
    // with each one's record id picked out (ReceivedGegevensset).
    Benchmark("Scan a bron answer of 100 matches, picking the record ids (x1000)") { benchmark in
        for i in benchmark.scaledIterations {
            blackHole(
                try answers[i % answers.count].withUnsafeBufferPointer {
                    try JSONValue.parse($0, deferringArray: "matches", picking: ["idWerkzoekende"])
                })
        }
    }

    Benchmark("Evaluate a typical selectievraag against one record (x1000)") { benchmark in
        for i in benchmark.scaledIterations {
            blackHole(evaluator.match(people[i % recordCount], questions[i % questions.count]))
        }
    }

    Benchmark("Generate a werkzoekende (x1000)") { benchmark in
        for i in benchmark.scaledIterations {
            blackHole(data.werkzoekende(i))
        }
    }
}
