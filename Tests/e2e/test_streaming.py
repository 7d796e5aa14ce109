"""`stream: true` through nginx with `--streaming on`: server-sent chat.completion.chunk events from the
CLI's stream-json (the stand-in imitates its event lines and failure shapes, claude-cli.md section 2),
read by the official openai SDK, LangChain and raw HTTP.

The real CLI against the Messages API mock streams too: test_real_claude.py.
"""
import json
import os
import shutil
import signal
import threading
import time
import uuid

import openai
import pydantic
import pytest
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI

from conftest import (Stack, audit_lines, chunks_until_error, content_of, lock_is_free, parent_of, pids_with, process_alive,
                      run_is_gone, wait_for)

TIMEOUT_S = 6


@pytest.fixture(scope="module")
def streaming():
    s = Stack(workers=3, env={"CLAUDE_FCGI_STREAMING": "on", "CLAUDE_FCGI_STREAM_KEEP_ALIVE": "1",
                              "CLAUDE_FCGI_TIMEOUT": str(TIMEOUT_S), "CLAUDE_FCGI_KILL_GRACE": "1",
                              "CLAUDE_FCGI_STOP_TIMEOUT": "1"})
    yield s
    left = s.stop()
    shutil.rmtree(s.runtime, ignore_errors=True)
    assert left == [], f"workers still running after run-local stopped: {left}"


@pytest.fixture
def client(streaming):
    return openai.OpenAI(base_url=streaming.url + "/v1", api_key=streaming.token, max_retries=0,
                         http_client=openai.DefaultHttpxClient(verify=streaming.ssl_context), timeout=60)


def ask(text):
    return [{"role": "user", "content": text}]


def sse_events(stack, body):
    """The raw stream: the response, then each event (a dict, "[DONE]" or a ": comment") with its arrival time."""
    events = []
    with stack.client.stream("POST", "/v1/chat/completions", json=body,
                             headers={"Authorization": f"Bearer {stack.token}"}) as response:
        for line in response.iter_lines():
            if not line:
                continue
            if line.startswith(":"):
                events.append((time.monotonic(), line))
            else:
                assert line.startswith("data: "), line
                data = line[len("data: "):]
                events.append((time.monotonic(), data if data == "[DONE]" else json.loads(data)))
    return response, events


def test_sdk_stream_joins_to_the_answer(client, streaming):
    answer = "The quick brown fox jumps over the lazy dog."
    chunks = list(client.chat.completions.create(
        model="recruiter-triage", messages=ask(f"@fake reply {answer}\n@fake deltas 6"), stream=True))
    assert content_of(chunks) == answer
    assert chunks[0].choices[0].delta.role == "assistant"
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) >= 6
    assert {c.id for c in chunks} == {chunks[0].id} and chunks[0].id.startswith("chatcmpl-")
    assert {c.object for c in chunks} == {"chat.completion.chunk"}
    assert {c.model for c in chunks} == {"recruiter-triage"} and len({c.created for c in chunks}) == 1
    assert [c.choices[0].finish_reason for c in chunks] == [None] * (len(chunks) - 1) + ["stop"]
    record = streaming.records()[-1]
    assert "--include-partial-messages" in record["argv"] and "stream-json" in record["argv"]


def test_raw_stream_headers_usage_chunk_and_done(streaming):
    response, events = sse_events(streaming, {
        "model": "m", "messages": ask("@fake reply usage please"), "stream": True,
        "stream_options": {"include_usage": True}})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream"
    assert response.headers["cache-control"] == "no-cache"
    assert "content-length" not in response.headers
    data = [e for _, e in events if not str(e).startswith(":")]
    assert data[-1] == "[DONE]"
    usage = data[-2]
    assert usage["choices"] == [] and usage["object"] == "chat.completion.chunk"
    # The stand-in's usage: input 12, cache creation 5, cache read 7, output 3.
    assert usage["usage"] == {"prompt_tokens": 24, "completion_tokens": 3, "total_tokens": 27,
                              "prompt_tokens_details": {"cached_tokens": 7}}
    assert data[-3]["choices"][0] == {"index": 0, "delta": {}, "finish_reason": "stop"}


def test_sdk_include_usage_gives_the_usage_chunk(client):
    chunks = list(client.chat.completions.create(model="m", messages=ask("@fake reply counted"), stream=True,
                                                 stream_options={"include_usage": True}))
    assert chunks[-1].choices == [] and chunks[-1].usage.total_tokens == 27
    assert all(c.usage is None for c in chunks[:-1])


def test_first_content_reaches_the_client_before_the_run_ends(streaming):
    _, events = sse_events(streaming, {"model": "m", "stream": True,
                                       "messages": ask("@fake reply one two three four\n@fake deltas 4\n@fake delta_pause 0.5")})
    first = next(t for t, e in events if isinstance(e, dict) and e.get("choices") and e["choices"][0]["delta"].get("content"))
    end = events[-1][0]
    print(f"first content {end - first:.2f} s before the end")
    assert end - first >= 1.2, "the deltas came in one piece at the end: something buffers the stream"


