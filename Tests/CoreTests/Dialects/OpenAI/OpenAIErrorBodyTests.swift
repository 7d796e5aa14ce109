import Testing
@testable import Core

@Suite struct OpenAIErrorBodyTests {
    @Test(arguments: [
        (APIError.unauthorized, "invalid_request_error", "invalid_api_key", nil, "unauthorized"),
        (.invalidRequest("input must be a string"), "invalid_request_error", nil, "input", "input must be a string"),
        (.streamingNotSupported, "invalid_request_error", nil, "stream", "streaming not supported"),
        (.bodyTooLarge(limit: 10), "invalid_request_error", "request_too_large", nil, "request body too large: the limit is 10 bytes"),
        (.unsupportedMediaType("text/plain"), "invalid_request_error", nil, nil, "unsupported content type: expected application/json, got text/plain"),
        (.notFound(path: "/x"), "invalid_request_error", "not_found", nil, "not found: no route for /x"),
        (.modelNotFound(id: "m"), "invalid_request_error", "model_not_found", nil, "model not found: no model named m"),
        (.responseNotFound(id: "resp_x", param: nil), "invalid_request_error", "not_found", nil, "response not found: no stored response with id 'resp_x'"),
        (.responseNotFound(id: "resp_x", param: "previous_response_id"), "invalid_request_error", "previous_response_not_found",
         "previous_response_id", "response not found: no stored response with id 'resp_x'"),
        (.methodNotAllowed(allowed: ["GET"]), "invalid_request_error", "method_not_allowed", nil, "method not allowed: allowed: GET"),
        (.busy(retryAfterSeconds: 3), "server_error", "busy", nil, "execution failed: busy: another run is in progress"),
        (.jobBusy(retryAfterSeconds: 3), "server_error", "busy", nil, "busy: another run is in progress"),
        (.jobFinished(status: "succeeded"), "invalid_request_error", nil, nil, "job already finished: status: succeeded"),
        (.executionFailed(detail: "boom"), "server_error", "execution_failed", nil, "execution failed: boom"),
        (.internalFailure(detail: "disk"), "server_error", "internal_error", nil, "internal error: disk"),
    ] as [(APIError, String, String?, String?, String)])
    func eachErrorHasItsTypeCodeAndParam(error: APIError, type: String, code: String?, param: String?, message: String) {
        let body = OpenAIErrorBody(error).error
        #expect(body == OpenAIErrorBody.Fields(message: message, type: type, param: param, code: code))
    }

    @Test func theBodyWritesItsNullsInOpenAIsOrder() {
        let body = OpenAIErrorBody(.invalidRequest("request body is empty")).json
        #expect(String(decoding: body, as: UTF8.self)
            == #"{"error":{"message":"request body is empty","type":"invalid_request_error","param":null,"code":null}}"#)
        let response = APIError.busy(retryAfterSeconds: 7).response(in: .openAI)
        #expect(response.status == 503)
        #expect(response.header("Retry-After") == "7")
        #expect(jsonObject(response.body)["error"].map { jsonField($0, "code") } == .string("busy"))
    }

    @Test(arguments: [
        ("text.format.type 'xml' is not supported", "text.format.type"),
        ("input[3].content[0].type must be a string", "input[3].content[0].type"),
        ("tools[0].tools[1].name 'ns.f' is offered twice", "tools[0].tools[1].name"),
        ("reasoning.effort 'x' is not supported", "reasoning.effort"),
        ("text.format.schema.properties.firstName.type must be one of …", "text.format.schema.properties.firstName.type"),
        ("text.format.schema.properties.first-name.type must be one of …", "text.format.schema.properties.first-name.type"),
        ("previous_response_id must be a non-empty string", "previous_response_id"),
        ("metadata may hold at most 16 keys", "metadata"),
    ])
    func aMessageThatBeginsWithAFieldNamesIt(message: String, param: String) {
        #expect(OpenAIErrorBody.param(of: .invalidRequest(message)) == param)
    }

    @Test(arguments: [
        "request body is not valid JSON",
        "the request is bad",
        "the output schema (response_format and tools) is 70000 bytes of JSON; the limit is 65536",
        "only background responses can be cancelled; response 'resp_x' was answered in its request",
        "unknown thing",
        "a thing",
        "Input is bad",
        "3 things",
        "",
        "-x must be",
        "(input) must be",
    ])
    func aMessageThatDoesNotNamesNoField(message: String) {
        #expect(OpenAIErrorBody.param(of: .invalidRequest(message)) == nil)
    }
}
