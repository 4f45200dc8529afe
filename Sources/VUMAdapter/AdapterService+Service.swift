import ServiceLifecycle

/// In a `ServiceGroup`, a graceful shutdown (SIGTERM, SIGINT) stops consuming, finishes and acknowledges
/// what is in flight, and sends the afmelding before `run()` returns.
extension AdapterService: Service {
    public func run() async throws {
        try await cancelWhenGracefulShutdown { try await self.serve() }
    }
}
