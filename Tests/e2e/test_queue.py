"""The waiting line for the runner (`--queue-wait`, `--queue-length`, `--queue-per-caller`) through nginx:
requests that find the runner busy wait their turn first come first served across the workers, a client
that hangs up leaves the line at once, a streamed waiter gets `: waiting for the runner` comments, a wait
that runs out is the dialect's busy answer, a full line (or a caller holding its places) is busy at once,
and with the line off busy stays instant. Each test ends with `<state dir>/queue/` empty.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid

import anthropic
import openai
import pytest

from conftest import REPO, Stack, add_key, audit_lines, chunks_until_error, content_of, lock_is_free, overlaps, release_binary, wait_for

MODEL = "recruiter-triage"


# Stacks.

def started(env, workers=8):
    return Stack(workers=workers, env={"CLAUDE_FCGI_STREAMING": "on", **env})


def stopped(s):
    left = s.stop()
    shutil.rmtree(s.runtime, ignore_errors=True)
    assert left == [], f"workers still running after run-local stopped: {left}"


@pytest.fixture(scope="module")
def line():
    """A line of 30 s, 8 workers; one caller may hold every place (the six-request test sends from one)."""
    s = started({"CLAUDE_FCGI_QUEUE_WAIT": "30"})
    yield s
    stopped(s)


@pytest.fixture(scope="module")
def short():
    """A line whose wait runs out after 2 s."""
    s = started({"CLAUDE_FCGI_QUEUE_WAIT": "2"})
    yield s
    stopped(s)


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    """A keys file with the callers alice and bob: {name: key}, and its path."""
    release_binary()
    path = str(tmp_path_factory.mktemp("keys") / "keys.json")
    return path, {name: add_key(path, name) for name in ["alice", "bob"]}


@pytest.fixture(scope="module")
def bounded(keys):
    """A line of 30 s with room for two, one place per caller, and two callers besides the token holder."""
    s = started({"CLAUDE_FCGI_QUEUE_WAIT": "30", "CLAUDE_FCGI_QUEUE_LENGTH": "2", "CLAUDE_FCGI_QUEUE_PER_CALLER": "1",
                 "CLAUDE_FCGI_KEYS_FILE": keys[0]}, workers=6)
    yield s
    stopped(s)


# Helpers.

def tickets(stack):
    """The places in line: the ticket files in <state dir>/queue/, first first."""
    directory = os.path.join(stack.runtime, "state", "queue")
    return sorted(os.listdir(directory)) if os.path.isdir(directory) else []


def assert_line_empty(stack):
    assert wait_for(lambda: tickets(stack) == [], timeout=2), f"tickets left in line: {tickets(stack)}"


def ask(text):
    return [{"role": "user", "content": text}]


def chat_body(text, **fields):
    return {"model": MODEL, "messages": ask(text), **fields}


def tagged(stack, tag):
    """The runs whose prompt carries `tag` and an index (`TAG#N`): their indexes in the order they started."""
    pattern = re.compile(re.escape(tag) + r"#(\d+)")
    order = []
    for record in stack.records():
        found = pattern.search(json.dumps(record.get("stdin")) + json.dumps(record["argv"]))
        if found:
            order.append(int(found.group(1)))
    return order


class Call:
    """A request sent on a thread of its own: its result (or exception) and when it came."""

    def __init__(self, send):
        self.result = self.error = self.done_at = None
        self.sent_at = time.monotonic()

        def run():
            try:
                self.result = send()
            except BaseException as error:  # noqa: BLE001 - kept for the test to look at (pytest.fail too)
                self.error = error
            self.done_at = time.monotonic()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def join(self, timeout=60):
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the request did not end"
        return self

    @property
    def elapsed(self):
        return self.done_at - self.sent_at

    @property
    def running(self):
        return self.thread.is_alive()


def hold(stack, seconds, tag="holder"):
    """A chat run that holds the runner for `seconds`: returned once it has started."""
    before = len(stack.records())
    call = Call(lambda: stack.chat(f"{tag}\n@fake sleep {seconds}"))
    assert wait_for(lambda: len(stack.records()) > before), "the holder's run did not start"
    return call


def ticket_holder(stack, name):
    """The pid of the worker waiting on a ticket: the holder of its flock (/proc/locks)."""
    inode = os.stat(os.path.join(stack.runtime, "state", "queue", name)).st_ino
    with open("/proc/locks") as f:
        for entry in f:
            fields = entry.split()
            if fields[1] == "FLOCK" and fields[5].rsplit(":", 1)[1] == str(inode):
                return int(fields[4])
    raise AssertionError(f"nobody holds the ticket {name}")


def wait_in_line(stack, count):
    assert wait_for(lambda: len(tickets(stack)) == count, timeout=5), f"expected {count} in line: {tickets(stack)}"


def openai_client(stack, key=None):
    return openai.OpenAI(base_url=stack.url + "/v1", api_key=key or stack.token, max_retries=0, timeout=60,
                         http_client=openai.DefaultHttpxClient(verify=stack.ssl_context))


def anthropic_client(stack):
    return anthropic.Anthropic(base_url=stack.url, api_key=stack.token, max_retries=0, timeout=60,
                               http_client=anthropic.DefaultHttpxClient(verify=stack.ssl_context))


def messages_post(stack, body, **kwargs):
    return stack.client.post("/v1/messages", json=body, headers={"x-api-key": stack.token, "anthropic-version": "2023-06-01"},
                             **kwargs)


def stream_lines(stack, path, body, headers):
    """A streamed answer's status and its non-empty lines, each with its wall-clock arrival time."""
    lines = []
    with stack.client.stream("POST", path, json=body, headers=headers) as response:
        for text in response.iter_lines():
            if text:
                lines.append((time.time(), text))
        return response.status_code, lines


