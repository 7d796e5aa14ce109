"""The state directory under pressure: a small tmpfs as the stack's state directory, filled up, then
remounted read-only (between two pools). Every request that would start a run gets 503 `state not writable` naming the
file or directory and the error; no run starts; no worker dies (nginx never answers 502); what was
written before stays whole; once there is room again, requests work again."""
import os
import subprocess
import tempfile

import pytest

from conftest import wait_for

CHAT = {"model": "recruiter-triage", "messages": [{"role": "user", "content": "hello"}]}
MESSAGES = {"model": "recruiter-triage", "max_tokens": 64, "messages": [{"role": "user", "content": "hello"}]}


def mount(*args):
    return subprocess.run(["mount", *args], capture_output=True, text=True)


@pytest.fixture
def small_tmpfs():
    """A 2 MiB tmpfs of the test's own (root may mount; anyone else skips)."""
    path = tempfile.mkdtemp(prefix="claude-fcgi-pressure-", dir="/tmp")
    done = mount("-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", path)
    if done.returncode != 0:
        os.rmdir(path)
        pytest.skip(f"cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): {done.stderr.strip()}")
    yield path
    subprocess.run(["umount", "-l", path], capture_output=True)
    os.rmdir(path)


def fill(directory):
    """Writes a file until the file system is full, to the last byte; returns its path."""
    path = os.path.join(directory, "filler")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (65536, 4096, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)
    return path


def audit_lines(state):
    with open(os.path.join(state, "audit.log"), "rb") as f:
        return f.read()


def assert_unwritable(response, error_text):
    assert response.status_code == 503, response.text
    body = response.text
    assert "state not writable" in body, body
    assert error_text in body, body


def test_full_then_read_only_then_room_again(small_tmpfs, make_stack):
    state = small_tmpfs
    stack = make_stack(workers=2, env={"CLAUDE_FCGI_STATE_DIR": state})
    assert stack.chat("before").status_code == 200
    job = stack.submit("a job before").json()
    assert stack.wait_job(job["job_id"])["status"] == "succeeded"
    assert wait_for(lambda: audit_lines(state).count(b"\n") == 2)
    written = audit_lines(state)
    workers = stack.worker_pids
    runs = len(stack.records())

    filler = fill(state)
    chat = stack.post(body=CHAT)
    assert_unwritable(chat, "No space left on device")
    assert state in chat.text
    assert_unwritable(stack.post("/v1/messages", body=MESSAGES, headers={"anthropic-version": "2023-06-01"}),
                      "No space left on device")
    assert_unwritable(stack.post("/v1/responses", body={"model": "recruiter-triage", "input": "hello"}),
                      "No space left on device")
    assert_unwritable(stack.submit("a job on a full disk"), "No space left on device")
    assert stack.get("/healthz").status_code == 200
    assert stack.get(f"/execute/{job['job_id']}").json()["status"] == "succeeded"

    # No run started, no worker died, nothing written before was lost.
    assert len(stack.records()) == runs
    assert stack.worker_pids == workers
    assert audit_lines(state) == written

    # Read-only: the workers map the counters file writable, so the mount is made read-only between
    # two pools (Linux refuses to remount under a writable mapping).
    stack.stop_workers()
    done = mount("-o", "remount,ro", state)
    assert done.returncode == 0, done.stderr
    try:
        stack.restart_workers()
        workers = stack.worker_pids
        assert_unwritable(stack.post(body=CHAT), "Read-only file system")
        assert_unwritable(stack.submit("a job on a read-only disk"), "Read-only file system")
        assert stack.get("/healthz").status_code == 200
        assert stack.worker_pids == workers
        assert len(stack.records()) == runs
    finally:
        assert mount("-o", "remount,rw", state).returncode == 0
    assert audit_lines(state) == written

    os.unlink(filler)
    assert stack.chat("after").status_code == 200
    job = stack.submit("a job after").json()
    assert stack.wait_job(job["job_id"])["status"] == "succeeded"
    assert len(stack.records()) == runs + 2
    assert wait_for(lambda: audit_lines(state).count(b"\n") == 4)
    assert audit_lines(state).startswith(written)
    assert stack.worker_pids == workers
