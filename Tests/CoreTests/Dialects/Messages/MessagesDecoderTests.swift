import Testing
@testable import Core

@Suite struct MessagesDecoderTests {
    static let user = #"{"role":"user","content":"hi"}"#

    func decode(_ json: String) throws(APIError) -> MessagesRequest {
        try MessagesDecoder.decode(Array(json.utf8))
    }

    /// A request with `messages` and the other fields given.
    func decode(messages: String, _ extra: String = "") throws(APIError) -> RunRequest {
        try decode(#"{"model":"claude-x","max_tokens":1024,"messages":[\#(messages)]\#(extra.isEmpty ? "" : "," + extra)}"#).run
    }

    func error(_ json: String) -> APIError? {
        thrownError { try decode(json) }
    }

    func run(_ turns: [Turn], output: OutputContract = OutputContract(), stream: Bool = false, effort: Effort? = nil) -> RunRequest {
        RunRequest(model: "claude-x", turns: turns, output: output, stream: stream, effort: effort,
                   fieldNames: PromptBuilder.FieldNames(turns: "messages", callID: "tool_use_id"), callIDPrefix: "toolu_")
    }

    @Test func aMinimalRequestIsOneUserTurnWithTheMessagesNames() throws {
        let request = try decode(#"{"model":"claude-x","max_tokens":1024,"messages":[{"role":"user","content":"hi"}]}"#)
        #expect(request.run == run([Turn(role: .user, text: "hi")]))
        #expect(request.model == "claude-x")
        #expect(request.run.callIDPrefix == "toolu_")
        #expect(request.run.fieldNames.callID == "tool_use_id")
        #expect(request.run.fieldNames.trailingTurns
            == "messages must end with the user's request or a function's result; what follows the last user message is not supported")
        #expect(try request.run.prompt() == PromptBuilder.Prompt(text: "Request:\nhi", images: []))
    }

    @Test func theSystemIsAStringOrTextBlocksAndComesFirst() throws {
        #expect(try decode(messages: Self.user, #""system":"Be brief.""#).turns == [Turn(role: .system, text: "Be brief."), Turn(role: .user, text: "hi")])
        let blocks = try decode(messages: Self.user, #""system":[{"type":"text","text":"You are Claude Code.","cache_control":{"type":"ephemeral"}},{"type":"text","text":"Be brief."}]"#)
        #expect(blocks.turns == [Turn(role: .system, text: "You are Claude Code.\nBe brief."), Turn(role: .user, text: "hi")])
        #expect(try decode(messages: Self.user, #""system":null"#).turns == [Turn(role: .user, text: "hi")])
        #expect(try blocks.prompt().text == "System instructions:\nYou are Claude Code.\nBe brief.\n\n---\n\nRequest:\nhi")
    }

    @Test func aSystemRoleMessageIsAnInstruction() throws {
        // Claude Code sends one inside messages.
        let request = try decode(messages: #"{"role":"system","content":[{"type":"text","text":"S"}]},{"role":"user","content":"hi"},{"role":"system","content":"T"}"#)
        #expect(request.turns == [Turn(role: .system, text: "S"), Turn(role: .user, text: "hi"), Turn(role: .system, text: "T")])
    }

    @Test func aUsersBlocksAreTextAndImagesInOrderThinkingLeftOut() throws {
        let request = try decode(messages: #"""
            {"role":"user","content":[{"type":"text","text":"Compare","cache_control":{"type":"ephemeral"}},
             {"type":"image","source":{"type":"base64","media_type":"image/png","data":"\#(ImageFixtures.png)"}},
             {"type":"thinking","thinking":"t","signature":"s"},{"type":"text","text":"with"},
             {"type":"image","source":{"type":"url","url":"https://example.com/b.jpg"}},{"type":"redacted_thinking","data":"x"}]}
            """#)
        #expect(request.turns == [Turn(role: .user, parts: [
            .text("Compare"),
            .image(ImagePart(.base64(mediaType: "image/png", data: ImageFixtures.png), at: "messages[0].content[1]")),
            .text("with"),
            .image(ImagePart(.url("https://example.com/b.jpg"), at: "messages[0].content[4]")),
        ])])
        #expect(try request.prompt().text == "Request:\nCompare\n[image 1]\nwith\n[image 2]")
    }

    @Test func anAssistantsToolUseIsACallAndItsResultATurnOfItsOwn() throws {
        let request = try decode(messages: #"""
            {"role":"user","content":"Weather in Paris?"},
            {"role":"assistant","content":[{"type":"thinking","thinking":"hm","signature":"s"},{"type":"text","text":"Let me check."},
             {"type":"tool_use","id":"toolu_01","name":"get_weather","input":{"city":"Paris","days":2}},
             {"type":"tool_use","id":"toolu_02","name":"get_time","input":{}}]},
            {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01","content":"sunny","cache_control":{"type":"ephemeral"}},
             {"type":"tool_result","tool_use_id":"toolu_02","is_error":true,"content":[{"type":"text","text":"no clock"},{"type":"text","text":"at all"}]}]}
            """#, #""tools":[{"name":"get_weather","input_schema":{"type":"object"}},{"name":"get_time","input_schema":{"type":"object"}}]"#)
        #expect(request.turns == [
            Turn(role: .user, text: "Weather in Paris?"),
            Turn(role: .assistant, text: "Let me check.", toolCalls: [
                ToolCall(id: "toolu_01", name: "get_weather", arguments: #"{"city":"Paris","days":2}"#),
                ToolCall(id: "toolu_02", name: "get_time", arguments: "{}"),
            ]),
            Turn(role: .tool, text: "sunny", toolCallID: "toolu_01"),
            Turn(role: .tool, text: "no clock\nat all", toolCallID: "toolu_02", isError: true),
        ])
        #expect(try request.prompt().text == """
            Conversation so far:
            User: Weather in Paris?

            Assistant: Let me check.
            Assistant called function get_weather with arguments {"city":"Paris","days":2} (call id toolu_01)
            Assistant called function get_time with arguments {} (call id toolu_02)

            Function get_weather returned (call id toolu_01): sunny

            Function get_time failed (call id toolu_02): no clock
            at all

            ---

            Request:
            \(PromptBuilder.continueRequest)
            """)
    }

    @Test func aResultWithoutContentIsEmptyAndOneWithAnImageCarriesIt() throws {
        let request = try decode(messages: #"""
            {"role":"user","content":"Screenshot?"},
            {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"shot","input":{}},{"type":"tool_use","id":"toolu_2","name":"shot","input":{}}]},
            {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1"},
             {"type":"tool_result","tool_use_id":"toolu_2","is_error":false,"content":[{"type":"text","text":"here"},
              {"type":"image","source":{"type":"url","url":"https://x/s.png"}}]},{"type":"text","text":"And now?"}]}
            """#)
        #expect(request.turns.dropFirst(2) == [
            Turn(role: .tool, text: "", toolCallID: "toolu_1"),
            Turn(role: .tool, parts: [.text("here"), .image(ImagePart(.url("https://x/s.png"), at: "messages[2].content[1].content[1]"))],
                 toolCallID: "toolu_2"),
            Turn(role: .user, text: "And now?"),
        ])
    }

    @Test func anAssistantMessageIsAStringOrBlocks() throws {
        let request = try decode(messages: #"{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"user","content":"c"}"#)
        #expect(request.turns == [Turn(role: .user, text: "a"), Turn(role: .assistant, text: "b"), Turn(role: .user, text: "c")])
    }

    @Test func anAssistantMessageLastIsRefusedWhenThePromptIsBuilt() throws {
        // A prefill: the CLI cannot continue an answer.
        let request = try decode(messages: #"{"role":"user","content":"a"},{"role":"assistant","content":"The answer is"}"#)
        #expect(throws: APIError.invalidRequest(
            "messages must end with the user's request or a function's result; what follows the last user message is not supported")) {
            try request.prompt()
        }
    }

    @Test func streamIsRead() throws {
        #expect(try decode(messages: Self.user, #""stream":true"#).stream)
        #expect(try decode(messages: Self.user, #""stream":false"#).stream == false)
        #expect(try decode(messages: Self.user, #""stream":null"#).stream == false)
    }

    @Test(arguments: [("low", Effort.low), ("medium", .medium), ("high", .high), ("max", .max), ("xhigh", .xhigh)])
    func outputConfigEffortIsTheCLIsEffort(word: String, effort: Effort) throws {
        #expect(try decode(messages: Self.user, #""output_config":{"effort":"\#(word)"}"#) == run([Turn(role: .user, text: "hi")], effort: effort))
    }

    @Test func withoutEffortTheCLIDecides() throws {
        #expect(try decode(messages: Self.user).effort == nil)
        #expect(try decode(messages: Self.user, #""output_config":{}"#).effort == nil)
        #expect(try decode(messages: Self.user, #""output_config":null"#).effort == nil)
        #expect(try decode(messages: Self.user, #""output_config":{"effort":null}"#).effort == nil)
    }

    @Test func outputConfigFormatIsAJSONAnswer() throws {
        let request = try decode(messages: Self.user, #""output_config":{"effort":"low","format":{"type":"json_schema","schema":{"type":"object","properties":{"n":{"type":"integer"}}}}}"#)
        #expect(request.output == OutputContract(format: .json(schema: .object([
            "type": .string("object"), "properties": .object(["n": .object(["type": .string("integer")])]),
        ]))))
        #expect(request.effort == .low)
    }

    static let tools = #""tools":[{"name":"get_weather","description":"Weather.","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"cache_control":{"type":"ephemeral"}},{"type":"custom","name":"get_time","input_schema":{"type":"object"},"defer_loading":true,"strict":true,"input_examples":[{}]}]"#

    static let offered = [
        FunctionTool(name: "get_weather", description: "Weather.", parameters: .object([
            "type": .string("object"), "properties": .object(["city": .object(["type": .string("string")])]), "required": .array([.string("city")]),
        ])),
        FunctionTool(name: "get_time", description: nil, parameters: .object(["type": .string("object")])),
    ]

    @Test(arguments: [
        ("", ToolChoice.auto, true),
        (#","tool_choice":{"type":"auto"}"#, .auto, true),
        (#","tool_choice":{"type":"any"}"#, .required, true),
        (#","tool_choice":{"type":"tool","name":"get_time"}"#, .function("get_time"), true),
        (#","tool_choice":{"type":"none"}"#, ToolChoice.none, true),
        (#","tool_choice":{"type":"auto","disable_parallel_tool_use":true}"#, .auto, false),
        (#","tool_choice":{"type":"any","disable_parallel_tool_use":false}"#, .required, true),
        (#","tool_choice":{"type":"tool","name":"get_weather","disable_parallel_tool_use":true}"#, .function("get_weather"), false),
        (#","tool_choice":null"#, .auto, true),
    ])
    func toolsAndToolChoiceAreTheOutputContract(choice: String, expected: ToolChoice, parallel: Bool) throws {
        let request = try decode(messages: Self.user, Self.tools + choice)
        #expect(request.output == OutputContract(tools: Self.offered, toolChoice: expected, parallelToolCalls: parallel))
    }

    @Test func noToolsOffersNone() throws {
        #expect(try decode(messages: Self.user, #""tools":[]"#).output == OutputContract())
        #expect(try decode(messages: Self.user, #""tools":null,"tool_choice":{"type":"none"}"#).output == OutputContract(toolChoice: .none))
        #expect(try decode(messages: Self.user, #""tool_choice":{"type":"auto"}"#).output == OutputContract())
    }

    @Test func whatClaudeCodeAndTheSDKsSendIsAcceptedAndMeansNothing() throws {
        // Claude Code 2.1.327's fields beyond the reference, and the sampling fields.
        let request = try decode(#"""
            {"model":"claude-x","max_tokens":128000,"messages":[{"role":"user","content":[{"type":"text","text":"hi","cache_control":{"type":"ephemeral"}}]}],
             "thinking":{"type":"adaptive"},"context_management":{"edits":[{"type":"clear_thinking_20251015","keep":"all"}]},
             "metadata":{"user_id":"user_abc_account_x_session_y"},"temperature":1,"top_p":0.9,"top_k":40,"stop_sequences":["END"],
             "service_tier":"auto","anthropic_version":"2023-06-01","betas":["x"]}
            """#)
        #expect(request.run == run([Turn(role: .user, text: "hi")]))
        for thinking in [#"{"type":"enabled","budget_tokens":2048}"#, #"{"type":"disabled"}"#, "null"] {
            #expect(try decode(messages: Self.user, #""thinking":\#(thinking)"#) == run([Turn(role: .user, text: "hi")]))
        }
        for sampling in [#""temperature":0"#, #""temperature":0.5"#, #""top_p":1"#, #""top_k":0"#, #""stop_sequences":[]"#, #""metadata":{}"#,
                         #""metadata":{"user_id":null}"#, #""temperature":null,"top_p":null,"top_k":null,"stop_sequences":null,"metadata":null"#,
                         #""mcp_servers":null,"container":null"#] {
            #expect(try decode(messages: Self.user, sampling) == run([Turn(role: .user, text: "hi")]), "\(sampling)")
        }
    }

    static let m = #""model":"m","max_tokens":8"#
    static let hi = #""messages":[{"role":"user","content":"hi"}]"#
    static let base = "\(m),\(hi)"
    static let call = #"{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{}}]}"#
    static let fTool = #""tools":[{"name":"f","input_schema":{"type":"object"}}]"#

    @Test(arguments: [
        ("", "request body is empty"),
        ("{", "request body is not valid JSON"),
        ("[1]", "request body must be a JSON object, not array"),
        (#"{\#(base),"model":"n"}"#, "request body repeats the key 'model'"),
        (#"{"max_tokens":8,\#(hi)}"#, "model must be a non-empty string"),
        (#"{"model":"","max_tokens":8,\#(hi)}"#, "model must be a non-empty string"),
        (#"{"model":5,"max_tokens":8,\#(hi)}"#, "model must be a non-empty string"),
        (#"{"model":"m",\#(hi)}"#, "max_tokens is required"),
        (#"{"model":"m","max_tokens":null,\#(hi)}"#, "max_tokens is required"),
        (#"{"model":"m","max_tokens":0,\#(hi)}"#, "max_tokens must be a positive integer"),
        (#"{"model":"m","max_tokens":-1,\#(hi)}"#, "max_tokens must be a positive integer"),
        (#"{"model":"m","max_tokens":1.5,\#(hi)}"#, "max_tokens must be a positive integer"),
        (#"{"model":"m","max_tokens":"8",\#(hi)}"#, "max_tokens must be a positive integer"),
        (#"{\#(base),"stream":"yes"}"#, "stream must be a boolean, not string"),
        (#"{\#(base),"mcp_servers":[{"type":"url","url":"https://x","name":"x"}]}"#, "mcp_servers is not supported by this service"),
        (#"{\#(base),"container":"c"}"#, "container is not supported by this service"),
        (#"{\#(base),"temperature":1.5}"#, "temperature must be a number from 0 to 1"),
        (#"{\#(base),"temperature":-0.1}"#, "temperature must be a number from 0 to 1"),
        (#"{\#(base),"temperature":2}"#, "temperature must be a number from 0 to 1"),
        (#"{\#(base),"temperature":"hot"}"#, "temperature must be a number from 0 to 1"),
        (#"{\#(base),"top_p":2}"#, "top_p must be a number from 0 to 1"),
        (#"{\#(base),"top_p":true}"#, "top_p must be a number from 0 to 1"),
        (#"{\#(base),"top_k":-1}"#, "top_k must be a non-negative integer"),
        (#"{\#(base),"top_k":1.5}"#, "top_k must be a non-negative integer"),
        (#"{\#(base),"stop_sequences":"END"}"#, "stop_sequences must be an array of strings"),
        (#"{\#(base),"stop_sequences":["a",1]}"#, "stop_sequences must be an array of strings"),
        (#"{\#(base),"metadata":"x"}"#, "metadata must be an object, not string"),
        (#"{\#(base),"metadata":{"user_id":5}}"#, "metadata.user_id must be a string, not number"),
        (#"{\#(base),"output_config":"high"}"#, "output_config must be an object, not string"),
        (#"{\#(base),"output_config":{"effort":"huge"}}"#,
         "output_config.effort 'huge' is not supported; use none, minimal, low, medium, high, xhigh or max"),
        (#"{\#(base),"output_config":{"effort":3}}"#, "output_config.effort must be a string, not number"),
        (#"{\#(base),"output_config":{"format":"json"}}"#, "output_config.format must be an object, not string"),
        (#"{\#(base),"output_config":{"format":{"type":"json_object"}}}"#, #"output_config.format.type must be "json_schema""#),
        (#"{\#(base),"output_config":{"format":{"type":"json_schema"}}}"#, "output_config.format.schema must be an object"),
        (#"{\#(base),"output_config":{"format":{"type":"json_schema","schema":{"type":"int"}}}}"#,
         "output_config.format.schema.type must be one of array, boolean, integer, null, number, object, string, or a list of them"),
        (#"{\#(base),"thinking":true}"#, "thinking must be an object, not boolean"),
        (#"{\#(base),"thinking":{}}"#, "thinking.type must be enabled, disabled or adaptive"),
        (#"{\#(base),"thinking":{"type":"on"}}"#, "thinking.type must be enabled, disabled or adaptive"),
        (#"{\#(base),"thinking":{"type":"enabled","budget_tokens":0}}"#, "thinking.budget_tokens must be a positive integer"),
        (#"{\#(base),"system":5}"#, "system must be a string or an array of text blocks, not number"),
        (#"{\#(base),"system":{"type":"text","text":"s"}}"#, "system must be a string or an array of text blocks, not object"),
        (#"{\#(base),"system":["s"]}"#, "system[0] must be an object, not string"),
        (#"{\#(base),"system":[{"text":"s"}]}"#, "system[0].type must be a string"),
        (#"{\#(base),"system":[{"type":"text"}]}"#, "system[0].text must be a string"),
        (#"{\#(base),"system":[{"type":"text","text":"a"},{"type":"image","source":{}}]}"#, "system[1].type 'image' is not supported; use text"),
        (#"{\#(base),"system":"a\u0000b"}"#, "system contains a NUL character"),
        (#"{\#(base),"system":[{"type":"text","text":"a\u0000b"}]}"#, "system contains a NUL character"),
        (#"{\#(m)}"#, "messages must be a non-empty array"),
        (#"{\#(m),"messages":[]}"#, "messages must be a non-empty array"),
        (#"{\#(m),"messages":{}}"#, "messages must be a non-empty array"),
        (#"{\#(m),"messages":["hi"]}"#, "messages[0] must be an object, not string"),
        (#"{\#(m),"messages":[{"content":"hi"}]}"#, "messages[0].role must be a string"),
        (#"{\#(m),"messages":[{"role":"tool","content":"hi"}]}"#, "messages[0].role 'tool' is not supported; use user or assistant"),
        (#"{\#(m),"messages":[{"role":"developer","content":"hi"}]}"#, "messages[0].role 'developer' is not supported; use user or assistant"),
        (#"{\#(m),"messages":[{"role":"user"}]}"#, "messages[0].content must be a string or an array of content blocks"),
        (#"{\#(m),"messages":[{"role":"user","content":5}]}"#, "messages[0].content must be a string or an array of content blocks"),
        (#"{\#(m),"messages":[{"role":"user","content":[]}]}"#, "messages[0].content must not be empty"),
        (#"{\#(m),"messages":[{"role":"user","content":"a\u0000"}]}"#, "messages[0].content contains a NUL character"),
        (#"{\#(m),"messages":[{"role":"user","content":[{"type":"text","text":"a\u0000"}]}]}"#, "messages[0].content contains a NUL character"),
        (#"{\#(m),"messages":[{"role":"user","content":["hi"]}]}"#, "messages[0].content[0] must be an object, not string"),
        (#"{\#(m),"messages":[{"role":"user","content":[{}]}]}"#, "messages[0].content[0].type must be a string"),
        (#"{\#(m),"messages":[{"role":"user","content":[{"type":"text"}]}]}"#, "messages[0].content[0].text must be a string"),
        (#"{\#(m),"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"document","source":{}}]}]}"#,
         "messages[0].content[1].type 'document' is not supported; use text, image or tool_result"),
        (#"{\#(m),"messages":[{"role":"user","content":[{"type":"tool_use","id":"t","name":"f","input":{}}]}]}"#,
         "messages[0].content[0].type 'tool_use' is not supported; use text, image or tool_result"),
        (#"{\#(m),"messages":[{"role":"user","content":[{"type":"image"}]}]}"#, "messages[0].content[0].source must be an object"),
        (#"{\#(m),"messages":[{"role":"user","content":[{"type":"image","source":"https://x/a.png"}]}]}"#, "messages[0].content[0].source must be an object"),
        (#"{\#(m),"messages":[{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}]}"#,
         "messages[0].content[0].source.type must be base64 or url (uploaded files are not supported)"),
        (#"{\#(m),"messages":[{"role":"user","content":[{"type":"image","source":{}}]}]}"#,
         "messages[0].content[0].source.type must be base64 or url (uploaded files are not supported)"),
        (#"{\#(m),"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","data":"AAAA"}}]}]}"#,
         "messages[0].content[0].source.media_type must be a string"),
        (#"{\#(m),"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png"}}]}]}"#,
         "messages[0].content[0].source.data must be a string"),
        (#"{\#(m),"messages":[{"role":"user","content":[{"type":"image","source":{"type":"url"}}]}]}"#, "messages[0].content[0].source.url must be a string"),
        (#"{\#(m),"messages":[{"role":"user","content":[{"type":"tool_result","content":"r"}]}]}"#,
         "messages[0].content[0].tool_use_id must be a non-empty string"),
        (#"{\#(m),"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"","content":"r"}]}]}"#,
         "messages[0].content[0].tool_use_id must be a non-empty string"),
        (#"{\#(m),"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_x","content":"r"}]}]}"#,
         "messages[0].content[0].tool_use_id 'toolu_x' answers no earlier tool_use"),
        (#"{\#(m),"messages":[\#(call),{"role":"user","content":[{"type":"text","text":"t"},{"type":"tool_result","tool_use_id":"toolu_2"}]}]}"#,
         "messages[2].content[1].tool_use_id 'toolu_2' answers no earlier tool_use"),
        // A result before its call answers nothing.
        (#"{\#(m),"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1"}]},{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{}}]}]}"#,
         "messages[0].content[0].tool_use_id 'toolu_1' answers no earlier tool_use"),
        (#"{\#(m),"messages":[\#(call),{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","is_error":"yes"}]}]}"#,
         "messages[2].content[0].is_error must be a boolean, not string"),
        (#"{\#(m),"messages":[\#(call),{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":5}]}]}"#,
         "messages[2].content[0].content must be a string or an array of text and image blocks"),
        (#"{\#(m),"messages":[\#(call),{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"document"}]}]}]}"#,
         "messages[2].content[0].content[0].type 'document' is not supported; use text or image"),
        (#"{\#(m),"messages":[\#(call),{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"image","source":{"type":"s3"}}]}]}]}"#,
         "messages[2].content[0].content[0].source.type must be base64 or url (uploaded files are not supported)"),
        (#"{\#(m),"messages":[\#(call),{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"a\u0000"}]}]}"#,
         "messages[2].content[0] contains a NUL character"),
        (#"{\#(m),"messages":[{"role":"user","content":"q"},{"role":"assistant","content":5}]}"#,
         "messages[1].content must be a string or an array of content blocks"),
        (#"{\#(m),"messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"image","source":{"type":"url","url":"https://x/a.png"}}]}]}"#,
         "messages[1].content[0] is an image; only a user's message or a function's result may hold images"),
        (#"{\#(m),"messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"tool_use","name":"f","input":{}}]}]}"#,
         "messages[1].content[0].id must be a non-empty string"),
        (#"{\#(m),"messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"tool_use","id":"t","input":{}}]}]}"#,
         "messages[1].content[0].name must be a non-empty string"),
        (#"{\#(m),"messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":"{}"}]}]}"#,
         "messages[1].content[0].input must be an object"),
        (#"{\#(m),"messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f"}]}]}"#,
         "messages[1].content[0].input must be an object"),
        (#"{\#(m),"messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"server_tool_use","id":"s","name":"web_search","input":{}}]}]}"#,
         "messages[1].content[0].type 'server_tool_use' is not supported; use text, tool_use or thinking"),
        (#"{\#(m),"messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"tool_result","tool_use_id":"t"}]}]}"#,
         "messages[1].content[0].type 'tool_result' is not supported; use text, tool_use or thinking"),
        (#"{\#(m),"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a\u0000"}]}"#, "messages[1].content contains a NUL character"),
        (#"{\#(m),"messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":{}},{"type":"tool_use","id":"t\u0000","name":"f","input":{}}]}]}"#,
         "messages[1].content contains a NUL character"),
        (#"{\#(m),"messages":[{"role":"system","content":[{"type":"image","source":{"type":"url","url":"https://x/a.png"}}]},{"role":"user","content":"q"}]}"#,
         "messages[0].content[0].type 'image' is not supported; use text"),
        (#"{\#(m),"messages":[{"role":"system","content":5},{"role":"user","content":"q"}]}"#,
         "messages[0].content must be a string or an array of text blocks"),
        (#"{\#(m),"messages":[{"role":"system","content":"a\u0000"},{"role":"user","content":"q"}]}"#, "messages[0].content contains a NUL character"),
        (#"{\#(base),"tools":{}}"#, "tools must be an array, not object"),
        (#"{\#(base),"tools":[5]}"#, "tools[0] must be an object, not number"),
        (#"{\#(base),"tools":[{"type":"web_search_20250305","name":"web_search","max_uses":5}]}"#,
         "tools[0].type 'web_search_20250305' is a server tool, which this service cannot run; offer client tools (name, description, input_schema)"),
        (#"{\#(base),"tools":[{"name":"f","input_schema":{"type":"object"}},{"type":"code_execution_20250825","name":"code_execution"}]}"#,
         "tools[1].type 'code_execution_20250825' is a server tool, which this service cannot run; offer client tools (name, description, input_schema)"),
        (#"{\#(base),"tools":[{"type":"bash_20250124","name":"bash"}]}"#,
         "tools[0].type 'bash_20250124' is a server tool, which this service cannot run; offer client tools (name, description, input_schema)"),
        (#"{\#(base),"tools":[{"type":5,"name":"f","input_schema":{}}]}"#, "tools[0].type must be a string, not number"),
        (#"{\#(base),"tools":[{"input_schema":{"type":"object"}}]}"#, "tools[0].name must be 1 to 64 letters, digits, '_' or '-'"),
        (#"{\#(base),"tools":[{"name":"get weather","input_schema":{"type":"object"}}]}"#, "tools[0].name must be 1 to 64 letters, digits, '_' or '-'"),
        (#"{\#(base),"tools":[{"name":"f"}]}"#, "tools[0].input_schema must be an object"),
        (#"{\#(base),"tools":[{"name":"f","input_schema":"{}"}]}"#, "tools[0].input_schema must be an object"),
        (#"{\#(base),"tools":[{"name":"f","input_schema":{"type":"string"}}]}"#, #"tools[0].input_schema must describe an object (type "object")"#),
        (#"{\#(base),"tools":[{"name":"f","description":5,"input_schema":{"type":"object"}}]}"#, "tools[0].description must be a string, not number"),
        (#"{\#(base),"tools":[{"name":"f","input_schema":{"type":"object","properties":{"a":{"type":"strin"}}}}]}"#,
         "tools[0].input_schema.properties.a.type must be one of array, boolean, integer, null, number, object, string, or a list of them"),
        (#"{\#(base),"tools":[{"name":"f","input_schema":{"type":"object"}},{"name":"f","input_schema":{"type":"object"}}]}"#,
         "tools[1].name 'f' is offered twice"),
        (#"{\#(base),"tool_choice":"auto"}"#, "tool_choice must be an object, not string"),
        (#"{\#(base),"tool_choice":{}}"#, "tool_choice.type must be auto, any, tool or none"),
        (#"{\#(base),"tool_choice":{"type":"required"}}"#, "tool_choice.type must be auto, any, tool or none"),
        (#"{\#(base),\#(fTool),"tool_choice":{"type":"tool"}}"#, "tool_choice.name must name a tool when tool_choice.type is tool"),
        (#"{\#(base),\#(fTool),"tool_choice":{"type":"tool","name":""}}"#, "tool_choice.name must name a tool when tool_choice.type is tool"),
        (#"{\#(base),\#(fTool),"tool_choice":{"type":"tool","name":"g"}}"#, "tool_choice names 'g', which tools does not offer"),
        (#"{\#(base),"tool_choice":{"type":"any"}}"#, "tool_choice asks for a function call, but tools offers none"),
        (#"{\#(base),"tool_choice":{"type":"tool","name":"f"}}"#, "tool_choice names 'f', which tools does not offer"),
        (#"{\#(base),\#(fTool),"tool_choice":{"type":"auto","disable_parallel_tool_use":"yes"}}"#,
         "tool_choice.disable_parallel_tool_use must be a boolean, not string"),
    ])
    func refusesWithAMessageNamingTheProblem(body: String, message: String) {
        #expect(error(body) == .invalidRequest(message))
    }
}
