/// What one request adds to the shared counters: one request by route and status, and a busy
/// rejection when it found the run lock held. Every request is counted, rejected and busy ones
/// included, so the series names are built once per route (``Series``, held by its ``Route``) and
/// status, not per request.
public enum RequestMetrics {
    static let requests = "claude_fcgi_requests_total"
    static let busyRejections = "claude_fcgi_busy_rejections_total"

    /// One route's series names, for the statuses the API answers with.
    public struct Series: Sendable {
        /// Every status the API answers with, and 429 (a fleet's busy status, `BUSY_STATUS`).
        static let statuses = [200, 202, 400, 401, 404, 405, 409, 413, 415, 429, 500, 503]

        /// The route label: the route's pattern (``Route/pattern``), never the raw path (ids and unknown
        /// paths would each make a series of their own); ``Route/unmatchedLabel`` for a path no route answers.
        let route: String
        let busy: String
        let byStatus: [Int: String]

        /// The series of the route labelled `route`.
        public init(route: String) {
            self.route = route
            busy = PrometheusText.series(busyRejections, ["route": route])
            byStatus = Dictionary(uniqueKeysWithValues: Self.statuses.map { ($0, RequestMetrics.series(route: route, status: $0)) })
        }
    }

    /// The series of requests that no route answers.
    static let unmatched = Series(route: Route.unmatchedLabel)

    /// Counts one answered request: `busy` is whether it was answered busy because a run held the lock.
    public static func count(_ route: Series, status: Int, busy: Bool, in counters: any CounterStore) {
        counters.add(route.byStatus[status] ?? series(route: route.route, status: status), by: 1)
        if busy { counters.add(route.busy, by: 1) }
    }

    static func series(route: String, status: Int) -> String {
        PrometheusText.series(requests, ["route": route, "status": String(status)])
    }
}