def test_keep_alive_comments_while_the_run_is_quiet(streaming):
    _, events = sse_events(streaming, {"model": "m", "stream": True, "messages": ask("@fake sleep 3\n@fake reply late")})
    kinds = ["comment" if str(e).startswith(":") else "data" for _, e in events]
    assert [e for _, e in events if str(e).startswith(":")][0] == ": keep-alive"
    first_content = next(i for i, (_, e) in enumerate(events)
                         if isinstance(e, dict) and e.get("choices") and e["choices"][0]["delta"].get("content"))
    assert kinds[:first_content].count("comment") >= 2, kinds


def test_langchain_stream_yields_several_chunks(streaming):
    llm = ChatOpenAI(base_url=streaming.url + "/v1", api_key=streaming.token, model="recruiter-triage",
                     http_client=openai.DefaultHttpxClient(verify=streaming.ssl_context), max_retries=0)
    chunks = list(llm.stream("@fake reply streamed through LangChain\n@fake deltas 5"))
    assert len([c for c in chunks if c.content]) >= 5
    assert "".join(c.content for c in chunks) == "streamed through LangChain"


def test_failure_after_the_stream_began_raises_in_the_sdk_with_our_detail(client, streaming):
    text = "@fake partial Partial ans\n@fake is_error API Error: 529 mock overloaded_error. This is a server-side issue"
    received, error = chunks_until_error(client.chat.completions.create(model="m", messages=ask(text), stream=True))
    assert error.message == "execution failed: API Error: 529 mock overloaded_error. This is a server-side issue"
    assert content_of(received) == "Partial ans", "the CLI's synthetic API Error message must not be content"
    _, events = sse_events(streaming, {"model": "m", "messages": ask(text), "stream": True})
    assert events[-1][1] == {"error": {"message": error.message, "type": "server_error"}}
    assert "[DONE]" not in [e for _, e in events]


def test_a_run_that_exits_early_ends_the_stream_with_its_error(client):
    _, error = chunks_until_error(client.chat.completions.create(model="m", messages=ask("@fake stderr boom\n@fake exit 3"), stream=True))
    assert error.message == "execution failed: claude exited with code 3: boom"


def test_timeout_mid_stream_ends_with_the_timeout_error(client, streaming):
    received, error = chunks_until_error(client.chat.completions.create(
        model="m", messages=ask("@fake reply a b c d e f g h\n@fake deltas 8\n@fake delta_pause 2"), stream=True))
    assert error.message == f"execution failed: timed out after {TIMEOUT_S} s"
    assert content_of(received), "some text had streamed before the timeout"
    assert wait_for(lambda: audit_lines(streaming)[-1]["outcome"] == "timed_out")


@pytest.mark.parametrize("retry", ["midstream_error", "cut_retry"])
def test_the_clis_retry_after_a_mid_stream_error_repeats_no_text(client, retry):
    answer = "Partial answer, then the rest of it."
    chunks = list(client.chat.completions.create(
        model="m", messages=ask(f"@fake {retry} Partial ans\n@fake reply {answer}"), stream=True))
    assert content_of(chunks) == answer
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_a_retry_that_says_something_else_ends_with_an_error(client, streaming):
    received, error = chunks_until_error(client.chat.completions.create(
        model="m", messages=ask("@fake midstream_error Goodbye, cru\n@fake reply Hello there"), stream=True))
    assert content_of(received) == "Goodbye, cru"
    assert "retry answered differently" in error.message
    assert wait_for(lambda: audit_lines(streaming)[-1]["outcome"] == "failed")


def test_a_tool_run_streams_every_turn_and_never_thinking_or_a_subagent(client, streaming):
    text = "@fake turns Let me check.|Still looking.\n@fake thinking secret thoughts\n@fake subagent SUBAGENT TEXT\n@fake reply Done: hi."
    chunks = list(client.chat.completions.create(model="m", messages=ask(text), stream=True))
    assert content_of(chunks) == "Let me check.\n\nStill looking.\n\nDone: hi."
    # Without stream the answer is the CLI's result: the last turn's text only.
    plain = client.chat.completions.create(model="m", messages=ask(text))
    assert plain.choices[0].message.content == "Done: hi."


class Person(pydantic.BaseModel):
    name: str
    age: int


def test_structured_output_streams_as_content(client, streaming):
    chunks = list(client.chat.completions.create(
        model="m", messages=ask('@fake structured {"name": "Ada", "age": 36}'), stream=True,
        response_format={"type": "json_schema", "json_schema": {"name": "Person", "schema": Person.model_json_schema()}}))
    assert json.loads(content_of(chunks)) == {"name": "Ada", "age": 36}
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert "--json-schema" in streaming.records()[-1]["argv"]


