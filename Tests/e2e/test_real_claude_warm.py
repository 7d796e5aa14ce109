"""The warm spare (README "Warm start") with the real Claude Code CLI against the Messages API mock, through nginx.

The environment is the one the README tells operators to use (deploy/systemd/claude-fcgi.env): the API's
address and key, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1, the spare on. Issue 22's done-when: a warm run's
answer and usage equal a cold run's; a run with a schema is cold; a git sync that moves HEAD replaces the spare
before the next run; kill -9 of the worker owning the spare leaves no claude behind; hang-up of a warm run
cancels it within 1 s; no request reaches the API in a minute of idling.
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

import openai
import pytest

from conftest import REPO, Stack, audit_lines, parent_of, process_alive, process_name, wait_for
from mock_anthropic import MockAnthropic
from test_real_claude import Person, REAL_CLAUDE, clean_claude_environment, require_real_claude

MODEL = "recruiter-triage"


def readme_environment(mock, home, **settings):
    """The README's environment for the real CLI against `mock`, the spare on; `settings` on top."""
    env = clean_claude_environment(home)
    env.update({"ANTHROPIC_BASE_URL": mock.url, "ANTHROPIC_API_KEY": "dummy", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
                "CLAUDE_FCGI_WARM_SPARE": "on", "CLAUDE_FCGI_STREAMING": "on"})
    env.update(settings)
    return env


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split() if process_alive(int(p))]
    except OSError:
        return []


def named(name):
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and process_name(int(p)) == name]


def spare_of(stack):
    """The stack's waiting spare as (worker, keeper, spare, claude) pids: a keeper whose parent is one of the
    stack's workers, its spare process and that one's claude; None while there is none."""
    workers = stack.worker_pids
    for keeper in named("claude-fcgi-spk"):
        try:
            if parent_of(keeper) not in workers:
                continue
        except OSError:
            continue
        for spare in children(keeper):
            if process_name(spare) != "claude-fcgi-spr":
                continue
            for claude in children(spare):
                try:
                    with open(f"/proc/{claude}/cmdline", "rb") as f:
                        argv = f.read().split(b"\0")
                except OSError:
                    continue
                if REAL_CLAUDE.encode() in argv[0] and b"--input-format" in argv:
                    return parent_of(keeper), keeper, spare, claude
    return None


def waiting_spare(stack, timeout=20):
    found = wait_for(lambda: spare_of(stack), timeout=timeout)
    assert found, "no spare is waiting:\n" + stack.log()[-2000:]
    return found


def last_audit(stack):
    return audit_lines(stack)[-1]


def make_home():
    return tempfile.mkdtemp(prefix="claude-fcgi-e2e-home-")


def stop(stack, *directories):
    left = stack.stop()
    shutil.rmtree(stack.runtime, ignore_errors=True)
    for d in directories:
        shutil.rmtree(d, ignore_errors=True)
    assert left == []


@pytest.fixture(scope="module")
def warm_mock():
    server = MockAnthropic()
    yield server
    server.close()


@pytest.fixture(scope="module")
def cold_mock():
    server = MockAnthropic()
    yield server
    server.close()


@pytest.fixture(scope="module")
def warm(warm_mock):
    require_real_claude()
    home = make_home()
    s = Stack(workers=3, claude=REAL_CLAUDE, env=readme_environment(warm_mock, home))
    yield s
    stop(s, home)


@pytest.fixture(scope="module")
def cold(cold_mock):
    require_real_claude()
    home = make_home()
    s = Stack(workers=3, claude=REAL_CLAUDE, env=readme_environment(cold_mock, home, CLAUDE_FCGI_WARM_SPARE="off"))
    yield s
    stop(s, home)


def client_of(stack):
    return openai.OpenAI(base_url=stack.url + "/v1", api_key=stack.token, max_retries=0, timeout=120,
                         http_client=openai.DefaultHttpxClient(verify=stack.ssl_context))


def prompt_text(body):
    """The caller's prompt as the CLI sent it: the last text block of the first message (the CLI puts its own
    reminders, CLAUDE.md's included, before it)."""
    content = body["messages"][0]["content"]
    return content if isinstance(content, str) else [b.get("text") for b in content if b.get("type") == "text"][-1]


def tool_names(body):
    return sorted(t.get("name") for t in body.get("tools", []))


USAGE_FIELDS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
                "prompt_tokens", "completion_tokens", "cached_tokens", "total_cost_usd")


