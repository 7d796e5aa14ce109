import Testing
@testable import Core

@Suite struct ChatCompletionDecoderTests {
    func decode(_ json: String) throws(APIError) -> ChatCompletionRequest {
        try ChatCompletionDecoder.decode(Array(json.utf8))
    }

    func error(_ json: String) -> APIError? {
        thrownError { try decode(json) }
    }

    @Test func decodesAMinimalRequest() throws {
        let request = try decode(#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#)
        #expect(request == ChatCompletionRequest(model: "m", messages: [Turn(role: .user, text: "hi")]))
    }

    @Test func decodesOptionalFieldsAndIgnoresUnknownOnes() throws {
        let request = try decode(#"""
            {"model":"m","messages":[{"role":"developer","content":"d"},{"role":"user","content":"u"}],
             "max_tokens":5,"max_completion_tokens":7,"temperature":0.5,"n":1,"stream":false,
             "user":"x","metadata":{"a":"b"},"stream_options":null,"response_format":{"type":"text"}}
            """#)
        #expect(request.maxTokens == 5)
        #expect(request.maxCompletionTokens == 7)
        #expect(request.temperature == 0.5)
        #expect(request.messages.first == Turn(role: .system, text: "d"))
    }

    @Test func decodesResponseFormatsToolsAndToolMessages() throws {
        let schema = try decode(#"{"model":"m","messages":[{"role":"user","content":"u"}],"response_format":{"type":"json_schema","json_schema":{"name":"P","strict":true,"schema":{"type":"object","properties":{"n":{"type":"string"}}}}}}"#)
        #expect(schema.responseFormat == .json(schema: .object(["type": .string("object"), "properties": .object(["n": .object(["type": .string("string")])])])))
        let object = try decode(#"{"model":"m","messages":[{"role":"user","content":"u"}],"response_format":{"type":"json_object"}}"#)
        #expect(object.responseFormat == .json(schema: .object(["type": .string("object")])))
        let tools = try decode(#"""
            {"model":"m","tool_choice":{"type":"function","function":{"name":"g"}},"parallel_tool_calls":false,
             "tools":[{"type":"function","function":{"name":"f","description":"F."}},
                      {"type":"function","function":{"name":"g","parameters":{"type":"object","properties":{"x":{"type":"integer"}}}}}],
             "messages":[{"role":"user","content":"u"},
                         {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},
                         {"role":"tool","tool_call_id":"call_1","content":[{"type":"text","text":"42"}]}]}
            """#)
        #expect(tools.tools.map(\.name) == ["f", "g"])
        #expect(tools.tools[0] == FunctionTool(name: "f", description: "F.", parameters: FunctionTool.noParameters))
        #expect(tools.toolChoice == .function("g"))
        #expect(tools.parallelToolCalls == false)
        #expect(tools.messages[1] == Turn(role: .assistant, text: "", toolCalls: [ToolCall(id: "call_1", name: "f", arguments: "{}")]))
        #expect(tools.messages[2] == Turn(role: .tool, text: "42", toolCallID: "call_1"))
        // An empty tools array offers nothing; tool_choice none with no tools is fine.
        #expect(try decode(#"{"model":"m","messages":[{"role":"user","content":"u"}],"tools":[],"tool_choice":"none"}"#).tools.isEmpty)
    }

    @Test func joinsTextPartsWithNewlines() throws {
        let request = try decode(#"{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]}"#)
        #expect(request.messages[0].text == "a\nb")
    }

    @Test func refusesStreaming() {
        #expect(error(#"{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true}"#) == .streamingNotSupported)
    }

    @Test(arguments: [
        ("", "request body is empty"),
        ("{", "request body is not valid JSON"),
        ("[1]", "request body must be a JSON object, not array"),
        (#""x""#, "request body must be a JSON object, not string"),
        (#"{"messages":[{"role":"user","content":"hi"}]}"#, "model must be a non-empty string"),
        (#"{"model":"","messages":[{"role":"user","content":"hi"}]}"#, "model must be a non-empty string"),
        (#"{"model":5,"messages":[{"role":"user","content":"hi"}]}"#, "model must be a non-empty string"),
        (#"{"model":"m","messages":[]}"#, "messages must be a non-empty array"),
        (#"{"model":"m","messages":{}}"#, "messages must be a non-empty array"),
        (#"{"model":"m"}"#, "messages must be a non-empty array"),
        (#"{"model":"m","messages":["hi"]}"#, "messages[0] must be an object, not string"),
        (#"{"model":"m","messages":[{"content":"hi"}]}"#, "messages[0].role must be a string"),
        (#"{"model":"m","messages":[{"role":"tool","content":"hi"}]}"#, "messages[0].tool_call_id must be a non-empty string"),
        (#"{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","function":{"name":"f"}}]}]}"#,
         "messages[0].tool_calls[0].function must hold a name and arguments (a string)"),
        (#"{"model":"m","messages":[{"role":"assistant","tool_calls":[{"function":{"name":"f","arguments":"{}"}}]}]}"#,
         "messages[0].tool_calls[0] must be an object with a non-empty id"),
        (#"{"model":"m","messages":[{"role":"assistant","tool_calls":{}}]}"#, "messages[0].tool_calls must be an array, not object"),
        (#"{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","function":{"name":"f","arguments":"\u0000"}}]}]}"#,
         "messages[0] has a NUL character in a tool call or its id"),
        (#"{"model":"m","messages":[{"role":"tool","tool_call_id":"a\u0000","content":"r"}]}"#,
         "messages[0] has a NUL character in a tool call or its id"),
        (#"{"model":"m","messages":[{"role":"assistant","content":null}]}"#, "messages[0].content must be a string or an array of text and image_url parts"),
        (#"{"model":"m","messages":[{"role":"function","content":"hi"}]}"#, "messages[0].role 'function' is not supported"),
        (#"{"model":"m","messages":[{"role":"user"}]}"#, "messages[0].content must be a string or an array of text and image_url parts"),
        (#"{"model":"m","messages":[{"role":"user","content":7}]}"#, "messages[0].content must be a string or an array of text and image_url parts"),
        (#"{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{}}]}]}"#,
         "messages[0].content[0] has type 'input_audio'; only 'text' and 'image_url' parts are supported"),
        (#"{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{}}]}]}"#,
         "messages[0].content[0].image_url.url must be a string"),
        (#"{"model":"m","messages":[{"role":"assistant","content":[{"type":"image_url","image_url":"https://x/a.png"}]}]}"#,
         "messages[0].content[0] is an image; only a user's message or a function's result may hold images"),
        (#"{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png,abc"}}]}]}"#,
         "messages[0].content[0] must be a base64 data URL (data:image/png;base64,…) or an https URL"),
        (#"{"model":"m","messages":[{"role":"user","content":["x"]}]}"#, "messages[0].content[0] must be an object, not string"),
        (#"{"model":"m","messages":[{"role":"user","content":[{"type":"text"}]}]}"#, "messages[0].content[0].text must be a string"),
        (#"{"model":"m","messages":[{"role":"user","content":"a\u0000b"}]}"#, "messages[0].content contains a NUL character"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":"yes"}"#, "stream must be a boolean, not string"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"functions":[]}"#, "functions is not supported; use tools and tool_choice"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"function_call":"auto"}"#, "function_call is not supported; use tools and tool_choice"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":"json"}"#, "response_format must be an object, not string"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{}}"#, "response_format.type must be a string"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"xml"}}"#,
         "response_format.type 'xml' is not supported; use text, json_object or json_schema"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema"}}"#,
         "response_format.json_schema must be an object with name and schema"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"schema":{}}}}"#,
         "response_format.json_schema.name must be 1 to 64 letters, digits, '_' or '-'"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"a b","schema":{}}}}"#,
         "response_format.json_schema.name must be 1 to 64 letters, digits, '_' or '-'"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"x"}}}"#,
         "response_format.json_schema.schema is required"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"x","strict":"yes","schema":{}}}}"#,
         "response_format.json_schema.strict must be a boolean, not string"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":[]}}}"#,
         "response_format.json_schema.schema must be a JSON Schema object, not array"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object","properties":{"age":{"type":"int"}}}}}}"#,
         "response_format.json_schema.schema.properties.age.type must be one of array, boolean, integer, null, number, object, string, or a list of them"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"required":"a"}}}}"#,
         "response_format.json_schema.schema.required must be an array of strings"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"anyOf":[]}}}}"#,
         "response_format.json_schema.schema.anyOf must be a non-empty array of schemas"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"items":5}}}}"#,
         "response_format.json_schema.schema.items must be a schema (an object or a boolean), not number"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"minLength":-1}}}}"#,
         "response_format.json_schema.schema.minLength must be a non-negative integer"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":{}}"#, "tools must be an array, not object"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{}]}"#, "tools[0].type must be \"function\""),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function"}]}"#, "tools[0].function must be an object"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"get weather"}}]}"#,
         "tools[0].function.name must be 1 to 64 letters, digits, '_' or '-'"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f"}},{"type":"function","function":{"name":"f"}}]}"#,
         "tools[1].function.name 'f' is offered twice"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"string"}}}]}"#,
         "tools[0].function.parameters must describe an object (type \"object\")"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"a":{"type":"strin"}}}}}]}"#,
         "tools[0].function.parameters.properties.a.type must be one of array, boolean, integer, null, number, object, string, or a list of them"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","description":5}}]}"#,
         "tools[0].function.description must be a string, not number"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"tool_choice":"required"}"#, "tool_choice asks for a function call, but tools offers none"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"tool_choice":"any"}"#,
         "tool_choice 'any' is not supported; use auto, none, required or a function"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"tool_choice":5}"#, "tool_choice must be a string or an object, not number"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function","function":{"name":"g"}}}"#,
         "tool_choice names 'g', which tools does not offer"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"tool_choice":{"type":"function"}}"#,
         #"tool_choice must be "auto", "none", "required" or {"type":"function","function":{"name":…}}"#),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"parallel_tool_calls":"no"}"#, "parallel_tool_calls must be a boolean, not string"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"n":2}"#, "n must be 1"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":3}"#, "temperature must be a number from 0 to 2"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":"hot"}"#, "temperature must be a number from 0 to 2"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":0}"#, "max_tokens must be a positive integer"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":1.5}"#, "max_tokens must be a positive integer"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":-1}"#, "max_completion_tokens must be a positive integer"),
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":99999999999999999999999}"#, "max_tokens must be a positive integer"),
    ])
    func refusesWithAMessageNamingTheProblem(body: String, message: String) {
        #expect(error(body) == .invalidRequest(message))
    }

    @Test func refusesNaNAndDeepNestingAsInvalidJSON() {
        #expect(error(#"{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":NaN}"#) == .invalidRequest("request body is not valid JSON"))
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(error(deep) == .invalidRequest("request body is not valid JSON"))
    }
}

@Suite struct ChatCompletionImageTests {
    func turns(_ messages: String) throws(APIError) -> [Turn] {
        try ChatCompletionDecoder.decode(Array(#"{"model":"m","messages":[\#(messages)]}"#.utf8)).messages
    }

    func error(_ messages: String) -> APIError? {
        thrownError { try turns(messages) }
    }

    @Test func imageURLPartsAreDataURLsHTTPSURLsOrBareStrings() throws {
        let decoded = try turns(#"""
            {"role":"user","content":[{"type":"text","text":"Compare"},
             {"type":"image_url","image_url":{"url":"data:image/png;base64,\#(ImageFixtures.png)","detail":"high"}},
             {"type":"image_url","image_url":{"url":"https://example.com/b.jpg","detail":"low"}},
             {"type":"image_url","image_url":"https://example.com/c.gif"},
             {"type":"image_url","image_url":{"url":"https://example.com/d.webp","detail":null}}]}
            """#)
        #expect(decoded == [Turn(role: .user, parts: [
            .text("Compare"),
            .image(ImagePart(.base64(mediaType: "image/png", data: ImageFixtures.png), at: "messages[0].content[1]")),
            .image(ImagePart(.url("https://example.com/b.jpg"), at: "messages[0].content[2]")),
            .image(ImagePart(.url("https://example.com/c.gif"), at: "messages[0].content[3]")),
            .image(ImagePart(.url("https://example.com/d.webp"), at: "messages[0].content[4]")),
        ])])
    }

    @Test func aToolsResultMayHoldAnImage() throws {
        let decoded = try turns(#"""
            {"role":"user","content":"Shot?"},
            {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"shot","arguments":"{}"}}]},
            {"role":"tool","tool_call_id":"call_1","content":[{"type":"text","text":"here"},{"type":"image_url","image_url":"https://x/s.png"}]}
            """#)
        #expect(decoded[2] == Turn(role: .tool, parts: [.text("here"), .image(ImagePart(.url("https://x/s.png"), at: "messages[2].content[1]"))],
                                   toolCallID: "call_1"))
    }

    @Test(arguments: [
        (#"{"role":"system","content":[{"type":"image_url","image_url":"https://x/a.png"}]},{"role":"user","content":"hi"}"#,
         "messages[0].content[0] is an image; only a user's message or a function's result may hold images"),
        (#"{"role":"developer","content":[{"type":"image_url","image_url":"https://x/a.png"}]},{"role":"user","content":"hi"}"#,
         "messages[0].content[0] is an image; only a user's message or a function's result may hold images"),
        (#"{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"https://x/a.png"}}]},{"role":"user","content":"hi"}"#,
         "messages[1].content[1] is an image; only a user's message or a function's result may hold images"),
        (#"{"role":"user","content":[{"type":"image_url"}]}"#, "messages[0].content[0].image_url must be an object with a url"),
        (#"{"role":"user","content":[{"type":"image_url","image_url":5}]}"#, "messages[0].content[0].image_url must be an object with a url"),
        (#"{"role":"user","content":[{"type":"image_url","image_url":{"url":5}}]}"#, "messages[0].content[0].image_url.url must be a string"),
        (#"{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/a.png","detail":5}}]}"#,
         "messages[0].content[0].image_url.detail must be a string, not number"),
        (#"{"role":"user","content":[{"type":"image_url","image_url":"data:image/png;utf8,abc"}]}"#,
         "messages[0].content[0] must be a base64 data URL (data:image/png;base64,…) or an https URL"),
        (#"{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,\#(ImageFixtures.png)","file_id":"f"}},{"type":"input_image"}]}"#,
         "messages[0].content[1] has type 'input_image'; only 'text' and 'image_url' parts are supported"),
    ])
    func badImagePartsAreRefusedNamingThePart(messages: String, message: String) {
        #expect(error(messages) == .invalidRequest(message))
    }

    @Test func theRulesRefuseBadImagesWhenTheRunIsPrepared() throws {
        let conversation = ConversationRunner(gate: RunGate(lock: FakeRunLock(), clock: FixedClock(), ids: FixedIDs()), run: testRunSettings,
                                              agentMap: AgentMap(fallback: nil), runner: FakeRunner(outcome: .cancelled(report: nil)))
        let request = try ChatCompletionDecoder.decode(Array(#"{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":"http://x/a.png"}]}]}"#.utf8))
        #expect(throws: APIError.invalidRequest("messages[0].content[0] must be an https URL or base64 image data; other URLs are not accepted")) {
            try conversation.prepare(request.runRequest)
        }
        let text = try ChatCompletionDecoder.decode(Array(#"{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":"data:image/gif;base64,\#(ImageFixtures.text)"}]}]}"#.utf8))
        #expect(throws: APIError.invalidRequest("messages[0].content[0] is not a JPEG, PNG, GIF or WebP image")) {
            try conversation.prepare(text.runRequest)
        }
    }
}
