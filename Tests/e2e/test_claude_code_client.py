"""Claude Code itself as a client of the stack's Messages API: the bundled CLI (claude-agent-sdk) with
ANTHROPIC_BASE_URL pointing at nginx, answered by the fake claude behind it. What Claude Code sends:
../shared/clients.md and the README's "The Anthropic Messages API"."""
import json
import os
import subprocess
import tempfile
import threading
import time

import pytest
from conftest import REPO, Stack, wait_for

CLAUDE = os.path.join(REPO, ".venv", "lib", "python3.11", "site-packages", "claude_agent_sdk", "_bundled", "claude")


@pytest.fixture(scope="module")
def ccstack():
    if not os.access(CLAUDE, os.X_OK):
        pytest.skip("the bundled claude binary is not installed (.venv: claude-agent-sdk)")
    # A busy answer's Retry-After of 1 s, so that Claude Code's retry comes soon.
    s = Stack(workers=2, env={"CLAUDE_FCGI_RETRY_AFTER": "1"})
    yield s
    assert s.stop() == []


def claude_code(stack, prompt, auth="token", token=None, extra_env=None, timeout=120):
    """Runs Claude Code as a client, `-p PROMPT`, with a home of its own: (exit code, stdout, stderr, seconds)."""
    home = tempfile.mkdtemp(prefix="claude-code-client-", dir="/tmp")
    env = {"HOME": home, "CLAUDE_CONFIG_DIR": os.path.join(home, ".claude"), "PATH": os.environ["PATH"], "IS_SANDBOX": "1",
           "ANTHROPIC_BASE_URL": stack.url, "NODE_EXTRA_CA_CERTS": stack.ca, "DISABLE_AUTOUPDATER": "1",
           "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}
    env["ANTHROPIC_AUTH_TOKEN" if auth == "token" else "ANTHROPIC_API_KEY"] = token or stack.token
    env.update(extra_env or {})
    started = time.monotonic()
    done = subprocess.run([CLAUDE, "-p", prompt], env=env, cwd=home, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout)
    return done.returncode, done.stdout, done.stderr, time.monotonic() - started


def answer(text):
    """The prompt line that makes the fake's structured value a text answer (Claude Code offers tools:
    its run has a --json-schema)."""
    return "@fake structured " + json.dumps({"content": text})


@pytest.mark.parametrize("auth", ["token", "key"])
def test_claude_code_answers_through_the_stack(ccstack, auth):
    before = len(ccstack.records())
    code, out, err, _ = claude_code(ccstack, "Say hi\n" + answer("Hi from behind the stack."), auth=auth)
    assert code == 0, err
    assert out.strip() == "Hi from behind the stack."
    records = ccstack.records()[before:]
    assert len(records) == 1
    argv, prompt = records[0]["argv"], records[0]["stdin"]
    # Claude Code's own tools are offered as functions through --json-schema; its system prompt and the
    # system-role message it sends after the user's are instructions.
    schema = json.loads(argv[argv.index("--json-schema") + 1])
    assert "Bash" in json.dumps(schema)
    assert prompt.startswith("System instructions:\n")
    assert prompt.rstrip().endswith(answer("Hi from behind the stack."))
    # What Claude Code asked for reaches the CLI where it can: its effort.
    assert "--effort" in argv


def test_a_wrong_token_is_not_sent_again(ccstack):
    before = ccstack.log("nginx-access.log").count("/v1/messages")
    code, out, err, seconds = claude_code(ccstack, "Say hi", token="wrong", timeout=60)
    assert code != 0
    # x-should-retry: false on the 401: one request, not ten over minutes.
    assert ccstack.log("nginx-access.log").count("/v1/messages") - before == 1
    assert seconds < 30


def test_busy_is_retried_after_retry_after(ccstack):
    before = len(ccstack.records())
    holder = threading.Thread(target=lambda: ccstack.post("/v1/messages", body={
        "model": "recruiter-triage", "max_tokens": 10, "messages": [{"role": "user", "content": "hold\n@fake sleep 3"}]}))
    holder.start()
    assert wait_for(lambda: len(ccstack.records()) > before)
    code, out, err, _ = claude_code(ccstack, answer("After the wait."))
    holder.join()
    assert code == 0, err
    assert out.strip() == "After the wait."
    # The busy answers (529 overloaded_error) were retried: more than one request, one more run.
    assert len(ccstack.records()) - before == 2