def test_tool_calls_stream_as_delta_tool_calls(client):
    weather = {"type": "function", "function": {"name": "get_weather", "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
    value = {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}},
                            {"name": "get_weather", "arguments": {"city": "Rome"}}]}
    with client.chat.completions.stream(model="m", messages=ask(f"@fake structured {json.dumps(value)}"),
                                        tools=[weather]) as stream:
        for _ in stream:
            pass
        final = stream.get_final_completion()
    choice = final.choices[0]
    assert choice.finish_reason == "tool_calls"
    calls = choice.message.tool_calls
    assert [(c.function.name, json.loads(c.function.arguments)) for c in calls] == [
        ("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Rome"})]
    assert all(c.id.startswith("call_") and c.type == "function" for c in calls)


def test_langchain_streams_tool_calls(streaming):
    @tool
    def get_weather(city: str) -> str:
        """The weather now in a city."""
        return "18C"

    llm = ChatOpenAI(base_url=streaming.url + "/v1", api_key=streaming.token, model="m",
                     http_client=openai.DefaultHttpxClient(verify=streaming.ssl_context), max_retries=0)
    value = {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}
    merged = None
    for chunk in llm.bind_tools([get_weather]).stream(f"@fake structured {json.dumps(value)}"):
        merged = chunk if merged is None else merged + chunk
    assert [(c["name"], c["args"]) for c in merged.tool_calls] == [("get_weather", {"city": "Paris"})]


def test_hang_up_mid_stream_stops_the_run_and_frees_the_lock(streaming):
    marker = "stream-hangup-" + uuid.uuid4().hex
    before = len(streaming.records())
    text = f"@fake grandchild {marker}\n@fake reply {'word ' * 40}\n@fake deltas 40\n@fake delta_pause 0.5"
    sock = streaming.stream_until({"model": "m", "stream": True, "messages": ask(text)}, b'"content":"word')
    record = streaming.records()[before]
    assert pids_with(marker)
    sock.close()
    closed = time.monotonic()
    assert wait_for(lambda: run_is_gone(streaming, record, marker), timeout=2), "run still alive 2 s after hang-up"
    print(f"hang-up to run gone: {time.monotonic() - closed:.3f} s")
    assert time.monotonic() - closed < 1.5
    assert wait_for(lambda: audit_lines(streaming)[-1]["outcome"] == "cancelled")
    assert streaming.chat("after the hang-up").status_code == 200


def test_busy_auth_and_bad_requests_are_json_before_any_stream(streaming):
    body = {"model": "m", "stream": True, "messages": ask("hi")}
    r = streaming.post(body=body, token="wrong")
    assert r.status_code == 401 and r.headers["content-type"] == "application/json"
    r = streaming.post(body=dict(body, stream_options=True))
    assert r.status_code == 400 and r.json() == {"error": "stream_options must be an object, not boolean"}
    r = streaming.post(body=dict(body, stream_options={"include_usage": "yes"}))
    assert r.json() == {"error": "stream_options.include_usage must be a boolean, not string"}
    long_run = threading.Thread(target=lambda: streaming.chat("@fake sleep 2"))
    long_run.start()
    assert wait_for(lambda: not lock_is_free(streaming))
    r = streaming.post(body=body)
    long_run.join()
    assert r.status_code == 503 and r.headers["content-type"] == "application/json"
    assert r.json()["detail"] == "busy: another run is in progress" and "retry-after" in r.headers


def test_stream_false_is_unchanged(client, streaming):
    reply = client.chat.completions.create(model="m", messages=ask("@fake reply plain"), stream=False)
    assert reply.choices[0].message.content == "plain" and reply.object == "chat.completion"
    argv = streaming.records()[-1]["argv"]
    assert argv[argv.index("--output-format") + 1] == "json" and "--include-partial-messages" not in argv


def test_a_worker_stopping_mid_stream_ends_it_with_the_stop_error(client, streaming):
    before = len(streaming.records())
    stopped = []

    def stop_the_worker(received):
        if len(received) == 2:
            # The worker serving this stream is asked to stop (as multiwatch does on systemctl stop).
            stopped.append(parent_of(streaming.records()[before]["ppid"]))
            os.kill(stopped[0], signal.SIGUSR1)

    received, error = chunks_until_error(client.chat.completions.create(
        model="m", messages=ask("@fake reply a b c d e f g h\n@fake deltas 8\n@fake delta_pause 1"), stream=True),
        on_chunk=stop_the_worker)
    assert error.message == ("execution failed: cancelled: the worker is stopping and the run went on longer "
                                    "than --stop-timeout (1 s)")
    assert content_of(received)
    assert wait_for(lambda: not process_alive(stopped[0]) and len(streaming.worker_pids) == streaming.workers)
    assert wait_for(lambda: audit_lines(streaming)[-1]["outcome"] == "cancelled")
