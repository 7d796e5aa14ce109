"""The warm spare (issue 22) through nginx with the stand-in CLI: one claude per host started ahead of the
next default chat run (keeper claude-fcgi-spk, spare claude-fcgi-spr, the waiting claude its child), which
that run takes under the lock; replaced when stale, old or ended; gone with its worker, its pool, its run.

The stand-in with `--input-format stream-json` waits for its first input before it writes its record, so
records are runs only, and a warm run's record has the spare as its parent.
"""
import base64
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import time
import uuid
import zlib

import pytest

from conftest import (FAKE_CLAUDE, Stack, audit_lines, in_background, lock_is_free, parent_of, pids_with, process_alive,
                      process_name, wait_for)

KEEPER, SPARE = "claude-fcgi-spk", "claude-fcgi-spr"
MODEL = "recruiter-triage"
WARM = {"CLAUDE_FCGI_WARM_SPARE": "on"}
TIMEOUT_S = 3


# --- finding the spare's processes ------------------------------------------------------------------------

def named(name):
    return [int(e) for e in os.listdir("/proc") if e.isdigit() and process_name(int(e)) == name and process_alive(int(e))]


def holds_file_under(pid, prefix):
    """Whether the process has a file under `prefix` open (the keeper and spare hold <state>/warm/spare.lock
    and the stack's worker.log): what ties one to its stack."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith(prefix):
                return True
        except OSError:
            pass
    return False


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split() if process_alive(int(p))]
    except OSError:
        return []


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [a.decode(errors="replace") for a in f.read().split(b"\0")[:-1]]
    except OSError:
        return []


def is_waiting_fake(pid):
    argv = cmdline(pid)
    return any("fake-claude" in a for a in argv) and "--input-format" in argv


def keepers_of(stack):
    return [p for p in named(KEEPER) if holds_file_under(p, stack.runtime)]


def spares_of(stack):
    return [p for p in named(SPARE) if holds_file_under(p, stack.runtime)]


def fakes_of(stack):
    """The stand-in processes working in the stack's working directory."""
    workdir = os.path.realpath(stack.workdir)
    found = []
    for pid in pids_with("fake-claude"):
        try:
            if os.path.realpath(os.readlink(f"/proc/{pid}/cwd")) == workdir:
                found.append(pid)
        except OSError:
            pass
    return found


def spare_of(stack):
    """(keeper, spare, claude) when the stack has exactly one keeper, one spare and one claude waiting, else None."""
    keepers, spares = keepers_of(stack), spares_of(stack)
    if len(keepers) != 1 or len(spares) != 1 or parent_of(spares[0]) != keepers[0]:
        return None
    claudes = [c for c in children(spares[0]) if is_waiting_fake(c)]
    if len(claudes) != 1:
        return None
    return keepers[0], spares[0], claudes[0]


def waiting_spare(stack, other_than=None, timeout=5.0):
    """The stack's waiting spare, once there is one (and its claude is not `other_than`'s)."""
    def found():
        parts = spare_of(stack)
        if parts and (other_than is None or parts[2] != other_than[2]):
            return parts
        return None
    parts = wait_for(found, timeout=timeout)
    assert parts, (f"no {'new ' if other_than else ''}waiting spare: keepers {keepers_of(stack)}, spares "
                   f"{spares_of(stack)}, their children {[children(s) for s in spares_of(stack)]}")
    return parts


