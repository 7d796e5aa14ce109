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
