import AMQPClient
import Foundation
import Testing
import VUMTesting

let broker = BrokerEnvironment()

func uniqueName(_ prefix: String) -> String { "test.\(prefix).\(UUID().uuidString.prefix(8))" }

/// Connects to the run's broker; when it is not there the failure says how to start one.
func connect(_ configure: (inout AMQPConfiguration) -> Void = { _ in }) async throws -> AMQPConnection {
    var configuration = broker.configuration()
    configure(&configuration)
    return try await connect(configuration)
}

/// Connects with `configuration` (a variant of `broker.configuration()`).
func connect(_ configuration: AMQPConfiguration) async throws -> AMQPConnection {
    do {
        return try await AMQPConnection.connect(configuration)
    } catch let error as AMQPError where error.code == .connectionRefused {
        Issue.record("\(broker.unreachableHint): \(error)")
        throw error
    }
}

/// Runs `body` with a connection and closes it afterwards, also when `body` throws.
func withConnection<T>(
    _ configuration: AMQPConfiguration = broker.configuration(), _ body: (AMQPConnection) async throws -> T
) async throws -> T {
    let connection = try await connect(configuration)
    do {
        let result = try await body(connection)
        await connection.close()
        return result
    } catch {
        await connection.close()
        throw error
    }
}

@discardableResult
func expectAMQPError(
    _ code: AMQPError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async -> AMQPError? {
    do {
        try await body()
        Issue.record("expected AMQPError \(code), but nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as AMQPError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected AMQPError \(code), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
