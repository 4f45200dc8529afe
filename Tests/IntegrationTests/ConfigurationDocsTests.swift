import Foundation
import Testing
import VUMAdapter
import VUMAggregator
import VUMAudit
import VUMConfiguration

/// The documents an operator or a partner configures a daemon from list every key the daemon reads, with
/// the default the daemon uses: a key added or changed in code and not in `Docs/` fails here.
@Suite("Docs: every configuration key documented with its default")
struct ConfigurationDocsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A row of a Markdown key table: `| `a`, `b` | `1`, `2` | what |` documents key a with default 1.
    struct Row {
        var keys: [String]
        var defaults: [String]
    }

    static func rows(_ document: String) -> [Row] {
        document.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("| `") else { return nil }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard cells.count >= 3 else { return nil }
            return Row(
                keys: Self.backticked(cells[0]), defaults: cells[1].components(separatedBy: ", "))
        }
    }

    static func backticked(_ text: String) -> [String] {
        text.split(separator: "`", omittingEmptySubsequences: false).enumerated().compactMap { i, part in
            i % 2 == 1 ? String(part) : nil
        }
    }

    /// What is wrong with `document`'s account of `keys`, one line per key.
    static func check(_ keys: [KeyValueConfiguration.Key], in name: String) throws -> [String] {
        let document = try String(contentsOf: root.appendingPathComponent("Docs/\(name)"), encoding: .utf8)
        let rows = rows(document)
        return keys.compactMap { key -> String? in
            let documented = rows.compactMap { row -> String? in
                guard let i = row.keys.firstIndex(of: key.name) else { return nil }
                return row.defaults.count == row.keys.count ? row.defaults[i] : row.defaults.joined(separator: ", ")
            }
            guard !documented.isEmpty else {
                // Prose is enough for a short list of keys (auditing.md), the default is then not checked.
                return document.contains("`\(key.name)`") ? nil : "\(name): \(key.name) is not documented"
            }
            let fits = documented.contains { cell in
                switch key.defaultValue {
                case nil: cell == "required"
                // Empty: "required" (the reader insists), "empty", or what it stands for ("the host name", `$TMPDIR`).
                case ""?: !cell.hasPrefix("`") || cell.hasPrefix("`$")
                case let value?: cell == "`\(value)`"
                }
            }
            return fits
                ? nil
                : "\(name): \(key.name) defaults to \(key.defaultValue.map { "\"\($0)\"" } ?? "nothing (required)"), "
                    + "the document says \(documented.joined(separator: " / "))"
        }
    }

    @Test("vum-adapter's keys in the aansluitkit")
    func adapter() throws {
        let wrong = try Self.check(AdapterDaemonConfiguration.keys, in: "aansluitkit.md")
        #expect(wrong.isEmpty, "\(wrong.joined(separator: "\n"))")
    }

    @Test("vum-aggregator's keys in operations.md")
    func aggregator() throws {
        let wrong = try Self.check(AggregatorDaemonConfiguration.keys, in: "operations.md")
        #expect(wrong.isEmpty, "\(wrong.joined(separator: "\n"))")
    }

    @Test("vum-audit's keys in auditing.md")
    func audit() throws {
        let wrong = try Self.check(AuditDaemonConfiguration.keys, in: "auditing.md")
        #expect(wrong.isEmpty, "\(wrong.joined(separator: "\n"))")
    }

    @Test("the check finds a key that is not documented and a default the document gets wrong")
    func checkFindsMistakes() throws {
        let keys: [KeyValueConfiguration.Key] = [
            .init("no-such-key", "1", "not in any document"),
            .init("postgres.margin", "999ms", "a default the document does not give"),
            .init("postgres.connections", "4", "as documented"),
        ]
        let wrong = try Self.check(keys, in: "aansluitkit.md")
        #expect(
            wrong == [
                "aansluitkit.md: no-such-key is not documented",
                "aansluitkit.md: postgres.margin defaults to \"999ms\", the document says `150ms`",
            ])
    }
}
