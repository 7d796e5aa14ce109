"""`claude-fcgi keys add|remove|list` and `--check-config` on the keys file, through the release binary:
a key is shown once (the last line of `keys add`), the file keeps only its SHA-256 (mode 0600), `keys list`
never shows a key or a hash, and a malformed file makes `--check-config` fail naming the file and the entry."""
import hashlib
import json
import os
import re
import stat
import subprocess

import pytest

from conftest import release_binary



@pytest.fixture(scope="module")
def binary():
    return release_binary()


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAUDE_FCGI_")}
    env.update(extra)
    return env


def keys(binary, *arguments, env=None):
    return subprocess.run([binary, "keys", *arguments], env=env or clean_env(), capture_output=True, text=True)


def test_add_shows_the_key_once_and_keeps_only_its_hash(binary, tmp_path):
    path = str(tmp_path / "keys.json")
    result = keys(binary, "add", "alice", "--keys-file", path, "--daily-usd", "5", "--monthly-usd", "50",
                  "--runs-per-minute", "10", "--models", "sonnet,opus", "--no-execute")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    key = lines[-1]
    assert re.fullmatch(r"cfk_[A-Za-z0-9_-]{43}", key), result.stdout
    assert result.stdout.count(key) == 1
    assert "alice" in lines[0]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    text = open(path).read()
    assert key not in text
    entry = json.loads(text)["callers"][0]
    assert entry["key_sha256"] == hashlib.sha256(key.encode()).hexdigest()
    assert (entry["name"], entry["daily_usd"], entry["monthly_usd"], entry["runs_per_minute"], entry["models"],
            entry["execute"], entry["admin"]) == ("alice", 5, 50, 10, ["sonnet", "opus"], False, False)

    second = keys(binary, "add", "bob", "--admin", env=clean_env(CLAUDE_FCGI_KEYS_FILE=path))
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip().splitlines()[-1] != key
    assert [c["name"] for c in json.load(open(path))["callers"]] == ["alice", "bob"]

    again = keys(binary, "add", "alice", "--keys-file", path)
    assert again.returncode == 1
    assert "alice" in again.stderr and "cfk_" not in again.stdout


def test_list_shows_names_and_limits_never_keys(binary, tmp_path):
    path = str(tmp_path / "keys.json")
    key = keys(binary, "add", "alice", "--keys-file", path, "--daily-usd", "5").stdout.strip().splitlines()[-1]
    result = keys(binary, "list", "--keys-file", path)
    assert result.returncode == 0, result.stderr
    assert "alice" in result.stdout and "5.00" in result.stdout
    assert key not in result.stdout
    assert "cfk_" not in result.stdout
    assert hashlib.sha256(key.encode()).hexdigest() not in result.stdout


def test_remove_takes_a_caller_out_and_refuses_an_unknown_name(binary, tmp_path):
    path = str(tmp_path / "keys.json")
    keys(binary, "add", "alice", "--keys-file", path)
    keys(binary, "add", "bob", "--keys-file", path)
    result = keys(binary, "remove", "alice", "--keys-file", path)
    assert result.returncode == 0, result.stderr
    assert [c["name"] for c in json.load(open(path))["callers"]] == ["bob"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    missing = keys(binary, "remove", "carol", "--keys-file", path)
    assert missing.returncode == 1
    assert "no caller named carol" in missing.stderr
    assert [c["name"] for c in json.load(open(path))["callers"]] == ["bob"]


def test_bad_names_and_no_file_are_refused(binary, tmp_path):
    path = str(tmp_path / "keys.json")
    for name in ("default", "a b", "x" * 65):
        result = keys(binary, "add", name, "--keys-file", path)
        assert result.returncode == 1, name
        assert not os.path.exists(path)
    result = keys(binary, "list")
    assert result.returncode == 1
    assert "CLAUDE_FCGI_KEYS_FILE" in result.stderr


def check_config(binary, tmp_path, keys_file):
    token = tmp_path / "token"
    token.write_text("abc\n")
    token.chmod(0o600)
    return subprocess.run([binary, "--check-config", "--token-file", str(token), "--state-dir", str(tmp_path / "s"),
                           "--keys-file", keys_file], env=clean_env(), capture_output=True, text=True)


def test_check_config_fails_on_a_malformed_or_unreadable_keys_file(binary, tmp_path):
    path = tmp_path / "keys.json"
    assert keys(binary, "add", "alice", "--keys-file", str(path)).returncode == 0
    good = check_config(binary, tmp_path, str(path))
    assert (good.returncode, good.stdout.strip()) == (0, "ok"), good.stderr

    path.write_text('{"callers": [{"name": "alice", "key_sha256": "abc"}]}')
    bad = check_config(binary, tmp_path, str(path))
    assert bad.returncode != 0
    assert str(path) in bad.stderr and "malformed" in bad.stderr
    assert 'entry 0 ("alice"): key_sha256' in bad.stderr
    assert "ok" not in bad.stdout

    unreadable = check_config(binary, tmp_path, str(tmp_path))
    assert unreadable.returncode != 0
    assert "unreadable" in unreadable.stderr

    absent = check_config(binary, tmp_path, str(tmp_path / "none.json"))
    assert (absent.returncode, absent.stdout.strip()) == (0, "ok")
    assert "does not exist" in absent.stderr
