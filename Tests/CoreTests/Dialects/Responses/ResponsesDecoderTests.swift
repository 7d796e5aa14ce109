import Testing
@testable import Core

@Suite struct ResponsesDecoderTests {
    func decode(_ fields: String) throws(APIError) -> ResponsesRequest {
        try ResponsesDecoder.decode(Array("{\(fields)}".utf8))
    }

    /// A body with a model and a string input, and `extra` fields.
    func decodeWith(_ extra: String) throws(APIError) -> ResponsesRequest {
        try decode(#""model":"m","input":"hi""# + (extra.isEmpty ? "" : "," + extra))
    }

    /// The 400 a body gets: its message and the field its OpenAI body names.
    func refusal(_ fields: String) -> (message: String, param: String?)? {
        thrownError { try decode(fields) }.map { error in
            guard case .invalidRequest(let message) = error else { return ("not a 400: \(error)", nil) }
            return (message, OpenAIErrorBody.param(of: error))
        }
    }

    func expectRefused(_ extra: String, param: String, containing words: String? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        let body = #""model":"m","input":"hi","# + extra
        guard let (message, named) = refusal(body) else {
            Issue.record("accepted: \(body)", sourceLocation: sourceLocation)
            return
        }
        #expect(named == param, "\(message)", sourceLocation: sourceLocation)
        if let words { #expect(message.contains(words), "\(message)", sourceLocation: sourceLocation) }
    }

    // MARK: input

    @Test func additionalToolsItemsOfferTheirToolsAndAreNoTurn() throws {
        // Codex, for a model it knows, offers its tools in an input item instead of `tools`.
        let request = try decode(#"""
            "model":"m","input":[
              {"type":"additional_tools","id":"at_1","role":"developer","tools":[
                {"type":"namespace","name":"functions","tools":[{"type":"custom","name":"exec"},{"type":"function","name":"wait"}]},
                {"type":"namespace","name":"clock","tools":[{"type":"function","name":"sleep"}]}]},
              {"role":"user","content":"hi"}],
            "tools":[{"type":"function","name":"get"}]
            """#)
        #expect(request.run.turns == [Turn(role: .user, text: "hi")])
        #expect(request.run.output.tools.map(\.name) == ["get", "functions.wait", "clock.sleep"])
        guard let (message, param) = refusal(#""model":"m","input":[{"type":"additional_tools","tools":{}},{"role":"user","content":"hi"}]"#) else {
            Issue.record("accepted")
            return
        }
        #expect(message == "input[0].tools must be an array")
        #expect(param == "input[0].tools")
        #expect(refusal(#""model":"m","input":[{"type":"additional_tools","tools":[{"type":"file_search"}]},{"role":"user","content":"hi"}]"#)?.param
            == "input[0].tools[0].type")
    }

    @Test func aStringInputIsOneUserTurn() throws {
        let request = try decodeWith("")
        #expect(request.run.turns == [Turn(role: .user, text: "hi")])
        #expect(request.run.model == "m")
        #expect(request.run.fieldNames == PromptBuilder.FieldNames(turns: "input", callID: "call_id"))
        #expect(try request.run.prompt().text == "Request:\nhi")
    }

    @Test func itemsAndEasyMessagesWithoutATypeAreTurnsInEveryRole() throws {
        let request = try decode(#"""
        "model":"m","input":[
          {"role":"system","content":"S"},
          {"type":"message","role":"developer","content":[{"type":"input_text","text":"D"}]},
          {"role":"user","content":[{"type":"input_text","text":"a"},{"type":"text","text":"b"}]},
          {"type":"message","role":"assistant","id":"msg_1","status":"completed","content":[{"type":"output_text","text":"c","annotations":[]},{"type":"refusal","refusal":"no"}]},
          {"role":"user","content":"d"}]
        """#)
        #expect(request.run.turns == [
            Turn(role: .system, text: "S"), Turn(role: .system, text: "D"), Turn(role: .user, text: "a\nb"),
            Turn(role: .assistant, text: "c\nno"), Turn(role: .user, text: "d"),
        ])
    }

    @Test func instructionsComeFirstAsASystemTurnAndAreEchoed() throws {
        let request = try decodeWith(#""instructions":"Be brief.""#)
        #expect(request.run.turns == [Turn(role: .system, text: "Be brief."), Turn(role: .user, text: "hi")])
        #expect(request.echo.instructions == .string("Be brief."))
        #expect(try decodeWith("").echo.instructions == .null)
        expectRefused(#""instructions":3"#, param: "instructions")
    }

    @Test func functionCallsJoinTheAssistantTurnBeforeThem() throws {
        let request = try decode(#"""
        "model":"m","input":[
          {"role":"user","content":"weather?"},
          {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Let me look."}]},
          {"type":"function_call","call_id":"call_1","name":"get","arguments":"{\"city\":\"Paris\"}"},
          {"type":"function_call","call_id":"call_2","name":"find","namespace":"maps","arguments":"{}"},
          {"type":"function_call_output","call_id":"call_1","output":"sunny"},
          {"type":"function_call_output","call_id":"call_2","output":[{"type":"input_text","text":"Paris"},{"type":"output_text","text":"FR"}]}]
        """#)
        #expect(request.run.turns == [
            Turn(role: .user, text: "weather?"),
            Turn(role: .assistant, text: "Let me look.", toolCalls: [
                ToolCall(id: "call_1", name: "get", arguments: #"{"city":"Paris"}"#),
                ToolCall(id: "call_2", name: "maps.find", arguments: "{}"),
            ]),
            Turn(role: .tool, text: "sunny", toolCallID: "call_1"),
            Turn(role: .tool, text: "Paris\nFR", toolCallID: "call_2"),
        ])
    }

    @Test func aFunctionCallWithoutAnAssistantMessageIsATurnOfItsOwn() throws {
        let request = try decode(#"""
        "model":"m","input":[{"role":"user","content":"x"},{"type":"function_call","call_id":"c","name":"f","arguments":"{}"},
          {"type":"function_call_output","call_id":"c","output":"1"}]
        """#)
        #expect(request.run.turns[1] == Turn(role: .assistant, text: "", toolCalls: [ToolCall(id: "c", name: "f", arguments: "{}")]))
    }

    @Test func reasoningItemsAreSkipped() throws {
        let request = try decode(#"""
        "model":"m","input":[{"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"xyz"},{"role":"user","content":"hi"}]
        """#)
        #expect(request.run.turns == [Turn(role: .user, text: "hi")])
    }

    @Test(arguments: [
        (#""input":[{"role":"user","content":"a"},{"type":"file_search_call","id":"x"}]"#, "input[1].type", "file_search_call"),
        (#""input":[{"type":"item_reference","id":"x"}]"#, "input[0].type", "item_reference"),
        (#""input":[{"type":"local_shell_call"}]"#, "input[0].type", "local_shell_call"),
        (#""input":[{"type":7}]"#, "input[0].type", nil),
        (#""input":[]"#, "input", nil),
        (#""input":5"#, "input", nil),
        (#""input":null"#, "input", nil),
        (#""input":["hi"]"#, "input[0]", nil),
        (#""input":[{"role":"tool","content":"x"}]"#, "input[0].role", "tool"),
        (#""input":[{"content":"x"}]"#, "input[0].role", nil),
        (#""input":[{"role":"user","content":5}]"#, "input[0].content", nil),
        (#""input":[{"role":"user","content":[{"type":"output_text","text":"x"}]}]"#, "input[0].content[0].type", "output_text"),
        (#""input":[{"role":"user","content":[{"type":"input_text"}]}]"#, "input[0].content[0].text", nil),
        (#""input":[{"role":"user","content":[7]}]"#, "input[0].content[0]", nil),
        (#""input":[{"role":"user","content":"a\u0000b"}]"#, "input[0].content", "NUL"),
        (#""input":"a\u0000b""#, "input", "NUL"),
        (#""input":[{"role":"user","content":"x"},{"type":"function_call","name":"f","arguments":"{}"}]"#, "input[1].call_id", nil),
        (#""input":[{"role":"user","content":"x"},{"type":"function_call","call_id":"c","arguments":"{}"}]"#, "input[1].name", nil),
        (#""input":[{"role":"user","content":"x"},{"type":"function_call","call_id":"c","name":"f","arguments":{}}]"#, "input[1].arguments", nil),
        (#""input":[{"role":"user","content":"x"},{"type":"function_call","call_id":"c","name":"f","arguments":"{}","namespace":1}]"#, "input[1].namespace", nil),
        (#""input":[{"type":"function_call_output","output":"x"}]"#, "input[0].call_id", nil),
        (#""input":[{"type":"function_call_output","call_id":"","output":"x"}]"#, "input[0].call_id", nil),
        (#""input":[{"type":"function_call_output","call_id":"c","output":3}]"#, "input[0].output", nil),
        (#""input":[{"type":"function_call_output","call_id":"c","output":[{"type":"input_image"}]}]"#, "input[0].output[0].image_url", nil),
        (#""input":[{"type":"function_call_output","call_id":"c","output":[{"type":"input_file"}]}]"#, "input[0].output[0].type", "input_file"),
        (#""input":[{"role":"user","content":[{"type":"input_image","file_id":"f"}]}]"#, "input[0].content[0].file_id", nil),
        (#""input":[{"role":"system","content":[{"type":"input_image","image_url":"https://x/a.png"}]}]"#, "input[0].content[0]", "only a user"),
    ] as [(String, String, String?)])
    func badInputIsRefusedNamingTheItem(input: String, param: String, words: String?) throws {
        let refused = try #require(refusal(#""model":"m","# + input), "accepted: \(input)")
        #expect(refused.param == param, "\(refused.message)")
        if let words { #expect(refused.message.contains(words), "\(refused.message)") }
    }

    /// The prompt refuses an unknown call id only when the run is prepared; the decoder keeps it.
    @Test func anUnansweredCallIDIsRefusedWhenThePromptIsBuilt() throws {
        let request = try decode(#""model":"m","input":[{"role":"user","content":"x"},{"type":"function_call_output","call_id":"nope","output":"x"}]"#)
        #expect(throws: APIError.invalidRequest("input[1].call_id 'nope' answers no earlier tool call")) { try request.run.prompt().text }
    }

    // MARK: model and refused fields

    @Test func theModelMustBeANonEmptyString() {
        #expect(refusal(#""input":"hi""#)?.param == "model")
        #expect(refusal(#""model":"","input":"hi""#)?.param == "model")
        #expect(refusal(#""model":3,"input":"hi""#)?.param == "model")
    }

    @Test func conversationAndPromptAreRefusedByName() {
        expectRefused(#""conversation":"conv_1""#, param: "conversation", containing: "previous_response_id")
        expectRefused(#""prompt":{"id":"pmpt_1"}"#, param: "prompt")
        #expect(throws: Never.self) { try decodeWith(#""conversation":null,"prompt":null"#) }
    }

    @Test func unknownAndMeaninglessFieldsAreIgnored() throws {
        let request = try decodeWith(#""include":["reasoning.encrypted_content"],"prompt_cache_key":"k","truncation":"auto","service_tier":"auto","safety_identifier":"s","client_metadata":{"a":1},"text":{"verbosity":"low"},"reasoning":{"summary":"auto"},"frobnicate":[1,{"x":null}]"#)
        #expect(request.run.turns == [Turn(role: .user, text: "hi")])
        #expect(request.run.output == OutputContract())
        #expect(request.run.effort == nil)
    }

    @Test func aBodyThatIsNotAnObjectIsRefused() {
        for body in ["", "[]", "{", #"{"model":"m","model":"n","input":"x"}"#] {
            #expect(throws: APIError.self) { try ResponsesDecoder.decode(Array(body.utf8)) }
        }
    }

    // MARK: text.format

    @Test func textFormatTextJSONObjectAndJSONSchema() throws {
        #expect(try decodeWith(#""text":{"format":{"type":"text"}}"#).run.output.format == .text)
        #expect(try decodeWith(#""text":{"format":null}"#).echo.textFormat == .object(["type": .string("text")]))
        #expect(try decodeWith(#""text":null"#).run.output.format == .text)
        let object = try decodeWith(#""text":{"format":{"type":"json_object"}}"#)
        #expect(object.run.output.format == AnswerFormat.anyObject)
        #expect(object.echo.textFormat == .object(["type": .string("json_object")]))
        let schema = try decodeWith(#""text":{"format":{"type":"json_schema","name":"P","strict":true,"description":"d","schema":{"type":"object","properties":{"b":{"type":"string"},"a":{"type":"integer"}}}}}"#)
        guard case .json(let value) = schema.run.output.format else {
            Issue.record("not a JSON answer")
            return
        }
        // The schema as sent, in its key order.
        #expect(value.compactText == #"{"type":"object","properties":{"b":{"type":"string"},"a":{"type":"integer"}}}"#)
        #expect(schema.echo.textFormat.compactText.hasPrefix(#"{"type":"json_schema","name":"P","strict":true"#))
    }

    @Test(arguments: [
        (#""text":"json""#, "text"),
        (#""text":{"format":"json_object"}"#, "text.format"),
        (#""text":{"format":{}}"#, "text.format.type"),
        (#""text":{"format":{"type":"xml"}}"#, "text.format.type"),
        (#""text":{"format":{"type":"json_schema","schema":{"type":"object"}}}"#, "text.format.name"),
        (#""text":{"format":{"type":"json_schema","name":"has space","schema":{"type":"object"}}}"#, "text.format.name"),
        (#""text":{"format":{"type":"json_schema","name":"P"}}"#, "text.format.schema"),
        (#""text":{"format":{"type":"json_schema","name":"P","schema":"x"}}"#, "text.format.schema"),
        (#""text":{"format":{"type":"json_schema","name":"P","strict":"yes","schema":{"type":"object"}}}"#, "text.format.strict"),
        (#""text":{"format":{"type":"json_schema","name":"P","description":1,"schema":{"type":"object"}}}"#, "text.format.description"),
        (#""text":{"format":{"type":"json_schema","name":"P","schema":{"type":"object","properties":{"a":{"type":"int"}}}}}"#, "text.format.schema.properties.a.type"),
    ])
    func badTextFormatsAreRefusedNamingTheField(extra: String, param: String) {
        expectRefused(extra, param: param)
    }

    // MARK: tools

    @Test func functionToolsAreOfferedAndEchoedAsSent() throws {
        let request = try decodeWith(#""tools":[{"type":"function","name":"get","description":"Gets.","parameters":{"type":"object","properties":{"city":{"type":"string"}}},"strict":false}]"#)
        #expect(request.run.output.tools.map(\.name) == ["get"])
        #expect(request.run.output.tools.first?.description == "Gets.")
        #expect(request.echo.tools.compactText == #"[{"type":"function","name":"get","description":"Gets.","parameters":{"type":"object","properties":{"city":{"type":"string"}}},"strict":false}]"#)
        #expect(request.run.output.toolChoice == .auto)
    }

    @Test func aNamespacesFunctionsAreNamedNamespaceDotName() throws {
        let request = try decodeWith(#""tools":[{"type":"namespace","name":"maps","description":"Maps.","tools":[{"type":"function","name":"find"},{"type":"custom","name":"raw"},{"type":"function","name":"route"}]},{"type":"function","name":"find"}]"#)
        #expect(request.run.output.tools.map(\.name) == ["maps.find", "maps.route", "find"])
        // Echoed as sent, the namespace whole.
        guard case .array(let echoed) = request.echo.tools else {
            Issue.record("no tools echoed")
            return
        }
        #expect(echoed.count == 2)
    }

    @Test func webSearchWithoutTheWebIsIgnoredAndCustomToolsAreNotOffered() throws {
        let request = try decodeWith(#""tools":[{"type":"web_search","external_web_access":false},{"type":"custom","name":"apply_patch","format":{"type":"grammar"}},{"type":"function","name":"f"}]"#)
        #expect(request.run.output.tools.map(\.name) == ["f"])
        let none = try decodeWith(#""tools":[{"type":"web_search_preview","external_web_access":false}]"#)
        #expect(none.run.output.tools.isEmpty)
        #expect(try none.run.output.plan() == nil, "nothing offered: a text run")
    }

    @Test(arguments: [
        (#""tools":[{"type":"web_search"}]"#, "tools[0].type", "web_search"),
        (#""tools":[{"type":"web_search","external_web_access":true}]"#, "tools[0].type", "web_search"),
        (#""tools":[{"type":"function","name":"f"},{"type":"web_search_preview"}]"#, "tools[1].type", "web_search_preview"),
        (#""tools":[{"type":"file_search","vector_store_ids":["v"]}]"#, "tools[0].type", "file_search"),
        (#""tools":[{"type":"code_interpreter","container":{"type":"auto"}}]"#, "tools[0].type", "code_interpreter"),
        (#""tools":[{"type":"computer_use_preview","display_width":1,"display_height":1,"environment":"linux"}]"#, "tools[0].type", "computer_use_preview"),
        (#""tools":[{"type":"image_generation"}]"#, "tools[0].type", "image_generation"),
        (#""tools":[{"type":"mcp","server_label":"x"}]"#, "tools[0].type", "mcp"),
        (#""tools":{"type":"function"}"#, "tools", nil),
        (#""tools":[3]"#, "tools[0]", nil),
        (#""tools":[{"name":"f"}]"#, "tools[0].type", nil),
        (#""tools":[{"type":"function"}]"#, "tools[0].name", nil),
        (#""tools":[{"type":"function","name":"a.b"}]"#, "tools[0].name", nil),
        (#""tools":[{"type":"function","name":"f","parameters":"x"}]"#, "tools[0].parameters", nil),
        (#""tools":[{"type":"function","name":"f"},{"type":"function","name":"f"}]"#, "tools[1].name", "twice"),
        (#""tools":[{"type":"namespace","name":"ns","tools":[{"type":"function","name":"f"},{"type":"function","name":"f"}]}]"#, "tools[0].tools[1].name", "ns.f"),
        (#""tools":[{"type":"namespace","name":"ns","tools":[{"type":"function","name":"f"}]},{"type":"namespace","name":"ns","tools":[{"type":"function","name":"f"}]}]"#, "tools[1].tools[0].name", "twice"),
        (#""tools":[{"type":"namespace","tools":[]}]"#, "tools[0].name", nil),
        (#""tools":[{"type":"namespace","name":"a.b","tools":[]}]"#, "tools[0].name", nil),
        (#""tools":[{"type":"namespace","name":"ns"}]"#, "tools[0].tools", nil),
        (#""tools":[{"type":"namespace","name":"ns","tools":[1]}]"#, "tools[0].tools[0]", nil),
        (#""tools":[{"type":"namespace","name":"ns","tools":[{"type":"web_search"}]}]"#, "tools[0].tools[0].type", "web_search"),
    ] as [(String, String, String?)])
    func badToolsAreRefusedNamingTheTool(extra: String, param: String, words: String?) {
        expectRefused(extra, param: param, containing: words)
    }

    // MARK: tool_choice

    static let twoTools = #""tools":[{"type":"function","name":"f"},{"type":"namespace","name":"ns","tools":[{"type":"function","name":"g"}]}]"#

    @Test func toolChoiceForms() throws {
        #expect(try decodeWith(Self.twoTools).run.output.toolChoice == .auto)
        #expect(try decodeWith(Self.twoTools + #","tool_choice":null"#).echo.toolChoice == .string("auto"))
        #expect(try decodeWith(Self.twoTools + #","tool_choice":"auto""#).run.output.toolChoice == .auto)
        #expect(try decodeWith(Self.twoTools + #","tool_choice":"none""#).run.output.toolChoice == ToolChoice.none)
        #expect(try decodeWith(Self.twoTools + #","tool_choice":"required""#).run.output.toolChoice == .required)
        let named = try decodeWith(Self.twoTools + #","tool_choice":{"type":"function","name":"f"}"#)
        #expect(named.run.output.toolChoice == .function("f"))
        #expect(named.echo.toolChoice == .object(["type": .string("function"), "name": .string("f")]))
        #expect(try decodeWith(Self.twoTools + #","tool_choice":{"type":"function","name":"g","namespace":"ns"}"#).run.output.toolChoice
            == .function("ns.g"))
        #expect(try decodeWith(#""tool_choice":"none""#).run.output.toolChoice == ToolChoice.none)
    }

    @Test(arguments: [
        #""tool_choice":"any""#,
        #""tool_choice":3"#,
        #""tool_choice":{"type":"function"}"#,
        #""tool_choice":{"type":"web_search"}"#,
        #""tool_choice":{"type":"function","name":"nope"}"#,
        #""tool_choice":{"type":"function","name":"g"}"#,
        #""tool_choice":{"type":"function","name":"g","namespace":3}"#,
    ])
    func badToolChoicesAreRefused(choice: String) {
        let param = choice.contains("namespace") ? "tool_choice.namespace" : "tool_choice"
        expectRefused(Self.twoTools + "," + choice, param: param)
    }

    @Test func aRequiredCallWithoutToolsIsRefused() {
        expectRefused(#""tool_choice":"required""#, param: "tool_choice")
    }

    @Test func parallelToolCallsIsABoolean() throws {
        #expect(try decodeWith(#""parallel_tool_calls":false"#).run.output.parallelToolCalls == false)
        #expect(try decodeWith(#""parallel_tool_calls":false"#).echo.parallelToolCalls == false)
        #expect(try decodeWith("").run.output.parallelToolCalls)
        expectRefused(#""parallel_tool_calls":"no""#, param: "parallel_tool_calls")
    }

    // MARK: reasoning

    @Test(arguments: [("none", Effort.low), ("minimal", .low), ("low", .low), ("medium", .medium), ("high", .high),
                      ("xhigh", .xhigh), ("max", .max)])
    func reasoningEffortWords(word: String, effort: Effort) throws {
        let request = try decodeWith(#""reasoning":{"effort":"\#(word)","summary":"auto"}"#)
        #expect(request.run.effort == effort)
        // Echoed as the client said it.
        #expect(request.echo.reasoningEffort == .string(word))
    }

    @Test func reasoningWithoutEffortLeavesTheCLIsDefault() throws {
        #expect(try decodeWith(#""reasoning":{"effort":null}"#).run.effort == nil)
        #expect(try decodeWith(#""reasoning":null"#).run.effort == nil)
        #expect(try decodeWith(#""reasoning":{}"#).echo.reasoningEffort == .null)
    }

    @Test func badReasoningIsRefused() {
        expectRefused(#""reasoning":{"effort":"extreme"}"#, param: "reasoning.effort", containing: "extreme")
        expectRefused(#""reasoning":{"effort":2}"#, param: "reasoning.effort")
        expectRefused(#""reasoning":"high""#, param: "reasoning")
    }

    // MARK: metadata and the echoed numbers

    @Test func metadataWithinTheLimitsIsEchoed() throws {
        let sixteen = (0..<16).map { #""k\#($0)":"v""# }.joined(separator: ",")
        let request = try decodeWith(#""metadata":{\#(sixteen)}"#)
        #expect(request.echo.metadata.compactText == "{\(sixteen)}")
        let longest = try decodeWith(#""metadata":{"\#(String(repeating: "k", count: 64))":"\#(String(repeating: "v", count: 512))"}"#)
        guard case .object(let pairs) = longest.echo.metadata else {
            Issue.record("no metadata")
            return
        }
        #expect(pairs.count == 1)
        #expect(try decodeWith("").echo.metadata == .object([:]))
    }

    @Test func metadataBeyondTheLimitsIsRefused() {
        let seventeen = (0..<17).map { #""k\#($0)":"v""# }.joined(separator: ",")
        expectRefused(#""metadata":{\#(seventeen)}"#, param: "metadata", containing: "16")
        expectRefused(#""metadata":{"\#(String(repeating: "k", count: 65))":"v"}"#, param: "metadata")
        expectRefused(#""metadata":{"k":"\#(String(repeating: "v", count: 513))"}"#, param: "metadata")
        expectRefused(#""metadata":{"k":1}"#, param: "metadata")
        expectRefused(#""metadata":[]"#, param: "metadata")
    }

    @Test func theNumbersAreCheckedAndEchoed() throws {
        let request = try decodeWith(#""max_output_tokens":100,"temperature":0.5,"top_p":1,"user":"u1""#)
        #expect(request.echo.maxOutputTokens == .integer(100))
        #expect(request.echo.temperature == .double(0.5))
        #expect(request.echo.topP == .double(1))
        #expect(request.echo.user == .string("u1"))
        expectRefused(#""max_output_tokens":0"#, param: "max_output_tokens")
        expectRefused(#""max_output_tokens":"9""#, param: "max_output_tokens")
        expectRefused(#""temperature":3"#, param: "temperature")
        expectRefused(#""top_p":1.5"#, param: "top_p")
        expectRefused(#""top_p":-1"#, param: "top_p")
        expectRefused(#""user":1"#, param: "user")
    }

    // MARK: store, background, stream, previous_response_id

    @Test func storeBackgroundAndStreamDefaults() throws {
        let request = try decodeWith("")
        #expect(request.store)
        #expect(!request.background)
        #expect(!request.run.stream)
        #expect(request.run.keepsSession, "a stored response keeps its session")
        #expect(request.echo.store && !request.echo.background)
    }

    @Test func storeFalseKeepsNoSession() throws {
        let request = try decodeWith(#""store":false"#)
        #expect(!request.store)
        #expect(!request.run.keepsSession)
        #expect(request.echo.store == false)
    }

    @Test func streamAndBackgroundCombinations() throws {
        #expect(try decodeWith(#""stream":true"#).run.stream)
        #expect(try decodeWith(#""stream":true,"store":false"#).run.stream)
        let background = try decodeWith(#""background":true,"store":true"#)
        #expect(background.background && background.echo.background)
        #expect(try decodeWith(#""background":false,"stream":true"#).run.stream)
        expectRefused(#""background":true,"stream":true"#, param: "background")
        expectRefused(#""background":true,"store":false"#, param: "background")
        expectRefused(#""stream":"yes""#, param: "stream")
        expectRefused(#""background":1"#, param: "background")
        expectRefused(#""store":"no""#, param: "store")
    }

    @Test func previousResponseID() throws {
        let request = try decodeWith(#""previous_response_id":"resp_abc""#)
        #expect(request.previousResponseID == "resp_abc")
        #expect(request.echo.previousResponseID == .string("resp_abc"))
        #expect(request.run.resumesSession == nil, "the endpoint finds the session")
        #expect(try decodeWith(#""previous_response_id":null"#).previousResponseID == nil)
        expectRefused(#""previous_response_id":"""#, param: "previous_response_id")
        expectRefused(#""previous_response_id":5"#, param: "previous_response_id")
    }
}

@Suite struct ResponsesImageTests {
    func turns(_ input: String) throws(APIError) -> [Turn] {
        try ResponsesDecoder.decode(Array(#"{"model":"m","input":\#(input)}"#.utf8)).run.turns
    }

    func refusal(_ input: String) -> (message: String, param: String?)? {
        thrownError { try turns(input) }.map { error in
            guard case .invalidRequest(let message) = error else { return ("not a 400: \(error)", nil) }
            return (message, OpenAIErrorBody.param(of: error))
        }
    }

    @Test func inputImagePartsAreDataURLsOrHTTPSURLsWithDetailAccepted() throws {
        let decoded = try turns(#"""
            [{"role":"user","content":[{"type":"input_text","text":"Compare"},
              {"type":"input_image","image_url":"data:image/jpeg;base64,\#(ImageFixtures.jpeg)","detail":"auto"},
              {"type":"input_image","image_url":"https://example.com/b.png","detail":"high","file_id":null}]}]
            """#)
        #expect(decoded == [Turn(role: .user, parts: [
            .text("Compare"),
            .image(ImagePart(.base64(mediaType: "image/jpeg", data: ImageFixtures.jpeg), at: "input[0].content[1]")),
            .image(ImagePart(.url("https://example.com/b.png"), at: "input[0].content[2]")),
        ])])
    }

    @Test func anEasyMessageAndAFunctionsOutputMayHoldImages() throws {
        let decoded = try turns(#"""
            [{"role":"user","content":[{"type":"input_image","image_url":"https://x/a.png"}]},
             {"type":"function_call","call_id":"c1","name":"shot","arguments":"{}"},
             {"type":"function_call_output","call_id":"c1","output":[{"type":"input_text","text":"here"},{"type":"input_image","image_url":"https://x/s.png"}]}]
            """#)
        #expect(decoded[0] == Turn(role: .user, parts: [.image(ImagePart(.url("https://x/a.png"), at: "input[0].content[0]"))]))
        #expect(decoded.last == Turn(role: .tool, parts: [.text("here"), .image(ImagePart(.url("https://x/s.png"), at: "input[2].output[1]"))],
                                     toolCallID: "c1"))
    }

    @Test(arguments: [
        (#"[{"role":"user","content":[{"type":"input_image","file_id":"file_1"}]}]"#, "input[0].content[0].file_id",
         "input[0].content[0].file_id is not supported (there are no uploaded files here); send the image as image_url"),
        (#"[{"role":"user","content":[{"type":"input_image","image_url":"https://x/a.png","file_id":"file_1"}]}]"#, "input[0].content[0].file_id",
         "input[0].content[0].file_id is not supported (there are no uploaded files here); send the image as image_url"),
        (#"[{"role":"user","content":[{"type":"input_image"}]}]"#, "input[0].content[0].image_url", "input[0].content[0].image_url must be a string"),
        (#"[{"role":"user","content":[{"type":"input_image","image_url":{"url":"https://x/a.png"}}]}]"#, "input[0].content[0].image_url",
         "input[0].content[0].image_url must be a string"),
        (#"[{"role":"user","content":[{"type":"input_image","image_url":"https://x/a.png","detail":1}]}]"#, "input[0].content[0].detail",
         "input[0].content[0].detail must be a string, not number"),
        (#"[{"role":"user","content":[{"type":"input_image","image_url":"data:image/png,abc"}]}]"#, "input[0].content[0]",
         "input[0].content[0] must be a base64 data URL (data:image/png;base64,…) or an https URL"),
        (#"[{"role":"system","content":[{"type":"input_image","image_url":"https://x/a.png"}]}]"#, "input[0].content[0]",
         "input[0].content[0] is an image; only a user's message or a function's result may hold images"),
        (#"[{"role":"developer","content":[{"type":"input_image","image_url":"https://x/a.png"}]}]"#, "input[0].content[0]",
         "input[0].content[0] is an image; only a user's message or a function's result may hold images"),
        (#"[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"a"},{"type":"input_image","image_url":"https://x/a.png"}]}]"#,
         "input[0].content[1]", "input[0].content[1] is an image; only a user's message or a function's result may hold images"),
    ] as [(String, String, String)])
    func badImagePartsAreRefusedNamingThePart(input: String, param: String, message: String) throws {
        let refused = try #require(refusal(input), "accepted: \(input)")
        #expect(refused.message == message)
        #expect(refused.param == param)
    }
}
