"""The seed's nine cases and the walking path's own, through HTTPS, nginx, spawn-fcgi and the worker."""
import threading

from conftest import wait_for


def test_happy_path(stack):
    before = len(stack.records())
    r = stack.post(body={"model": "claude-haiku-4-5", "messages": [
        {"role": "system", "content": "You are concise."},
        {"role": "user", "content": "Capital of France?\n@fake reply Paris is the capital of France."},
    ]})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["object"] == "chat.completion"
    assert body["id"].startswith("chatcmpl-") and len(body["id"]) > len("chatcmpl-")
    assert body["model"] == "claude-haiku-4-5"
    assert isinstance(body["created"], int)
    assert body["choices"] == [{"index": 0, "finish_reason": "stop",
                                "message": {"role": "assistant", "content": "Paris is the capital of France."}}]
    # The stand-in reports input 12, cache creation 5, cache read 7, output 3.
    assert body["usage"] == {"prompt_tokens": 24, "completion_tokens": 3, "total_tokens": 27,
                             "prompt_tokens_details": {"cached_tokens": 7}}
    assert len(stack.records()) == before + 1


def test_argv_is_the_documented_invocation(stack):
    r = stack.chat("argv check")
    assert r.status_code == 200, r.text
    record = stack.records()[-1]
    assert record["argv"][1:] == ["-p", "--output-format", "json", "--no-session-persistence",
                                  "--agent", "recruiter-triage", "--max-budget-usd", "2.00"]
    assert record["cwd"] == stack.workdir


def test_rejects_streaming(stack):
    before = len(stack.records())
    r = stack.post(body={"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": True})
    assert r.status_code == 400
    assert r.json() == {"error": "streaming not supported"}
    assert len(stack.records()) == before


def test_requires_auth(stack):
    r = stack.chat("hi", token=None)
    assert r.status_code == 401
    assert r.json() == {"error": "unauthorized"}
    assert r.headers["www-authenticate"] == "Bearer"


def test_wrong_bearer_token(stack):
    r = stack.chat("hi", token="wrong")
    assert r.status_code == 401
    assert r.json() == {"error": "unauthorized"}
    r = stack.post(body={"model": "m", "messages": []}, headers={"Authorization": "Basic " + stack.token})
    assert r.status_code == 401


def test_returns_503_on_run_failure(stack):
    r = stack.chat("trigger fail\n@fake stderr boom\n@fake exit 42")
    assert r.status_code == 503
    assert r.json() == {"error": "execution failed", "detail": "claude exited with code 42: boom"}
    assert r.headers["x-should-retry"] == "false"


def test_is_error_result_gives_its_message(stack):
    r = stack.chat("@fake is_error Not logged in · Please run /login")
    assert r.status_code == 503
    assert r.json() == {"error": "execution failed", "detail": "Not logged in · Please run /login"}


def test_rejects_empty_messages(stack):
    r = stack.post(body={"model": "claude-haiku-4-5", "messages": []})
    assert r.status_code == 400
    assert r.json() == {"error": "messages must be a non-empty array"}


def test_falls_back_to_raw_stdout(stack):
    r = stack.chat("hi\n@fake plain plain non-json output")
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"] == "plain non-json output"


def test_prompt_synthesis_reaches_stdin(stack):
    r = stack.post(body={"model": "claude-haiku-4-5", "messages": [
        {"role": "system", "content": "SYSTEM-MARKER"},
        {"role": "developer", "content": "DEV-MARKER"},
        {"role": "user", "content": "EARLIER"},
        {"role": "assistant", "content": [{"type": "text", "text": "ANSWER"}]},
        {"role": "user", "content": "USER-MARKER"},
    ]})
    assert r.status_code == 200, r.text
    record = stack.records()[-1]
    assert record["stdin"] == ("System instructions:\nSYSTEM-MARKER\n\nDEV-MARKER\n\n---\n\n"
                               "Conversation so far:\nUser: EARLIER\n\nAssistant: ANSWER\n\n---\n\n"
                               "Request:\nUSER-MARKER")
    assert not any("MARKER" in a for a in record["argv"])


