"""The corpus of bad requests: each must get a 4xx JSON {"error": …} and start no claude run.

Each entry is (name, raw HTTP/1.1 request bytes). `TOKEN` in a request is replaced by the stack's
token. Requests are sent as they are over TLS, so that nginx sees exactly these bytes.
"""
import json

GOOD = {"model": "recruiter-triage", "messages": [{"role": "user", "content": "hi"}]}


def request(body, content_type="application/json", authorization="Bearer TOKEN", extra=b"", path=b"/v1/chat/completions"):
    if isinstance(body, str):
        body = body.encode()
    head = b"POST " + path + b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
    if content_type is not None:
        head += b"Content-Type: " + content_type.encode() + b"\r\n"
    if authorization is not None:
        head += b"Authorization: " + authorization.encode() + b"\r\n"
    return head + extra + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body


def with_fields(**fields):
    body = dict(GOOD)
    body.update(fields)
    return request(json.dumps(body))


def F(name):
    """A `tools` entry offering function `name`."""
    return {"type": "function", "function": {"name": name}}


def with_message(message):
    return with_fields(messages=[message])


CORPUS = [
    # Not JSON, or not an object.
    ("truncated JSON", request('{"model":"m","messages":[')),
    ("missing value", request('{"model":}')),
    ("trailing comma", request('{"model":"m","messages":[{"role":"user","content":"x"}],}')),
    ("single quotes", request("{'model':'m'}")),
    ("bare word", request("nul")),
    ("array body", request("[]")),
    ("string body", request('"hello"')),
    ("number body", request("42")),
    ("null body", request("null")),
    ("empty body", request("")),
    ("two documents", request(json.dumps(GOOD) + json.dumps(GOOD))),
    # Fields of the wrong type or out of range.
    ("model number", with_fields(model=5)),
    ("model null", with_fields(model=None)),
    ("model empty", with_fields(model="")),
    ("messages string", with_fields(messages="hi")),
    ("messages object", with_fields(messages={"role": "user"})),
    ("messages empty", with_fields(messages=[])),
    ("max_tokens string", with_fields(max_tokens="5")),
    ("max_tokens zero", with_fields(max_tokens=0)),
    ("max_tokens negative", with_fields(max_tokens=-3)),
    ("max_tokens fraction", with_fields(max_tokens=1.5)),
    ("max_completion_tokens string", with_fields(max_completion_tokens="x")),
    ("temperature string", with_fields(temperature="hot")),
    ("temperature too high", with_fields(temperature=2.5)),
    ("temperature negative", with_fields(temperature=-1)),
    ("n two", with_fields(n=2)),
    ("n string", with_fields(n="1")),
    ("stream string", with_fields(stream="true")),
    ("stream true", with_fields(stream=True)),
    ("huge integer", request('{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":99999999999999999999999999999}')),
    ("huge exponent", request('{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":1e400}')),
    ("NaN", request('{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":NaN}')),
    ("Infinity", request('{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":Infinity}')),
    ("-Infinity", request('{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":-Infinity}')),
    ("deep nesting", request('{"model":"m","messages":' + "[" * 10000 + "]" * 10000 + "}")),
    # Fields we refuse rather than drop, and bad shapes of response_format, tools and tool_choice.
    ("functions", with_fields(functions=[{"name": "f"}])),
    ("function_call", with_fields(function_call="auto")),
    ("response_format string", with_fields(response_format="json")),
    ("response_format without type", with_fields(response_format={})),
    ("response_format unknown type", with_fields(response_format={"type": "xml"})),
    ("response_format json_schema without json_schema", with_fields(response_format={"type": "json_schema"})),
    ("response_format json_schema without schema", with_fields(response_format={"type": "json_schema", "json_schema": {"name": "x"}})),
    ("response_format json_schema without name", with_fields(response_format={"type": "json_schema", "json_schema": {"schema": {}}})),
    ("response_format json_schema bad name", with_fields(response_format={"type": "json_schema", "json_schema": {"name": "a/b", "schema": {}}})),
    ("response_format schema array", with_fields(response_format={"type": "json_schema", "json_schema": {"name": "x", "schema": []}})),
    ("response_format schema bad type", with_fields(response_format={"type": "json_schema", "json_schema": {
        "name": "x", "schema": {"type": "object", "properties": {"age": {"type": "int"}}}}})),
    ("response_format schema bad required", with_fields(response_format={"type": "json_schema", "json_schema": {
        "name": "x", "schema": {"type": "object", "required": "age"}}})),
    ("response_format schema too large", with_fields(response_format={"type": "json_schema", "json_schema": {
        "name": "x", "schema": {"type": "object", "description": "d" * 70000}}})),
    ("response_format strict string", with_fields(response_format={"type": "json_schema", "json_schema": {
        "name": "x", "strict": "yes", "schema": {"type": "object"}}})),
    ("tools object", with_fields(tools={"type": "function"})),
    ("tools entry empty", with_fields(tools=[{}])),
    ("tools entry not function", with_fields(tools=[{"type": "retrieval"}])),
    ("tools function missing", with_fields(tools=[{"type": "function"}])),
    ("tools name with space", with_fields(tools=[{"type": "function", "function": {"name": "get weather"}}])),
    ("tools name twice", with_fields(tools=[F("f"), F("f")])),
    ("tools parameters not object", with_fields(tools=[{"type": "function", "function": {"name": "f", "parameters": {"type": "string"}}}])),
    ("tools parameters bad schema", with_fields(tools=[{"type": "function", "function": {
        "name": "f", "parameters": {"type": "object", "properties": {"a": {"type": "strng"}}}}}])),
    ("tool_choice unknown", with_fields(tool_choice="any")),
    ("tool_choice number", with_fields(tool_choice=1)),
    ("tool_choice required without tools", with_fields(tool_choice="required")),
    ("tool_choice names no offered function", with_fields(tools=[F("f")], tool_choice={"type": "function", "function": {"name": "g"}})),
    ("tool_choice object without function", with_fields(tools=[F("f")], tool_choice={"type": "function"})),
    ("parallel_tool_calls string", with_fields(parallel_tool_calls="no")),
    ("tool message answers no call", with_fields(messages=[{"role": "user", "content": "x"}, {"role": "tool", "tool_call_id": "c", "content": "r"}])),
    ("assistant tool_calls without arguments", with_fields(messages=[
        {"role": "user", "content": "x"}, {"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f"}}]},
        {"role": "tool", "tool_call_id": "c", "content": "r"}])),
    ("unanswered tool call last", with_fields(messages=[
        {"role": "user", "content": "x"}, {"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}])),
    # Messages.
    ("message string", with_fields(messages=["hi"])),
    ("message number", with_fields(messages=[1])),
    ("message null", with_fields(messages=[None])),
    ("message array", with_fields(messages=[[{"role": "user", "content": "x"}]])),
    ("role tool", with_message({"role": "tool", "content": "x", "tool_call_id": "1"})),
    ("role tool without tool_call_id", with_message({"role": "tool", "content": "x"})),
    ("role function", with_message({"role": "function", "content": "x", "name": "f"})),
    ("role unknown", with_message({"role": "wizard", "content": "x"})),
    ("role number", with_message({"role": 5, "content": "x"})),
    ("role missing", with_message({"content": "x"})),
    ("content missing", with_message({"role": "user"})),
    ("content null", with_message({"role": "user", "content": None})),
    ("content number", with_message({"role": "user", "content": 7})),
    ("part image_url", with_message({"role": "user", "content": [{"type": "image_url", "image_url": {"url": "http://x"}}]})),
    ("part input_audio", with_message({"role": "user", "content": [{"type": "input_audio", "input_audio": {}}]})),
    ("part not object", with_message({"role": "user", "content": ["x"]})),
    ("part without text", with_message({"role": "user", "content": [{"type": "text"}]})),
    ("part text number", with_message({"role": "user", "content": [{"type": "text", "text": 1}]})),
    ("NUL in content", request('{"model":"m","messages":[{"role":"user","content":"a\\u0000b"}]}')),
    ("invalid UTF-8", request(b'{"model":"m","messages":[{"role":"user","content":"\xff\xfe"}]}')),
    ("lone surrogate", request('{"model":"m","messages":[{"role":"user","content":"\\ud800"}]}')),
    ("no user message", with_fields(messages=[{"role": "system", "content": "x"}])),
    ("assistant last", with_fields(messages=[{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}])),
    ("duplicate model", request('{"model":"a","messages":[{"role":"user","content":"x"}],"model":"b"}')),
    ("duplicate role", request('{"model":"m","messages":[{"role":"system","content":"x","role":"user"}]}')),
    ("duplicate escaped key", request('{"model":"m","messages":[{"role":"user","content":"x"}],"\\u006dodel":"b"}')),
    # Transport.
    ("body over the limit", request(b"x" * (5 << 20))),
    ("text/plain", request(json.dumps(GOOD), content_type="text/plain")),
    ("form content type", request(json.dumps(GOOD), content_type="application/x-www-form-urlencoded")),
    ("malformed chunking", b"POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                           b"Authorization: Bearer TOKEN\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                           b"zz\r\n{}\r\n0\r\n\r\n"),
    ("chunked and length", b"POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                           b"Authorization: Bearer TOKEN\r\nContent-Type: application/json\r\nContent-Length: 5\r\n"
                           b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"),
    ("malformed request line", b"GARBAGE\r\n\r\n"),
    ("very long URI", b"POST /v1/chat/completions?" + b"a" * 20000 + b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
    ("very long header", request(json.dumps(GOOD), extra=b"X-Padding: " + b"p" * 20000 + b"\r\n")),
    # Authorization.
    ("no Authorization", request(json.dumps(GOOD), authorization=None)),
    ("empty token", request(json.dumps(GOOD), authorization="Bearer ")),
    ("scheme only", request(json.dumps(GOOD), authorization="Bearer")),
    ("two tokens", request(json.dumps(GOOD), authorization="Bearer TOKEN TOKEN")),
    ("Basic scheme", request(json.dumps(GOOD), authorization="Basic TOKEN")),
    ("token without scheme", request(json.dumps(GOOD), authorization="TOKEN")),
    ("wrong token", request(json.dumps(GOOD), authorization="Bearer not-the-token")),
    ("token prefix", request(json.dumps(GOOD), authorization="Bearer TOKEN"[:-1])),
    ("duplicate Authorization", request(json.dumps(GOOD), extra=b"Authorization: Bearer TOKEN\r\n")),
    ("bad auth before bad body", request("{", authorization="Bearer wrong")),
]


# The Responses API: each entry is (name, raw request to /v1/responses, status, param). Every answer is
# OpenAI's {"error": {"message", "type", "param", "code"}} whose param names the field at fault (None
# where no field is), and no claude run starts.
RESPONSES_GOOD = {"model": "recruiter-triage", "input": "hi"}


def responses_request(body):
    return request(body if isinstance(body, (str, bytes)) else json.dumps(body), path=b"/v1/responses")


def responses_with(**fields):
    body = dict(RESPONSES_GOOD)
    body.update(fields)
    return responses_request(body)


def responses_without(name):
    return responses_request({k: v for k, v in RESPONSES_GOOD.items() if k != name})


def RF(name, **extra):
    """A Responses `tools` entry offering function `name`."""
    return {"type": "function", "name": name, **extra}


USER = {"role": "user", "content": "x"}
SCHEMA = {"type": "object"}

RESPONSES_CORPUS = [
    # Not a JSON object.
    ("not JSON", responses_request('{"model":'), 400, None),
    ("empty body", responses_request(""), 400, None),
    ("array body", responses_request("[]"), 400, None),
    ("duplicate key", responses_request('{"model":"m","input":"x","model":"n"}'), 400, None),
    ("invalid UTF-8", responses_request(b'{"model":"m","input":"\xff\xfe"}'), 400, None),
    ("lone surrogate", responses_request('{"model":"m","input":"\\ud800"}'), 400, None),
    # model, and the fields refused by name.
    ("model missing", responses_without("model"), 400, "model"),
    ("model number", responses_with(model=5), 400, "model"),
    ("model empty", responses_with(model=""), 400, "model"),
    ("conversation", responses_with(conversation="conv_1"), 400, "conversation"),
    ("prompt template", responses_with(prompt={"id": "pmpt_1"}), 400, "prompt"),
    # input and instructions.
    ("input missing", responses_without("input"), 400, "input"),
    ("input number", responses_with(input=5), 400, "input"),
    ("input null", responses_with(input=None), 400, "input"),
    ("input empty array", responses_with(input=[]), 400, "input"),
    ("input object", responses_with(input={"role": "user", "content": "x"}), 400, "input"),
    ("input item string", responses_with(input=["hi"]), 400, "input[0]"),
    ("input item type number", responses_with(input=[{"type": 1}]), 400, "input[0].type"),
    ("input item type unknown", responses_with(input=[USER, {"type": "file_search_call", "id": "x"}]), 400, "input[1].type"),
    ("input item_reference", responses_with(input=[{"type": "item_reference", "id": "msg_1"}]), 400, "input[0].type"),
    ("input role tool", responses_with(input=[{"role": "tool", "content": "x"}]), 400, "input[0].role"),
    ("input role missing", responses_with(input=[{"content": "x"}]), 400, "input[0].role"),
    ("input content number", responses_with(input=[{"role": "user", "content": 7}]), 400, "input[0].content"),
    ("input content null", responses_with(input=[{"role": "user", "content": None}]), 400, "input[0].content"),
    ("input part input_image over http", responses_with(input=[{"role": "user", "content": [{"type": "input_image", "image_url": "http://x"}]}]),
     400, "input[0].content[0]"),
    ("input part input_file", responses_with(input=[{"role": "user", "content": [{"type": "input_file", "file_id": "f"}]}]),
     400, "input[0].content[0].type"),
    ("input part without text", responses_with(input=[{"role": "user", "content": [{"type": "input_text"}]}]), 400, "input[0].content[0].text"),
    ("input part not object", responses_with(input=[{"role": "user", "content": ["x"]}]), 400, "input[0].content[0]"),
    ("input user output_text part", responses_with(input=[{"role": "user", "content": [{"type": "output_text", "text": "x"}]}]),
     400, "input[0].content[0].type"),
    ("NUL in input", responses_request('{"model":"m","input":"a\\u0000b"}'), 400, "input"),
    ("NUL in content", responses_request('{"model":"m","input":[{"role":"user","content":"a\\u0000b"}]}'), 400, "input[0].content"),
    ("function_call without call_id", responses_with(input=[USER, {"type": "function_call", "name": "f", "arguments": "{}"}]),
     400, "input[1].call_id"),
    ("function_call without name", responses_with(input=[USER, {"type": "function_call", "call_id": "c", "arguments": "{}"}]),
     400, "input[1].name"),
    ("function_call arguments object", responses_with(input=[USER, {"type": "function_call", "call_id": "c", "name": "f", "arguments": {}}]),
     400, "input[1].arguments"),
    ("function_call namespace number", responses_with(input=[
        USER, {"type": "function_call", "call_id": "c", "name": "f", "arguments": "{}", "namespace": 1}]), 400, "input[1].namespace"),
    ("function_call_output without call_id", responses_with(input=[USER, {"type": "function_call_output", "output": "x"}]),
     400, "input[1].call_id"),
    ("function_call_output output number", responses_with(input=[USER, {"type": "function_call_output", "call_id": "c", "output": 3}]),
     400, "input[1].output"),
    ("function_call_output image part", responses_with(input=[
        USER, {"type": "function_call_output", "call_id": "c", "output": [{"type": "input_image"}]}]), 400, "input[1].output[0].image_url"),
    ("function_call_output answers no call", responses_with(input=[USER, {"type": "function_call_output", "call_id": "c", "output": "x"}]),
     400, "input[1].call_id"),
    ("no user message", responses_with(input=[{"role": "system", "content": "x"}]), 400, "input"),
    ("unanswered function_call last", responses_with(input=[USER, {"type": "function_call", "call_id": "c", "name": "f", "arguments": "{}"}]),
     400, "input"),
    ("instructions number", responses_with(instructions=3), 400, "instructions"),
    ("NUL in instructions", responses_request('{"model":"m","input":"x","instructions":"a\\u0000b"}'), 400, "instructions"),
    # text.format.
    ("text string", responses_with(text="json"), 400, "text"),
    ("text.format string", responses_with(text={"format": "json_object"}), 400, "text.format"),
    ("text.format without type", responses_with(text={"format": {}}), 400, "text.format.type"),
    ("text.format unknown type", responses_with(text={"format": {"type": "xml"}}), 400, "text.format.type"),
    ("text.format json_schema without name", responses_with(text={"format": {"type": "json_schema", "schema": SCHEMA}}), 400, "text.format.name"),
    ("text.format json_schema bad name", responses_with(text={"format": {"type": "json_schema", "name": "a/b", "schema": SCHEMA}}),
     400, "text.format.name"),
    ("text.format json_schema without schema", responses_with(text={"format": {"type": "json_schema", "name": "x"}}), 400, "text.format.schema"),
    ("text.format schema array", responses_with(text={"format": {"type": "json_schema", "name": "x", "schema": []}}), 400, "text.format.schema"),
    ("text.format schema bad type", responses_with(text={"format": {"type": "json_schema", "name": "x", "schema": {
        "type": "object", "properties": {"firstName": {"type": "int"}}}}}), 400, "text.format.schema.properties.firstName.type"),
    ("text.format strict string", responses_with(text={"format": {"type": "json_schema", "name": "x", "strict": "yes", "schema": SCHEMA}}),
     400, "text.format.strict"),
    ("text.format schema too large", responses_with(text={"format": {"type": "json_schema", "name": "x", "schema": {
        "type": "object", "description": "d" * 70000}}}), 400, None),
    # tools.
    ("tools object", responses_with(tools={"type": "function"}), 400, "tools"),
    ("tools entry number", responses_with(tools=[3]), 400, "tools[0]"),
    ("tools entry without type", responses_with(tools=[{"name": "f"}]), 400, "tools[0].type"),
    ("tools web_search", responses_with(tools=[{"type": "web_search"}]), 400, "tools[0].type"),
    ("tools web_search with the web", responses_with(tools=[{"type": "web_search", "external_web_access": True}]), 400, "tools[0].type"),
    ("tools web_search_preview", responses_with(tools=[RF("f"), {"type": "web_search_preview"}]), 400, "tools[1].type"),
    ("tools file_search", responses_with(tools=[{"type": "file_search", "vector_store_ids": ["vs_1"]}]), 400, "tools[0].type"),
    ("tools code_interpreter", responses_with(tools=[{"type": "code_interpreter", "container": {"type": "auto"}}]), 400, "tools[0].type"),
    ("tools computer_use_preview", responses_with(tools=[{"type": "computer_use_preview", "display_width": 1, "display_height": 1,
                                                          "environment": "linux"}]), 400, "tools[0].type"),
    ("tools image_generation", responses_with(tools=[{"type": "image_generation"}]), 400, "tools[0].type"),
    ("tools mcp", responses_with(tools=[{"type": "mcp", "server_label": "x", "server_url": "http://x"}]), 400, "tools[0].type"),
    ("tools local_shell", responses_with(tools=[{"type": "local_shell"}]), 400, "tools[0].type"),
    ("tools function without name", responses_with(tools=[{"type": "function"}]), 400, "tools[0].name"),
    ("tools function name with a dot", responses_with(tools=[RF("a.b")]), 400, "tools[0].name"),
    ("tools function name twice", responses_with(tools=[RF("f"), RF("f")]), 400, "tools[1].name"),
    ("tools parameters string", responses_with(tools=[RF("f", parameters="x")]), 400, "tools[0].parameters"),
    ("tools parameters not object", responses_with(tools=[RF("f", parameters={"type": "string"})]), 400, "tools[0].parameters"),
    ("tools parameters bad schema", responses_with(tools=[RF("f", parameters={"type": "object", "properties": {"a": {"type": "strng"}}})]),
     400, "tools[0].parameters.properties.a.type"),
    ("tools strict string", responses_with(tools=[RF("f", strict="yes")]), 400, "tools[0].strict"),
    ("tools namespace without name", responses_with(tools=[{"type": "namespace", "tools": [RF("f")]}]), 400, "tools[0].name"),
    ("tools namespace without tools", responses_with(tools=[{"type": "namespace", "name": "ns"}]), 400, "tools[0].tools"),
    ("tools namespace member web_search", responses_with(tools=[{"type": "namespace", "name": "ns", "tools": [{"type": "web_search"}]}]),
     400, "tools[0].tools[0].type"),
    ("tools namespace member twice", responses_with(tools=[{"type": "namespace", "name": "ns", "tools": [RF("f"), RF("f")]}]),
     400, "tools[0].tools[1].name"),
    # tool_choice and parallel_tool_calls.
    ("tool_choice unknown", responses_with(tool_choice="any"), 400, "tool_choice"),
    ("tool_choice number", responses_with(tool_choice=1), 400, "tool_choice"),
    ("tool_choice required without tools", responses_with(tool_choice="required"), 400, "tool_choice"),
    ("tool_choice names no offered function", responses_with(tools=[RF("f")], tool_choice={"type": "function", "name": "g"}), 400, "tool_choice"),
    ("tool_choice object without name", responses_with(tools=[RF("f")], tool_choice={"type": "function"}), 400, "tool_choice"),
    ("tool_choice hosted tool", responses_with(tools=[RF("f")], tool_choice={"type": "web_search"}), 400, "tool_choice"),
    ("tool_choice namespace number", responses_with(tools=[RF("f")], tool_choice={"type": "function", "name": "f", "namespace": 1}),
     400, "tool_choice.namespace"),
    ("parallel_tool_calls string", responses_with(parallel_tool_calls="no"), 400, "parallel_tool_calls"),
    # reasoning, metadata and the echoed numbers.
    ("reasoning string", responses_with(reasoning="high"), 400, "reasoning"),
    ("reasoning.effort unknown", responses_with(reasoning={"effort": "extreme"}), 400, "reasoning.effort"),
    ("reasoning.effort number", responses_with(reasoning={"effort": 2}), 400, "reasoning.effort"),
    ("metadata array", responses_with(metadata=[]), 400, "metadata"),
    ("metadata 17 keys", responses_with(metadata={f"k{i}": "v" for i in range(17)}), 400, "metadata"),
    ("metadata long key", responses_with(metadata={"k" * 65: "v"}), 400, "metadata"),
    ("metadata long value", responses_with(metadata={"k": "v" * 513}), 400, "metadata"),
    ("metadata number value", responses_with(metadata={"k": 1}), 400, "metadata"),
    ("max_output_tokens zero", responses_with(max_output_tokens=0), 400, "max_output_tokens"),
    ("max_output_tokens string", responses_with(max_output_tokens="9"), 400, "max_output_tokens"),
    ("temperature too high", responses_with(temperature=3), 400, "temperature"),
    ("top_p above one", responses_with(top_p=1.5), 400, "top_p"),
    ("top_p string", responses_with(top_p="1"), 400, "top_p"),
    ("user number", responses_with(user=1), 400, "user"),
    # store, background, stream, previous_response_id.
    ("store string", responses_with(store="no"), 400, "store"),
    ("stream string", responses_with(stream="true"), 400, "stream"),
    ("background string", responses_with(background="yes"), 400, "background"),
    ("background and stream", responses_with(background=True, stream=True), 400, "background"),
    ("background without store", responses_with(background=True, store=False), 400, "background"),
    ("previous_response_id empty", responses_with(previous_response_id=""), 400, "previous_response_id"),
    ("previous_response_id number", responses_with(previous_response_id=5), 400, "previous_response_id"),
    ("previous_response_id unknown", responses_with(previous_response_id="resp_never_stored"), 404, "previous_response_id"),
    ("previous_response_id not an id", responses_with(previous_response_id="../../etc/passwd"), 404, "previous_response_id"),
]


# The Messages API: each entry is (name, raw request to /v1/messages, status, field). Every answer is
# Anthropic's {"type": "error", "error": {"type", "message"}} with the API's type for the status, its
# message naming `field` (None where no field is at fault), and no claude run starts.
MESSAGES_GOOD = {"model": "recruiter-triage", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]}
PNG_1X1 = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCB"
           "4m0MUQAAAABJRU5ErkJggg==")
GIF_BYTES = "R0lGODlhAQABAAAAACw="  # "GIF89a" and a little more


def messages_request(body, path=b"/v1/messages", authorization=None, api_key="TOKEN", extra=b""):
    if api_key is not None:
        extra = b"x-api-key: " + api_key.encode() + b"\r\n" + extra
    extra = b"anthropic-version: 2023-06-01\r\n" + extra
    return request(body if isinstance(body, (str, bytes)) else json.dumps(body), authorization=authorization, extra=extra, path=path)


def messages_with(**fields):
    body = dict(MESSAGES_GOOD)
    body.update(fields)
    return messages_request(body)


def messages_without(name):
    return messages_request({k: v for k, v in MESSAGES_GOOD.items() if k != name})


def user_blocks(*blocks):
    return messages_with(messages=[{"role": "user", "content": list(blocks)}])


def image(data=PNG_1X1, media_type="image/png"):
    return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}


def tool(name="f", **extra):
    return {"name": name, "input_schema": {"type": "object", "properties": {}}, **extra}


CALL = {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}]}

