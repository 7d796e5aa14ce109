"""One run against the real Claude Code CLI, bundled in PyPI's claude-agent-sdk (pinned in
scripts/test). Without credentials it answers at once with its "Not logged in" error: that proves
the real CLI accepts our argv, agent included."""
import importlib.util
import os
import tempfile

import pytest

# Installed with --no-deps (only its bundled binary is used), so it is located, not imported.
_spec = importlib.util.find_spec("claude_agent_sdk")
REAL_CLAUDE = os.path.join(list(_spec.submodule_search_locations)[0], "_bundled", "claude") if _spec else None


def test_real_cli_without_credentials_gives_its_message(make_stack):
    if REAL_CLAUDE is None or not os.access(REAL_CLAUDE, os.X_OK):
        pytest.fail("claude-agent-sdk with its bundled claude is not installed (scripts/test installs it)")
    home = tempfile.mkdtemp(prefix="claude-fcgi-e2e-home-")
    env = {"HOME": home}
    for name in list(os.environ):
        if name.startswith(("ANTHROPIC_", "CLAUDE_CODE_")) or name == "CLAUDE_CONFIG_DIR":
            env[name] = ""
    s = make_stack(workers=2, claude=REAL_CLAUDE, env=env)
    r = s.chat("Say hello")
    assert r.status_code == 503, r.text
    assert r.json() == {"error": "execution failed", "detail": "Not logged in · Please run /login"}
    assert r.headers["x-should-retry"] == "false"
