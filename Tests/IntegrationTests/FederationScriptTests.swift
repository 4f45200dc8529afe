import Foundation
import Testing
import VUMTesting

extension FederationSuites {
    @Suite("scripts/federation.sh: the README's first command, end to end", .timeLimit(.minutes(5)))
    struct FederationScriptTests {
        static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()

        /// `scripts/federation.sh --stop` with the test run's executables and PC4 table.
        static func federation(_ arguments: [String]) async throws -> ChildProcess.Result {
            let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
            return try await ChildProcess.run(
                "/usr/bin/env",
                [
                    "VUM_BIN=\(bin)", "VUM_PC4_TABLE=\(testPC4TablePath)", "bash",
                    Self.repository.appendingPathComponent("scripts/federation.sh").path, "--stop",
                ] + arguments)
        }

        @Test(
            "a private broker with generated definitions, an aggregator, three adapters and an auditor: answers from all three bronnen, a detail, a refusal, the audit trail"
        )
        func localFederation() async throws {
            let result = try await Self.federation(["--records", "800"])
            let out = result.output
            #expect(result.status == 0, "\(out.suffix(4000))")
            // Each daemon logged in as its own user with the permissions of production, and every bron came online.
            #expect(out.contains("created definitions.json") && out.contains("created registry.json"))
            for bron in ["gemeente-utrecht", "uwv", "uitzend-noord"] {
                #expect(out.range(of: "\(bron) +online", options: .regularExpression) != nil, "\(bron) not online")
                #expect(
                    out.range(of: "  \(bron) +beantwoord +[0-9]+ matches", options: .regularExpression) != nil,
                    "no answer from \(bron)")
            }
            #expect(out.contains("every bron answered"))
            #expect(out.contains("werkzoekende.vumID"), "no detail")
            #expect(out.contains("reported to the bron: melding"))
            #expect(out.contains("vum: 403 not allowed: Uitzendbureau Noord may not ask for werkzoekenden"))
            // The trail: every step stored, chained, counted, and no rule broken.
            let intact = try #require(out.firstMatch(of: /intact: ([0-9]+) events/), "\(out.suffix(3000))")
            #expect(Int(intact.1)! >= 15, "too few audit events: \(intact.0)")
            #expect(out.contains("Per bemiddelaar") && out.contains("00000003012345678000"))
            #expect(out.contains("no rule broken"))
            #expect(out.contains("== stopping the federation"))
        }

        @Test("--aggregators 2: two aggregators share a PostgreSQL request store; the second serves the first's vumID")
        func twoAggregators() async throws {
            let result = try await Self.federation(["--records", "400", "--aggregators", "2"])
            let out = result.output
            #expect(result.status == 0, "\(out.suffix(4000))")
            #expect(out.contains("PostgreSQL cluster in"), "\(out.suffix(3000))")
            let asked = try #require(
                out.firstMatch(of: /the first vumID \(([^)]+)\), asked of the second aggregator/),
                "\(out.suffix(3000))")
            #expect(
                out.range(of: "werkzoekende.vumID +\(asked.1)", options: .regularExpression) != nil,
                "no detail from the second")
            #expect(out.contains("no rule broken"))
            // The audit report shows each instance's share: the zoekvragen through the first, the detail through the second.
            let first = try #require(out.firstMatch(of: /vum-aggregator\/[0-9.]+ on aggregator-1 +([0-9]+) +([0-9]+)/))
            let second = try #require(
                out.firstMatch(
                    of: /vum-aggregator\/[0-9.]+ on aggregator-2 +([0-9]+) +([0-9]+) +[0-9]+ +[0-9]+ +([0-9]+)/))
            #expect(Int(first.2) ?? 0 >= 2 && Int(second.2) == 0 && Int(second.3) == 1, "\(first.0) / \(second.0)")
            let bad = try await ChildProcess.run(
                "/bin/bash",
                [
                    Self.repository.appendingPathComponent("scripts/federation.sh").path, "--aggregators", "3",
                ])
            #expect(bad.status != 0 && bad.output.contains("--aggregators is 1 or 2, not '3'"), "\(bad.output)")
        }
    }
}
