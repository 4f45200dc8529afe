import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import VUMStandaard

/// Where the aggregator is and who is asking: the options every command that talks to the exchange takes.
struct AggregatorOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The aggregator's REST API. Default: $VUM_AGGREGATOR_URL, else http://127.0.0.1:8080.", valueName: "url"))
    var aggregator: String?
    @Option(help: ArgumentHelp("Your OIN (X-VUM-fromParty). Default: $VUM_OIN.", valueName: "oin"))
    var oin: String?
    @Option(help: ArgumentHelp("Your processor's OIN (X-VUM-viaParty), when someone asks for you.", valueName: "oin"))
    var via: String?

    var baseURL: String {
        (aggregator ?? ProcessInfo.processInfo.environment["VUM_AGGREGATOR_URL"] ?? "http://127.0.0.1:8080")
            .trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    }

    func party() throws -> String {
        guard let value = oin ?? ProcessInfo.processInfo.environment["VUM_OIN"], !value.isEmpty else {
            throw ValidationError("--oin is required (your OIN, 20 digits), or set VUM_OIN")
        }
        guard (try? OIN(validating: value)) != nil else { throw ValidationError("--oin \(value): not an OIN (20 digits)") }
        return value
    }

    /// One request; the body parsed as JSON (or null). Network failures are `ExchangeError`.
    func send(_ method: String, _ path: String, body: JSONValue? = nil, party: String?, headers: [String: String] = [:],
              timeout: TimeInterval = 60) async throws -> (status: Int, json: JSONValue) {
        guard let url = URL(string: baseURL + path) else { throw ValidationError("--aggregator \(baseURL): not a URL") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = timeout
        request.setValue("3.0.0", forHTTPHeaderField: "API-Version")
        if let party {
            request.setValue(party, forHTTPHeaderField: "X-VUM-fromParty")
            if let via { request.setValue(via, forHTTPHeaderField: "X-VUM-viaParty") }
        }
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        if let body {
            request.httpBody = Data(body.serializedBytes())
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let data: Data, response: URLResponse
        do { (data, response) = try await URLSession.shared.data(for: request) } catch {
            throw ExchangeError("cannot reach the aggregator at \(baseURL): \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        return (status, (try? JSONValue.parse(Array(data))) ?? .null)
    }
}

/// A failure talking to the exchange: printed as `vum: ...`, exit 1.
struct ExchangeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }

    /// The koppelvlak error body as one line: `403 not allowed: ...`.
    static func from(status: Int, _ json: JSONValue) -> ExchangeError {
        guard case .object(let o) = json, case .string(let code)? = o["code"] else {
            return ExchangeError("the aggregator answered HTTP \(status)")
        }
        let message = if case .string(let m)? = o["message"] { m } else { "" }
        let details = if case .string(let d)? = o["details"] { ": \(d)" } else { "" }
        return ExchangeError("\(code) \(message)\(details)")
    }
}

/// Runs `body` and turns its failures into the command line's exit codes: 1 for the exchange, 2 for usage.
func exchangeCommand(_ body: () async throws -> Void) async throws {
    do { try await body() } catch let error as ExchangeError {
        FileHandle.standardError.write(Data("vum: \(error)\n".utf8))
        throw ExitCode(1)
    }
}

extension JSONValue {
    subscript(key: String) -> JSONValue? { if case .object(let o) = self { o[key] } else { nil } }
    var arrayValue: [JSONValue] { if case .array(let a) = self { a } else { [] } }
    var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    var intValue: Int? { if case .number(let n) = self, let i = n.integerValue { Int(i) } else { nil } }
    var text: String {
        switch self {
        case .string(let s): s
        case .null: "-"
        default: serialized()
        }
    }

    /// A dotted path into objects, the first element of arrays on the way.
    func at(_ path: String) -> JSONValue? {
        var current: JSONValue? = self
        for part in path.split(separator: ".") {
            if case .array(let a)? = current { current = a.first }
            current = current?[String(part)]
        }
        if case .array(let a)? = current { return a.first }
        return current
    }
}

/// Rows as aligned columns.
func columns(_ rows: [[String]]) -> String {
    guard let first = rows.first else { return "" }
    let widths = first.indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
    return rows.map { row in
        row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
            .joined(separator: "  ")
    }.joined(separator: "\n")
}
