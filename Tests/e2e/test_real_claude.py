"""The real Claude Code CLI (bundled in PyPI's claude-agent-sdk, pinned in scripts/test), through nginx.

Without credentials it answers at once with its "Not logged in" error. Against the local mock of the
Anthropic Messages API (mock_anthropic.py) it takes its success path: plain answers with the mock's
usage figures, structured output and tool calls through --json-schema (the mock answers with a
StructuredOutput tool_use), the CLI's own schema retries, and the API failing; and, with streaming on,
stream: true from its stream-json output, the API breaking off mid-stream included.
"""
import glob
import importlib.util
import json
import os
import shutil
import tempfile
import threading
import time
import uuid

import openai
import pydantic
import pytest

from conftest import REPO, Stack, audit_lines, chunks_until_error, content_of, lock_is_free, pids_with, wait_for
from mock_anthropic import MockAnthropic

# Installed with --no-deps (only its bundled binary is used), so it is located, not imported.
_spec = importlib.util.find_spec("claude_agent_sdk")
REAL_CLAUDE = os.path.join(list(_spec.submodule_search_locations)[0], "_bundled", "claude") if _spec else None

# An agent whose tools: list leaves out StructuredOutput: the CLI then cannot return a value.
READER_AGENT = "---\nname: reader\ndescription: Reads files\ntools: Read\n---\nYou read files.\n"


class Person(pydantic.BaseModel):
    name: str
    age: int


def require_real_claude():
    if REAL_CLAUDE is None or not os.access(REAL_CLAUDE, os.X_OK):
        pytest.fail("claude-agent-sdk with its bundled claude is not installed (scripts/test installs it)")


def clean_claude_environment(home):
    """No credentials or settings of the machine's own reach the CLI."""
    env = {"HOME": home}
    for name in list(os.environ):
        if name.startswith(("ANTHROPIC_", "CLAUDE_CODE_")) or name == "CLAUDE_CONFIG_DIR":
            env[name] = ""
    return env


def test_real_cli_without_credentials_gives_its_message(make_stack):
    require_real_claude()
    home = tempfile.mkdtemp(prefix="claude-fcgi-e2e-home-")
    s = make_stack(workers=2, claude=REAL_CLAUDE, env=clean_claude_environment(home))
    r = s.chat("Say hello")
    assert r.status_code == 503, r.text
    assert r.json() == {"error": "execution failed", "detail": "Not logged in · Please run /login"}
    assert r.headers["x-should-retry"] == "false"


@pytest.fixture(scope="module")
def mock():
    server = MockAnthropic()
    yield server
    server.close()


@pytest.fixture(scope="module")
def real(mock):
    """A stack running the real CLI against the mock."""
    require_real_claude()
    home = tempfile.mkdtemp(prefix="claude-fcgi-e2e-home-")
    workdir = tempfile.mkdtemp(prefix="claude-fcgi-e2e-work-")
    os.makedirs(os.path.join(workdir, ".claude", "agents"))
    shutil.copy(os.path.join(REPO, "deploy", "agents", "recruiter-triage.md"), os.path.join(workdir, ".claude", "agents"))
    with open(os.path.join(workdir, ".claude", "agents", "reader.md"), "w") as f:
        f.write(READER_AGENT)
    env = clean_claude_environment(home)
    env.update({
        "ANTHROPIC_BASE_URL": mock.url, "ANTHROPIC_API_KEY": "dummy", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        # As README advises for a short run timeout; keeps the failure cases to seconds.
        "CLAUDE_CODE_MAX_RETRIES": "2",
        "CLAUDE_FCGI_WORKDIR": workdir, "CLAUDE_FCGI_AGENT_MAP": "reader=reader,*=recruiter-triage",
        "CLAUDE_FCGI_STREAMING": "on",
    })
    s = Stack(workers=2, claude=REAL_CLAUDE, env=env)
    s.home = home
    yield s
    left = s.stop()
    shutil.rmtree(s.runtime, ignore_errors=True)
    shutil.rmtree(workdir, ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)
    assert left == []


@pytest.fixture
def client(real):
    return openai.OpenAI(base_url=real.url + "/v1", api_key=real.token, max_retries=0,
                         http_client=openai.DefaultHttpxClient(verify=real.ssl_context), timeout=120)


def first_text(body):
    """The run's prompt as the CLI sent it: the text blocks of the first message."""
    content = body["messages"][0]["content"]
    return content if isinstance(content, str) else "\n".join(b.get("text", "") for b in content)


