/// What one request adds to the shared counters: one request by route and status, and a busy
/// rejection when it found the run lock held.
public enum RequestMetrics {
    static let requests = "claude_fcgi_requests_total"
    static let busyRejections = "claude_fcgi_busy_rejections_total"

    /// The deltas of one answered request.
    /// - Parameters:
    ///   - route: the route's pattern (``Route/pattern``), never the raw path (ids and unknown paths would
    ///     each make a series of their own); ``Route/unmatchedLabel`` for a path no route answers.
    ///   - busy: the request found the run lock held.
    public static func deltas(route: String, status: Int, busy: Bool) -> [String: Double] {
        var deltas = [PrometheusText.series(requests, ["route": route, "status": String(status)]): 1.0]
        if busy { deltas[PrometheusText.series(busyRejections, ["route": route])] = 1 }
        return deltas
    }
}