MESSAGES_CORPUS = [
    # Not a JSON object.
    ("not JSON", messages_request('{"model":'), 400, None),
    ("empty body", messages_request(""), 400, None),
    ("array body", messages_request("[]"), 400, None),
    ("duplicate key", messages_request('{"model":"m","max_tokens":5,"messages":[],"model":"n"}'), 400, None),
    ("invalid UTF-8", messages_request(b'{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"\xff"}]}'), 400, None),
    ("text/plain", request(json.dumps(MESSAGES_GOOD), content_type="text/plain", authorization=None,
                           extra=b"x-api-key: TOKEN\r\n", path=b"/v1/messages"), 415, None),
    # model, max_tokens, stream.
    ("model missing", messages_without("model"), 400, "model"),
    ("model number", messages_with(model=5), 400, "model"),
    ("model empty", messages_with(model=""), 400, "model"),
    ("max_tokens missing", messages_without("max_tokens"), 400, "max_tokens"),
    ("max_tokens null", messages_with(max_tokens=None), 400, "max_tokens"),
    ("max_tokens zero", messages_with(max_tokens=0), 400, "max_tokens"),
    ("max_tokens string", messages_with(max_tokens="64"), 400, "max_tokens"),
    ("max_tokens fraction", messages_with(max_tokens=1.5), 400, "max_tokens"),
    ("stream string", messages_with(stream="true"), 400, "stream"),
    # Sampling and metadata.
    ("temperature above one", messages_with(temperature=1.5), 400, "temperature"),
    ("temperature string", messages_with(temperature="hot"), 400, "temperature"),
    ("top_p negative", messages_with(top_p=-0.1), 400, "top_p"),
    ("top_k negative", messages_with(top_k=-1), 400, "top_k"),
    ("top_k fraction", messages_with(top_k=0.5), 400, "top_k"),
    ("stop_sequences string", messages_with(stop_sequences="END"), 400, "stop_sequences"),
    ("stop_sequences numbers", messages_with(stop_sequences=[1]), 400, "stop_sequences"),
    ("metadata array", messages_with(metadata=["u"]), 400, "metadata"),
    ("metadata.user_id number", messages_with(metadata={"user_id": 7}), 400, "metadata.user_id"),
    # thinking and output_config.
    ("thinking string", messages_with(thinking="adaptive"), 400, "thinking"),
    ("thinking type unknown", messages_with(thinking={"type": "deep"}), 400, "thinking.type"),
    ("thinking without type", messages_with(thinking={"budget_tokens": 1024}), 400, "thinking.type"),
    ("thinking budget_tokens string", messages_with(thinking={"type": "enabled", "budget_tokens": "1024"}), 400, "thinking.budget_tokens"),
    ("thinking budget_tokens zero", messages_with(thinking={"type": "enabled", "budget_tokens": 0}), 400, "thinking.budget_tokens"),
    ("output_config string", messages_with(output_config="high"), 400, "output_config"),
    ("output_config.effort unknown", messages_with(output_config={"effort": "extreme"}), 400, "output_config.effort"),
    ("output_config.effort number", messages_with(output_config={"effort": 3}), 400, "output_config.effort"),
    ("output_config.format string", messages_with(output_config={"format": "json"}), 400, "output_config.format"),
    ("output_config.format type", messages_with(output_config={"format": {"type": "xml"}}), 400, "output_config.format.type"),
    ("output_config.format without schema", messages_with(output_config={"format": {"type": "json_schema"}}), 400,
     "output_config.format.schema"),
    # Refused by name.
    ("mcp_servers", messages_with(mcp_servers=[{"type": "url", "url": "https://x", "name": "x"}]), 400, "mcp_servers"),
    ("container", messages_with(container="cntr_1"), 400, "container"),
    # system.
    ("system number", messages_with(system=5), 400, "system"),
    ("system object", messages_with(system={"type": "text", "text": "x"}), 400, "system"),
    ("system image block", messages_with(system=[image()]), 400, "system[0].type"),
    ("system block without text", messages_with(system=[{"type": "text"}]), 400, "system[0].text"),
    ("NUL in system", messages_request('{"model":"m","max_tokens":5,"system":"a\\u0000b","messages":[{"role":"user","content":"x"}]}'),
     400, "system"),
    # messages.
    ("messages missing", messages_without("messages"), 400, "messages"),
    ("messages empty", messages_with(messages=[]), 400, "messages"),
    ("messages object", messages_with(messages={"role": "user", "content": "x"}), 400, "messages"),
    ("message string", messages_with(messages=["hi"]), 400, "messages[0]"),
    ("role missing", messages_with(messages=[{"content": "x"}]), 400, "messages[0].role"),
    ("role tool", messages_with(messages=[{"role": "tool", "content": "x"}]), 400, "messages[0].role"),
    ("content number", messages_with(messages=[{"role": "user", "content": 5}]), 400, "messages[0].content"),
    ("content null", messages_with(messages=[{"role": "user", "content": None}]), 400, "messages[0].content"),
    ("content empty list", messages_with(messages=[{"role": "user", "content": []}]), 400, "messages[0].content"),
    ("block not object", user_blocks("x"), 400, "messages[0].content[0]"),
    ("block without type", user_blocks({"text": "x"}), 400, "messages[0].content[0].type"),
    ("block text number", user_blocks({"type": "text", "text": 1}), 400, "messages[0].content[0].text"),
    ("block document", user_blocks({"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "x"}}),
     400, "messages[0].content[0].type"),
    ("block tool_use in a user message", user_blocks({"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}),
     400, "messages[0].content[0].type"),
    ("NUL in content", messages_request('{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"a\\u0000b"}]}'),
     400, "messages[0].content"),
    ("assistant image", messages_with(messages=[{"role": "user", "content": "x"}, {"role": "assistant", "content": [image()]},
                                                {"role": "user", "content": "y"}]), 400, "messages[1].content[0]"),
    # tool_use and tool_result.
    ("tool_use without id", messages_with(messages=[{"role": "user", "content": "x"}, {"role": "assistant", "content": [
        {"type": "tool_use", "name": "f", "input": {}}]}, {"role": "user", "content": "y"}]), 400, "messages[1].content[0].id"),
    ("tool_use input string", messages_with(messages=[{"role": "user", "content": "x"}, {"role": "assistant", "content": [
        {"type": "tool_use", "id": "toolu_1", "name": "f", "input": "{}"}]}, {"role": "user", "content": "y"}]), 400,
     "messages[1].content[0].input"),
    ("tool_result answers no call", user_blocks({"type": "tool_result", "tool_use_id": "toolu_9", "content": "r"}), 400,
     "messages[0].content[0].tool_use_id"),
    ("tool_result without tool_use_id", messages_with(messages=[{"role": "user", "content": "x"}, CALL, {"role": "user", "content": [
        {"type": "tool_result", "content": "r"}]}]), 400, "messages[2].content[0].tool_use_id"),
    ("tool_result is_error string", messages_with(messages=[{"role": "user", "content": "x"}, CALL, {"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": "toolu_1", "content": "r", "is_error": "yes"}]}]), 400, "messages[2].content[0].is_error"),
    ("tool_result content number", messages_with(messages=[{"role": "user", "content": "x"}, CALL, {"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": "toolu_1", "content": 3}]}]), 400, "messages[2].content[0].content"),
    ("tool_result content document", messages_with(messages=[{"role": "user", "content": "x"}, CALL, {"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": "toolu_1", "content": [{"type": "document"}]}]}]), 400,
     "messages[2].content[0].content[0].type"),
    # Images.
    ("image without source", user_blocks({"type": "image"}), 400, "messages[0].content[0].source"),
    ("image source file", user_blocks({"type": "image", "source": {"type": "file", "file_id": "file_1"}}), 400,
     "messages[0].content[0].source.type"),
    ("image data not base64", user_blocks(image(data="not base64 at all!")), 400, "messages[0].content[0]"),
    ("image data number", user_blocks(image(data=5)), 400, "messages[0].content[0].source.data"),
    ("image media_type missing", user_blocks({"type": "image", "source": {"type": "base64", "data": PNG_1X1}}), 400,
     "messages[0].content[0].source.media_type"),
    ("image PNG declared as JPEG", user_blocks(image(media_type="image/jpeg")), 400, "messages[0].content[0]"),
    ("image not an image", user_blocks(image(data="aGVsbG8gd29ybGQ=", media_type="image/png")), 400, "messages[0].content[0]"),
    ("image media_type svg", user_blocks(image(data=GIF_BYTES, media_type="image/svg+xml")), 400, "messages[0].content[0]"),
    ("image over http", user_blocks({"type": "image", "source": {"type": "url", "url": "http://example.com/a.png"}}), 400,
     "messages[0].content[0]"),
    ("image file URL", user_blocks({"type": "image", "source": {"type": "url", "url": "file:///etc/passwd"}}), 400,
     "messages[0].content[0]"),
    ("image url number", user_blocks({"type": "image", "source": {"type": "url", "url": 1}}), 400, "messages[0].content[0].source.url"),
    ("image in a system message", messages_with(messages=[{"role": "system", "content": [image()]}, {"role": "user", "content": "x"}]),
     400, "messages[0].content[0].type"),
    ("21 images", user_blocks(*[image()] * 21), 400, "messages"),
    # tools and tool_choice.
    ("tools object", messages_with(tools={"name": "f"}), 400, "tools"),
    ("tools entry number", messages_with(tools=[1]), 400, "tools[0]"),
    ("tools web_search server tool", messages_with(tools=[{"type": "web_search_20250305", "name": "web_search"}]), 400, "tools[0].type"),
    ("tools code_execution server tool", messages_with(tools=[tool(), {"type": "code_execution_20250825", "name": "code_execution"}]),
     400, "tools[1].type"),
    ("tools bash server tool", messages_with(tools=[{"type": "bash_20250124", "name": "bash"}]), 400, "tools[0].type"),
    ("tools type number", messages_with(tools=[tool(type=1)]), 400, "tools[0].type"),
    ("tools without name", messages_with(tools=[{"input_schema": {"type": "object"}}]), 400, "tools[0].name"),
    ("tools name with space", messages_with(tools=[tool("get weather")]), 400, "tools[0].name"),
    ("tools name twice", messages_with(tools=[tool(), tool()]), 400, "tools[1].name"),
    ("tools without input_schema", messages_with(tools=[{"name": "f"}]), 400, "tools[0].input_schema"),
    ("tools input_schema string", messages_with(tools=[{"name": "f", "input_schema": "{}"}]), 400, "tools[0].input_schema"),
    ("tools input_schema not object", messages_with(tools=[{"name": "f", "input_schema": {"type": "string"}}]), 400, "tools[0].input_schema"),
    ("tools input_schema bad type", messages_with(tools=[{"name": "f", "input_schema": {"type": "object", "properties": {"a": {"type": "strng"}}}}]),
     400, "tools[0].input_schema"),
    ("tools description number", messages_with(tools=[tool(description=1)]), 400, "tools[0].description"),
    ("tool_choice string", messages_with(tools=[tool()], tool_choice="auto"), 400, "tool_choice"),
    ("tool_choice type unknown", messages_with(tools=[tool()], tool_choice={"type": "required"}), 400, "tool_choice.type"),
    ("tool_choice tool without name", messages_with(tools=[tool()], tool_choice={"type": "tool"}), 400, "tool_choice.name"),
    ("tool_choice names no tool", messages_with(tools=[tool()], tool_choice={"type": "tool", "name": "g"}), 400, "tool_choice"),
    ("tool_choice any without tools", messages_with(tool_choice={"type": "any"}), 400, "tool_choice"),
    ("tool_choice disable_parallel_tool_use string", messages_with(tools=[tool()], tool_choice={"type": "auto", "disable_parallel_tool_use": "yes"}),
     400, "tool_choice.disable_parallel_tool_use"),
    # Authentication, in Anthropic's shape.
    ("no key", messages_request(MESSAGES_GOOD, api_key=None), 401, None),
    ("wrong x-api-key", messages_request(MESSAGES_GOOD, api_key="not-the-token"), 401, None),
    ("wrong bearer", messages_request(MESSAGES_GOOD, api_key=None, authorization="Bearer not-the-token"), 401, None),
    ("count_tokens bad body", messages_request("{", path=b"/v1/messages/count_tokens"), 404, "count_tokens"),
]