@pytest.fixture(autouse=True)
def no_anthropic_environment(monkeypatch):
    """The SDK reads its key and base URL from the environment when not given them."""
    for name in ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL"]:
        monkeypatch.delenv(name, raising=False)


# First come, first served.

def test_six_requests_100ms_apart_all_get_200_and_run_in_the_order_sent(line):
    tag = uuid.uuid4().hex
    calls = []
    for i in range(6):
        calls.append(Call(lambda i=i: line.chat(f"{tag}#{i}\n@fake reply answer {i}\n@fake sleep 0.7")))
        time.sleep(0.1)
    wait_in_line(line, 5)  # the first runs, the five others wait
    for call in calls:
        call.join()
    assert [c.error for c in calls] == [None] * 6
    assert [c.result.status_code for c in calls] == [200] * 6, [c.result.text for c in calls]
    assert [c.result.json()["choices"][0]["message"]["content"] for c in calls] == [f"answer {i}" for i in range(6)]
    assert tagged(line, tag) == list(range(6)), "the runs started in the order the requests came"
    assert overlaps(line.records()) == []
    assert_line_empty(line)


def test_the_openai_sdk_from_six_threads_runs_in_the_order_sent(line):
    client = openai_client(line)  # max_retries=0: a busy answer is a failure here, not a silent retry
    tag = uuid.uuid4().hex
    calls = []
    for i in range(6):
        calls.append(Call(lambda i=i: client.chat.completions.create(
            model=MODEL, messages=ask(f"{tag}#{i}\n@fake reply sdk {i}\n@fake sleep 0.5"))))
        time.sleep(0.1)
    for call in calls:
        call.join()
    assert [c.error for c in calls] == [None] * 6
    assert [c.result.choices[0].message.content for c in calls] == [f"sdk {i}" for i in range(6)]
    assert tagged(line, tag) == list(range(6))
    assert_line_empty(line)


def test_a_client_that_hangs_up_while_queued_leaves_the_line_at_once(line):
    tag = uuid.uuid4().hex
    holder = hold(line, 2.5)
    sockets = []
    for i in range(3):
        data = json.dumps(chat_body(f"{tag}#{i}\n@fake sleep 0.2")).encode()
        sock = line.raw_connection()
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                     + f"Authorization: Bearer {line.token}\r\nConnection: close\r\nContent-Length: {len(data)}\r\n\r\n".encode()
                     + data)
        sockets.append(sock)
        wait_in_line(line, i + 1)
    places = tickets(line)
    sockets[0].shutdown(socket.SHUT_RDWR)
    sockets[0].close()
    assert wait_for(lambda: tickets(line) == places[1:], timeout=1), f"the first place is still taken: {tickets(line)}"
    assert holder.running, "it left while the run ahead of it still went on"

    answers = []
    for sock in sockets[1:]:
        received = b""
        while piece := sock.recv(65536):
            received += piece
        sock.close()
        answers.append(received.split(b"\r\n", 1)[0])
    holder.join()
    assert holder.result.status_code == 200
    assert answers == [b"HTTP/1.1 200 OK"] * 2
    assert tagged(line, tag) == [1, 2], "the one that hung up never ran; the ones behind it moved up"
    assert_line_empty(line)