def tool_names(body):
    return [t.get("name") for t in body.get("tools", [])]


def test_plain_answer_with_the_mocks_usage(real, mock, client):
    before = len(mock.messages())
    completion = client.chat.completions.create(model="recruiter-triage", messages=[
        {"role": "user", "content": "Say hello\n@mock text Hello from the mock.\n@mock usage 100 5 10 2000"}])
    assert completion.choices[0].message.content == "Hello from the mock."
    assert completion.choices[0].finish_reason == "stop"
    usage = completion.usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (2110, 5, 2115)
    assert usage.prompt_tokens_details.cached_tokens == 2000
    [request] = mock.messages()[before:]
    assert "StructuredOutput" not in tool_names(request)
    line = audit_lines(real)[-1]
    assert (line["input_tokens"], line["output_tokens"], line["cache_creation_input_tokens"], line["cache_read_input_tokens"]) == (100, 5, 10, 2000)
    assert (line["prompt_tokens"], line["cached_tokens"], line["completion_tokens"]) == (2110, 2000, 5)


def test_structured_output_through_parse(real, mock, client):
    before = len(mock.messages())
    completion = client.chat.completions.parse(model="recruiter-triage", response_format=Person, messages=[
        {"role": "user", "content": 'Extract: Ada is 36\n@mock tool StructuredOutput {"name": "Ada", "age": 36}'}])
    assert completion.choices[0].message.parsed == Person(name="Ada", age=36)
    [request] = mock.messages()[before:]
    [offered] = [t for t in request["tools"] if t["name"] == "StructuredOutput"]
    assert set(offered["input_schema"]["properties"]) == {"name", "age"}
    assert '"properties"' not in first_text(request), "the schema must not be in the prompt"


def test_tool_calls_and_the_second_turn(real, mock, client):
    # Its parameters refer to their own $defs: the CLI resolves them only if they were moved right.
    tools = [{"type": "function", "function": {"name": "get_weather", "description": "The weather now.",
              "parameters": {"type": "object", "properties": {"city": {"$ref": "#/$defs/City"}}, "required": ["city"],
                             "$defs": {"City": {"type": "string", "minLength": 1}}}}},
             {"type": "function", "function": {"name": "get_time"}}]
    call_value = {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}
    messages = [{"role": "user", "content": "Weather in Paris?\n@mock tool StructuredOutput " + json.dumps(call_value)}]
    first = client.chat.completions.create(model="recruiter-triage", messages=messages, tools=tools)
    assert first.choices[0].finish_reason == "tool_calls"
    [call] = first.choices[0].message.tool_calls
    assert (call.function.name, json.loads(call.function.arguments)) == ("get_weather", {"city": "Paris"})
    messages += [first.choices[0].message.model_dump(exclude_none=True),
                 {"role": "tool", "tool_call_id": call.id,
                  "content": '18C\n@mock tool StructuredOutput {"content": "It is 18C in Paris."}'}]
    before = len(mock.messages())
    second = client.chat.completions.create(model="recruiter-triage", messages=messages, tools=tools)
    assert second.choices[0].message.content == "It is 18C in Paris."
    assert second.choices[0].message.tool_calls is None
    [request] = mock.messages()[before:]
    assert f"Function get_weather returned (call id {call.id}): 18C" in first_text(request)


def test_schema_retries_exhausted(real, mock, client):
    before = len(mock.messages())
    with pytest.raises(openai.InternalServerError) as caught:
        client.chat.completions.parse(model="recruiter-triage", response_format=Person, messages=[
            {"role": "user", "content": 'Extract\n@mock tool StructuredOutput {"wrong": 1}'}])
    r = caught.value.response
    assert r.status_code == 503
    assert r.json()["detail"].startswith("Failed to provide valid structured output after 5 attempts")
    assert len(mock.messages()) - before == 5, "the CLI tries five times"


def test_text_twice_is_no_structured_output(real, mock):
    before = len(mock.messages())
    r = real.post(body={"model": "m", "response_format": {"type": "json_object"},
                        "messages": [{"role": "user", "content": "x\n@mock text Just words."}]})
    assert r.status_code == 503, r.text
    assert r.json()["detail"].startswith("no structured output: the model answered in text")
    assert r.json()["detail"].endswith("Just words.")
    assert len(mock.messages()) - before == 2, "the CLI nudges the model once"


