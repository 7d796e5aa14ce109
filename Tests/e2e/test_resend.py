"""Re-sent requests through nginx (issue 21, point 6): a request sent again never pays for a second run.

The official openai SDK re-sends a POST after its read timeout (`x-stainless-retry-count` 1, 2); a
request with an `Idempotency-Key` may be sent again by anyone. A re-send attaches to the run in
progress (on another worker) or, within `--resend-window`, gets the stored answer byte for byte; the
same key with another body is a 409; one caller's key is not another's. A re-sendable run whose client
hung up goes on for `--resend-grace`, then is cancelled; every other hang-up still cancels at once.
"""
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid

import anthropic
import openai
import pytest

from conftest import REPO, Stack, add_key, audit_lines, lock_is_free, pids_with, run_is_gone, wait_for

GRACE_S = 2
WINDOW_S = 4
RUN_S = 5  # the slow run the SDK's 2 s read timeout gives up on


@pytest.fixture(scope="module")
def resend():
    keys_dir = tempfile.mkdtemp(prefix="claude-fcgi-e2e-keys-", dir="/tmp")
    keys_file = os.path.join(keys_dir, "keys.json")
    with open(os.open(keys_file, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        f.write('{"callers": []}\n')
    s = Stack(workers=4, env={"CLAUDE_FCGI_RESEND_GRACE": str(GRACE_S), "CLAUDE_FCGI_RESEND_WINDOW": str(WINDOW_S),
                              "CLAUDE_FCGI_STREAMING": "on", "CLAUDE_FCGI_STREAM_KEEP_ALIVE": "1",
                              "CLAUDE_FCGI_KEYS_FILE": keys_file, "CLAUDE_FCGI_KILL_GRACE": "1",
                              "CLAUDE_FCGI_STOP_TIMEOUT": "1"})
    s.keys_file = keys_file
    yield s
    left = s.stop()
    shutil.rmtree(s.runtime, ignore_errors=True)
    shutil.rmtree(keys_dir, ignore_errors=True)
    assert left == [], f"workers still running after run-local stopped: {left}"


@pytest.fixture(autouse=True)
def idle(resend):
    """Each test starts with no run in progress (one left by an earlier test would make it busy)."""
    assert wait_for(lambda: lock_is_free(resend), timeout=RUN_S + 5)
    for name in ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL"]:
        os.environ.pop(name, None)


def ask(text):
    return [{"role": "user", "content": text}]


def runs_of(stack, marker):
    """The stand-in's runs whose prompt carries `marker`."""
    return [r for r in stack.records() if marker in (r.get("prompt") or "")]


def chat_body(marker, *directives, stream=False):
    text = "\n".join([f"question {marker}", *directives, f"@fake reply answer to {marker}"])
    body = {"model": "recruiter-triage", "messages": ask(text)}
    if stream:
        body["stream"] = True
    return body


def post_keyed(stack, body, key, token="default", path="/v1/chat/completions", **headers):
    return stack.post(path, body=body, token=token, headers={"Idempotency-Key": key, **headers})


def counting_client(stack, retry_counts, module=openai, **kwargs):
    """An SDK client (openai or anthropic) that notes each attempt's `x-stainless-retry-count`."""
    hooks = {"request": [lambda request: retry_counts.append(request.headers.get("x-stainless-retry-count"))]}
    http = module.DefaultHttpxClient(verify=stack.ssl_context, event_hooks=hooks)
    if module is anthropic:  # its base URL is the host: it adds /v1/messages itself
        return anthropic.Anthropic(base_url=stack.url, api_key=stack.token, http_client=http, **kwargs)
    return openai.OpenAI(base_url=stack.url + "/v1", api_key=stack.token, http_client=http, **kwargs)


def raw_request(stack, body, headers=None):
    """The bytes of a chat-completions POST of `body` with the token and `headers`, for a raw connection."""
    data = json.dumps(body).encode()
    head = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    return (b"POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {stack.token}\r\n{head}Content-Length: {len(data)}\r\n\r\n".encode() + data)


def hang_up_during_run(stack, marker, headers):
    """Sends a slow run (a tool process named by `marker`) on a raw connection, hangs up once it runs;
    the run's record and when the hang-up was."""
    sock = stack.raw_connection()
    sock.sendall(raw_request(stack, chat_body(marker, f"@fake grandchild {marker}", "@fake sleep 30"), headers))
    assert wait_for(lambda: runs_of(stack, marker) and pids_with(marker), timeout=10)
    record = runs_of(stack, marker)[0]
    sock.close()
    return record, time.monotonic()


def audit_count(stack):
    return len(audit_lines(stack))


# The openai SDK's own re-sends: timeout=2 against a 5 s run.

def test_sdk_read_timeout_resends_and_gets_one_runs_answer(resend):
    marker = uuid.uuid4().hex
    counts = []
    client = counting_client(resend, counts, timeout=2)  # max_retries: the SDK's default 2
    audited = audit_count(resend)
    started = time.monotonic()
    completion = client.chat.completions.create(model="recruiter-triage",
                                                messages=ask(f"question {marker}\n@fake sleep {RUN_S}\n@fake reply one run {marker}"))
    took = time.monotonic() - started
    print(f"SDK call with re-sends: {took:.2f} s, attempts {counts}")
    assert completion.choices[0].message.content == f"one run {marker}"
    assert counts == ["0", "1", "2"], "the SDK timed out twice and re-sent"
    assert len(runs_of(resend, marker)) == 1
    lines = audit_lines(resend)[audited:]
    assert len(lines) == 1, lines
    assert lines[0]["outcome"] == "ok"


def test_sdk_stream_with_timeout_gets_one_runs_answer(resend):
    """Streamed, the answer begins at once and keep-alive comments come each second: the SDK's 2 s
    read timeout never fires, and a 5 s run is one run, answered whole."""
    marker = uuid.uuid4().hex
    counts = []
    client = counting_client(resend, counts, timeout=2)
    chunks = list(client.chat.completions.create(
        model="recruiter-triage", stream=True,
        messages=ask(f"question {marker}\n@fake sleep {RUN_S}\n@fake reply streamed {marker}")))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == f"streamed {marker}"
    assert counts == ["0"]
    assert len(runs_of(resend, marker)) == 1


def test_anthropic_sdk_read_timeout_resends_and_gets_one_runs_answer(resend):
    marker = uuid.uuid4().hex
    counts = []
    client = counting_client(resend, counts, module=anthropic, timeout=2)
    message = client.messages.create(model="recruiter-triage", max_tokens=100,
                                     messages=ask(f"question {marker}\n@fake sleep {RUN_S}\n@fake reply one run {marker}"))
    print(f"anthropic SDK attempts {counts}")
    assert message.content[0].text == f"one run {marker}"
    assert counts[:2] == ["0", "1"], "the SDK timed out and re-sent"
    assert len(runs_of(resend, marker)) == 1


def test_sdk_first_attempts_with_the_same_body_are_two_questions(resend):
    """Two requests with x-stainless-retry-count 0 and the same body run twice; a re-send (count 1) then
    gets the later answer, byte for byte."""
    marker = uuid.uuid4().hex
    body = chat_body(marker)
    client = counting_client(resend, [], max_retries=0)
    for _ in range(2):
        answer = client.chat.completions.create(**body)
        assert answer.choices[0].message.content == f"answer to {marker}"
    assert len(runs_of(resend, marker)) == 2

    first = resend.post(body=body, headers={"x-stainless-retry-count": "0"})
    resent = resend.post(body=body, headers={"x-stainless-retry-count": "1"})
    assert first.status_code == resent.status_code == 200
    assert len(runs_of(resend, marker)) == 3
    assert resent.content == first.content


# Idempotency-Key.

def test_idempotency_key_replays_the_answer_without_a_run(resend):
    marker = uuid.uuid4().hex
    key = "replay-" + marker
    audited = audit_count(resend)
    first = post_keyed(resend, chat_body(marker), key)
    assert first.status_code == 200, first.text
    again = post_keyed(resend, chat_body(marker), key)
    assert again.status_code == 200
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"]
    assert len(runs_of(resend, marker)) == 1
    assert audit_count(resend) == audited + 1


def test_idempotency_key_replays_a_streamed_answer_byte_for_byte(resend):
    marker = uuid.uuid4().hex
    key = "stream-" + marker
    body = chat_body(marker, "@fake deltas 5", stream=True)
    first = post_keyed(resend, body, key)
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/event-stream")
    assert f"answer to {marker}"[:4].encode() in first.content and first.content.rstrip().endswith(b"data: [DONE]")
    again = post_keyed(resend, body, key)
    assert again.status_code == 200
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.content == first.content
    assert len(runs_of(resend, marker)) == 1


def test_same_key_with_another_body_is_409_naming_the_key(resend):
    marker = uuid.uuid4().hex
    key = "conflict-" + marker
    assert post_keyed(resend, chat_body(marker), key).status_code == 200
    other = post_keyed(resend, chat_body(marker, "@fake reply something else"), key)
    assert other.status_code == 409
    assert key in json.dumps(other.json())
    assert len(runs_of(resend, marker)) == 1
    assert post_keyed(resend, chat_body(marker), key).status_code == 200, "the key's own body still replays"
    assert len(runs_of(resend, marker)) == 1


def test_one_callers_key_is_not_anothers(resend):
    suffix = uuid.uuid4().hex[:8]
    alice, bob = add_key(resend.keys_file, "alice-" + suffix), add_key(resend.keys_file, "bob-" + suffix)
    marker = uuid.uuid4().hex
    key = "shared-" + marker
    first = post_keyed(resend, chat_body(marker), key, token=alice)
    assert first.status_code == 200, first.text
    others = post_keyed(resend, chat_body(marker), key, token=bob)
    assert others.status_code == 200, others.text
    assert len(runs_of(resend, marker)) == 2, "bob's request is his own question"
    assert others.content != first.content
    assert post_keyed(resend, chat_body(marker, "@fake reply bob's"), key, token=bob).status_code == 409
    assert post_keyed(resend, chat_body(marker), key, token=alice).content == first.content
    assert len(runs_of(resend, marker)) == 2
    assert [line["caller"] for line in audit_lines(resend)[-2:]] == ["alice-" + suffix, "bob-" + suffix]


def test_resend_during_the_run_attaches_to_it(resend):
    marker = uuid.uuid4().hex
    key = "attach-" + marker
    body = chat_body(marker, "@fake sleep 3")
    answers = {}
    first = threading.Thread(target=lambda: answers.setdefault("first", post_keyed(resend, body, key)))
    first.start()
    assert wait_for(lambda: runs_of(resend, marker))
    sent = time.monotonic()
    second = post_keyed(resend, body, key)
    waited = time.monotonic() - sent
    first.join()
    assert answers["first"].status_code == second.status_code == 200
    assert second.content == answers["first"].content
    assert waited > 1, "the re-send waited for the run"
    assert len(runs_of(resend, marker)) == 1


def test_after_the_window_the_answer_is_not_replayed(resend):
    marker = uuid.uuid4().hex
    key = "window-" + marker
    first = post_keyed(resend, chat_body(marker), key)
    assert post_keyed(resend, chat_body(marker), key).content == first.content
    assert len(runs_of(resend, marker)) == 1
    time.sleep(WINDOW_S + 1.1)
    later = post_keyed(resend, chat_body(marker), key)
    assert later.status_code == 200
    assert later.content != first.content
    assert len(runs_of(resend, marker)) == 2


def test_a_busy_answer_is_not_kept(resend):
    marker = uuid.uuid4().hex
    key = "busy-" + marker
    with open(os.path.join(resend.runtime, "state", "run.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        busy = post_keyed(resend, chat_body(marker), key)
    assert busy.status_code == 503, busy.text
    assert "busy" in busy.text
    assert runs_of(resend, marker) == []
    again = post_keyed(resend, chat_body(marker), key)
    assert again.status_code == 200, again.text
    assert len(runs_of(resend, marker)) == 1


# Hang-ups.

def test_a_resendable_run_outlives_its_hang_up_for_the_grace_then_is_cancelled(resend):
    marker = "resend-grace-" + uuid.uuid4().hex
    audited = audit_count(resend)
    record, closed = hang_up_during_run(resend, marker, {"Idempotency-Key": marker})
    time.sleep(1.2)
    assert not run_is_gone(resend, record, marker), "cancelled before the grace ended"
    assert wait_for(lambda: run_is_gone(resend, record, marker), timeout=GRACE_S + 2), "run alive long after the grace"
    gone = time.monotonic() - closed
    print(f"hang-up to run gone with a {GRACE_S} s grace: {gone:.3f} s")
    assert gone >= GRACE_S - 0.1
    assert wait_for(lambda: len(audit_lines(resend)) > audited)
    assert audit_lines(resend)[-1]["outcome"] == "cancelled"


def test_a_hang_up_without_a_key_still_cancels_at_once(resend):
    marker = "resend-nokey-" + uuid.uuid4().hex
    record, closed = hang_up_during_run(resend, marker, {})
    assert wait_for(lambda: run_is_gone(resend, record, marker), timeout=2), "run still alive 2 s after hang-up"
    gone = time.monotonic() - closed
    print(f"hang-up to run gone without a key: {gone:.3f} s")
    assert gone < 1.5
