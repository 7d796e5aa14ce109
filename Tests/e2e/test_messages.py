"""The Anthropic Messages API (POST /v1/messages, /v1/messages/count_tokens) through nginx, driven by the
official anthropic SDK (and raw HTTP where the SDK cannot say it) against one stack with streaming on,
running the stand-in (steered by `@fake` lines; its records show each run's argv and stdin)."""
import base64
import hashlib
import json
import shutil
import struct
import threading
import time
import uuid
import zlib

import anthropic
import pytest

from conftest import Stack, audit_lines, pids_with, run_is_gone, wait_for

MODEL = "recruiter-triage"
WEATHER = {"name": "get_weather", "description": "The weather now.",
           "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
# The stand-in's usage of every run.
FAKE_USAGE = {"input_tokens": 12, "output_tokens": 3, "cache_creation_input_tokens": 5, "cache_read_input_tokens": 7}
MAX_IMAGES = 3


def png(width=1, height=1):
    """A valid PNG of `width` x `height` grey pixels."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


PNG_B64 = base64.b64encode(png(2, 2)).decode()


def image_block(data=PNG_B64, media_type="image/png"):
    return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}


def png_seen(data=PNG_B64):
    """How the stand-in records a base64 PNG block it was given."""
    raw = base64.b64decode(data)
    return {"source_type": "base64", "media_type": "image/png", "sha256": hashlib.sha256(raw).hexdigest(), "bytes": len(raw), "url": None}


def structured(value):
    """The stand-in's line that makes the model answer `value` through --json-schema."""
    return "\n@fake structured " + json.dumps(value)


def calls(*pairs):
    return structured({"tool_calls": [{"name": name, "arguments": arguments} for name, arguments in pairs]})


@pytest.fixture(scope="module")
def mstack():
    s = Stack(workers=3, env={"CLAUDE_FCGI_STREAMING": "on", "CLAUDE_FCGI_KILL_GRACE": "1",
                              "CLAUDE_FCGI_MAX_IMAGES": str(MAX_IMAGES)})
    yield s
    left = s.stop()
    shutil.rmtree(s.runtime, ignore_errors=True)
    assert left == []


@pytest.fixture(autouse=True)
def no_anthropic_environment(monkeypatch):
    """The SDK reads its key and base URL from the environment when not given them."""
    for name in ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL"]:
        monkeypatch.delenv(name, raising=False)


def sdk(stack, max_retries=0, **auth):
    auth = auth or {"api_key": stack.token}
    return anthropic.Anthropic(base_url=stack.url, max_retries=max_retries, timeout=60,
                               http_client=anthropic.DefaultHttpxClient(verify=stack.ssl_context), **auth)


@pytest.fixture(scope="module")
def client(mstack):
    return sdk(mstack)


def ask(text):
    return [{"role": "user", "content": text}]


def new_records(stack, before):
    return stack.records()[before:]


def flag(record, name):
    argv = record["argv"]
    return argv[argv.index(name) + 1] if name in argv else None


def raw_post(stack, body, path="/v1/messages", headers=None):
    h = {"x-api-key": stack.token, "anthropic-version": "2023-06-01", "content-type": "application/json"}
    h.update(headers or {})
    return stack.client.post(path, content=json.dumps(body), headers=h)


def hold(stack, seconds):
    """Keeps the stack's lock with a slow Messages run of its own, until the thread is joined."""
    before = len(stack.records())
    thread = threading.Thread(target=lambda: raw_post(stack, {"model": MODEL, "max_tokens": 10,
                                                              "messages": ask(f"hold\n@fake sleep {seconds}")}))
    thread.start()
    assert wait_for(lambda: len(stack.records()) > before)
    return thread


def fake_pieces(text, pieces=4):
    """The deltas the stand-in streams `text` in (`@fake deltas N`)."""
    step = max(1, -(-len(text) // pieces))
    return [text[i:i + step] for i in range(0, len(text), step)]


# The answer, whole and streamed.

def test_create_answers_a_message_with_the_clis_usage(client, mstack):
    before = len(mstack.records())
    message = client.messages.create(model=MODEL, max_tokens=256, messages=ask("Say hi\n@fake reply Hello from Messages."))
    assert message.id.startswith("msg_") and len(message.id) > len("msg_")
    assert (message.type, message.role, message.model) == ("message", "assistant", MODEL)
    assert [(b.type, b.text) for b in message.content] == [("text", "Hello from Messages.")]
    assert message.stop_reason == "end_turn" and message.stop_sequence is None
    assert message.usage.model_dump(include=set(FAKE_USAGE)) == FAKE_USAGE
    [run] = new_records(mstack, before)
    assert "--input-format" not in run["argv"], "a text-only run keeps the plain prompt"
    assert "Say hi" in run["stdin"]


def test_stream_text_arrives_in_the_fakes_pieces(client):
    text = "one two three four five six"
    with client.messages.stream(model=MODEL, max_tokens=256, messages=ask(f"Stream\n@fake reply {text}\n@fake deltas 4")) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    assert pieces == fake_pieces(text, 4)
    assert final.id.startswith("msg_") and final.stop_reason == "end_turn"
    assert [(b.type, b.text) for b in final.content] == [("text", text)]
    assert final.usage.model_dump(include=set(FAKE_USAGE)) == FAKE_USAGE


def test_raw_stream_events_in_order(client):
    events = list(client.messages.create(model=MODEL, max_tokens=256, stream=True,
                                         messages=ask("Raw\n@fake reply raw text\n@fake deltas 2")))
    types = [e.type for e in events]
    # The SDK passes on every event but ping.
    assert types == ["message_start", "content_block_start", "content_block_delta", "content_block_delta",
                     "content_block_stop", "message_delta", "message_stop"], types
    assert events[0].message.id.startswith("msg_") and events[0].message.content == []
    assert "".join(e.delta.text for e in events if e.type == "content_block_delta") == "raw text"
    assert events[-2].delta.stop_reason == "end_turn" and events[-2].usage.output_tokens == 3


def test_raw_stream_is_server_sent_events_with_event_lines(mstack):
    body = {"model": MODEL, "max_tokens": 16, "stream": True, "messages": ask("sse\n@fake reply ab\n@fake deltas 1")}
    with mstack.client.stream("POST", "/v1/messages", json=body, headers={"x-api-key": mstack.token}) as response:
        text = "".join(response.iter_text())
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    events = [block.split("\n") for block in text.strip().split("\n\n")]
    names = [lines[0] for lines in events]
    assert names[:2] == ["event: message_start", "event: ping"] and names[-1] == "event: message_stop"
    for lines in events:
        assert len(lines) == 2 and lines[1].startswith("data: ")
        assert json.loads(lines[1][6:])["type"] == lines[0][7:]


# Tools.

def test_a_tool_loop_of_two_turns(client, mstack):
    before = len(mstack.records())
    messages = ask("Weather in Paris?" + calls(("get_weather", {"city": "Paris"})))
    first = client.messages.create(model=MODEL, max_tokens=1024, tools=[WEATHER], messages=messages)
    assert first.stop_reason == "tool_use"
    [use] = first.content
    assert use.type == "tool_use" and use.id.startswith("toolu_") and use.name == "get_weather"
    assert use.input == {"city": "Paris"}
    messages += [{"role": "assistant", "content": first.content},
                 {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id,
                                               "content": "18C and sunny" + structured({"content": "It is 18C in Paris."})}]}]
    second = client.messages.create(model=MODEL, max_tokens=1024, tools=[WEATHER], messages=messages)
    assert second.stop_reason == "end_turn"
    assert [(b.type, b.text) for b in second.content] == [("text", "It is 18C in Paris.")]
    run1, run2 = new_records(mstack, before)
    assert set(run1["json_schema"]["properties"]) >= {"tool_calls"}
    assert f"Function get_weather returned (call id {use.id}): 18C and sunny" in run2["stdin"]
    assert "Weather in Paris?" in run2["stdin"]


def test_a_tool_result_with_is_error_is_failed_in_the_prompt(client, mstack):
    messages = [{"role": "user", "content": "Weather?"},
                {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"city": "Oslo"}}]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01A", "is_error": True,
                                              "content": [{"type": "text", "text": "service down"}]},
                                             {"type": "text", "text": "Try again later." + structured({"content": "sorry"})}]}]
    client.messages.create(model=MODEL, max_tokens=64, tools=[WEATHER], messages=messages)
    stdin = mstack.records()[-1]["stdin"]
    assert "Function get_weather failed (call id toolu_01A): service down" in stdin
    assert "get_weather" in stdin and '"city"' in stdin and "Try again later." in stdin


