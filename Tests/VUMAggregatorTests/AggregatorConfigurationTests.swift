import Foundation
import Testing
import VUMConfiguration
import VUMStandaard

@testable import VUMAggregator

@Suite("the aggregator's configuration")
struct AggregatorConfigurationTests {
    func read(_ settings: [String]) throws(ConfigurationError) -> AggregatorDaemonConfiguration {
        var c = AggregatorDaemonConfiguration.reader
        try c.resolve(fileText: nil, filePath: "", environment: [:], overrides: settings)
        return try AggregatorDaemonConfiguration(c, environment: ["VUM_PC4_TABLE": "/pc4.csv"])
    }

    @Test("every bad value is named at once, each with its key and where it came from; a good one reads")
    func everyProblemAtOnce() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vum-config-\(UUID().uuidString)")
        try FileContents.makeFolder(folder.path)
        defer { try? FileManager.default.removeItem(at: folder) }
        let registry = folder.appendingPathComponent("registry.json").path
        try FileContents.write(#"{"bronnen": [], "bemiddelaars": []}"#.utf8, to: registry)
        do {
            _ = try read([
                "exchange-oin=123", "registry=\(registry)", "broker.url=amqp://u@localhost/vum", "deadline=5",
                "http.port=80800", "request-store=postgres://u@db/vum", "request-store.timeout=1ms",
                "instance=a b", "http.tls.certificate=\(folder.path)/cert.pem",
            ])
            Issue.record("a configuration with bad values was accepted")
        } catch {
            let lines = error.description.split(separator: "\n").map(String.init)
            for said in [
                "exchange-oin (--set): ", "deadline (--set): \"5\" is not a duration",
                "request-store.timeout (--set): \"1ms\" is not a duration of at least 10ms",
                "instance (--set): \"a b\" is not 1-60", "http.port (--set): \"80800\" is not a whole number",
                "http.tls.key (default): http.tls.certificate and http.tls.key go together",
                "vumid-secret-file (default): is required with a shared request store",
                "http.tls.certificate (--set): cannot read \(folder.path)/cert.pem: No such file or directory",
            ] {
                #expect(lines.contains { $0.hasPrefix(said) }, "\(said) in \(lines)")
            }
            #expect(lines.count == 8, "\(lines)")
        }
        let good = try read([
            "exchange-oin=00000001234567890000", "registry=\(registry)", "broker.url=amqp://u@localhost/vum",
            "deadline=2s", "request-store=\(folder.path)/requests.sqlite",
        ])
        #expect(good.service.defaultDeadline == .seconds(2))
        #expect(good.requestStore == .sqlite(path: "\(folder.path)/requests.sqlite"))
    }
}
