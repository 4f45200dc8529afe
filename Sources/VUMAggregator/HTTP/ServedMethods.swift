import HTTPTypes
import Hummingbird
import Synchronization
import VUMExchange

/// The methods each path of the REST API serves, and the router middleware that answers any other method on
/// a known path with `405 Method Not Allowed` and an `Allow` header (RFC 9110, section 15.5.6) instead of
/// `404`, which would tell the client the path does not exist. Add it to the router before any route (router
/// middleware also wraps Hummingbird's not-found answer) and name every route with `add` as it is registered
/// (`KoppelvlakRoutes.router` does both in one call per route).
/// HEAD is not served: on a detail path it would count as a detail request.
final class ServedMethods: RouterMiddleware {
    typealias Context = KoppelvlakContext

    private struct Route {
        let segments: [Substring]
        var methods: [HTTPRequest.Method]
    }

    private let routes = Mutex<[Route]>([])
    private let service: AggregatorService

    init(service: AggregatorService) {
        self.service = service
    }

    /// Records that `path` (Hummingbird's syntax: `:name` for a parameter) serves `method`.
    func add(_ method: HTTPRequest.Method, _ path: String) {
        let segments = path.split(separator: "/")
        routes.withLock { routes in
            if let i = routes.firstIndex(where: { $0.segments == segments }) {
                routes[i].methods.append(method)
            } else {
                routes.append(Route(segments: segments, methods: [method]))
            }
        }
    }

    /// The methods the route serving `path` takes, nil for a path no route serves. Where a literal segment
    /// and a parameter both match, the literal wins, as in Hummingbird's router.
    func methods(serving path: String) -> [HTTPRequest.Method]? {
        let asked = path.split(separator: "/")
        let best = routes.withLock { routes in
            routes.filter { route in
                route.segments.count == asked.count
                    && zip(route.segments, asked).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
            }.max { a, b in
                a.segments.lazy.filter { !$0.hasPrefix(":") }.count
                    < b.segments.lazy.filter { !$0.hasPrefix(":") }.count
            }
        }
        return best?.methods
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            guard let methods = methods(serving: request.uri.path), !methods.contains(request.method) else {
                throw error
            }
            let allow = methods.map(\.rawValue).joined(separator: ", ")
            let fout = Fout(
                code: "405", message: "method not allowed",
                details: "\(request.method.rawValue) \(request.uri.path): this path serves \(allow)")
            var response = KoppelvlakRoutes.error(fout, service: service, asker: nil)
            response.headers[.allow] = allow
            return response
        }
    }
}