def one_chat(stack, mock, text, stream):
    """One chat of `text`: (content, usage as the client saw it, the audit line, the one API request it made)."""
    before = len(mock.messages())
    messages = [{"role": "user", "content": text}]
    client = client_of(stack)
    if stream:
        chunks = list(client.chat.completions.create(model=MODEL, messages=messages, stream=True,
                                                     stream_options={"include_usage": True}))
        content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        usage = chunks[-1].usage
        finish = [c.choices[0].finish_reason for c in chunks if c.choices][-1]
    else:
        completion = client.chat.completions.create(model=MODEL, messages=messages)
        content, usage, finish = completion.choices[0].message.content, completion.usage, completion.choices[0].finish_reason
    figures = (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens, usage.prompt_tokens_details.cached_tokens)
    made = mock.messages()[before:]
    assert len(made) == 1, f"{len(made)} API requests for one run"
    return content, finish, figures, last_audit(stack), made[0]


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "streamed"])
def test_a_warm_runs_answer_and_usage_equal_a_cold_runs(warm, cold, warm_mock, cold_mock, stream):
    text = f"Say hello {uuid.uuid4()}\n@mock text Warm and cold answer alike.\n@mock usage 100 5 10 2000"
    waiting_spare(warm)
    hot = one_chat(warm, warm_mock, text, stream)
    frozen = one_chat(cold, cold_mock, text, stream)
    (hot_content, hot_finish, hot_usage, hot_line, hot_request) = hot
    (cold_content, cold_finish, cold_usage, cold_line, cold_request) = frozen
    assert hot_line.get("warm") is True, hot_line
    assert "warm" not in cold_line, cold_line
    assert hot_content == cold_content == "Warm and cold answer alike."
    assert hot_finish == cold_finish == "stop"
    assert hot_usage == cold_usage == (2110, 5, 2115, 2000)
    assert [hot_line.get(f) for f in USAGE_FIELDS] == [cold_line.get(f) for f in USAGE_FIELDS]
    assert hot_line["outcome"] == cold_line["outcome"] == "ok"
    # The same run as the CLI saw it: the prompt, the model, the tools offered.
    assert prompt_text(hot_request) == prompt_text(cold_request)
    assert (hot_request.get("model"), tool_names(hot_request)) == (cold_request.get("model"), tool_names(cold_request))
    print(f"{'streamed' if stream else 'plain'}: warm {hot_line['duration_ms']} ms, cold {cold_line['duration_ms']} ms (audit)")


def test_a_run_with_a_schema_is_cold_and_the_spare_is_replaced_after_it(warm, warm_mock):
    before = waiting_spare(warm)
    completion = client_of(warm).chat.completions.parse(model=MODEL, response_format=Person, messages=[
        {"role": "user", "content": f'Extract {uuid.uuid4()}: Ada is 36\n@mock tool StructuredOutput {{"name": "Ada", "age": 36}}'}])
    assert completion.choices[0].message.parsed == Person(name="Ada", age=36)
    line = last_audit(warm)
    assert line["outcome"] == "ok" and "warm" not in line, line
    assert any(t["name"] == "StructuredOutput" for t in warm_mock.messages()[-1]["tools"])
    # It did not use the spare; its audit line replaces it (the run may have changed the working tree, whose
    # git status the waiting CLI took at start).
    assert wait_for(lambda: spare_of(warm) and spare_of(warm)[3] != before[3], timeout=5), "the spare was not replaced"
    assert wait_for(lambda: not process_alive(before[3])), "the stale claude is gone"


def test_hang_up_of_a_warm_run_cancels_it_within_a_second(warm):
    _, _, _, claude = waiting_spare(warm)
    audited = len(audit_lines(warm))
    body = {"model": MODEL, "stream": True, "messages": [
        {"role": "user", "content": f"Talk slowly {uuid.uuid4()}\n@mock text AAAAAAAA BBBBBBB CCCCCCC DDDDDDD\n@mock pause 2"}]}
    sock = warm.stream_until(body, b"AAAAAAAA")
    hung_up = time.monotonic()
    sock.close()
    assert wait_for(lambda: not process_alive(claude), timeout=5, interval=0.01)
    gone = time.monotonic() - hung_up
    assert wait_for(lambda: len(audit_lines(warm)) > audited, timeout=5, interval=0.01)
    audited_after = time.monotonic() - hung_up
    line = last_audit(warm)
    print(f"hang-up of a warm run: its claude gone after {gone:.3f} s, audit line after {audited_after:.3f} s")
    assert line.get("warm") is True and line["outcome"] == "cancelled", line
    assert gone <= 1.0 and audited_after <= 1.0


def test_kill_9_of_the_worker_owning_the_spare_leaves_no_claude(warm):
    worker, keeper, spare, claude = waiting_spare(warm)
    os.kill(worker, signal.SIGKILL)
    killed = time.monotonic()
    assert wait_for(lambda: not any(process_alive(p) for p in (keeper, spare, claude)), timeout=3, interval=0.01), \
        [(p, process_name(p)) for p in (keeper, spare, claude) if process_alive(p)]
    print(f"kill -9 of the owning worker: keeper, spare and claude gone after {time.monotonic() - killed:.3f} s")


