import ArgumentParser
import Foundation
import VUMStandaard

/// `vum genereer`: seeded synthetic records for tests, demos and benchmarks.
struct Genereer: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate realistic synthetic werkzoekenden or vacatures as NDJSON.",
        discussion: """
            The same seed gives the same records. Postcodes are real PC4 areas from the table; many optional \
            fields are left empty, as real bronnen leave them. Every record is valid.

            Examples:
              vum genereer werkzoekenden --aantal 1000 --seed 7 \\
                  --pc4 ../shared/data/nl-pc4.csv > wz.ndjson
              vum genereer vacatures --aantal 200 --matchingprofiel \\
                  --uitvoer vacatures.ndjson
            """
    )

    @Argument(help: "werkzoekenden or vacatures")
    var soort: Gegevensset

    @Option(help: "How many records.")
    var aantal = 100

    @Option(help: "The seed (any unsigned integer).")
    var seed: UInt64 = 1

    @Option(help: "Index of the first record (to extend a set generated earlier).")
    var vanaf = 0

    @Flag(help: "Write matching profiles instead of full records.")
    var matchingprofiel = false

    @Option(help: "Write to this file instead of standard output.")
    var uitvoer: String?

    @OptionGroup var pc4: PC4Option

    func validate() throws {
        guard aantal >= 0 else { throw ValidationError("--aantal must be 0 or more") }
        guard vanaf >= 0 else { throw ValidationError("--vanaf must be 0 or more") }
    }

    mutating func run() throws {
        let table: PC4Table
        do {
            table = try PC4Table.load(path: try pc4.resolved())
        } catch let error as PC4Table.LoadError {
            throw ValidationError(error.description)
        }
        let data = SyntheticData(seed: seed, table: table)
        var output = Data()
        output.reserveCapacity(aantal * 900)
        for i in vanaf..<(vanaf + aantal) {
            let json: JSONValue =
                switch (soort, matchingprofiel) {
                case (.werkzoekenden, false): data.werkzoekende(i).json
                case (.werkzoekenden, true): data.werkzoekende(i).matchingProfiel.json
                case (.vacatures, false): data.vacature(i).json
                case (.vacatures, true): data.vacature(i).matchingProfiel.json
                }
            output.append(contentsOf: json.serializedBytes())
            output.append(0x0A)
        }
        if let uitvoer {
            do {
                try FileContents.write(output, to: uitvoer)
            } catch {
                throw ValidationError("cannot write \(uitvoer): \(error)")
            }
        } else {
            FileHandle.standardOutput.write(output)
        }
    }
}
