import Foundation
import Glibc
import Testing
import VUMStandaard
import VUMTesting

/// The daemons run as root here (and in CI), and root may write anywhere, so the unit tests cannot show
/// what a daemon says when it may not create its SQLite store. These run the real executables as the
/// unprivileged user `nobody` (`setpriv`), against a folder only root may write in.
@Suite(
    "SQLite stores where the daemon may not write: said in the system's words",
    .enabled(
        if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
        "needs root to become another user"))
struct StorePermissionTests {
    @Test(
        "each daemon as nobody, with their store in root's folder: exit 1, the folder and Permission denied",
        arguments: ["vum-audit", "vum-adapter", "vum-aggregator"])
    func notWritable(program: String) async throws {
        // Under /tmp itself: the test run's own temporary folder (TMPDIR) is root's alone, so nobody could not
        // even reach a folder in it.
        let folder = URL(fileURLWithPath: "/tmp").appendingPathComponent("vum-perm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        defer { try? FileManager.default.removeItem(at: folder) }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent(program).path
        // A broker that is not there: the store is opened before the broker is asked.
        var settings = ["store=\(folder.path)/store.sqlite", "broker.url=amqp://u@127.0.0.1:1/vum"]
        switch program {
        case "vum-adapter": settings += ["bron=x", "gegevenssets=vacatures", "pc4=\(testPC4TablePath)"]
        case "vum-aggregator":
            let registry = folder.appendingPathComponent("registry.json").path
            try FileContents.write(#"{"bronnen": [], "bemiddelaars": []}"#.utf8, to: registry)
            settings = [
                "request-store=\(folder.path)/store.sqlite", "broker.url=amqp://u@127.0.0.1:1/vum",
                "exchange-oin=00000001234567890000", "registry=\(registry)", "pc4=\(testPC4TablePath)",
                "answer-park-directory=/tmp",
            ]
        default: break
        }
        let result = try await ChildProcess.start(
            "/usr/bin/setpriv",
            ["--reuid=65534", "--regid=65534", "--clear-groups", executable] + settings.flatMap { ["--set", $0] }
        ).wait()
        #expect(result.status == 1, "\(result.output)")
        #expect(
            result.output.contains("cannot create files in \(folder.path): Permission denied"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(folder.path)/store.sqlite"))
    }
}