def test_execute_waits_its_turn_between_chats(line):
    tag = uuid.uuid4().hex
    holder = hold(line, 1.2, tag=f"{tag}#0")
    first = Call(lambda: line.chat(f"{tag}#1\n@fake sleep 0.3"))
    wait_in_line(line, 1)
    job = Call(lambda: line.submit(f"{tag}#2\n@fake sleep 0.3"))
    wait_in_line(line, 2)
    last = Call(lambda: line.chat(f"{tag}#3\n@fake sleep 0.3"))
    wait_in_line(line, 3)
    for call in [holder, first, job, last]:
        call.join()
    assert job.result.status_code == 202, job.result.text
    assert job.done_at > first.done_at - 0.35, "the job was accepted only once the chat ahead of it had its turn"
    assert line.wait_job(job.result.json()["job_id"])["status"] == "succeeded"
    assert [c.result.status_code for c in [holder, first, last]] == [200] * 3
    assert tagged(line, tag) == [0, 1, 2, 3]
    assert overlaps(line.records()) == []
    assert_line_empty(line)


def test_a_newcomer_never_passes_the_first_in_line_while_it_takes_the_free_lock(line):
    """At each hand-over the lock is free for a moment before the first in line takes it: a request that
    comes then joins the line behind. Made to last here: the first waiter's worker is stopped (SIGSTOP)
    while the run ahead of it ends."""
    tag = uuid.uuid4().hex
    holder = hold(line, 1, tag=f"{tag}#0")
    waiter = Call(lambda: line.chat(f"{tag}#1"))
    wait_in_line(line, 1)
    worker = ticket_holder(line, tickets(line)[0])
    os.kill(worker, signal.SIGSTOP)
    try:
        holder.join()
        assert wait_for(lambda: lock_is_free(line))
        newcomer = Call(lambda: line.chat(f"{tag}#2"))
        assert wait_for(lambda: len(tickets(line)) == 2 or not newcomer.running, timeout=5)
        assert newcomer.running and len(tickets(line)) == 2, "the newcomer took the free lock past the first in line"
    finally:
        os.kill(worker, signal.SIGCONT)
    for call in [waiter, newcomer]:
        call.join()
    assert [waiter.result.status_code, newcomer.result.status_code] == [200, 200]
    assert tagged(line, tag) == [0, 1, 2]
    assert_line_empty(line)


# A streamed waiter.

def test_a_streamed_chat_that_waits_gets_comments_then_a_normal_stream(line):
    tag = uuid.uuid4().hex
    holder = hold(line, 2.5, tag=f"holder {tag}")
    status, lines = stream_lines(line, "/v1/chat/completions",
                                 chat_body(f"{tag}#0\n@fake reply streamed after the wait", stream=True),
                                 {"Authorization": f"Bearer {line.token}"})
    holder.join()
    assert status == 200
    texts = [text for _, text in lines]
    first_data = next(i for i, text in enumerate(texts) if text.startswith("data: "))
    assert texts[0] == ": waiting for the runner", texts[:3]
    assert set(texts[:first_data]) == {": waiting for the runner"}
    held_until = next(r for r in line.records() if f"holder {tag}" in json.dumps(r["stdin"]))["end"]
    assert lines[0][0] < held_until, "the comment came while the run ahead still went on"
    assert texts[-1] == "data: [DONE]"
    chunks = [json.loads(text[len("data: "):]) for text in texts[first_data:-1] if text.startswith("data: ")]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"]) == "streamed after the wait"
    assert tagged(line, tag) == [0]
    assert_line_empty(line)


def test_a_streamed_message_that_waits_gets_comments_and_the_sdk_its_text(line):
    tag = uuid.uuid4().hex
    holder = hold(line, 2.5)
    sdk = Call(lambda: _sdk_text(line, f"{tag}#0\n@fake reply sdk message"))
    wait_in_line(line, 1)
    status, lines = stream_lines(line, "/v1/messages",
                                 {"model": MODEL, "max_tokens": 64, "stream": True,
                                  "messages": ask(f"{tag}#1\n@fake reply raw message")},
                                 {"x-api-key": line.token, "anthropic-version": "2023-06-01"})
    for call in [holder, sdk]:
        call.join()
    assert sdk.error is None and sdk.result == "sdk message"
    assert status == 200
    texts = [text for _, text in lines]
    assert texts[0] == ": waiting for the runner"
    first_event = next(i for i, text in enumerate(texts) if not text.startswith(":"))
    assert texts[first_event] == "event: message_start"
    assert texts[-2] == "event: message_stop" and json.loads(texts[-1][len("data: "):]) == {"type": "message_stop"}
    deltas = [json.loads(text[len("data: "):]) for text in texts if text.startswith("data: ")]
    assert "".join(d["delta"].get("text", "") for d in deltas if d["type"] == "content_block_delta") == "raw message"
    assert tagged(line, tag) == [0, 1]
    assert_line_empty(line)