def test_tool_choice_any_tool_none_and_no_parallel(client, mstack):
    tools = [WEATHER, {"name": "g", "input_schema": {"type": "object", "properties": {}}}]
    text = "x" + calls(("g", {}))

    def run(**fields):
        message = client.messages.create(model=MODEL, max_tokens=64, tools=tools, messages=ask(text), **fields)
        return message, mstack.records()[-1]

    message, record = run(tool_choice={"type": "any"})
    assert record["json_schema"]["required"] == ["tool_calls"], "any: a call is required"
    assert message.stop_reason == "tool_use" and message.content[0].name == "g"
    message, record = run(tool_choice={"type": "tool", "name": "g"})
    assert record["json_schema"]["required"] == ["tool_calls"]
    assert record["json_schema"]["properties"]["tool_calls"]["maxItems"] == 1
    assert message.content[0].name == "g"
    _, record = run(tool_choice={"type": "auto", "disable_parallel_tool_use": True})
    assert record["json_schema"]["properties"]["tool_calls"]["maxItems"] == 1
    _, record = run(tool_choice={"type": "auto"})
    assert "maxItems" not in record["json_schema"]["properties"]["tool_calls"]
    message, record = run(tool_choice={"type": "none"})
    assert "json_schema" not in record and message.stop_reason == "end_turn"


