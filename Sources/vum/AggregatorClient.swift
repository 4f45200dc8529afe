import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import VUMStandaard

/// Where the aggregator is and who is asking: the options every command that talks to the exchange takes.
struct AggregatorOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The aggregator's REST API. Default: $VUM_AGGREGATOR_URL, else http://127.0.0.1:8080.", valueName: "url"))
    var aggregator: String?
    @Option(help: ArgumentHelp("Your OIN (X-VUM-fromParty). Default: $VUM_OIN.", valueName: "oin"))
    var oin: String?
    @Option(help: ArgumentHelp("Your processor's OIN (X-VUM-viaParty), when someone asks for you.", valueName: "oin"))
    var via: String?
    @Option(
        help: ArgumentHelp(
            "HTTPS: the CA (PEM) that signed the aggregator's certificate (default: the system's).", valueName: "path"))
    var tlsCa: String?
    @Option(
        help: ArgumentHelp("HTTPS: your client certificate (PEM), when the exchange requires one.", valueName: "path"))
    var tlsCertificate: String?
    @Option(help: ArgumentHelp("HTTPS: your client certificate's key (PEM).", valueName: "path"))
    var tlsKey: String?

    func validate() throws {
        if (tlsCertificate == nil) != (tlsKey == nil) {
            throw ArgumentParser.ValidationError("--tls-certificate and --tls-key go together")
        }
    }

    /// The process's one HTTP client, made with these options' TLS settings on first use.
    func client() throws -> HTTPClient {
        try HTTPClientHolder.shared.withLock { holder in
            if let client = holder { return client }
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.minimumTLSVersion = .tlsv12
            if let tlsCa { tls.trustRoots = .file(tlsCa) }
            if let tlsCertificate, let tlsKey {
                do {
                    tls.certificateChain = try NIOSSLCertificate.fromPEMFile(tlsCertificate).map { .certificate($0) }
                    tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: tlsKey, format: .pem))
                } catch {
                    throw ArgumentParser.ValidationError("--tls-certificate/--tls-key: \(error)")
                }
            }
            var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
            // One attempt: an aggregator that refuses or is not there is reported at once, not after the
            // client library has retried for its whole connect timeout (10 s).
            configuration.connectionPool.retryConnectionEstablishment = false
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            holder = client
            return client
        }
    }

    var baseURL: String {
        (aggregator ?? ProcessInfo.processInfo.environment["VUM_AGGREGATOR_URL"] ?? "http://127.0.0.1:8080")
            .trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    }

    func party() throws -> String {
        guard let value = oin ?? ProcessInfo.processInfo.environment["VUM_OIN"], !value.isEmpty else {
            throw ArgumentParser.ValidationError("--oin is required (your OIN, 20 digits), or set VUM_OIN")
        }
        guard (try? OIN(validating: value)) != nil else {
            throw ArgumentParser.ValidationError("--oin \(value): not an OIN (20 digits)")
        }
        return value
    }

    /// One request; the body parsed as JSON (or null). Network failures are `ExchangeError`.
    func send(
        _ method: String, _ path: String, body: JSONValue? = nil, party: String?, headers: [String: String] = [:],
        timeout: TimeInterval = 60
    ) async throws -> (status: Int, json: JSONValue) {
        guard URL(string: baseURL + path) != nil else {
            throw ArgumentParser.ValidationError("--aggregator \(baseURL): not a URL")
        }
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .RAW(value: method)
        request.headers.add(name: "API-Version", value: "3.0.0")
        if let party {
            request.headers.add(name: "X-VUM-fromParty", value: party)
            if let via { request.headers.add(name: "X-VUM-viaParty", value: via) }
        }
        for (k, v) in headers { request.headers.add(name: k, value: v) }
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body.serializedBytes()))
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        do {
            let response = try await client().execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            let bytes = try await response.body.collect(upTo: 64 << 20)
            return (Int(response.status.code), (try? JSONValue.parse(bytes.readableBytesView)) ?? .null)
        } catch let error as ArgumentParser.ValidationError {
            throw error
        } catch {
            throw ExchangeError("cannot reach the aggregator at \(baseURL): \(Self.describe(error))")
        }
    }
}

extension AggregatorOptions {
    /// A network failure in a few words: the system's own for a socket error ("Connection refused"), not
    /// the client library's wrapping of it.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as IOError: return String(cString: strerror(error.errnoCode))
        case let error as NIOConnectionError:
            if (error.dnsAError ?? error.dnsAAAAError) != nil { return "unknown host \(error.host)" }
            return error.connectionErrors.first.map { describe($0.error) } ?? "\(error)"
        case let error as HTTPClientError where error == .connectTimeout: return "no connection in time"
        case let error as HTTPClientError where error == .deadlineExceeded: return "no answer in time"
        case let error as HTTPClientError where error == .remoteConnectionClosed:
            return "the aggregator closed the connection"
        default: return "\(error)"
        }
    }
}

/// The one `HTTPClient` of a `vum` process (it lives as long as the process, so it is never shut down).
enum HTTPClientHolder {
    static let shared = Mutex<HTTPClient?>(nil)
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
        row.enumerated().map { i, cell in
            i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
        }
        .joined(separator: "  ")
    }.joined(separator: "\n")
}
