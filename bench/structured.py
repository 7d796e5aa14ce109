"""bench/structured: plain vs structured (response_format) vs tool-call answers, real CLI + mock API.

For each form: the median and p90 wall time of a request through nginx, the API requests the CLI
made per answer, and the bytes of the CLI's request body to the API (the StructuredOutput tool's
definition is what a structured answer adds to the input; the real API bills it as input tokens).
"""
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "Tests", "e2e"))

from conftest import Stack  # noqa: E402
from mock_anthropic import MockAnthropic  # noqa: E402
from test_real_claude import REAL_CLAUDE, clean_claude_environment  # noqa: E402

PERSON = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
          "required": ["name", "age"], "additionalProperties": False}
TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "The weather now.",
          "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]

FORMS = [
    ("plain text", {}, "@mock text Ada is 36 years old."),
    ("response_format json_schema", {"response_format": {"type": "json_schema", "json_schema": {"name": "P", "schema": PERSON}}},
     '@mock tool StructuredOutput {"name": "Ada", "age": 36}'),
    ("tools → tool_calls", {"tools": TOOLS},
     '@mock tool StructuredOutput {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}'),
]


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    mock = MockAnthropic()
    home = tempfile.mkdtemp(prefix="claude-fcgi-bench-home-")
    env = clean_claude_environment(home)
    env.update({"ANTHROPIC_BASE_URL": mock.url, "ANTHROPIC_API_KEY": "dummy", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"})
    stack = Stack(workers=2, claude=REAL_CLAUDE, env=env)
    rows = []
    try:
        for name, fields, directive in FORMS:
            times, calls, sizes = [], [], []
            for _ in range(runs + 1):
                before = len(mock.requests)
                start = time.monotonic()
                r = stack.post(body={"model": "recruiter-triage", **fields,
                                     "messages": [{"role": "user", "content": "Extract the person.\n" + directive}]})
                elapsed = time.monotonic() - start
                assert r.status_code == 200, r.text
                made = mock.requests[before:]
                times.append(elapsed)
                calls.append(len(made))
                sizes.append(sum(len(json.dumps(m["body"])) for m in made))
            times, calls, sizes = times[1:], calls[1:], sizes[1:]  # the first warms the CLI's caches
            rows.append((name, statistics.median(times) * 1000, sorted(times)[int(len(times) * 0.9) - 1] * 1000,
                         statistics.mean(calls), statistics.median(sizes)))
    finally:
        stack.stop()
        shutil.rmtree(stack.runtime, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)
        mock.close()
    plain = rows[0]
    print(f"real claude CLI against the mock API, {runs} requests per row, through nginx\n")
    print("| answer | p50 ms | p90 ms | vs plain | API calls | API request body bytes | vs plain |")
    print("|---|---|---|---|---|---|---|")
    for name, p50, p90, calls, size in rows:
        print(f"| {name} | {p50:.0f} | {p90:.0f} | {p50 / plain[1]:.2f}× | {calls:.1f} | {size:.0f} | +{size - plain[4]:.0f} |")


if __name__ == "__main__":
    main()