def age(pid):
    """Seconds since the process started."""
    with open(f"/proc/{pid}/stat") as f:
        started = int(f.read().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
    with open("/proc/uptime") as f:
        return float(f.read().split()[0]) - started


# --- requests ---------------------------------------------------------------------------------------------

def last_audit(stack):
    lines = audit_lines(stack)
    return lines[-1] if lines else None


def after(stack, count):
    """The audit line of the run after the first `count` (waiting for it: the line is written as the run ends)."""
    assert wait_for(lambda: len(audit_lines(stack)) > count), "no audit line for the run"
    return audit_lines(stack)[count]


def messages_post(stack, text):
    return stack.client.post("/v1/messages", content=json.dumps({"model": MODEL, "max_tokens": 100, "messages": [
        {"role": "user", "content": text}]}), headers={"x-api-key": stack.token, "anthropic-version": "2023-06-01",
                                                       "content-type": "application/json"})


def responses_post(stack, text, **fields):
    return stack.post("/v1/responses", body={"model": MODEL, "input": text, **fields})


def streamed_content(stack, text):
    """The content a streamed chat completion joins to."""
    pieces = []
    with stack.client.stream("POST", "/v1/chat/completions", json={
            "model": MODEL, "stream": True, "messages": [{"role": "user", "content": text}]},
            headers={"Authorization": f"Bearer {stack.token}"}) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line.startswith("data: ") and line != "data: [DONE]":
                for choice in json.loads(line[6:]).get("choices", []):
                    pieces.append(choice.get("delta", {}).get("content") or "")
    return "".join(pieces)


def answer_of(response):
    """What a client reads of an answer, whatever the dialect: its text and usage (not its ids or times)."""
    body = response.json()
    if "choices" in body:
        return response.status_code, body["choices"][0]["message"], body["choices"][0]["finish_reason"], body["usage"]
    if body.get("type") == "message":
        return response.status_code, body["content"], body["stop_reason"], body["usage"]
    if body.get("object") == "response":
        text = [c["text"] for item in body["output"] if item["type"] == "message" for c in item["content"]]
        return response.status_code, text, body["status"], body["usage"]
    return response.status_code, body


def warm_runs_metric(stack):
    text = stack.client.get("/metrics").text
    found = re.search(r"^claude_fcgi_warm_runs_total(?:\{[^}]*\})? (\S+)$", text, re.M)
    return float(found.group(1)) if found else 0.0


def stopped(s):
    left = s.stop()
    shutil.rmtree(s.runtime, ignore_errors=True)
    assert left == [], f"workers still running after run-local stopped: {left}"


@pytest.fixture(scope="module")
def claude_copy():
    """A copy of the stand-in this file controls (replaced, made non-executable), in a directory of its own."""
    directory = tempfile.mkdtemp(prefix="claude-fcgi-e2e-claude-")
    path = os.path.join(directory, "fake-claude")
    shutil.copy(FAKE_CLAUDE, path)
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def config_dir():
    directory = tempfile.mkdtemp(prefix="claude-fcgi-e2e-config-")
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def common_env(config_dir):
    # "other" goes to a built-in agent: a run with another command line. CLAUDE_CONFIG_DIR keeps stored
    # Responses sessions out of $HOME.
    return {"CLAUDE_FCGI_STREAMING": "on", "CLAUDE_FCGI_AGENT_MAP": "*=recruiter-triage,other=general-purpose",
            "CLAUDE_CONFIG_DIR": config_dir}


@pytest.fixture(scope="module")
def warm(claude_copy, config_dir):
    """Warm spare on, two workers, claude the copy."""
    s = Stack(workers=2, claude=claude_copy, env={**WARM, **common_env(config_dir)})
    yield s
    stopped(s)


@pytest.fixture(scope="module")
def cold(claude_copy, config_dir):
    """The same settings with the warm spare off: what every answer is compared with."""
    s = Stack(workers=2, claude=claude_copy, env={"CLAUDE_FCGI_WARM_SPARE": "off", **common_env(config_dir)})
    yield s
    stopped(s)


@pytest.fixture(scope="module")
def single():
    """One worker: the worker of every request is known. Faults are inflicted on it."""
    s = Stack(workers=1, env={**WARM, "CLAUDE_FCGI_KILL_GRACE": "1", "CLAUDE_FCGI_TIMEOUT": str(TIMEOUT_S)})
    yield s
    stopped(s)


# --- 1. a spare is kept -----------------------------------------------------------------------------------

def test_one_spare_is_kept_waiting_with_the_started_ahead_command_line(warm, claude_copy):
    keeper, spare, claude = waiting_spare(warm)
    assert parent_of(keeper) in warm.worker_pids, "the keeper is a worker's child"
    time.sleep(0.5)
    assert len(keepers_of(warm)) == 1 and len(spares_of(warm)) == 1
    assert spare_of(warm) == (keeper, spare, claude), "the spare is not replaced while nothing changes"
    assert fakes_of(warm) == [claude], "one claude waits, nothing else runs"
    with open(f"/proc/{claude}/environ", "rb") as f:
        environment = f.read()
    assert warm.token.encode() not in environment
    assert b"CLAUDE_FCGI_TOKEN" not in environment
    argv = cmdline(claude)
    assert argv[argv.index(claude_copy):] == [
        claude_copy, "-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose",
        "--include-partial-messages", "--no-session-persistence", "--agent", "recruiter-triage", "--max-budget-usd",
        argv[-1]]
    assert float(argv[-1]) == 2.0, "the configured budget (the default)"
    assert warm.records() == [], "a waiting spare is not a run"


# --- 2. default runs are warm and answer as cold ones -----------------------------------------------------

@pytest.mark.parametrize("dialect", ["chat", "messages", "responses"])
def test_a_default_run_is_warm_and_answers_as_a_cold_one(warm, cold, dialect):
    send = {"chat": lambda s, t: s.chat(t), "messages": messages_post,
            "responses": lambda s, t: responses_post(s, t, store=False)}[dialect]
    text = f"@fake reply warm or cold, one answer ({dialect})\n@fake cost 0.0123"
    spare = waiting_spare(warm)
    before = len(audit_lines(warm))
    warm_answer = send(warm, text)
    assert warm_answer.status_code == 200, warm_answer.text
    line = after(warm, before)
    assert line["warm"] is True and line["outcome"] == "ok", line
    record = warm.records()[-1]
    assert record["ppid"] == spare[1] and record["pid"] == spare[2], "the run's claude is the one that waited"
    assert record["prompt"].endswith("@fake cost 0.0123")
    cold_before = len(audit_lines(cold))
    cold_answer = send(cold, text)
    assert not after(cold, cold_before).get("warm")
    assert answer_of(warm_answer) == answer_of(cold_answer)
    assert line["total_cost_usd"] == 0.0123
    new = waiting_spare(warm, other_than=spare)
    assert new[1] != spare[1], "a new spare process after the run"


def png():
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x07\x00\x00")) + chunk(b"IEND", b""))


def test_a_run_with_an_image_is_warm(warm, cold):
    body = {"model": MODEL, "messages": [{"role": "user", "content": [
        {"type": "text", "text": "Describe\n@fake describe-images"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64," + base64.b64encode(png()).decode()}}]}]}
    spare = waiting_spare(warm)
    before = len(audit_lines(warm))
    warm_answer, cold_answer = warm.post(body=body), cold.post(body=body)
    assert warm_answer.status_code == 200, warm_answer.text
    assert after(warm, before)["warm"] is True and warm.records()[-1]["pid"] == spare[2]
    assert warm.records()[-1]["images"] and warm.records()[-1]["images"] == cold.records()[-1]["images"]
    assert answer_of(warm_answer) == answer_of(cold_answer)
    assert answer_of(warm_answer)[1]["content"].startswith("1 image: image/png")
    waiting_spare(warm, other_than=spare)


def test_a_streamed_run_is_warm(warm, cold):
    text = "@fake reply streamed from the spare\n@fake deltas 5"
    spare = waiting_spare(warm)
    before = len(audit_lines(warm))
    content = streamed_content(warm, text)
    assert content == "streamed from the spare" == streamed_content(cold, text)
    assert after(warm, before)["warm"] is True
    assert warm.records()[-1]["ppid"] == spare[1]
    waiting_spare(warm, other_than=spare)


# --- 3. runs cold by design; a run that went by replaces the spare ----------------------------------------

def test_runs_with_another_command_line_are_cold_and_the_spare_is_replaced_after_them(warm):
    cases = {
        "schema": lambda: warm.post(body={"model": MODEL, "messages": [{"role": "user", "content": "@fake structured {\"a\": 1}"}],
                                          "response_format": {"type": "json_schema", "json_schema": {
                                              "name": "a", "schema": {"type": "object", "properties": {"a": {"type": "integer"}}}}}}),
        "agent": lambda: warm.chat("@fake reply other agent", model="other"),
        "stored": lambda: responses_post(warm, "@fake reply kept session"),
    }
    for name, send in cases.items():
        spare = waiting_spare(warm)
        said = warm.log().count("audit.log changed since it started")
        before = len(audit_lines(warm))
        r = send()
        assert r.status_code == 200, (name, r.text)
        line = after(warm, before)
        assert not line.get("warm"), (name, line)
        record = warm.records()[-1]
        assert record["ppid"] != spare[1] and process_name(record["ppid"]) == "claude-fcgi-sup", name
        argv = record["argv"]
        expected = {"schema": "--json-schema", "agent": "general-purpose", "stored": "--session-id"}[name]
        assert expected in argv, (name, argv)
        # The run may have changed the working tree, whose git status the spare's CLI took at start: its audit
        # line replaces the spare at once.
        waiting_spare(warm, other_than=spare)
        assert warm.log().count("audit.log changed since it started") > said, name


# --- 12. the metric ---------------------------------------------------------------------------------------

def test_metric_counts_warm_runs(warm):
    waiting_spare(warm)
    before = warm_runs_metric(warm)
    assert warm.chat("@fake reply warm").status_code == 200
    assert last_audit(warm)["warm"] is True
    assert lock_is_free(warm)
    spare = waiting_spare(warm)
    assert warm.chat("@fake reply cold", model="other").status_code == 200
    waiting_spare(warm, other_than=spare)
    assert warm.chat("@fake reply warm again").status_code == 200
    assert warm_runs_metric(warm) - before == 2


def test_the_lock_is_free_when_a_warm_runs_answer_comes(warm):
    # The new spare's keeper is forked from the worker once its lock is let go: a fork while it was held kept the
    # lock a few ms past the answer (1 run in 3 to 1 in 15 hit it here), so that the next request found it busy.
    for run in range(1, 41):
        waiting_spare(warm)
        assert warm.chat("@fake reply next please").status_code == 200
        assert lock_is_free(warm), f"the run lock was still held when the answer of warm run {run} had come"
        assert last_audit(warm)["warm"] is True


# --- 4. stale spares are replaced -------------------------------------------------------------------------

def replaced_after(stack, change, what):
    """Makes `change` while a spare waits; the new spare's parts and how long the replacement took."""
    spare = waiting_spare(stack)
    said = stack.log().count("warm spare replaced:")
    changed = time.monotonic()
    change()
    new = waiting_spare(stack, other_than=spare, timeout=3)
    took = time.monotonic() - changed
    assert wait_for(lambda: stack.log().count("warm spare replaced:") > said), f"the log does not say why ({what})"
    line = [line for line in stack.log().splitlines() if "warm spare replaced:" in line][-1]
    print(f"{what}: new spare claude after {took:.2f} s; log: {line.strip()[-120:]}")
    assert not process_alive(spare[2]), "the stale claude is gone"
    return new


def test_a_stale_spare_is_replaced(warm, claude_copy):
    claude_md = os.path.join(warm.workdir, "CLAUDE.md")
    replaced_after(warm, lambda: open(claude_md, "w").write("be brief\n"), "CLAUDE.md written")
    replaced_after(warm, lambda: open(claude_md, "a").write("and kind\n"), "CLAUDE.md modified")
    agent = os.path.join(warm.workdir, ".claude", "agents", "extra-agent.md")
    replaced_after(warm, lambda: open(agent, "w").write("---\nname: extra-agent\ndescription: x\n---\nHi.\n"),
                   "agent file added")

    def new_executable():
        with open(claude_copy) as f:
            source = f.read()
        with open(claude_copy + ".new", "w") as f:
            f.write(source + "\n# another build\n")
        os.chmod(claude_copy + ".new", 0o755)
        os.rename(claude_copy + ".new", claude_copy)

    new = replaced_after(warm, new_executable, "claude executable replaced")
    assert warm.chat("@fake reply from the new build").status_code == 200
    assert last_audit(warm)["warm"] is True and warm.records()[-1]["pid"] == new[2]


def test_no_spare_is_kept_while_settings_give_claude_session_start_hooks(warm):
    """The CLI runs SessionStart hooks as it starts: a spare would run them outside the run lock."""
    spare = waiting_spare(warm)
    settings = os.path.join(warm.workdir, ".claude", "settings.json")
    with open(settings, "w") as f:
        json.dump({"hooks": {"SessionStart": [{"hooks": [{"type": "command", "command": "true"}]}]}}, f)
    try:
        assert wait_for(lambda: not process_alive(spare[2]), timeout=3), "the spare that predates the hook is retired"
        assert wait_for(lambda: "give claude SessionStart hooks" in warm.log(), timeout=3)
        time.sleep(1.5)
        assert not any(is_waiting_fake(c) for s in spares_of(warm) for c in children(s)), "no claude waits"
        before = len(audit_lines(warm))
        assert warm.chat("@fake reply with a hook").status_code == 200
        assert "warm" not in after(warm, before)
    finally:
        os.unlink(settings)
    waiting_spare(warm, timeout=5)
    before = len(audit_lines(warm))
    assert warm.chat("@fake reply without").status_code == 200
    assert after(warm, before)["warm"] is True


def test_a_claude_no_longer_executable_fails_as_a_cold_run(warm, cold, claude_copy):
    waiting_spare(warm)
    os.chmod(claude_copy, 0o644)
    try:
        warm_before, cold_before = len(audit_lines(warm)), len(audit_lines(cold))
        warm_answer, cold_answer = warm.chat("@fake reply never"), cold.chat("@fake reply never")
        print(f"non-executable claude: {warm_answer.status_code} {warm_answer.text}")
        assert warm_answer.status_code != 200
        assert (warm_answer.status_code, warm_answer.json()) == (cold_answer.status_code, cold_answer.json())
        warm_line, cold_line = after(warm, warm_before), after(cold, cold_before)
        assert not warm_line.get("warm")
        assert (warm_line["outcome"], warm_line.get("exit_code")) == (cold_line["outcome"], cold_line.get("exit_code"))
    finally:
        os.chmod(claude_copy, 0o755)
    waiting_spare(warm, timeout=10)
    assert warm.chat("@fake reply executable again").status_code == 200
    assert last_audit(warm)["warm"] is True


def test_kill_9_of_the_owner_among_two_workers_and_a_new_spare_comes(warm):
    keeper, spare, claude = waiting_spare(warm)
    owner = parent_of(keeper)
    [other] = [w for w in warm.worker_pids if w != owner]
    os.kill(owner, signal.SIGKILL)
    assert wait_for(lambda: not any(process_alive(p) for p in (keeper, spare, claude)), timeout=3)
    new = waiting_spare(warm, timeout=10)
    print(f"two workers: the new spare's keeper is a child of {'the other' if parent_of(new[0]) == other else 'the new'} worker")
    assert parent_of(new[0]) in warm.worker_pids and parent_of(new[0]) != owner
    assert fakes_of(warm) == [new[2]]
    assert warm.chat("@fake reply after the owner died").status_code == 200
    assert last_audit(warm)["warm"] is True


# --- 5. git sync ------------------------------------------------------------------------------------------

def git(*args, cwd=None):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@x"})


def test_a_git_sync_that_moves_head_runs_cold_and_replaces_the_spare(make_stack, tmp_path):
    bare, work, pusher = tmp_path / "remote.git", tmp_path / "work", tmp_path / "pusher"
    git("init", "--bare", "-b", "main", str(bare))
    git("clone", str(bare), str(pusher))
    agents = pusher / ".claude" / "agents"
    agents.mkdir(parents=True)
    shutil.copy(os.path.join(os.path.dirname(FAKE_CLAUDE), "..", "..", "deploy", "agents", "recruiter-triage.md"), agents)
    (pusher / ".gitignore").write_text(".fake-claude/\n")
    git("add", "-A", cwd=pusher)
    git("commit", "-m", "agents", cwd=pusher)
    git("push", "origin", "HEAD:main", cwd=pusher)
    git("clone", str(bare), str(work))
    os.chmod(tmp_path, 0o755)
    s = make_stack(workers=2, env={**WARM, "CLAUDE_FCGI_WORKDIR": str(work), "CLAUDE_FCGI_GIT_SYNC": "required"})
    spare = waiting_spare(s)
    (pusher / "PUSHED-WHILE-WAITING").write_text("x")
    git("add", "-A", cwd=pusher)
    git("commit", "-m", "new", cwd=pusher)
    git("push", "origin", "HEAD:main", cwd=pusher)
    time.sleep(1.2)
    assert spare_of(s) == spare, "a push alone moves nothing the spare read"
    r = s.chat("@fake reply after the sync")
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"] == "after the sync"
    line = last_audit(s)
    assert line["git_sync"] == "ok" and not line.get("warm"), line
    record = s.records()[-1]
    assert "PUSHED-WHILE-WAITING" in record["files"]
    assert record["pid"] != spare[2]
    assert not process_alive(spare[2]), "the stale claude is gone"
    assert "warm spare not used" in s.log()
    print([line for line in s.log().splitlines() if "warm spare not used" in line][-1].strip()[-160:])
    new = waiting_spare(s, other_than=spare)
    assert new[1] != spare[1]
    assert s.chat("@fake reply warm again").status_code == 200
    assert last_audit(s)["warm"] is True and s.records()[-1]["pid"] == new[2]


# --- 6. maximum age ---------------------------------------------------------------------------------------

def test_a_spare_older_than_its_maximum_age_is_replaced(make_stack):
    s = make_stack(workers=1, env={**WARM, "CLAUDE_FCGI_WARM_SPARE_MAX_AGE": "10"})
    spare = waiting_spare(s)
    started = age(spare[2])
    waited = time.monotonic()
    new = waiting_spare(s, other_than=spare, timeout=14)
    lived = started + time.monotonic() - waited
    print(f"max age 10: the spare claude was replaced at the age of {lived:.2f} s")
    assert 9.8 <= lived <= 12.5
    assert not process_alive(spare[2])
    assert s.records() == [], "a replacement is not a run"
    assert "warm spare replaced" not in s.log(), "an old spare is replaced silently"


# --- 7. a claude that ends by itself ----------------------------------------------------------------------

def test_a_spare_that_ends_by_itself_is_restarted_with_backoff(make_stack, tmp_path):
    script = tmp_path / "claude-exits"
    script.write_text("#!/bin/sh\nexit 3\n")
    script.chmod(0o755)
    os.chmod(tmp_path, 0o755)
    s = make_stack(workers=2, claude=str(script), env={**WARM, "CLAUDE_FCGI_AGENT_MAP": "*=recruiter-triage,other=other"})
    seen, said = [], 0
    watch_until = time.monotonic() + 10
    while time.monotonic() < watch_until:
        count = s.log().count("warm spare: claude ended by itself")
        seen += [time.monotonic()] * (count - said)
        said = count
        time.sleep(0.05)
    lines = [line for line in s.log().splitlines() if "warm spare: claude ended by itself" in line]
    gaps = [b - a for a, b in zip(seen, seen[1:])]
    print(f"ended by itself: {len(seen)} times in 10 s, gaps {[round(g, 2) for g in gaps]}; {lines[0].strip()[-120:]}")
    assert 2 <= len(seen) <= 5, lines
    assert all(later > 1.3 * earlier for earlier, later in zip(gaps, gaps[1:])), gaps
    assert gaps[0] >= 0.8
    assert "next in 1 s" in lines[0]
    # A chat fails as a cold run with the same claude does (model "other": another command line, cold by design).
    default = s.chat("hello")
    assert wait_for(lambda: lock_is_free(s))  # not at once: see test_the_lock_is_free_when_a_warm_runs_answer_comes
    other = s.chat("hello", model="other")
    assert default.status_code == 503
    assert default.json() == other.json(), (default.text, other.text)
    assert not audit_lines(s)[-2].get("warm")


# --- 8–11. faults, hang-up, pool ----------------------------------------------------------------------------

def test_kill_9_of_the_worker_owning_the_spare_leaves_nothing_of_it(single):
    keeper, spare, claude = waiting_spare(single)
    owner = parent_of(keeper)
    assert owner in single.worker_pids
    os.kill(owner, signal.SIGKILL)
    killed = time.monotonic()
    assert wait_for(lambda: not any(process_alive(p) for p in (keeper, spare, claude)), timeout=3), \
        [(p, process_name(p)) for p in (keeper, spare, claude) if process_alive(p)]
    print(f"kill -9 of the owning worker: keeper, spare and claude gone in {time.monotonic() - killed:.2f} s")
    new = waiting_spare(single, timeout=10)
    assert parent_of(new[0]) in single.worker_pids and parent_of(new[0]) != owner
    assert len(fakes_of(single)) == 1


def warm_run_in_hand(stack, marker):
    """A warm run of the stack's one worker started in the background, with a tool process in its own session."""
    spare = waiting_spare(stack)
    before = len(stack.records())
    answer, thread = in_background(lambda: stack.chat(f"@fake grandchild {marker}\n@fake sleep 60"))
    assert wait_for(lambda: len(stack.records()) > before and stack.records()[-1].get("grandchild"))
    record = stack.records()[-1]
    assert record["ppid"] == spare[1], "the run is warm"
    assert pids_with(marker)
    return spare, record, answer, thread


def test_kill_9_of_the_worker_waiting_for_a_warm_run(single):
    marker = "warm-kill-worker-" + uuid.uuid4().hex
    spare, record, answer, thread = warm_run_in_hand(single, marker)
    [worker] = single.worker_pids
    os.kill(worker, signal.SIGKILL)
    killed = time.monotonic()
    assert wait_for(lambda: not pids_with(marker) and not process_alive(record["pid"]) and lock_is_free(single), timeout=3), \
        pids_with(marker)
    print(f"kill -9 of the waiting worker: the warm run gone in {time.monotonic() - killed:.2f} s")
    assert wait_for(lambda: not any(process_alive(p) for p in spare), timeout=3)
    thread.join(10)
    assert answer and not isinstance(answer[0], Exception) and answer[0].status_code == 502, answer
    assert wait_for(lambda: single.worker_pids, timeout=5)
    assert single.chat("@fake reply next").status_code == 200


def test_kill_9_of_the_spare_mid_run(single):
    marker = "warm-kill-spare-" + uuid.uuid4().hex
    spare, record, answer, thread = warm_run_in_hand(single, marker)
    os.kill(spare[1], signal.SIGKILL)
    killed = time.monotonic()
    thread.join(10)
    assert answer and not isinstance(answer[0], Exception), answer
    assert answer[0].status_code == 503
    assert answer[0].json()["detail"] == "the run supervisor ended without an answer"
    assert wait_for(lambda: not pids_with(marker) and not process_alive(record["pid"]) and lock_is_free(single), timeout=3), \
        pids_with(marker)
    print(f"kill -9 of the spare mid-run: its run gone in {time.monotonic() - killed:.2f} s")
    assert wait_for(lambda: not process_alive(spare[0]), timeout=3), "the keeper goes once the run's processes are gone"
    r = single.chat("@fake reply next")
    assert r.status_code == 200, r.text


def test_kill_9_of_the_keeper_mid_run_cancels_it(single):
    marker = "warm-kill-keeper-" + uuid.uuid4().hex
    audited = len(audit_lines(single))
    spare, record, answer, thread = warm_run_in_hand(single, marker)
    os.kill(spare[0], signal.SIGKILL)
    killed = time.monotonic()
    thread.join(10)
    assert answer and not isinstance(answer[0], Exception), answer
    print(f"kill -9 of the keeper mid-run: {answer[0].status_code} {answer[0].text}")
    assert answer[0].status_code == 503
    assert wait_for(lambda: not pids_with(marker) and not process_alive(record["pid"]) and lock_is_free(single), timeout=3), \
        pids_with(marker)
    print(f"kill -9 of the keeper mid-run: its run gone in {time.monotonic() - killed:.2f} s")
    line = after(single, audited)
    assert line["outcome"] == "cancelled" and line["warm"] is True, line
    assert wait_for(lambda: not process_alive(spare[1]), timeout=3)
    r = single.chat("@fake reply next")
    assert r.status_code == 200, r.text


def test_a_warm_run_times_out_as_a_cold_one(single):
    marker = "warm-timeout-" + uuid.uuid4().hex
    spare = waiting_spare(single)
    audited = len(audit_lines(single))
    r = single.chat(f"@fake ignore_term\n@fake grandchild {marker}\n@fake sleep 60")
    assert r.status_code == 503
    assert r.json() == {"error": "execution failed", "detail": f"timed out after {TIMEOUT_S} s"}
    record = single.records()[-1]
    assert record["ppid"] == spare[1] and record["grandchild"]
    assert wait_for(lambda: not pids_with(marker) and not process_alive(record["pid"]) and lock_is_free(single), timeout=2)
    line = after(single, audited)
    assert line["outcome"] == "timed_out" and line["warm"] is True, line
    waiting_spare(single, other_than=spare)


def test_hang_up_of_a_warm_run_cancels_it_within_a_second(single):
    spare = waiting_spare(single)
    before, audited = len(single.records()), len(audit_lines(single))
    sock = single.raw_connection()
    sock.sendall(single.raw_chat_request({"model": MODEL, "messages": [{"role": "user", "content": "@fake sleep 30"}]}))
    assert wait_for(lambda: len(single.records()) > before)
    record = single.records()[-1]
    assert record["ppid"] == spare[1], "the run is warm"
    time.sleep(0.2)
    sock.close()
    closed = time.monotonic()
    gone = wait_for(lambda: not process_alive(record["pid"]) and lock_is_free(single), timeout=3, interval=0.01)
    took = time.monotonic() - closed
    print(f"hang-up of a warm run to its claude gone and the lock free: {took:.3f} s")
    assert gone and took < 1.0
    line = after(single, audited)
    assert line["outcome"] == "cancelled" and line["warm"] is True, line


def test_stopping_the_pool_mid_warm_run_answers_it(single):
    spare = waiting_spare(single)
    answer, thread = in_background(lambda: single.chat("@fake sleep 1.5\n@fake reply finished despite the stop"))
    assert wait_for(lambda: single.records() and single.records()[-1]["ppid"] == spare[1])
    single.stop_workers()
    thread.join(10)
    assert answer and not isinstance(answer[0], Exception), answer
    assert answer[0].status_code == 200, answer[0].text
    assert answer[0].json()["choices"][0]["message"]["content"] == "finished despite the stop"
    assert last_audit(single)["warm"] is True
    assert wait_for(lambda: not keepers_of(single) and not spares_of(single) and not fakes_of(single), timeout=3), \
        (keepers_of(single), spares_of(single), fakes_of(single))
    assert lock_is_free(single)
    single.restart_workers()


def test_usr2_replaces_the_spare_and_a_stop_leaves_none(single):
    spare = waiting_spare(single)
    os.kill(single.pool_pid, signal.SIGUSR2)
    assert wait_for(lambda: not any(process_alive(p) for p in spare), timeout=5), \
        [(p, process_name(p)) for p in spare if process_alive(p)]
    new = waiting_spare(single, timeout=10)
    assert not set(new) & set(spare)
    single.stop_workers()
    assert wait_for(lambda: not keepers_of(single) and not spares_of(single) and not fakes_of(single), timeout=3), \
        (keepers_of(single), spares_of(single), fakes_of(single))
    assert not any(process_alive(p) for p in new)
    assert lock_is_free(single)
