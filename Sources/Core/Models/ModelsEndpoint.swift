/// `GET /v1/models` and `GET /v1/models/{id}`, in OpenAI's shape.
public struct ModelsEndpoint: Sendable {
    struct Model: Encodable {
        let id: String
        let object = "model"
        let created: Int64
        let owned_by = "claude-fcgi"
    }

    struct Listing: Encodable {
        let object = "list"
        let data: [Model]
    }

    let models: ModelList
    /// `created` of every model: when the worker started (the map is its configuration).
    let created: Int64

    public init(models: ModelList, created: Int64) {
        self.models = models
        self.created = created
    }

    func list() -> HTTPResponse {
        .json(status: 200, body: JSONBody.encode(Listing(data: models.ids.map { Model(id: $0, created: created) })))
    }

    func retrieve(_ id: String) throws(APIError) -> HTTPResponse {
        guard models.ids.contains(id) else { throw .modelNotFound(id: OneLine.clean(id, limit: 200)) }
        return .json(status: 200, body: JSONBody.encode(Model(id: id, created: created)))
    }
}
