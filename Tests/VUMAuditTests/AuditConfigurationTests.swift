import Testing
import VUMConfiguration

@testable import VUMAudit

@Suite("the auditor's configuration")
struct AuditConfigurationTests {
    @Test("every bad value is named at once; a good configuration reads")
    func everyProblemAtOnce() throws {
        func read(_ settings: [String]) throws(ConfigurationError) -> AuditDaemonConfiguration {
            var c = AuditDaemonConfiguration.reader
            try c.resolve(fileText: nil, filePath: "", environment: [:], overrides: settings)
            return try AuditDaemonConfiguration(c)
        }
        do {
            _ = try read(["broker.url=amqp://localhost/vum", "queue=", "prefetch=none", "checkpoint-interval=0"])
            Issue.record("a configuration with four bad values was accepted")
        } catch {
            let lines = error.description.split(separator: "\n")
            #expect(lines.count == 4, "\(lines)")
            #expect(lines[0].hasPrefix("broker.url (--set): amqp:// needs the user in the URL"))
            #expect(lines[1] == "queue (--set): is empty")
            #expect(lines[2].hasPrefix("prefetch (--set): \"none\" is not a whole number"))
            #expect(lines[3].hasPrefix("checkpoint-interval (--set): \"0\" is not a whole number"))
        }
        let good = try read(["broker.url=amqp://auditor@localhost/vum", "prefetch=100"])
        #expect(good.service.prefetch == 100)
        #expect(good.checkpointInterval == 10_000)
    }
}
