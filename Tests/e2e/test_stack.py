"""The stack itself: the rendered nginx config, timeouts, missing claude, no workers."""
import json
import os
import signal
import subprocess

from conftest import process_alive, wait_for


def test_rendered_nginx_config_passes_nginx_t(stack):
    result = subprocess.run(["nginx", "-t", "-p", stack.runtime, "-c", os.path.join(stack.runtime, "nginx.conf")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    rendered = open(os.path.join(stack.runtime, "server.conf")).read()
    deployed = open(os.path.join(os.path.dirname(__file__), "..", "..", "deploy", "nginx.conf")).read()
    # Only the port, certificate paths and socket path differ from what ops install.
    assert len(rendered.splitlines()) == len(deployed.splitlines())


def test_timeout_terms_the_run_and_says_so(make_stack):
    s = make_stack(workers=2, env={"CLAUDE_FCGI_TIMEOUT": "1", "CLAUDE_FCGI_KILL_GRACE": "2"})
    r = s.chat("@fake sleep 30")
    assert r.status_code == 503
    assert r.json() == {"error": "execution failed", "detail": "timed out after 1 s"}
    assert r.headers["x-should-retry"] == "false"
    record = s.records()[-1]
    assert record.get("signal") == signal.SIGTERM, "SIGTERM comes first, so the CLI can clean up"
    assert not process_alive(record["pid"])
    # The lock is free again: the next run goes through.
    assert s.chat("after the timeout").status_code == 200


def test_missing_claude_then_no_workers(make_stack):
    s = make_stack(workers=2, claude="/nonexistent/claude",
                   env={"CLAUDE_FCGI_AGENT_MAP": "*=recruiter-triage,other=no-such-agent"})
    # Each worker warns at start about an agent claude will not find, and only about that one.
    log = s.log()
    assert log.count("agent 'no-such-agent' not found") >= 2  # each worker (and run-local's --check-config)
    assert "agent 'recruiter-triage' not found" not in log
    r = s.chat("hi")
    assert r.status_code == 503
    assert r.json() == {"error": "execution failed", "detail": "claude not found at /nonexistent/claude"}
    s.stop_workers()
    r = s.chat("hi")
    assert r.status_code == 502
    assert r.headers["content-type"] == "application/json"
    assert r.json()["error"] == "no worker available"
    # The Responses API's routes answer it in OpenAI's shape.
    for r in [s.post("/v1/responses", body={"model": "m", "input": "hi"}), s.get("/v1/responses/resp_abc")]:
        assert r.status_code == 502 and r.headers["content-type"] == "application/json"
        assert r.json() == {"error": {"message": "no worker available: the FastCGI workers are not running",
                                      "type": "server_error", "param": None, "code": "no_worker"}}


def test_worker_refuses_to_start_without_a_token():
    binary = os.path.join(os.path.dirname(__file__), "..", "..", ".build", "release", "claude-fcgi")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAUDE_FCGI_")}
    result = subprocess.run([binary, "--check-config", "--state-dir", "/tmp/claude-fcgi-e2e-notoken"],
                            env=env, capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "claude-fcgi: no token configured: set CLAUDE_FCGI_TOKEN or --token-file (refusing to serve without auth)")


def test_nginx_refusals_are_json(stack):
    import socket
    import ssl
    context = ssl.create_default_context(cafile=stack.ca)
    for raw in [b"GARBAGE\r\n\r\n", b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
                b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 20000 + b"\r\n\r\n"]:
        with socket.create_connection(("127.0.0.1", stack.port)) as sock:
            with context.wrap_socket(sock, server_hostname="localhost") as tls:
                tls.sendall(raw)
                data = b""
                while True:
                    chunk = tls.recv(65536)
                    if not chunk:
                        break
                    data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        assert b"Content-Type: application/json" in head, head
        assert head.split(b" ")[1] in (b"400", b"414"), head
        assert "error" in json.loads(body)


def test_nginx_refusals_on_responses_are_openai_shaped(stack):
    # A body over client_max_body_size: nginx answers 413 without asking a worker.
    big = b"x" * ((32 << 20) + 1)
    for path in ["/v1/responses", "/v1/responses/resp_abc/cancel"]:
        r = stack.post(path, body=big)
        assert r.status_code == 413 and r.headers["content-type"] == "application/json"
        assert r.json() == {"error": {"message": "request body too large", "type": "invalid_request_error",
                                      "param": None, "code": "request_too_large"}}
    # Chat completions keeps the service's shape.
    r = stack.post("/v1/chat/completions", body=big)
    assert r.status_code == 413 and r.json() == {"error": "request body too large"}
    # Refusals found while nginx reads the head (before it chooses a location) follow the URI too.
    for path, shape in [(b"/v1/responses/resp_abc", "openai"), (b"/v1/chat/completions", "service")]:
        for head, status, code in [(b"X-Big: " + b"b" * 20000, b"400", "header_too_large"), (b"Host: again", b"400", "bad_request")]:
            status_line, body = raw_exchange(stack, b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n" + head + b"\r\n\r\n")
            assert status_line.split(b" ")[1] == status, status_line
            error = json.loads(body)["error"]
            assert (error["code"] == code and error["param"] is None) if shape == "openai" else isinstance(error, str), body


def raw_exchange(stack, raw):
    """Sends raw bytes on a connection of their own; the status line and body nginx answered with."""
    with stack.raw_connection() as tls:
        tls.sendall(raw)
        data = b""
        while chunk := tls.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0], body