def test_an_agent_without_the_structured_output_tool(real, mock):
    def run(directive):
        before = len(mock.messages())
        r = real.post(body={"model": "reader", "response_format": {"type": "json_object"},
                            "messages": [{"role": "user", "content": "x\n" + directive}]})
        assert r.status_code == 503, r.text
        assert all("StructuredOutput" not in tool_names(body) for body in mock.messages()[before:])
        return r.json()["detail"], len(mock.messages()) - before

    # The model answers in text: no nudge, a "success" without a value.
    detail, requests = run("@mock text Just words.")
    assert detail.startswith("no structured output") and requests == 1
    # The model calls the tool anyway: the CLI refuses five times.
    detail, requests = run('@mock tool StructuredOutput {"a": 1}')
    assert detail.startswith("Failed to provide valid structured output after 5 attempts")
    assert detail.endswith("No such tool available: StructuredOutput") and requests == 5


@pytest.mark.parametrize("schema,words", [
    ({"type": "object", "properties": {"a": {"type": "string", "pattern": "("}}}, "Invalid regular expression"),
    ({"type": "object", "dependentRequired": 5}, 'strict mode: unknown keyword: "dependentRequired"'),
])
def test_a_schema_only_the_cli_refuses_is_a_400(real, mock, schema, words):
    before = len(mock.messages())
    r = real.post(body={"model": "m", "response_format": {"type": "json_schema", "json_schema": {"name": "P", "schema": schema}},
                        "messages": [{"role": "user", "content": "x"}]})
    assert r.status_code == 400, r.text
    assert r.json()["error"].startswith("the output schema was refused by claude: --json-schema is not a valid JSON Schema")
    assert words in r.json()["error"]
    assert len(mock.messages()) == before


@pytest.mark.parametrize("status,words,requests", [(529, "Repeated 529 Overloaded errors", 3), (500, "API Error: 500", 3)])
def test_the_api_failing_is_a_503_with_the_clis_words(real, mock, status, words, requests):
    before = len(mock.messages())
    r = real.chat(f"x\n@mock status {status}")
    assert r.status_code == 503, r.text
    assert words in r.json()["detail"]
    assert r.headers["x-should-retry"] == "false"
    assert len(mock.messages()) - before == requests


def streamed(client, text, **kwargs):
    """The chunks of a streamed answer, each with its arrival time."""
    return [(time.monotonic(), c) for c in client.chat.completions.create(
        model="recruiter-triage", messages=[{"role": "user", "content": text}], stream=True, **kwargs)]


def joined(chunks):
    return content_of(c for _, c in chunks)


def test_real_stream_arrives_as_the_model_writes_it(real, mock, client):
    text = "Streamed from the mock, piece by piece."
    chunks = streamed(client, f"hi {uuid.uuid4()}\n@mock text {text}\n@mock pause 0.4\n@mock usage 100 5 10 2000",
                      stream_options={"include_usage": True})
    assert joined(chunks) == text
    contents = [t for t, c in chunks if c.choices and c.choices[0].delta.content]
    assert len(contents) == 4, "the mock sends four deltas"
    print(f"first content {chunks[-1][0] - contents[0]:.2f} s before the end")
    assert chunks[-1][0] - contents[0] >= 1.0
    usage = chunks[-1][1].usage
    assert chunks[-1][1].choices == [] and (usage.prompt_tokens, usage.completion_tokens) == (2110, 5)
    assert [c.choices[0].finish_reason for _, c in chunks if c.choices][-1] == "stop"


def test_real_stream_through_langchain(real):
    from langchain_openai import ChatOpenAI
    llm = ChatOpenAI(base_url=real.url + "/v1", api_key=real.token, model="recruiter-triage", max_retries=0,
                     http_client=openai.DefaultHttpxClient(verify=real.ssl_context))
    chunks = list(llm.stream(f"hi {uuid.uuid4()}\n@mock text LangChain reads the stream."))
    assert len([c for c in chunks if c.content]) >= 4
    assert "".join(c.content for c in chunks) == "LangChain reads the stream."


@pytest.mark.parametrize("breaks", ["error_after 2", "cut_after 2"])
def test_real_cli_retry_after_a_break_mid_stream_repeats_no_text(real, mock, client, breaks):
    # error: the CLI fetches the answer again without streaming; cut: it streams it again from the start.
    before = len(mock.messages())
    text = "Twelve words here, then the rest of the answer arrives."
    chunks = streamed(client, f"hi {uuid.uuid4()}\n@mock text {text}\n@mock {breaks}")
    assert joined(chunks) == text
    assert len(mock.messages()) - before == 2, "one broken stream, one retry"


