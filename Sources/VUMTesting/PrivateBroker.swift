import Foundation

/// A RabbitMQ node of a test's own, run through `scripts/broker.sh` (never the system service).
///
/// Tests that stop or block a broker use one of these, so other tests sharing the run's broker are not
/// disturbed. Start-up takes several seconds: start one per suite, not per test.
public struct PrivateBroker: Sendable {
    public let directory: String
    public let script: String

    /// `sourceFile` is the test's `#filePath`, from which the repository's `scripts/` is found.
    public init(name: String, sourceFile: String = #filePath) throws {
        script = try RepositoryScript.path("broker.sh", above: sourceFile)
        let base = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vum-test-\(name)-\(UUID().uuidString.prefix(8))")
        directory = base.path
    }

    /// Starts a new node; `arguments` go to `broker.sh start` (e.g. `--tls-only`, `--definitions FILE`).
    public func start(_ arguments: [String] = []) async throws {
        try await run(["start", "--dir", directory, "--name", "vumtest-\(UUID().uuidString.prefix(8))"] + arguments)
    }
    /// Starts a new node that joins the cluster of `member` (a started node): same cookie, TLS files and users.
    public func start(joining member: PrivateBroker) async throws {
        try await start(["--join", member.directory])
    }
    public func restart() async throws { try await run(["start", "--dir", directory]) }
    public func stop() async throws { try await run(["stop", "--dir", directory]) }

    /// Starts a node, runs `body`, and stops the node and removes its files however `body` ends.
    public static func with<T>(
        name: String, arguments: [String] = [], sourceFile: String = #filePath,
        _ body: (PrivateBroker) async throws -> T
    ) async throws -> T {
        let node = try PrivateBroker(name: name, sourceFile: sourceFile)
        try await node.start(arguments)
        do {
            let result = try await body(node)
            try? await node.stop()
            node.removeFiles()
            return result
        } catch {
            try? await node.stop()
            node.removeFiles()
            throw error
        }
    }

    /// Runs `rabbitmqctl` against this node.
    @discardableResult
    public func ctl(_ arguments: [String]) async throws -> String {
        try await run(["ctl", "--dir", directory, "--"] + arguments)
    }

    public func environment() throws -> BrokerEnvironment { try BrokerEnvironment(brokerDirectory: directory) }

    /// Removes the node's folder, unless `VUM_KEEP_BROKER_FILES` is set (then its logs stay for a post-mortem).
    public func removeFiles() {
        if ProcessInfo.processInfo.environment["VUM_KEEP_BROKER_FILES"] != nil {
            print("broker files kept in \(directory)")
            return
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @discardableResult
    private func run(_ arguments: [String]) async throws -> String {
        let result = try await ChildProcess.run("/bin/bash", [script] + arguments)
        guard result.status == 0 else {
            throw InboxError(
                "scripts/broker.sh \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.output)")
        }
        return result.output
    }
}
