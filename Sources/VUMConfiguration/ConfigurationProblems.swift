/// The problems found while a daemon reads its configuration's values, so that one start names every bad
/// value instead of only the first: an operator with a typo in `deadline` and another in `http.port` fixes
/// both after one try.
///
/// Each value is read through ``read(_:_:)``: a value that cannot be used is noted and a stand-in takes its
/// place so reading goes on; ``throwIfAny()`` at the end throws them all, one line each, in the order read.
/// A value that others depend on and cannot be read leaves them checked against its stand-in (the
/// default), which is what they would meet once it is fixed to the default.
public struct ConfigurationProblems: Sendable {
    public private(set) var found: [ConfigurationError] = []

    public init() {}

    /// What `body` gives; when it throws, its error is noted and `standIn` is given instead.
    public mutating func read<T>(_ standIn: @autoclosure () -> T, _ body: () throws(ConfigurationError) -> T) -> T {
        do { return try body() } catch {
            found.append(error)
            return standIn()
        }
    }

    /// What `body` gives, or nil with its error noted.
    public mutating func read<T>(_ body: () throws(ConfigurationError) -> T) -> T? {
        do { return try body() } catch {
            found.append(error)
            return nil
        }
    }

    /// Notes a problem found by hand.
    public mutating func note(_ problem: ConfigurationError) { found.append(problem) }

    /// Every problem noted, one per line; nothing when there were none.
    public func throwIfAny() throws(ConfigurationError) {
        guard !found.isEmpty else { return }
        throw ConfigurationError(found.map(\.description).joined(separator: "\n"))
    }
}
