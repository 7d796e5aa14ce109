"""Runs that cannot double, leak or run away: each fault inflicted for real through nginx."""
import os
import signal
import subprocess
import threading
import time
import uuid

from conftest import (audit_lines, check_lock_in_stand_in, lock_is_free, overlaps, parent_of, pids_with,
                      process_alive, run_is_gone, wait_for)


def test_timeout_kills_the_whole_run_descendants_included(make_stack):
    s = make_stack(workers=2, env={"CLAUDE_FCGI_TIMEOUT": "1", "CLAUDE_FCGI_KILL_GRACE": "1"})
    marker = "leak-marker-" + uuid.uuid4().hex
    r = s.chat(f"@fake ignore_term\n@fake grandchild {marker}\n@fake sleep 60")
    assert r.status_code == 503
    assert r.json() == {"error": "execution failed", "detail": "timed out after 1 s"}
    record = s.records()[-1]
    assert record["grandchild"], "the stand-in started its tool process"
    assert wait_for(lambda: run_is_gone(s, record, marker), timeout=2), pids_with(marker)
    assert audit_lines(s)[-1]["outcome"] == "timed_out"
    assert s.chat("next").status_code == 200


def test_client_hang_up_stops_the_run(stack):
    marker = "hangup-marker-" + uuid.uuid4().hex
    before = len(stack.records())
    sock = stack.raw_connection()
    sock.sendall(stack.raw_chat_request({"model": "recruiter-triage", "messages": [
        {"role": "user", "content": f"@fake grandchild {marker}\n@fake sleep 60"}]}))
    assert wait_for(lambda: len(stack.records()) > before and stack.records()[-1].get("grandchild"))
    record = stack.records()[-1]
    assert pids_with(marker)
    sock.close()
    closed = time.monotonic()
    assert wait_for(lambda: run_is_gone(stack, record, marker), timeout=2), "run still alive 2 s after hang-up"
    print(f"hang-up to run gone: {time.monotonic() - closed:.3f} s")
    assert wait_for(lambda: audit_lines(stack) and audit_lines(stack)[-1]["outcome"] == "cancelled")
    assert wait_for(lambda: "run=cancelled" in stack.log())
    assert stack.chat("after the hang-up").status_code == 200


def test_worker_killed_mid_run_leaves_no_orphan_and_no_double_run(make_stack):
    s = make_stack(workers=4, env={"CLAUDE_FCGI_KILL_GRACE": "1"})
    check_lock_in_stand_in(s)
    marker = "kill9-marker-" + uuid.uuid4().hex
    killed_answer = []

    def doomed():
        try:
            killed_answer.append(s.chat(f"@fake grandchild {marker}\n@fake sleep 60").status_code)
        except Exception as error:  # the worker dies under it
            killed_answer.append(repr(error))

    threading.Thread(target=doomed, daemon=True).start()
    assert wait_for(lambda: s.records() and s.records()[-1].get("grandchild"))
    record = s.records()[-1]
    supervisor = record["ppid"]
    worker = parent_of(supervisor)
    assert worker in s.worker_pids
    # Requests keep coming while the worker dies: none may start a run that overlaps the killed one.
    stop = threading.Event()
    answers = []

    def hammer():
        while not stop.is_set():
            answers.append(s.chat("short").status_code)

    hammers = [threading.Thread(target=hammer) for _ in range(3)]
    for t in hammers:
        t.start()
    os.kill(worker, signal.SIGKILL)
    killed = time.monotonic()
    gone = wait_for(lambda: run_is_gone(s, record, marker) or not any(
        process_alive(p) for p in [record["pid"], supervisor, record["grandchild"]]), timeout=2)
    elapsed = time.monotonic() - killed
    time.sleep(1)
    stop.set()
    for t in hammers:
        t.join()
    assert gone, f"processes of the killed worker's run still alive: {pids_with(marker)}"
    print(f"kill -9 of the worker to run gone: {elapsed:.3f} s; requests meanwhile: {len(answers)}")
    records = s.records()
    assert overlaps(records) == []
    assert not any(r["lock_was_free"] for r in records)
    assert 200 in answers, "runs go on after the killed one is cleaned up"
    assert set(answers) <= {200, 503}
    assert wait_for(lambda: killed_answer) and killed_answer[0] == 502, killed_answer


def test_stderr_cannot_smuggle_into_the_detail(stack):
    r = stack.chat("@fake stderr_noise")
    assert r.status_code == 503
    body = r.json()
    assert set(body) == {"error", "detail"}
    detail = body["detail"]
    assert detail.startswith("claude exited with code 1: ")
    assert len(detail) <= 300
    assert all(ch.isprintable() for ch in detail), repr(detail)
    assert "\x1b" not in detail and "\r" not in detail and "\n" not in detail
    assert len(r.content) < 600


def test_token_appears_in_no_body_no_log_no_child(stack):
    bodies = [stack.chat("@fake exit 9").text, stack.chat("hi", token="wrong").text,
              stack.post(body=b"{").text, stack.chat("@fake stderr_noise").text]
    for text in bodies:
        assert stack.token not in text
    for name in ("worker.log", "nginx-error.log", "nginx-access.log"):
        assert stack.token not in stack.log(name)
    with open(os.path.join(stack.runtime, "state", "audit.log")) as f:
        assert stack.token not in f.read()
    for record in stack.records():
        assert stack.token not in repr(record["env"]) + repr(record["argv"])


def test_a_world_readable_token_file_is_refused(tmp_path):
    binary = os.path.join(os.path.dirname(__file__), "..", "..", ".build", "release", "claude-fcgi")
    token_file = tmp_path / "token"
    token_file.write_text("abc\n")
    token_file.chmod(0o644)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAUDE_FCGI_")}
    result = subprocess.run([binary, "--check-config", "--token-file", str(token_file), "--state-dir", str(tmp_path / "s")],
                            env=env, capture_output=True, text=True)
    assert result.returncode == 2
    assert "readable by others (mode 644); chmod 600 it" in result.stderr
    token_file.chmod(0o600)
    result = subprocess.run([binary, "--check-config", "--token-file", str(token_file), "--state-dir", str(tmp_path / "s")],
                            env=env, capture_output=True, text=True)
    assert (result.returncode, result.stdout.strip()) == (0, "ok")


def test_every_run_is_in_the_audit_log(stack):
    before = len(audit_lines(stack))
    stack.chat("@fake reply fine")
    stack.chat("@fake exit 4")
    lines = audit_lines(stack)[before:]
    assert [line["outcome"] for line in lines] == ["ok", "failed"]
    ok, failed = lines
    assert ok["model"] == "recruiter-triage" and ok["agent"] == "recruiter-triage"
    assert ok["exit_code"] == 0 and ok["total_cost_usd"] == 0.0051
    assert (ok["prompt_tokens"], ok["completion_tokens"], ok["cached_tokens"]) == (24, 3, 7)
    assert (ok["input_tokens"], ok["cache_creation_input_tokens"], ok["cache_read_input_tokens"], ok["output_tokens"]) == (12, 5, 7, 3)
    assert failed["exit_code"] == 4 and failed.get("total_cost_usd") is None
    assert len(ok["request_id"]) == 24 and ok["time"].endswith("Z") and ok["duration_ms"] >= 0
    # The request log names the run as the audit log does.
    assert wait_for(lambda: f"request_id={ok['request_id']}" in stack.log())
    # A busy rejection is not a run.
    assert all(line["outcome"] != "busy" for line in audit_lines(stack))
