"""deploy/nginx.fleet.conf for real: one nginx in front of two hosts (two stacks: two lock files, two
stand-ins, one on a unix socket, one on TCP). Busy goes on to the next host, all busy is a 503, busy is
never down, a failed run is not run again elsewhere, and no request runs twice."""
import contextlib
import os
import re
import shutil
import tempfile
import subprocess
import threading

import httpx2 as httpx
import pytest

from conftest import REPO, free_port, wait_for


@pytest.fixture
def fleet(make_stack, tmp_path):
    with fleet_of(make_stack, tmp_path) as hosts:
        yield hosts


@contextlib.contextmanager
def fleet_of(make_stack, tmp_path, env=None):
    """Two hosts (stacks with `env` besides their own settings) behind deploy/nginx.fleet.conf: (a, b, client)."""
    tcp_port = free_port()
    # Sessions of stored responses in the test's own directory, not the home directory's .claude.
    a = make_stack(workers=2, env={"CLAUDE_CONFIG_DIR": str(tmp_path / "config-a"), **(env or {})})
    b = make_stack(workers=2, env={"CLAUDE_FCGI_LISTEN": f"127.0.0.1:{tcp_port}", "CLAUDE_CONFIG_DIR": str(tmp_path / "config-b"),
                                   **(env or {})})
    port = free_port()
    conf = open(os.path.join(REPO, "deploy", "nginx.fleet.conf")).read()
    servers = f"    server unix:{a.runtime}/fcgi.sock max_fails=0;\n    server 127.0.0.1:{tcp_port} max_fails=0;\n"
    conf, count = re.subn(r"(upstream claude_fcgi_fleet \{\n(?:    #.*\n)*)(?:    server .*\n)+", lambda m: m.group(1) + servers, conf)
    assert count == 1
    conf = conf.replace("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;").replace("/etc/claude-fcgi/tls/", f"{a.runtime}/tls/")
    (tmp_path / "fleet.conf").write_text(conf)
    shutil.copy("/etc/nginx/fastcgi_params", tmp_path / "fastcgi_params")
    # nginx's temporary files (a body over client_body_buffer_size goes to one) where its user www-data
    # can reach them: not under pytest's directory (mode 0700); nginx makes each directory itself, as its own.
    temporary = tempfile.mkdtemp(prefix="claude-fcgi-fleet-nginx-", dir="/tmp")
    os.chmod(temporary, 0o755)
    user = "user www-data;" if os.getuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(f"""{user}
worker_processes 2;
daemon off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {tmp_path}/access.log;
    client_body_temp_path {temporary}/body;
    fastcgi_temp_path {temporary}/fastcgi;
    proxy_temp_path {temporary}/proxy;
    uwsgi_temp_path {temporary}/uwsgi;
    scgi_temp_path {temporary}/scgi;
    include {tmp_path}/fleet.conf;
}}
""")
    os.chmod(tmp_path, 0o755)
    nginx = subprocess.Popen(["nginx", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")])
    client = httpx.Client(base_url=f"https://127.0.0.1:{port}", verify=a.ssl_context, timeout=60)
    assert wait_for(lambda: _up(client), timeout=10), open(tmp_path / "error.log").read()
    try:
        yield a, b, client
    finally:
        nginx.terminate()
        nginx.wait(10)
        shutil.rmtree(temporary, ignore_errors=True)


def _up(client):
    try:
        return client.get("/healthz").status_code == 200
    except httpx.TransportError:
        return False


def chat(client, stack, text):
    return client.post("/v1/chat/completions", json={"model": "recruiter-triage", "messages": [{"role": "user", "content": text}]},
                       headers={"Authorization": f"Bearer {stack.token}"})


def hold(stack, seconds):
    """Keeps the host busy with a run of its own (sent to it directly), until the thread is joined."""
    thread = threading.Thread(target=lambda: stack.chat(f"@fake sleep {seconds}"))
    before = len(stack.records())
    thread.start()
    assert wait_for(lambda: len(stack.records()) > before)
    return thread


def test_busy_goes_to_the_next_host_and_all_busy_is_503(fleet):
    a, b, client = fleet
    # Both free: requests are answered (round robin over the two).
    for i in range(4):
        assert chat(client, a, f"free {i}").status_code == 200
    assert len(a.records()) >= 1 and len(b.records()) >= 1
    counts = lambda: (len(a.records()), len(b.records()))

    # A busy: every request lands on B, none is refused.
    holder = hold(a, 3)
    before = counts()
    for i in range(4):
        r = chat(client, a, f"a busy {i}")
        assert r.status_code == 200, r.text
    assert counts() == (before[0], before[1] + 4)

    # Both busy: 503 with Retry-After and the API's JSON, from nginx once both said busy.
    other = hold(b, 2)
    r = chat(client, a, "both busy")
    assert r.status_code == 503, r.text
    assert r.headers["retry-after"] == "10"
    assert r.json() == {"error": "execution failed", "detail": "busy: another run is in progress on every host"}
    other.join()

    # Right after both were busy, the host that freed up takes the next request: busy is not down.
    r = chat(client, a, "b is free again")
    assert r.status_code == 200, r.text
    holder.join()
    after_both = counts()
    for i in range(4):
        assert chat(client, a, f"both free {i}").status_code == 200
    assert counts()[0] > after_both[0] and counts()[1] > after_both[1], "both hosts take requests again"

    # No request ran twice: every run the hosts made is one request sent (4 + 4 + 2 holds + 1 + 4).
    prompts = [r["stdin"].split("Request:\n", 1)[-1].strip() for r in a.records() + b.records()]
    assert len(prompts) == len(set(prompts)) == 4 + 4 + 2 + 1 + 4, prompts


def test_a_failed_run_is_not_run_again_on_the_next_host(fleet):
    a, b, client = fleet
    before = len(a.records()) + len(b.records())
    r = chat(client, a, "@fake is_error the API said no")
    assert r.status_code == 503
    assert r.json()["detail"].startswith("the API said no") or "the API said no" in r.json()["detail"]
    assert len(a.records()) + len(b.records()) == before + 1


def test_a_host_that_is_down_is_skipped(fleet):
    a, b, client = fleet
    b.stop_workers()
    for i in range(3):
        assert chat(client, a, f"b down {i}").status_code == 200
    a.stop_workers()
    r = chat(client, a, "all down")
    assert r.status_code == 502 and r.json()["error"] == "no worker available"


def test_jobs_are_found_on_the_host_that_runs_them(fleet):
    a, b, client = fleet
    headers = {"Authorization": f"Bearer {a.token}"}
    ids = []
    for i in range(2):
        r = client.post("/execute", json={"prompt": f"@fake sleep 0.5\n@fake reply job {i}"}, headers=headers)
        assert r.status_code == 202, r.text
        ids.append(r.json()["job_id"])
    for job_id in ids:
        assert wait_for(lambda: client.get(f"/execute/{job_id}", headers=headers).json()["status"] == "succeeded")
    assert client.get("/execute/job_1700000000000_nosuchid", headers=headers).status_code == 404


def respond(client, stack, **body):
    return client.post("/v1/responses", json={"model": "recruiter-triage", **body}, headers={"Authorization": f"Bearer {stack.token}"})


def test_responses_are_found_on_the_host_that_stored_them(fleet):
    a, b, client = fleet
    headers = {"Authorization": f"Bearer {a.token}"}
    stored = {}  # host name -> response id
    for i in range(8):
        r = respond(client, a, input=f"@fake reply stored {i}")
        assert r.status_code == 200, r.text
        host = "a" if a.get(f"/v1/responses/{r.json()['id']}").status_code == 200 else "b"
        stored.setdefault(host, r.json())
        if len(stored) == 2:
            break
    assert stored.keys() == {"a", "b"}, "requests go to both hosts"

    # Each is read from the host that stored it, whichever host nginx asks first.
    for response in stored.values():
        for _ in range(4):
            r = client.get(f"/v1/responses/{response['id']}", headers=headers)
            assert r.status_code == 200, r.text
            assert r.json()["id"] == response["id"] and r.json()["output"] == response["output"]

    # A request continuing one runs on the host that stored it (where its CLI session is).
    for host, response in stored.items():
        here, there = (a, b) if host == "a" else (b, a)
        counts = len(here.records()), len(there.records())
        r = respond(client, a, input="and then?", previous_response_id=response["id"])
        assert r.status_code == 200, r.text
        assert (len(here.records()), len(there.records())) == (counts[0] + 1, counts[1])
        assert "--resume" in here.records()[-1]["argv"]

    # One that no host stored: the last host's own 404 (not nginx's), and nothing ran.
    before = len(a.records()) + len(b.records())
    r = respond(client, a, input="hi", previous_response_id="resp_nosuchresponse")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "previous_response_not_found" and r.json()["error"]["param"] == "previous_response_id"
    assert len(a.records()) + len(b.records()) == before

    # Deleted on the host that stored it; then no host has it.
    for response in stored.values():
        assert client.delete(f"/v1/responses/{response['id']}", headers=headers).json()["deleted"] is True
        r = client.get(f"/v1/responses/{response['id']}", headers=headers)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", r.text


def test_responses_busy_goes_to_the_next_host_and_all_busy_is_an_openai_503(fleet):
    a, b, client = fleet
    holder = hold(a, 3)
    for i in range(2):
        r = respond(client, a, input=f"a busy {i}")
        assert r.status_code == 200, r.text
    other = hold(b, 2)
    r = respond(client, a, input="both busy")
    assert r.status_code == 503 and r.headers["retry-after"] == "10"
    assert r.json() == {"error": {"message": "execution failed: busy: another run is in progress on every host",
                                  "type": "server_error", "param": None, "code": "busy"}}
    other.join()
    holder.join()
    b.stop_workers()
    a.stop_workers()
    r = respond(client, a, input="all down")
    assert r.status_code == 502 and r.json()["error"]["code"] == "no_worker"


def test_a_response_stored_on_one_host_is_read_and_continued_there(fleet):
    a, b, client = fleet
    headers = {"Authorization": f"Bearer {a.token}"}
    holder = hold(a, 2)
    r = client.post("/v1/responses", json={"model": "recruiter-triage", "input": "on B\n@fake reply stored on B"}, headers=headers)
    holder.join()
    assert r.status_code == 200, r.text
    response_id = r.json()["id"]
    before = (len(a.records()), len(b.records()))
    # Round robin sends some of these to A first, which does not know the response.
    for _ in range(4):
        got = client.get(f"/v1/responses/{response_id}", headers=headers)
        assert got.status_code == 200, got.text
        assert got.json()["output"][0]["content"][0]["text"] == "stored on B"
    for i in range(4):
        r = client.post("/v1/responses", json={"model": "recruiter-triage", "input": f"go on {i}", "previous_response_id": response_id,
                                               "store": False}, headers=headers)
        assert r.status_code == 200, r.text
    assert (len(a.records()), len(b.records())) == (before[0], before[1] + 4), "every continuation ran on B, once"
    assert all("--resume" in run["argv"] for run in b.records()[before[1]:])
    missing = client.get("/v1/responses/resp_nosuchresponse", headers=headers)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found", missing.text
