import ArgumentParser
import Foundation
import VUMAdapter
import VUMStandaard

/// `vum import`: loads records into a bron's SQLite store, or deletes them.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Load werkzoekenden or vacatures into a bron's SQLite store (JSON array, NDJSON or CSV), or delete them.",
        discussion: """
            Every valid record is stored; a record whose id is already stored is replaced. Every invalid \
            record is reported with its line and JSON path and left out; the others still load. Ends with a \
            summary: records read, inserted, replaced, invalid, and the average completeness.

            The CSV layout (one header of JSON paths, `|` between array elements) is described in \
            Docs/standaard.md. The store file is created when it does not exist.

            Exit codes: 0 everything loaded (or deleted), 1 some records invalid, 2 a file or the store \
            cannot be read or written.

            Examples:
              vum import --store bron.sqlite werkzoekenden.ndjson
              vum import --store bron.sqlite --soort vacatures vacatures.csv
              vum import --store bron.sqlite --soort werkzoekenden \\
                  --verwijder wz-17 --verwijder wz-18
            """
    )

    @Option(help: ArgumentHelp("The SQLite store of the bron.", valueName: "path"))
    var store: String

    @Argument(help: "Files to load: JSON array, NDJSON, or CSV (by the .csv extension or --format).")
    var files: [String] = []

    @Option(help: "werkzoekenden or vacatures (default: detected from each file's first record).")
    var soort: Gegevensset?

    @Option(help: "json (array or NDJSON, detected) or csv (default: csv for .csv files, else json).")
    var format: FileFormat?

    @Option(
        name: .customLong("verwijder"),
        help: ArgumentHelp(
            "Delete the record with this id (repeatable; needs --soort).",
            valueName: "id"))
    var delete: [String] = []

    @Option(help: "Print at most this many invalid-record lines.")
    var maxMeldingen = 50

    func validate() throws {
        if files.isEmpty && delete.isEmpty { throw ValidationError("give files to load, or --verwijder ids to delete") }
        if !delete.isEmpty && soort == nil {
            throw ValidationError("--verwijder needs --soort werkzoekenden or vacatures")
        }
    }

    mutating func run() throws {
        let store: SQLiteStore
        do { store = try SQLiteStore(path: self.store) } catch {
            print("vum import: \(error)")
            throw ExitCode(2)
        }
        var anyInvalid = false
        if !delete.isEmpty, let soort {
            let ids: [RecordID]
            do { ids = try delete.map { try RecordID(validating: $0) } } catch {
                print("vum import: --verwijder: \(error)")
                throw ExitCode(2)
            }
            do {
                let deleted = try store.delete(ids, from: soort)
                print(
                    "\(self.store): deleted \(deleted) of \(ids.count) \(soort.rawValue)"
                        + (deleted < ids.count ? "; \(ids.count - deleted) not in the store" : ""))
            } catch {
                print("vum import: \(error)")
                throw ExitCode(2)
            }
        }
        for file in files {
            let bytes: [UInt8]
            do { bytes = try FileContents.bytes(file) } catch {
                print("vum import: cannot read \(file): \(error)")
                throw ExitCode(2)
            }
            let csv = format == .csv || (format == nil && file.lowercased().hasSuffix(".csv"))
            let start = ContinuousClock.now
            let summary: RecordImport.Summary
            do { summary = try RecordImport(store: store).load(bytes: bytes, csv: csv, as: soort) } catch {
                switch error {
                case .file(let why): print("vum import: \(file) \(why)")
                case .unknownDataset: print("vum import: \(file) \(error): pass --soort werkzoekenden or vacatures")
                case .store(let failure): print("vum import: \(file): \(failure)")
                }
                throw ExitCode(2)
            }
            print(Self.render(summary, file: file, seconds: start.duration(to: .now).seconds, limit: maxMeldingen))
            if summary.invalidRecords > 0 { anyInvalid = true }
        }
        if anyInvalid { throw ExitCode(1) }
    }

    static func render(_ s: RecordImport.Summary, file: String, seconds: Double, limit: Int) -> String {
        var out = [
            "\(file): \(s.total) \(s.gegevensset.rawValue) read (\(s.format.rawValue)): \(s.inserted) inserted, "
                + "\(s.replaced) replaced, \(s.invalidRecords) invalid, \(s.warnings) warnings"
                + String(format: " in %.1f s", seconds)
        ]
        if !s.invalid.isEmpty {
            out.append("invalid records (not loaded):")
            for f in s.invalid.prefix(limit) {
                let what = f.issue.path.isEmpty ? f.issue.message : f.issue.description
                out.append("  \(f.position)\(f.recordID.map { " (id \($0))" } ?? ""): \(what)")
            }
            if s.invalid.count > limit { out.append("  … and \(s.invalid.count - limit) more") }
        }
        if let average = s.averageCompleteness {
            out.append(String(format: "average completeness of the loaded records: %.0f%%", average * 100))
        }
        return out.joined(separator: "\n")
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// How a records file is written: JSON (an array or NDJSON, told apart by the first character) or CSV.
enum FileFormat: String, ExpressibleByArgument {
    case json, csv

    /// Reads the records of a file: CSV when asked, or by default for a `.csv` file; JSON otherwise.
    static func read(_ bytes: [UInt8], file: String, format: FileFormat?) throws(RecordFileError) -> RecordFile {
        let csv = format == .csv || (format == nil && file.lowercased().hasSuffix(".csv"))
        return csv ? try RecordFile(csv: bytes) : try RecordFile(bytes: bytes)
    }
}
