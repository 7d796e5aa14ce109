"""The README's configuration table and `claude-fcgi --help` say the same: every option, its
environment variable and its default (both come from Sources/Core/Configuration/WorkerOption.swift)."""
import os
import re
import subprocess

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
BINARY = os.path.join(ROOT, ".build", "release", "claude-fcgi")


def readme_rows():
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`--"):
            name = cells[0].strip("`")
            variables = re.findall(r"`(CLAUDE_FCGI_[A-Z_]+)`", cells[1])
            rows[name] = (variables[0] if variables else None, cells[2].replace("`", ""))
    return rows


def help_entries():
    text = subprocess.run([BINARY, "--help"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    entries = {}
    for match in re.finditer(r"(--[a-z-]+)(?: <[a-z-]+>)? (.*?)(?= --[a-z-]+(?: <[a-z-]+>)? |$)", flat):
        entries[match.group(1)] = match.group(2)
    return entries


def test_every_option_in_help_is_in_the_readme_with_the_same_variable_and_default():
    rows = readme_rows()
    entries = help_entries()
    options = {name for name in entries if name not in ("--help", "--version")}
    assert options == set(rows), f"only in --help: {options - set(rows)}; only in README: {set(rows) - options}"
    for name, (variable, default) in rows.items():
        if variable is None:
            continue
        assert f"(env: {variable}; default: {default})" in entries[name], (name, entries[name])


def test_the_table_is_read_as_meant():
    # The parser above must find what it compares, or the test above would pass on nothing.
    rows = readme_rows()
    assert rows["--timeout"] == ("CLAUDE_FCGI_TIMEOUT", "900")
    assert rows["--token-file"] == ("CLAUDE_FCGI_TOKEN_FILE", "none: the worker refuses to start")
    assert len(rows) >= 18
