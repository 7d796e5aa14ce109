/// A page of `GET /execute`: the newest jobs first, and the id to pass as `before` for the next page.
struct JobListing: Encodable {
    var jobs: [JobRecord]
    var next_before: String?
}