def test_tool_use_streams_as_input_json_delta(client):
    text = "Weather?" + calls(("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Rome"}))
    with client.messages.stream(model=MODEL, max_tokens=256, tools=[WEATHER], messages=ask(text)) as stream:
        events = list(stream)
        final = stream.get_final_message()
    deltas = [e.delta for e in events if e.type == "content_block_delta"]
    assert deltas and all(d.type == "input_json_delta" for d in deltas)
    assert final.stop_reason == "tool_use"
    assert [(b.type, b.name, b.input) for b in final.content] == [
        ("tool_use", "get_weather", {"city": "Paris"}), ("tool_use", "get_weather", {"city": "Rome"})]
    assert all(b.id.startswith("toolu_") for b in final.content)
    assert len({b.id for b in final.content}) == 2


# Auth.

def test_bearer_and_x_api_key_are_both_accepted(mstack):
    for auth in [{"auth_token": mstack.token}, {"api_key": mstack.token}]:
        message = sdk(mstack, **auth).messages.create(model=MODEL, max_tokens=8, messages=ask("@fake reply in"))
        assert message.content[0].text == "in", auth
    # The SDK sends api_key as a Bearer token too: x-api-key, as Claude Code sends it, by the SDK's headers.
    x_api_key = sdk(mstack, api_key=None, auth_token=None, default_headers={"x-api-key": mstack.token})
    assert x_api_key.messages.create(model=MODEL, max_tokens=8, messages=ask("@fake reply x")).content[0].text == "x"
    r = raw_post(mstack, {"model": MODEL, "max_tokens": 8, "messages": ask("@fake reply raw")})
    assert r.status_code == 200 and r.json()["content"][0]["text"] == "raw"


def test_a_wrong_key_is_an_authentication_error(mstack):
    before = len(mstack.records())
    for auth in [{"api_key": "nope"}, {"auth_token": "nope"}]:
        with pytest.raises(anthropic.AuthenticationError) as caught:
            sdk(mstack, **auth).messages.create(model=MODEL, max_tokens=8, messages=ask("hi"))
        assert caught.value.status_code == 401
        assert caught.value.body["type"] == "error" and caught.value.body["error"]["type"] == "authentication_error"
    r = raw_post(mstack, {"model": MODEL, "max_tokens": 8, "messages": ask("hi")}, headers={"x-api-key": "nope"})
    assert r.status_code == 401 and r.json()["error"]["type"] == "authentication_error"
    r = mstack.client.post("/v1/messages", json={"model": MODEL, "max_tokens": 8, "messages": ask("hi")})
    assert r.status_code == 401 and r.json()["error"]["type"] == "authentication_error", "no key at all"
    assert len(mstack.records()) == before


# Busy and failures.

