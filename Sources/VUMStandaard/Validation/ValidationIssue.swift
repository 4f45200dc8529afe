/// One problem with a record or a question: where (a JSON path such as
/// `arbeidsmarktkwalificatie.rijbewijs[2].codeSoortRijbewijs`) and which rule it breaks.
public struct ValidationIssue: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        /// The contract is broken: the record is invalid.
        case error
        /// Allowed by the contract but odd (dates out of order, an unknown field): reported, accepted.
        case warning
    }

    public var severity: Severity
    public var path: String
    public var message: String

    public init(_ severity: Severity, path: String, _ message: String) {
        self.severity = severity
        self.path = path
        self.message = message
    }

    public var description: String { "\(path.isEmpty ? "(record)" : path): \(message)" }
}

/// A record or question that is not valid: every problem found, not just the first.
public struct ValidationError: Error, Sendable, CustomStringConvertible {
    /// Errors first, then warnings, each in document order.
    public var issues: [ValidationIssue]

    public init(issues: [ValidationIssue]) { self.issues = issues }

    public var errors: [ValidationIssue] { issues.filter { $0.severity == .error } }
    public var warnings: [ValidationIssue] { issues.filter { $0.severity == .warning } }

    public var description: String {
        let e = errors
        return "\(e.count) problem\(e.count == 1 ? "" : "s"): " + e.map(\.description).joined(separator: "; ")
    }
}

/// A value that passed validation, with the warnings it raised.
public struct Validated<Value: Sendable>: Sendable {
    public var value: Value
    public var warnings: [ValidationIssue]
}
