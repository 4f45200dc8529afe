import Foundation
import Logging
import Testing
import VUMExchange
import VUMStandaard

@testable import VUMAggregator

/// A bron answer of `matches` werkzoekenden with record ids `<bron>-<i>`, as a bron sends it.
private func received(_ bron: BronID, matches: Int, vraagID: String = "v1") throws -> ReceivedGegevensset {
    let profiles: [JSONValue] = try (0..<matches).map { i in
        try JSONValue.parse(
            #"{"idWerkzoekende":"\#(bron.rawValue)-\#(i)","beroepsnaam":"Lasser \#(i)","#
                + #""werktijden":{"aantalWerkurenPerWeekMaximaal":\#(16 + i % 24)}}"#)
    }
    let bericht = GegevenssetBericht(
        vraagID: vraagID, bronID: bron, gegevensset: .werkzoekenden, matches: profiles,
        maximumAantalResultatenBereikt: false, genegeerdeCriteria: [], duurMs: 3)
    return try ReceivedGegevensset.decode(MessageCodec.encode(bericht))
}

/// The merged form of every match, as the aggregator writes them.
private func written(_ answer: ReceivedGegevensset) -> [UInt8] {
    var out: [UInt8] = []
    for i in 0..<answer.matchCount { answer.writeMatch(i, to: &out) { $0 += Array("vum-\(i)".utf8) } }
    return out
}

@Suite("Answers of open zoekvragen beyond the memory budget wait in a file")
final class AnswerParkingTests {
    let directory: String
    let logger = Logger(label: "test")

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("parking-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    @Test("within the budget an answer stays in memory; letting its hold go gives the budget back")
    func withinBudget() throws {
        let parking = AnswerParking(budget: 1 << 20, directory: directory, logger: logger)
        let answer = try received(bronA, matches: 20)
        do {
            let (kept, hold) = parking.hold(answer)
            #expect(!hold.isParked)
            #expect(kept.bytes == answer.bytes)
            #expect(parking.bytesInMemory == answer.byteCount)
            withExtendedLifetime(hold) {}
        }
        #expect(parking.bytesInMemory == 0)
    }

    @Test("beyond the budget the bytes are parked and read back as they were; ids and counts stay readable")
    func parked() throws {
        let parking = AnswerParking(budget: 0, directory: directory, logger: logger)
        let answers = try [bronA, bronB, bronC].map { try received($0, matches: 50) }
        let held = answers.map(parking.hold)
        for ((kept, hold), original) in zip(held, answers) {
            #expect(hold.isParked)
            #expect(kept.bytes.isEmpty)
            #expect(kept.byteCount == original.byteCount)
            #expect(kept.matchCount == 50)
            #expect(kept.recordID(of: 7) == original.recordID(of: 7))
            let restored = try parking.restore(kept, hold)
            #expect(restored.bytes == original.bytes)
            #expect(written(restored) == written(original))
        }
        #expect(parking.bytesInMemory == 0)
        // The file has no name: nothing is left in the directory.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }

    @Test("a full file is followed by a new one; answers in both come back")
    func segments() throws {
        let answers = try (0..<12).map { try received(bronA, matches: 10 + $0, vraagID: "v\($0)") }
        // Room for about three answers per file.
        let parking = AnswerParking(
            budget: 0, directory: directory, segmentSize: Int64(answers[0].byteCount * 3),
            logger: logger)
        let held = answers.map(parking.hold)
        #expect(Set(held.map { ObjectIdentifier($0.1.segment!) }).count >= 4)
        for ((kept, hold), original) in zip(held, answers).reversed() {
            #expect(try parking.restore(kept, hold).bytes == original.bytes)
        }
    }

    @Test("an answer that cannot be parked stays in memory, over the budget, rather than being lost")
    func unwritableDirectory() throws {
        let parking = AnswerParking(budget: 0, directory: directory + "/missing", logger: logger)
        let answer = try received(bronB, matches: 5)
        let (kept, hold) = parking.hold(answer)
        #expect(!hold.isParked)
        #expect(kept.bytes == answer.bytes)
        #expect(parking.bytesInMemory == answer.byteCount)
        #expect(try parking.restore(kept, hold).bytes == answer.bytes)
    }
}