def test_busy_is_529_overloaded_with_retry_after(client, mstack):
    holder = hold(mstack, 3)
    try:
        before = len(mstack.records())
        with pytest.raises(anthropic.APIStatusError) as caught:
            client.messages.create(model=MODEL, max_tokens=8, messages=ask("while busy"))
        assert isinstance(caught.value, anthropic.InternalServerError)
        assert caught.value.status_code == 529
        assert caught.value.body["error"]["type"] == "overloaded_error"
        assert int(caught.value.response.headers["retry-after"]) > 0
        with pytest.raises(anthropic.APIStatusError) as caught:
            with client.messages.stream(model=MODEL, max_tokens=8, messages=ask("stream while busy")) as stream:
                list(stream.text_stream)
        assert caught.value.status_code == 529, "busy is refused before any stream"
        assert len(mstack.records()) == before, "nothing ran"
    finally:
        holder.join()


def test_a_failed_run_is_503_api_error_and_not_retried(mstack):
    retrying = sdk(mstack, max_retries=2)
    before = len(mstack.records())
    with pytest.raises(anthropic.InternalServerError) as caught:
        retrying.messages.create(model=MODEL, max_tokens=8, messages=ask("@fake stderr boom\n@fake exit 3"))
    assert caught.value.status_code == 503
    assert caught.value.response.headers["x-should-retry"] == "false"
    assert caught.value.body["type"] == "error" and caught.value.body["error"]["type"] == "api_error"
    assert "boom" in caught.value.body["error"]["message"]
    assert len(mstack.records()) == before + 1, "x-should-retry: false must stop the SDK's retries"


def test_a_failure_mid_stream_raises_on_the_error_event(client, mstack):
    text = "@fake partial Partial ans\n@fake is_error API Error: 500 mock api_error"
    received = []
    with pytest.raises(anthropic.APIStatusError) as caught:
        with client.messages.stream(model=MODEL, max_tokens=64, messages=ask(text)) as stream:
            for piece in stream.text_stream:
                received.append(piece)
    assert "".join(received) == "Partial ans", "the CLI's synthetic API Error message is no text"
    body = caught.value.body
    assert body["type"] == "error" and body["error"]["type"] == "api_error"
    assert "API Error: 500 mock api_error" in body["error"]["message"]
    assert wait_for(lambda: audit_lines(mstack)[-1]["outcome"] == "failed")


