/// What one request adds to the shared counters: one request by route and status, and a busy
/// rejection when it found the run lock held.
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

    /// The deltas of one answered request; `outcome` is the request's ``RunNote/outcome``.
    public static func deltas(path: String, status: Int, outcome: String?) -> [String: Double] {
        let route = route(of: path)
        var deltas = [PrometheusText.series(requests, ["route": route, "status": String(status)]): 1.0]
        if outcome == "busy" { deltas[PrometheusText.series(busyRejections, ["route": route])] = 1 }
        return deltas
    }
}
