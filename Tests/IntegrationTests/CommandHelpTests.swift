import Foundation
import Testing
import VUMTesting

/// `--help` of every command reads as one text: the argument parser wraps prose at 80 columns, so a line
/// break written into a paragraph in the source, or an indented line too long to fit, shows as a ragged
/// or a wrapped-back line.
@Suite("Command help: every command's --help wrapped as the reader sees it")
struct CommandHelpTests {
    static let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()

    /// What is wrong with one `--help` text (up to its usage line), one line per fault.
    static func faults(_ help: String) -> [String] {
        let all = help.components(separatedBy: "\n")
        let lines = Array(all[..<(all.firstIndex { $0.hasPrefix("USAGE:") } ?? all.endIndex)])
        func indent(_ line: String) -> Int { line.prefix { $0 == " " }.count }
        var faults: [String] = []
        for (line, next) in zip(lines, lines.dropFirst()) where !line.isEmpty && !next.isEmpty {
            if indent(line) > 0, indent(next) == 0, !line.hasSuffix(":") {
                faults.append("wrapped back to the margin: \"\(line)\" / \"\(next)\"")
            }
            // The parser breaks a paragraph only where the next word would pass column 80.
            let word = next.split(separator: " ").first ?? ""
            if indent(line) == 0, indent(next) == 0, line.count + 1 + word.count < 80, !line.hasSuffix(":") {
                faults.append("a line break inside a paragraph: \"\(line)\" / \"\(next)\"")
            }
        }
        return faults
    }

    /// The subcommands a help text lists.
    static func subcommands(_ help: String) -> [String] {
        guard let start = help.range(of: "SUBCOMMANDS:\n") else { return [] }
        return help[start.upperBound...].components(separatedBy: "\n").compactMap { line in
            guard line.hasPrefix("  "), line.dropFirst(2).first?.isLetter == true else { return nil }
            return line.split(separator: " ").first.map(String.init)
        }
    }

    @Test(
        "vum, vum-adapter, vum-aggregator and vum-audit: no ragged paragraph, no line wrapped back to the margin",
        arguments: ["vum", "vum-adapter", "vum-aggregator", "vum-audit"])
    func wrapped(_ executable: String) async throws {
        let path = Self.folder.appendingPathComponent(executable).path
        let top = try await ChildProcess.run(path, ["--help"])
        #expect(top.status == 0, "\(top.output)")
        var faults = Self.faults(top.output).map { "\(executable): \($0)" }
        let subcommands = Self.subcommands(top.output)
        #expect(!subcommands.isEmpty, "\(top.output)")
        for subcommand in subcommands {
            let help = try await ChildProcess.run(path, [subcommand, "--help"])
            #expect(help.status == 0, "\(executable) \(subcommand): \(help.output)")
            faults += Self.faults(help.output).map { "\(executable) \(subcommand): \($0)" }
        }
        #expect(faults.isEmpty, "\(faults.joined(separator: "\n"))")
    }

    @Test("the check finds a line break written into a paragraph and an example wrapped back")
    func checkFindsFaults() {
        let ragged = """
            OVERVIEW: Something.

            Builds the selectievraag from the flags (or takes --vraag FILE), sends it to
            the aggregator's
            REST API and prints the merged answer.

            Examples:
              vum zoek werkzoekenden --postcode 3511AB --afstand 25 --uren 24-32
            --rijbewijs B

            USAGE: vum zoek
            """
        #expect(
            Self.faults(ragged) == [
                #"a line break inside a paragraph: "the aggregator's" / "REST API and prints the merged answer.""#,
                #"wrapped back to the margin: "  vum zoek werkzoekenden --postcode 3511AB --afstand 25 --uren 24-32" / "--rijbewijs B""#,
            ])
    }
}
