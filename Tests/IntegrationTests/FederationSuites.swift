import Testing

/// The suites that run adapters. Every bron queue in vhost `vum` is bound to the one fan-out exchange,
/// so a zoekvraag from any test reaches the adapters of every test running at that moment: run in
/// parallel, each question cost the CPU of all of them, and deadlines of a second or two were missed
/// for reasons no test was about. One suite, and one test, at a time.
@Suite("Federation: adapters and aggregator, one at a time", .serialized)
struct FederationSuites {}
