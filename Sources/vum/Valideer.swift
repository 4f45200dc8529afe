import ArgumentParser
import Foundation
import VUMStandaard

/// `vum valideer`: checks a file of records against the standard without importing it.
struct Valideer: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a file of werkzoekenden or vacatures (JSON array, NDJSON or CSV).",
        discussion: """
            Prints the counts, every error with the record's position, id and JSON path, the warnings, and \
            how complete the valid records are (which searchable fields they leave empty).

            Exit codes: 0 all records valid, 1 some records invalid, 2 the file cannot be read.

            Examples:
              vum valideer werkzoekenden.ndjson
              vum valideer --soort vacatures --matchingprofiel antwoorden.json
            """
    )

    @Argument(help: "The file: a JSON array of records, one record per line (NDJSON), or CSV (.csv or --format csv).")
    var file: String

    @Option(help: "json (array or NDJSON, detected) or csv (default: csv for .csv files, else json).")
    var format: FileFormat?

    @Option(help: "werkzoekenden or vacatures (default: detected from the first record's id field).")
    var soort: Gegevensset?

    @Flag(help: "Read the records as matching profiles: detail-only fields are errors.")
    var matchingprofiel = false

    @Option(help: "Print at most this many errors and this many warnings.")
    var maxMeldingen = 50

    mutating func run() throws {
        let bytes: [UInt8]
        do {
            bytes = try FileContents.bytes(file)
        } catch {
            print("vum valideer: cannot read \(file): \(error)")
            throw ExitCode(2)
        }
        let records: RecordFile
        do {
            records = try FileFormat.read(bytes, file: file, format: format)
        } catch {
            print("vum valideer: \(file) \(error)")
            throw ExitCode(2)
        }
        guard let set = soort ?? records.detectedGegevensset else {
            print(
                "vum valideer: cannot tell whether \(file) holds werkzoekenden or vacatures (no idWerkzoekende or idVacature): pass --soort"
            )
            throw ExitCode(2)
        }
        let report = RecordFileReport(file: records, gegevensset: set, matchingProfielen: matchingprofiel)
        print(Self.render(report, file: file, limit: maxMeldingen))
        if report.invalid > 0 { throw ExitCode(1) }
    }

    static func render(_ r: RecordFileReport, file: String, limit: Int) -> String {
        var out: [String] = []
        let kind = r.gegevensset == .werkzoekenden ? "werkzoekenden" : "vacatures"
        out.append(
            "\(file): \(r.total) \(kind) (\(r.format.rawValue)): \(r.valid) valid, \(r.invalid) invalid, \(r.warnings.count) warnings"
        )
        func line(_ f: RecordFileReport.Finding) -> String {
            let what = f.issue.path.isEmpty ? f.issue.message : f.issue.description
            return "  \(f.position)\(f.recordID.map { " (id \($0))" } ?? ""): \(what)"
        }
        if !r.errors.isEmpty {
            out.append("errors:")
            out += r.errors.prefix(limit).map(line)
            if r.errors.count > limit { out.append("  … and \(r.errors.count - limit) more") }
        }
        if !r.warnings.isEmpty {
            out.append("warnings:")
            out += r.warnings.prefix(limit).map(line)
            if r.warnings.count > limit { out.append("  … and \(r.warnings.count - limit) more") }
        }
        if let average = r.averageCompleteness {
            out.append(
                String(
                    format: "completeness of the valid records: %.0f%% on average (searchable fields weigh %.0fx)",
                    average * 100, Completeness.searchableWeight))
            let missing = r.missingSearchable.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            if !missing.isEmpty {
                out.append("searchable fields left empty (records cannot be found on them):")
                for (field, count) in missing {
                    out.append(
                        String(
                            format: "  %@: %d of %d (%.0f%%)", field, count, r.valid,
                            Double(count) * 100 / Double(r.valid)))
                }
            }
        }
        return out.joined(separator: "\n")
    }
}

extension Gegevensset: ExpressibleByArgument {}