def _sdk_text(stack, text):
    with anthropic_client(stack).messages.stream(model=MODEL, max_tokens=64, messages=ask(text)) as stream:
        return stream.get_final_text()


# The wait runs out.

def test_a_wait_that_runs_out_is_each_dialects_busy_answer(short):
    tag = uuid.uuid4().hex
    holder = hold(short, 4)
    chat = Call(lambda: short.chat(f"{tag}#0"))
    message = Call(lambda: messages_post(short, {"model": MODEL, "max_tokens": 8, "messages": ask(f"{tag}#1")}))
    job = Call(lambda: short.submit(f"{tag}#2"))
    chat_stream = Call(lambda: chunks_until_error(openai_client(short).chat.completions.create(
        model=MODEL, messages=ask(f"{tag}#3"), stream=True)))
    message_stream = Call(lambda: _sdk_text(short, f"{tag}#4"))
    wait_in_line(short, 5)
    for call in [chat, message, job, chat_stream, message_stream]:
        call.join()
        assert call.elapsed > 1.8, f"waited {call.elapsed:.2f} s, not the 2 s of --queue-wait"
    assert holder.running, "the waits ran out while the run went on"

    assert chat.result.status_code == 503
    assert chat.result.json() == {"error": "execution failed", "detail": "busy: another run is in progress"}
    assert int(chat.result.headers["retry-after"]) > 0
    assert message.result.status_code == 529
    assert message.result.json()["error"]["type"] == "overloaded_error"
    assert job.result.status_code == 409
    assert job.result.json() == {"error": "busy", "detail": "another run is in progress"}

    assert chat_stream.error is None
    received, error = chat_stream.result
    assert content_of(received) == ""
    assert "busy" in error.message
    assert isinstance(message_stream.error, anthropic.APIStatusError), message_stream.error
    assert message_stream.error.body["error"]["type"] == "overloaded_error"

    holder.join()
    assert tagged(short, tag) == [], "no run for a wait that ran out"
    assert_line_empty(short)


# Bounds.

def test_a_full_line_is_busy_at_once(bounded, keys):
    tag = uuid.uuid4().hex
    holder = hold(bounded, 3)
    waiters = []
    for i, name in enumerate(["alice", "bob"]):
        waiters.append(Call(lambda i=i, name=name: bounded.chat(f"{tag}#{i}", token=keys[1][name])))
        wait_in_line(bounded, i + 1)
    chat = Call(lambda: bounded.chat(f"{tag}#2")).join()
    job = Call(lambda: bounded.submit(f"{tag}#3")).join()
    assert chat.elapsed < 1 and job.elapsed < 1, f"busy took {chat.elapsed:.2f} s, {job.elapsed:.2f} s"
    assert holder.running
    assert (chat.result.status_code, job.result.status_code) == (503, 409)
    for call in waiters + [holder]:
        call.join()
    assert [c.result.status_code for c in waiters] == [200, 200]
    assert tagged(bounded, tag) == [0, 1]
    assert_line_empty(bounded)


def test_a_caller_holding_its_place_is_busy_at_once_while_another_still_waits(bounded, keys):
    tag = uuid.uuid4().hex
    alice, bob = keys[1]["alice"], keys[1]["bob"]
    holder = hold(bounded, 3)
    first = Call(lambda: bounded.chat(f"{tag}#0", token=alice))
    wait_in_line(bounded, 1)
    again = Call(lambda: bounded.chat(f"{tag}#1", token=alice)).join()
    assert again.elapsed < 1, f"busy took {again.elapsed:.2f} s"
    assert again.result.status_code == 503
    other = Call(lambda: bounded.chat(f"{tag}#2", token=bob))
    wait_in_line(bounded, 2)
    assert holder.running
    for call in [holder, first, other]:
        call.join()
    assert [first.result.status_code, other.result.status_code] == [200, 200]
    assert tagged(bounded, tag) == [0, 2]
    assert [line["caller"] for line in audit_lines(bounded)[-2:]] == ["alice", "bob"]
    assert_line_empty(bounded)


# Off.

def test_with_the_line_off_busy_stays_instant(stack):
    tag = uuid.uuid4().hex
    holder = hold(stack, 2)
    chat = Call(lambda: stack.chat(f"{tag}#0")).join()
    job = Call(lambda: stack.submit(f"{tag}#1")).join()
    assert chat.elapsed < 1 and job.elapsed < 1, f"busy took {chat.elapsed:.2f} s, {job.elapsed:.2f} s"
    assert holder.running
    assert (chat.result.status_code, job.result.status_code) == (503, 409)
    holder.join()
    assert tagged(stack, tag) == []
    assert_line_empty(stack)