def test_hang_up_mid_stream_cancels_the_run(mstack):
    marker = "messages-hangup-" + uuid.uuid4().hex
    before = len(mstack.records())
    body = json.dumps({"model": MODEL, "max_tokens": 64, "stream": True, "messages": ask(
        f"@fake grandchild {marker}\n@fake reply {'word ' * 40}\n@fake deltas 40\n@fake delta_pause 0.5")}).encode()
    sock = mstack.raw_connection()
    sock.sendall(b"POST /v1/messages?beta=true HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                 + f"x-api-key: {mstack.token}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
    received = b""
    while b'"text_delta"' not in received:
        piece = sock.recv(65536)
        assert piece, received
        received += piece
    record = mstack.records()[before]
    assert pids_with(marker)
    sock.close()
    closed = time.monotonic()
    assert wait_for(lambda: run_is_gone(mstack, record, marker), timeout=5), "run still alive 5 s after hang-up"
    assert time.monotonic() - closed < 3
    assert wait_for(lambda: audit_lines(mstack)[-1]["outcome"] == "cancelled")
    assert raw_post(mstack, {"model": MODEL, "max_tokens": 8, "messages": ask("after")}).status_code == 200


def test_count_tokens_is_not_found_with_our_message(client, mstack):
    before = len(mstack.records())
    with pytest.raises(anthropic.NotFoundError) as caught:
        client.messages.count_tokens(model=MODEL, messages=ask("how many?"))
    error = caught.value.body["error"]
    assert caught.value.body["type"] == "error" and error["type"] == "not_found_error"
    assert "count_tokens" in error["message"] and "system prompt" in error["message"], error
    assert len(mstack.records()) == before


# What Claude Code sends.

CLAUDE_CODE_BODY = {
    "model": "claude-sonnet-4-5", "max_tokens": 128000, "stream": False,
    "messages": [{"role": "system", "content": "You are Claude Code."},
                 {"role": "user", "content": [{"type": "text", "text": "<system-reminder>ctx</system-reminder>"},
                                              {"type": "text", "text": "hello from claude code" + structured({"content": "cc answer"}),
                                               "cache_control": {"type": "ephemeral"}}]}],
    "system": [{"type": "text", "text": "x-anthropic-billing-header: cc_version=2.1.327"},
               {"type": "text", "text": "You are an interactive CLI tool.", "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
    "tools": [{"name": "Bash", "description": "Run a command.", "input_schema": {
        "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
        "properties": {"command": {"type": "string"}}, "required": ["command"], "additionalProperties": False}},
              {"name": "WebFetch", "description": "Fetch.", "defer_loading": True,
               "input_schema": {"type": "object", "properties": {"url": {"type": "string"}}}}],
    "metadata": {"user_id": "user_abc_account__session_1234"},
    "thinking": {"type": "adaptive"},
    "context_management": {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]},
    "output_config": {"effort": "high"},
    "temperature": 1,
}


@pytest.mark.parametrize("stream", [False, True])
def test_claude_codes_request_is_accepted(mstack, stream):
    before = len(mstack.records())
    r = raw_post(mstack, dict(CLAUDE_CODE_BODY, stream=stream), path="/v1/messages?beta=true",
                 headers={"anthropic-beta": "claude-code-20250219,context-management-2025-06-27,effort-2025-11-24",
                          "anthropic-dangerous-direct-browser-access": "true", "x-app": "cli"})
    assert r.status_code == 200, r.text
    if stream:
        assert "event: message_stop" in r.text and '"text_delta"' in r.text
    else:
        assert r.json()["content"] == [{"type": "text", "text": "cc answer"}]
    [run] = new_records(mstack, before)
    assert flag(run, "--effort") == "high"
    for text in ["You are Claude Code.", "You are an interactive CLI tool.", "hello from claude code"]:
        assert text in run["stdin"], text


def test_the_sdks_beta_messages_are_accepted(mstack):
    before = len(mstack.records())
    message = sdk(mstack).beta.messages.create(
        model=MODEL, max_tokens=128000, betas=["context-management-2025-06-27"], messages=ask("beta\n@fake reply beta answer"),
        thinking={"type": "adaptive"}, context_management={"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]},
        output_config={"effort": "low"}, metadata={"user_id": "u-1"})
    assert message.content[0].text == "beta answer"
    [run] = new_records(mstack, before)
    assert flag(run, "--effort") == "low"


def test_system_as_a_string_and_as_text_blocks(client, mstack):
    client.messages.create(model=MODEL, max_tokens=8, system="Be brief, string.", messages=ask("hi"))
    stdin = mstack.records()[-1]["stdin"]
    assert "System instructions:\nBe brief, string." in stdin
    client.messages.create(model=MODEL, max_tokens=8, messages=ask("hi"), system=[
        {"type": "text", "text": "First block."}, {"type": "text", "text": "Second block.", "cache_control": {"type": "ephemeral"}}])
    stdin = mstack.records()[-1]["stdin"]
    assert "First block." in stdin and "Second block." in stdin and "cache_control" not in stdin


def test_thinking_of_an_earlier_turn_is_not_replayed(client, mstack):
    messages = [{"role": "user", "content": "first question"},
                {"role": "assistant", "content": [{"type": "thinking", "thinking": "SECRET THOUGHT", "signature": "sig"},
                                                  {"type": "redacted_thinking", "data": "REDACTED BLOB"},
                                                  {"type": "text", "text": "the earlier answer"}]},
                {"role": "user", "content": "second question"}]
    client.messages.create(model=MODEL, max_tokens=8, messages=messages)
    stdin = mstack.records()[-1]["stdin"]
    assert "the earlier answer" in stdin and "second question" in stdin
    assert "SECRET THOUGHT" not in stdin and "REDACTED BLOB" not in stdin


def test_sampling_fields_are_accepted(client):
    # anthropic 2.17 has no temperature, top_p or top_k parameters any more: older clients still send them.
    message = client.messages.create(model=MODEL, max_tokens=8, stop_sequences=["END"], metadata={"user_id": "u"},
                                     messages=ask("@fake reply sampled"), extra_body={"temperature": 0.5, "top_p": 0.9, "top_k": 40})
    assert message.content[0].text == "sampled"


def test_the_sdks_other_top_level_fields_are_accepted(client):
    message = client.messages.create(model=MODEL, max_tokens=8, messages=ask("@fake reply accepted"),
                                     cache_control={"type": "ephemeral"}, diagnostics={"previous_message_id": None},
                                     inference_geo="us", service_tier="auto", speed="standard")
    assert message.content[0].text == "accepted"


# Images.

def stdin_line(record):
    """The stream-json user message an image run reads: one line."""
    assert record["stdin"].endswith("\n") and record["stdin"].count("\n") == 1, record["stdin"][:200]
    return json.loads(record["stdin"])


def test_an_image_reaches_the_cli_as_an_image_block(client, mstack):
    before = len(mstack.records())
    url = "https://example.com/cat.png"
    message = client.messages.create(model=MODEL, max_tokens=64, messages=[{"role": "user", "content": [
        {"type": "text", "text": "What are these?"}, image_block(),
        {"type": "image", "source": {"type": "url", "url": url}}]}])
    assert message.content[0].type == "text"
    [run] = new_records(mstack, before)
    assert flag(run, "--input-format") == "stream-json" and flag(run, "--output-format") == "stream-json"
    line = stdin_line(run)
    assert line["type"] == "user" and line["message"]["role"] == "user"
    blocks = line["message"]["content"]
    assert blocks[0]["type"] == "text" and "What are these?" in blocks[0]["text"]
    assert "[image 1]" in blocks[0]["text"] and "[image 2]" in blocks[0]["text"]
    # The stand-in records each image by its bytes' digest (never the data itself).
    assert [b["type"] for b in blocks if b["type"] == "image"] == ["image", "image"]
    assert run["images"] == [png_seen(), {"source_type": "url", "media_type": None, "sha256": None, "bytes": None, "url": url}], \
        "the blocks arrive intact"
    labels = [b["text"] for b in blocks if b["type"] == "text"][1:]
    assert labels == ["[image 1]", "[image 2]"]
    assert audit_lines(mstack)[-1]["images"] == 2
    assert PNG_B64 not in mstack.log() and PNG_B64 not in json.dumps(audit_lines(mstack)), "images are never logged"


def test_an_image_in_a_tool_result_and_streamed(client, mstack):
    before = len(mstack.records())
    messages = [{"role": "user", "content": "Screenshot it"},
                {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_shot", "name": "shot", "input": {}}]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_shot",
                                              "content": [{"type": "text", "text": "here"}, image_block()]}]}]
    # (An image run's stdin is one JSON line: no `@fake` line steers it, so it answers in text.)
    # No tools offered this time: with tools the run answers through --json-schema, which no `@fake` line can steer here.
    with client.messages.stream(model=MODEL, max_tokens=64, messages=messages) as stream:
        text = "".join(stream.text_stream)
    assert text == "fake answer"
    [run] = new_records(mstack, before)
    assert "--include-partial-messages" in run["argv"]
    assert run["images"] == [png_seen()]


def test_the_image_count_is_limited_by_max_images(client, mstack):
    before = len(mstack.records())
    client.messages.create(model=MODEL, max_tokens=8, messages=[{"role": "user", "content": [image_block()] * MAX_IMAGES + [
        {"type": "text", "text": "count them"}]}])
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(model=MODEL, max_tokens=8, messages=[{"role": "user", "content": [image_block()] * (MAX_IMAGES + 1)}])
    error = caught.value.body["error"]
    assert error["type"] == "invalid_request_error" and "messages" in error["message"] and str(MAX_IMAGES) in error["message"]
    assert len(mstack.records()) == before + 1


@pytest.mark.parametrize("block,words", [
    (image_block(data="not base64!!"), ["messages[0].content[0]", "base64"]),
    (image_block(media_type="image/jpeg"), ["messages[0].content[0]", "image/jpeg", "image/png"]),
    ({"type": "image", "source": {"type": "url", "url": "http://example.com/a.png"}}, ["messages[0].content[0]", "https"]),
    (image_block(data=base64.b64encode(b"GIF8 not really").decode(), media_type="image/gif"), ["messages[0].content[0]"]),
])
def test_a_bad_image_is_a_400_naming_the_block(client, mstack, block, words):
    before = len(mstack.records())
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(model=MODEL, max_tokens=8, messages=[{"role": "user", "content": [block]}])
    error = caught.value.body["error"]
    assert error["type"] == "invalid_request_error"
    for word in words:
        assert word in error["message"], error
    assert len(mstack.records()) == before


def test_a_server_tool_is_a_400_naming_its_type(client, mstack):
    before = len(mstack.records())
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(model=MODEL, max_tokens=8, messages=ask("search"),
                               tools=[WEATHER, {"type": "web_search_20250305", "name": "web_search"}])
    message = caught.value.body["error"]["message"]
    assert "tools[1].type" in message and "web_search_20250305" in message
    assert len(mstack.records()) == before
