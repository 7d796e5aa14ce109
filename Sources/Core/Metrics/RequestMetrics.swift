/// What one request adds to the shared counters: one request by route and status, and a busy
/// rejection when it found the run lock held. Every request is counted, rejected and busy ones
/// included, so the series names are built once per route and status, not per request.
public enum RequestMetrics {
    static let requests = "claude_fcgi_requests_total"
    static let busyRejections = "claude_fcgi_busy_rejections_total"

    /// The route label: the route's pattern, never the raw path (ids and unknown paths would each
    /// make a series of their own).
    static func route(of path: String) -> String {
        switch path {
        case "/healthz", "/metrics", "/v1/chat/completions", "/v1/models", "/execute": path
        case _ where path.hasPrefix("/v1/models/"): "/v1/models/{id}"
        case _ where path.hasPrefix("/execute/"): "/execute/{id}"
        default: "other"
        }
    }

    /// Counts one answered request: `route` is its route's label, `busy` whether it was answered
    /// busy because a run held the lock.
    public static func count(route: String, status: Int, busy: Bool, in counters: any CounterStore) {
        let known = RouteSeries.known[route]
        counters.add(known?.byStatus[status] ?? series(route: route, status: status), by: 1)
        if busy { counters.add(known?.busy ?? busySeries(route: route), by: 1) }
    }

    static func series(route: String, status: Int) -> String {
        PrometheusText.series(requests, ["route": route, "status": String(status)])
    }

    static func busySeries(route: String) -> String {
        PrometheusText.series(busyRejections, ["route": route])
    }

    /// One route's series names, for the statuses the API answers with.
    struct RouteSeries {
        static let labels = ["/healthz", "/metrics", "/v1/chat/completions", "/v1/models", "/v1/models/{id}", "/execute",
                             "/execute/{id}", "other"]
        /// Every status the API answers with, and 429 (a fleet's busy status, `BUSY_STATUS`).
        static let statuses = [200, 202, 400, 401, 404, 405, 409, 413, 415, 429, 500, 503]
        static let known = Dictionary(uniqueKeysWithValues: labels.map { ($0, RouteSeries($0)) })

        let busy: String
        let byStatus: [Int: String]

        init(_ route: String) {
            busy = busySeries(route: route)
            byStatus = Dictionary(uniqueKeysWithValues: Self.statuses.map { ($0, series(route: route, status: $0)) })
        }
    }
}