def test_real_cli_failing_mid_stream_raises_with_our_detail(real, mock, client):
    received, error = chunks_until_error(client.chat.completions.create(model="recruiter-triage", stream=True, messages=[
        {"role": "user", "content": f"hi {uuid.uuid4()}\n@mock text Partial answer, never finished.\n@mock error_after 2\n@mock then_status 529"}]))
    message = error.message
    assert message.startswith("execution failed: ") and "529" in message, message
    text = content_of(received)
    assert "Partial answer, never finished.".startswith(text) and text, text
    assert "API Error" not in text
    assert audit_lines(real)[-1]["outcome"] == "failed"


def test_real_cli_hang_up_mid_stream_leaves_nothing(real, mock):
    text = f"hi {uuid.uuid4()}\n@mock text One slow answer in four long pieces.\n@mock pause 3"
    sock = real.stream_until({"model": "recruiter-triage", "stream": True, "messages": [{"role": "user", "content": text}]},
                             b'"content":"One')
    # This stack's streaming claude (another stack's waiting warm spare has the flag too).
    streaming = lambda: [p for p in pids_with("--include-partial-messages") if os.path.realpath(f"/proc/{p}/cwd") == os.path.realpath(real.workdir)]
    assert streaming()
    sock.close()
    closed = time.monotonic()
    assert wait_for(lambda: not streaming() and lock_is_free(real), timeout=3)
    print(f"hang-up to the real CLI gone: {time.monotonic() - closed:.3f} s")
    assert time.monotonic() - closed < 1.5
    assert wait_for(lambda: audit_lines(real)[-1]["outcome"] == "cancelled")


def test_real_structured_output_streams_once_checked(real, mock, client):
    with client.chat.completions.stream(model="recruiter-triage", response_format=Person, messages=[
            {"role": "user", "content": f'Extract: Ada is 36 {uuid.uuid4()}\n@mock tool StructuredOutput {{"name": "Ada", "age": 36}}'}]) as stream:
        for _ in stream:
            pass
        final = stream.get_final_completion()
    assert final.choices[0].message.parsed == Person(name="Ada", age=36)


def test_real_cli_resumes_the_session_of_a_previous_response(real, mock, client):
    # The mock reads its directives from the first message, which a resumed run sends again: both turns pause.
    first_text = f"My name is Ada {uuid.uuid4()}.\n@mock text Nice to meet you, Ada.\n@mock pause 0.3"
    before = len(mock.messages())
    first = client.responses.create(model="recruiter-triage", input=first_text)
    assert first.output_text == "Nice to meet you, Ada."
    [request1] = mock.requests[-1:]
    session = request1["headers"].get("X-Claude-Code-Session-Id") or request1["headers"].get("x-claude-code-session-id")
    assert session, request1["headers"]
    assert glob.glob(os.path.join(real.home, ".claude", "projects", "*", session + ".jsonl")), \
        "a stored response's run keeps its session"

    argvs = []
    result = {}
    thread = threading.Thread(target=lambda: result.update(second=client.responses.create(
        model="recruiter-triage", input="What is my name?", previous_response_id=first.id)))
    thread.start()
    while thread.is_alive():
        for pid in pids_with(REAL_CLAUDE):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    argvs.append(f.read().decode().split("\0"))
            except OSError:
                pass
        time.sleep(0.02)
    thread.join()
    assert result["second"].output_text == "Nice to meet you, Ada."
    resumed = [a for a in argvs if "--resume" in a]
    assert resumed, argvs
    assert resumed[0][resumed[0].index("--resume") + 1] == session and "--fork-session" in resumed[0]
    assert "--no-session-persistence" not in resumed[0]

    [request2] = mock.messages()[before + 1:]
    sent = json.dumps(request2["messages"])
    assert first_text.split("\n")[0] in sent, "turn 1's text is in the resumed conversation"
    assert "Nice to meet you, Ada." in sent, "turn 1's answer is in the resumed conversation"
    assert "What is my name?" in sent
    assert sent.count("My name is Ada") == 1, "the first turn is sent once: by the session, not by our prompt"
    last = [m for m in request2["messages"] if m["role"] == "user"][-1]
    assert "What is my name?" in json.dumps(last) and "My name is Ada" not in json.dumps(last)