def git(*args, cwd):
    subprocess.run(["git", "-c", "user.name=e2e", "-c", "user.email=e2e@localhost", *args], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def not_used(stack):
    """The log's lines on a spare a run found stale."""
    return [line for line in stack.log().splitlines() if "warm spare not used" in line]


def commit_marker(checkout, marker):
    with open(os.path.join(checkout, "CLAUDE.md"), "w") as f:
        f.write(f"Project rule: the marker is {marker}.\n")
    git("commit", "-qam", marker, cwd=checkout)
    git("push", "-q", cwd=checkout)


def test_a_git_sync_that_moves_head_replaces_the_spare_before_the_next_run(make_stack):
    require_real_claude()
    base = tempfile.mkdtemp(prefix="claude-fcgi-e2e-git-")
    upstream, editor, workdir = (os.path.join(base, n) for n in ("upstream.git", "editor", "workdir"))
    git("init", "-q", "--bare", "-b", "main", upstream, cwd=base)
    git("clone", "-q", upstream, editor, cwd=base)
    git("checkout", "-q", "-B", "main", cwd=editor)
    os.makedirs(os.path.join(editor, ".claude", "agents"))
    shutil.copy(os.path.join(REPO, "deploy", "agents", "recruiter-triage.md"), os.path.join(editor, ".claude", "agents"))
    old, new = f"OLD-{uuid.uuid4().hex[:8]}", f"NEW-{uuid.uuid4().hex[:8]}"
    with open(os.path.join(editor, "CLAUDE.md"), "w") as f:
        f.write(f"Project rule: the marker is {old}.\n")
    git("add", "-A", cwd=editor)
    git("commit", "-qm", "start", cwd=editor)
    git("push", "-q", "-u", "origin", "main", cwd=editor)
    git("clone", "-q", upstream, workdir, cwd=base)
    mock = MockAnthropic()
    home = make_home()
    try:
        s = make_stack(workers=2, claude=REAL_CLAUDE, env=readme_environment(
            mock, home, CLAUDE_FCGI_WORKDIR=workdir, CLAUDE_FCGI_GIT_SYNC="best-effort"))

        def run():
            r = s.chat(f"Which marker? {uuid.uuid4()}\n@mock text Noted.")
            assert r.status_code == 200, r.text
            sent = json.dumps(mock.messages()[-1]["messages"])
            return last_audit(s), (old in sent, new in sent)

        # A sync that moves nothing keeps the spare: the run is warm, with the tree the spare read.
        waiting_spare(s)
        line, markers = run()
        assert line.get("warm") is True and line["git_sync"] == "ok" and markers == (True, False), (line, markers)
        _, _, _, waiting = waiting_spare(s)
        commit_marker(editor, new)
        assert spare_of(s)[3] == waiting, "the spare must still be the one that read the old tree"
        line, markers = run()
        assert "warm" not in line and line["git_sync"] == "ok", line
        assert markers == (False, True), "the run after the sync must read the new CLAUDE.md"
        [why] = not_used(s)
        assert "/CLAUDE.md changed" in why, why
        _, _, _, fresh = waiting_spare(s)
        assert fresh != waiting
        line, markers = run()
        assert line.get("warm") is True and markers == (False, True), (line, markers)
        # HEAD alone moving (a file the spare does not look at) replaces it all the same.
        _, _, _, waiting = waiting_spare(s)
        with open(os.path.join(editor, "notes.txt"), "w") as f:
            f.write("not read by claude at start\n")
        git("add", "notes.txt", cwd=editor)
        git("commit", "-qm", "notes", cwd=editor)
        git("push", "-q", cwd=editor)
        assert spare_of(s)[3] == waiting
        line, markers = run()
        assert "warm" not in line and line["git_sync"] == "ok" and markers == (False, True), (line, markers)
        assert os.path.exists(os.path.join(workdir, "notes.txt"))
        why = not_used(s)[-1]
        assert "/.git/" in why, why
        print("git sync: " + "; ".join(w.split("warm spare not used: ")[1] for w in not_used(s)))
    finally:
        mock.close()
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)


def test_no_request_reaches_the_api_in_a_minute_of_idling(make_stack):
    require_real_claude()
    readme_mock, chatty_mock = MockAnthropic(), MockAnthropic()
    homes = [make_home(), make_home()]
    try:
        readme = make_stack(workers=2, claude=REAL_CLAUDE, env=readme_environment(readme_mock, homes[0]))
        chatty_env = readme_environment(chatty_mock, homes[1])
        del chatty_env["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"]
        if "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC" in os.environ:
            chatty_env["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = ""
        chatty = make_stack(workers=2, claude=REAL_CLAUDE, env=chatty_env)
        spares = waiting_spare(readme), waiting_spare(chatty)
        time.sleep(60)
        assert (spare_of(readme), spare_of(chatty)) == spares, "a spare was replaced while idle"
        figures = [(len(m.seen), len(m.connections)) for m in (readme_mock, chatty_mock)]
        print(f"a minute idle: README environment {figures[0][0]} requests ({figures[0][1]} connections); "
              f"without CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC {figures[1][0]} ({figures[1][1]} connections)")
        assert readme_mock.seen == [] and readme_mock.connections == []
        assert audit_lines(readme) == [] and audit_lines(chatty) == []
        # Without the setting in the environment the service sets it for the spare all the same (2.1.327 sends
        # one HEAD /api/hello as it starts without it): nothing reaches the API either.
        assert chatty_mock.seen == [] and chatty_mock.connections == [], [f"{r['method']} {r['path']}" for r in chatty_mock.seen]
    finally:
        readme_mock.close()
        chatty_mock.close()
        for h in homes:
            shutil.rmtree(h, ignore_errors=True)