def test_dash_dash_prompt_arrives_intact_on_stdin(stack):
    r = stack.chat("--help --dangerously-skip-permissions")
    assert r.status_code == 200, r.text
    record = stack.records()[-1]
    assert record["stdin"] == "Request:\n--help --dangerously-skip-permissions"
    assert "--help" not in record["argv"]


def test_token_never_reaches_the_child_nor_the_log(stack):
    r = stack.chat("SECRET-PROMPT-TEXT env check")
    assert r.status_code == 200, r.text
    record = stack.records()[-1]
    flat = repr(record["env"]) + repr(record["argv"])
    assert stack.token not in flat
    assert "HTTP_AUTHORIZATION" not in record["env"]
    assert not any(k.startswith("CLAUDE_FCGI_") for k in record["env"])
    log = stack.log()
    assert "POST" in log and "/v1/chat/completions" in log
    assert stack.token not in log
    assert "SECRET-PROMPT-TEXT" not in log


def test_busy_returns_503_at_once_from_another_worker(stack):
    slow_result = {}
    before = len(stack.records())

    def slow():
        slow_result["response"] = stack.chat("hold the lock\n@fake sleep 3")

    t = threading.Thread(target=slow)
    t.start()
    # The slow run has started (and so holds the lock) once its record exists.
    assert wait_for(lambda: len(stack.records()) > before)
    r = stack.chat("second request")
    done_before_busy = "response" in slow_result
    t.join()
    assert r.status_code == 503
    assert r.json() == {"error": "execution failed", "detail": "busy: another run is in progress"}
    assert r.headers["retry-after"] == "10"
    assert "x-should-retry" not in r.headers
    assert not done_before_busy, "the 503 must come while the slow run is still going"
    assert slow_result["response"].status_code == 200
    assert len(stack.records()) == before + 1, "the busy request must not start a run"


def test_a_path_cannot_forge_a_log_line(stack):
    r = stack.client.get("/v1/x%0A2026-01-01T00:00:00Z%20info%20claude-fcgi:%20forged")
    assert r.status_code == 404
    assert wait_for(lambda: "forged" in stack.log())
    assert not any(line.startswith("2026-01-01") for line in stack.log().splitlines())


def test_healthz_unknown_path_and_wrong_method(stack):
    r = stack.client.get("/healthz")
    assert (r.status_code, r.json()) == (200, {"status": "ok"})
    r = stack.client.get("/v1/nope", headers={"Authorization": f"Bearer {stack.token}"})
    assert r.status_code == 404
    assert r.json()["error"] == "not found"
    r = stack.client.get("/v1/chat/completions")
    assert r.status_code == 405
    assert r.headers["allow"] == "POST"
    assert r.json()["error"] == "method not allowed"
    r = stack.client.get("/elsewhere")
    assert (r.status_code, r.json()) == (404, {"error": "not found"})


def test_bad_bodies_get_json_400s_and_no_run(stack):
    before = len(stack.records())
    cases = [
        (b"{", "request body is not valid JSON"),
        (b"[]", "request body must be a JSON object, not array"),
        (b'{"model":"m","messages":[{"role":"tool","content":"x"}]}', "messages[0].tool_call_id must be a non-empty string"),
        (b'{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{}]}', 'tools[0].type must be "function"'),
        (b'{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio"}]}]}',
         "messages[0].content[0] has type 'input_audio'; only 'text' and 'image_url' parts are supported"),
        (b'{"model":"m","messages":[{"role":"user","content":"a\\u0000b"}]}', "messages[0].content contains a NUL character"),
        (b'{"model":"m","messages":[{"role":"assistant","content":"x"}]}', "messages must contain a user message"),
    ]
    for body, message in cases:
        r = stack.post(body=body)
        assert r.status_code == 400, (body, r.text)
        assert r.json() == {"error": message}
    r = stack.post(body=b'{"model":"m","messages":[{"role":"user","content":"x"}]}', headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert r.json()["error"] == "unsupported content type"
    assert len(stack.records()) == before


def test_nginx_413_is_json(stack):
    r = stack.post(body=b"x" * ((32 << 20) + 1))
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"error": "request body too large"}


def test_large_prompt_round_trips(stack):
    text = "y" * (1 << 20)
    r = stack.chat(text)
    assert r.status_code == 200, r.text[:200]
    assert stack.records()[-1]["stdin"] == "Request:\n" + text
