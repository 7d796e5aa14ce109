"""The Codex CLI (`codex exec`, pinned in requirements.txt) against the stack, with a custom provider on
the Responses API: a plain answer, a round in which Codex runs a command the model asked for and sends
its output back, and a refused request. Codex streams every request and resends the whole input.

The stand-in is steered by `@fake structured …` lines (Codex offers functions, so every run has an
output schema): the prompt asks for the call, and the command's output carries the final answer's
directive (the last directive in the prompt wins)."""
import json
import subprocess

import codex_cli_bin

CODEX = str(codex_cli_bin.bundled_codex_path())


def codex(stack, tmp_path, prompt, provider_extra="", args=()):
    """Runs `codex exec PROMPT` against the stack in a clean environment; returns the finished process."""
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir(exist_ok=True)
    work.mkdir(exist_ok=True)
    (home / "config.toml").write_text(f"""model = "recruiter-triage"
model_provider = "claude_fcgi"
check_for_update_on_startup = false

[model_providers.claude_fcgi]
name = "claude-fcgi"
base_url = "{stack.url}/v1"
env_key = "CLAUDE_FCGI_KEY"
wire_api = "responses"
{provider_extra}
""")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "CODEX_HOME": str(home), "CLAUDE_FCGI_KEY": stack.token,
           "CODEX_CA_CERTIFICATE": stack.ca}
    return subprocess.run([CODEX, "exec", "--skip-git-repo-check", "--ephemeral", "-s", "read-only", "--color", "never",
                           *args, prompt], cwd=work, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=120)


def structured(value):
    return "@fake structured " + json.dumps(value)


def test_codex_exec_prints_the_answer(stack, tmp_path):
    before = len(stack.records())
    done = codex(stack, tmp_path, "Say hello\n" + structured({"content": "hello from claude-fcgi"}))
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "hello from claude-fcgi"
    (run,) = stack.records()[before:]
    # Codex's system prompt is a developer message: the CLI has it as system instructions.
    assert run["stdin"].startswith("System instructions:\nYou are a coding agent running in the Codex CLI")
    assert "exec_command" in json.dumps(run["json_schema"])


def test_codex_runs_the_command_the_model_called_and_sends_its_output_back(stack, tmp_path):
    before = len(stack.records())
    final = structured({"content": "the command said hi"})
    call = {"tool_calls": [{"name": "exec_command", "arguments": {"cmd": f"echo '{final}'"}}]}
    done = codex(stack, tmp_path, "Run the command\n" + structured(call))
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "the command said hi"
    first, second = stack.records()[before:]
    assert first["stdin"].endswith("Request:\nRun the command\n" + structured(call))
    assert "Assistant called function exec_command with arguments" in second["stdin"]
    # The command's output came back as the function's result.
    result = second["stdin"].split("Function exec_command returned (call id call_", 1)[1]
    assert "\n" + final + "\n" in result + "\n"


def test_codex_shows_a_refused_request_and_fails(stack, tmp_path):
    # Live web search is a tool this service cannot offer: the request is a 400, which Codex prints.
    before = len(stack.records())
    done = codex(stack, tmp_path, "Search the web", provider_extra="request_max_retries = 0\nstream_max_retries = 0",
                 args=["-c", 'web_search="live"'])
    assert done.returncode == 1, done.stdout
    assert "web search" in done.stderr and "invalid_request_error" in done.stderr, done.stderr[-3000:]
    assert done.stdout == ""
    assert len(stack.records()) == before, "a refused request started no run"
