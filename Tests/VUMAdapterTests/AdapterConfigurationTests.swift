import Testing
import VUMConfiguration

@testable import VUMAdapter

@Suite("the adapter's configuration")
struct AdapterConfigurationTests {
    func read(_ settings: [String]) throws(ConfigurationError) -> AdapterDaemonConfiguration {
        var c = AdapterDaemonConfiguration.reader
        try c.resolve(fileText: nil, filePath: "", environment: [:], overrides: settings)
        return try AdapterDaemonConfiguration(c, environment: ["VUM_PC4_TABLE": "/pc4.csv"])
    }

    @Test("every bad value is named at once, each with its key and where it came from")
    func everyProblemAtOnce() throws {
        let bad = [
            "bron=Gemeente Utrecht", "gegevenssets=werkzoekenden,banen", "prefetch=0", "heartbeat=soms",
            "contact-data=maybe", "log-level=loud", "source=postgres", "postgres.port=99999",
            "postgres.statement-timeout=1s",
        ]
        #expect(throws: ConfigurationError.self) { try read(bad) }
        do {
            _ = try read(bad)
        } catch {
            let lines = error.description.split(separator: "\n").map(String.init)
            for said in [
                "bron (--set): \"Gemeente Utrecht\" is not a bron id",
                "gegevenssets (--set): \"banen\" is not werkzoekenden or vacatures",
                "prefetch (--set): \"0\" is not a whole number in 1...65535",
                "heartbeat (--set): \"soms\" is not a duration of at least 100ms",
                "contact-data (--set): \"maybe\" is not release or withhold",
                "log-level (--set): \"loud\" is not trace",
                "mapping (default): is required",
                "postgres.port (--set): \"99999\" is not a whole number",
                "postgres.statement-timeout (--set): 1s is shorter than postgres.detail-timeout (5s)",
                "postgres.database (default): is required",
                "postgres.user (default): is required",
                "broker.url (default): broker URL amqps://localhost:5671/vum: amqps:// needs TLS settings",
            ] {
                #expect(lines.contains { $0.hasPrefix(said) }, "\(said) in \(lines)")
            }
            #expect(lines.count == 12, "\(lines)")
        }
    }

    @Test("a good configuration reads without a problem, and one bad value is one line")
    func goodAndOneBad() throws {
        let good = ["bron=gemeente-utrecht", "gegevenssets=vacatures", "broker.url=amqp://u@localhost/vum"]
        let configuration = try read(good)
        #expect(configuration.service.bron.rawValue == "gemeente-utrecht")
        #expect(configuration.gegevenssets == [.vacatures])
        #expect(configuration.service.statusInterval == .seconds(900))
        #expect(try read(good + ["status-interval=0s"]).service.statusInterval == nil)
        #expect(throws: ConfigurationError.self) { try read(good + ["status-interval=500ms"]) }
        do { _ = try read(good + ["status-interval=500ms"]) } catch {
            #expect(
                error.description
                    == "status-interval (--set): \"500ms\" is not 0s (none) or a duration of at least 1s (like 30s, 15m)"
            )
        }
        do {
            _ = try read(good + ["source=rest", "rest.url=ftp://x", "rest.margin=-1ms"])
            Issue.record("a REST source with an ftp URL was accepted")
        } catch {
            #expect(
                error.description == "rest.url (--set): ftp://x is not an http(s) URL\n"
                    + "rest.margin (--set): \"-1ms\" is not a duration of at least 0ms (like 500ms, 5s, 2m, 7d)")
        }
    }
}