# Images, through every dialect, to the real CLI: the mock checks each image block arrived as sent.

def png_bytes(seed):
    """A small, real PNG (1×1, its colour from `seed`): the CLI passes images up to 2000 px on a side
    as they are (larger ones it resizes, changing the bytes)."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    pixel = bytes([0, seed % 256, (seed * 7) % 256, (seed * 13) % 256])
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(pixel)) + chunk(b"IEND", b""))


def image_seen(data):
    import hashlib
    return {"source_type": "base64", "media_type": "image/png", "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data), "url": None}


def data_url(data):
    import base64
    return "data:image/png;base64," + base64.b64encode(data).decode()


def anthropic_client(stack):
    import anthropic
    return anthropic.Anthropic(base_url=stack.url, api_key=stack.token, max_retries=0, timeout=120,
                               http_client=anthropic.DefaultHttpxClient(verify=stack.ssl_context))


def test_real_cli_gets_a_chat_image_intact(real, mock, client):
    first, second = png_bytes(1), png_bytes(2)
    reply = client.chat.completions.create(model="recruiter-triage", messages=[{"role": "user", "content": [
        {"type": "text", "text": f"Compare {uuid.uuid4()}\n@mock describe-images"},
        {"type": "image_url", "image_url": {"url": data_url(first), "detail": "low"}},
        {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
        {"type": "image_url", "image_url": {"url": data_url(second)}}]}])
    sent = [image_seen(first), {"source_type": "url", "media_type": None, "sha256": None, "bytes": None,
                                "url": "https://example.com/a.png"}, image_seen(second)]
    assert mock.images() == sent
    # The mock's answer names what it got, and comes back through the CLI and the worker.
    assert reply.choices[0].message.content.startswith("3 images: image/png")
    # The prompt names each image where it was; the CLI's message labels each one.
    texts = [b.get("text") for b in mock.messages()[-1]["messages"][0]["content"] if b.get("type") == "text"]
    assert "[image 1]" in texts and "[image 3]" in texts
    assert any(t.startswith("Request:\nCompare") and t.endswith("[image 1]\n[image 2]\n[image 3]") for t in texts if t)


def test_real_cli_gets_a_responses_image_intact_streamed(real, mock, client):
    data = png_bytes(3)
    with client.responses.stream(model="recruiter-triage", input=[{"role": "user", "content": [
            {"type": "input_text", "text": f"What is this? {uuid.uuid4()}\n@mock describe-images"},
            {"type": "input_image", "image_url": data_url(data), "detail": "auto"}]}], store=False) as stream:
        deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert mock.images() == [image_seen(data)]
    assert final.output_text == "".join(deltas) and final.output_text.startswith("1 image: image/png")


@pytest.mark.parametrize("stream", [False, True])
def test_real_cli_gets_a_messages_image_intact(real, mock, stream):
    data = png_bytes(4)
    import base64
    messages = [{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": base64.b64encode(data).decode()}},
        {"type": "text", "text": f"What is this? {uuid.uuid4()}\n@mock describe-images"}]}]
    sdk = anthropic_client(real)
    if stream:
        with sdk.messages.stream(model="recruiter-triage", max_tokens=1024, messages=messages) as events:
            text = "".join(events.text_stream)
            message = events.get_final_message()
    else:
        message = sdk.messages.create(model="recruiter-triage", max_tokens=1024, messages=messages)
        text = message.content[0].text
    assert mock.images() == [image_seen(data)]
    assert text.startswith("1 image: image/png") and message.stop_reason == "end_turn"
    assert message.usage.output_tokens > 0


def test_real_cli_gets_a_langchain_image_intact(real, mock):
    from langchain_core.messages import HumanMessage
    from langchain_openai import ChatOpenAI
    data = png_bytes(5)
    llm = ChatOpenAI(base_url=real.url + "/v1", api_key=real.token, model="recruiter-triage", max_retries=0,
                     http_client=openai.DefaultHttpxClient(verify=real.ssl_context))
    reply = llm.invoke([HumanMessage(content=[
        {"type": "text", "text": f"Describe {uuid.uuid4()}\n@mock describe-images"},
        {"type": "image_url", "image_url": {"url": data_url(data)}}])])
    assert mock.images() == [image_seen(data)]
    assert reply.content.startswith("1 image: image/png")
