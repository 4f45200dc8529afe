import AMQPClient
import Foundation

/// A RabbitMQ cluster of private nodes on this machine (`scripts/broker.sh start --join`), each with its
/// own name, ports and data; never the system service. Forming three nodes takes the better part of a
/// minute: one cluster per suite.
public struct PrivateCluster: Sendable {
    public let nodes: [PrivateBroker]

    public init(name: String, size: Int = 3, sourceFile: String = #filePath) throws {
        precondition(size >= 1)
        nodes = try (1...size).map { try PrivateBroker(name: "\(name)-\($0)", sourceFile: sourceFile) }
    }

    /// Starts the first node with `arguments` (`broker.sh start` options), then joins the others to it.
    public func start(_ arguments: [String] = []) async throws {
        try await nodes[0].start(arguments)
        for node in nodes.dropFirst() { try await node.start(joining: nodes[0]) }
    }

    /// Plain TCP with PLAIN login as the test administrator, every node listed, starting with node
    /// `first` (so clients can be spread over the nodes).
    public func configuration(virtualHost: String = "/", first: Int = 0) throws -> AMQPConfiguration {
        let environments = try nodes.map { try $0.environment() }
        let order = (0..<nodes.count).map { environments[($0 + first) % nodes.count] }
        var c = order[0].configuration(virtualHost: virtualHost)
        c.otherNodes = order.dropFirst().map { AMQPConfiguration.Address(host: $0.host, port: $0.port) }
        return c
    }

    /// Starts a cluster, runs `body`, and stops every node and removes its files however `body` ends.
    public static func with<T>(
        name: String, size: Int = 3, arguments: [String] = [], sourceFile: String = #filePath,
        _ body: (PrivateCluster) async throws -> T
    ) async throws -> T {
        let cluster = try PrivateCluster(name: name, size: size, sourceFile: sourceFile)
        defer { for node in cluster.nodes { node.removeFiles() } }
        do {
            try await cluster.start(arguments)
            let result = try await body(cluster)
            await cluster.stop()
            return result
        } catch {
            await cluster.stop()
            throw error
        }
    }

    /// Stops every node (the last ones first, so the first node, stopped last, holds the newest state).
    public func stop() async {
        for node in nodes.reversed() { try? await node.stop() }
    }
}
