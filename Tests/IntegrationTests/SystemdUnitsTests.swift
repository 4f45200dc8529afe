import Foundation
import Testing
import VUMTesting

@Suite("deploy/systemd: the units as systemd reads them")
struct SystemdUnitsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test(
        "systemd-analyze verify accepts every unit, with the built executables for /usr/local/bin, without a warning; each names an example configuration of deploy/config"
    )
    func verify() async throws {
        let analyze = "/usr/bin/systemd-analyze"
        try #require(
            FileManager.default.isExecutableFile(atPath: analyze),
            "systemd-analyze is missing (apt-get install systemd)")
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vum-units-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // The adapter's unit is a template: one instance per bron, named after its configuration file.
        let units = [
            "vum-aggregator.service": "vum-aggregator.service", "vum-audit.service": "vum-audit.service",
            "vum-adapter@.service": "vum-adapter@gemeente-utrecht.service",
        ]
        var paths: [String] = []
        for (source, instance) in units.sorted(by: { $0.key < $1.key }) {
            let text = try String(
                contentsOf: Self.root.appendingPathComponent("deploy/systemd/\(source)"), encoding: .utf8)
            let exec = try #require(
                text.split(separator: "\n").first { $0.hasPrefix("ExecStart=") }, "\(source) has no ExecStart")
            // --config /etc/vum/NAME.conf: the example of that name is in deploy/config.
            let config = try #require(exec.split(separator: " ").last.map(String.init), "\(source): \(exec)")
            let name = URL(fileURLWithPath: config).lastPathComponent.replacingOccurrences(
                of: "%i", with: "gemeente-utrecht")
            #expect(
                FileManager.default.fileExists(atPath: Self.root.appendingPathComponent("deploy/config/\(name)").path),
                "\(source) starts with \(config), but deploy/config has no \(name)")
            let path = folder.appendingPathComponent(instance).path
            try text.replacingOccurrences(of: "/usr/local/bin/", with: bin + "/").write(
                toFile: path, atomically: true, encoding: .utf8)
            paths.append(path)
        }
        let result = try await ChildProcess.run(analyze, ["verify"] + paths)
        #expect(result.status == 0, "\(result.output)")
        // Unknown keys and bad values are only warnings to systemd: none may be printed.
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(result.output)")
    }
}
