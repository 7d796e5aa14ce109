"""bench/sessions: a conversation through /v1/responses two ways, real CLI + mock Messages API.

(a) resumed: each turn names the previous response (`previous_response_id`) and sends only its new
    user text; the worker resumes the stored CLI session (`--resume … --fork-session`);
(b) flattened: each turn sends the whole history as input items with `store: false`; the worker writes
    it into one prompt.
For each turn and way: the bytes of the Messages API request body the CLI sent (from the mock's log),
how many messages it carried, and the turn's wall time through nginx.
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

# Every answer (the mock answers each request of a conversation the same: its directives are read
# from the first message) is about 400 bytes; every question about 150.
ANSWER = ("The candidate has six years of backend work in Go and Python, led a team of four, and moved "
          "a monolith to services. Strengths: distributed systems, on-call maturity, clear writing. "
          "Gaps: no frontend, little ML. Suggested next step: a system design interview focused on "
          "queues and idempotency, then a call with the hiring manager about team size and scope.")


def question(turn):
    text = (f"Turn {turn}: given the profile so far, what should the interviewer ask about point {turn}? "
            "Keep it short and concrete, and say why it matters for this role.")
    return text + ("\n@mock text " + ANSWER if turn == 1 else "")


def without_cache_marks(value):
    """A message as the API would compare it for its prompt cache: the CLI moves its cache_control mark."""
    if isinstance(value, dict):
        return {k: without_cache_marks(v) for k, v in value.items() if k != "cache_control"}
    if isinstance(value, list):
        return [without_cache_marks(v) for v in value]
    return value


def main():
    turns = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    if REAL_CLAUDE is None or not os.access(REAL_CLAUDE, os.X_OK):
        sys.exit("bench/sessions: the venv's claude_agent_sdk with its bundled claude is needed (scripts/test installs it)")
    mock = MockAnthropic()
    home = tempfile.mkdtemp(prefix="claude-fcgi-bench-home-")
    env = clean_claude_environment(home)
    env.update({"ANTHROPIC_BASE_URL": mock.url, "ANTHROPIC_API_KEY": "dummy", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"})
    began = time.monotonic()
    stack = Stack(workers=2, claude=REAL_CLAUDE, env=env)
    ways = {"resumed": [], "flattened": []}

    def turn(way, body):
        before = len(mock.requests)
        start = time.monotonic()
        r = stack.post("/v1/responses", body={"model": "recruiter-triage", **body})
        elapsed = time.monotonic() - start
        if r.status_code != 200:
            raise RuntimeError(f"{way}: {r.status_code} {r.text}")
        made = [m for m in mock.requests[before:] if m["path"].startswith("/v1/messages")]
        if not made:
            raise RuntimeError(f"{way}: the CLI sent no Messages API request")
        last = made[-1]
        messages = [without_cache_marks(m) for m in last["body"].get("messages", [])]
        earlier = ways[way][-1]["body"] if ways[way] else []
        same = 0
        while same < min(len(messages), len(earlier)) and messages[same] == earlier[same]:
            same += 1
        ways[way].append({"calls": len(made), "bytes": last["bytes"], "messages": len(messages), "body": messages,
                          "unchanged": len(json.dumps(messages[:same], separators=(",", ":"))) if same else 0,
                          "ms": elapsed * 1000})
        return r.json()

    try:
        previous = None
        for n in range(1, turns + 1):
            body = {"input": question(n)}
            if previous:
                body["previous_response_id"] = previous
            previous = turn("resumed", body)["id"]
        history = []
        for n in range(1, turns + 1):
            history.append({"role": "user", "content": question(n)})
            answer = turn("flattened", {"input": history, "store": False})
            text = "".join(part["text"] for item in answer["output"] if item["type"] == "message"
                           for part in item["content"] if part["type"] == "output_text")
            history.append({"role": "assistant", "content": text})
    finally:
        stack.stop()
        shutil.rmtree(stack.runtime, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)
        mock.close()

    resumed, flattened = ways["resumed"], ways["flattened"]
    print(f"real claude CLI against the mock Messages API, {turns} turns each way through /v1/responses, "
          f"{time.monotonic() - began:.0f} s\n")
    print("Request bytes: the body of the CLI's (last) Messages API request of the turn. Unchanged: the bytes of its "
          "leading messages equal to the turn before's (cache_control marks aside; compact JSON), what the API's "
          "prompt cache can reuse beyond the system prompt and tools.\n")
    print("| turn | resumed: request bytes | messages | unchanged | flattened: request bytes | messages | unchanged | "
          "flattened − resumed | resumed ms | flattened ms |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n, (a, b) in enumerate(zip(resumed, flattened), 1):
        calls = "" if a["calls"] == b["calls"] == 1 else f" ({a['calls']}/{b['calls']} API calls)"
        print(f"| {n}{calls} | {a['bytes']} | {a['messages']} | {a['unchanged']} | {b['bytes']} | {b['messages']} | "
              f"{b['unchanged']} | {b['bytes'] - a['bytes']:+d} | {a['ms']:.0f} | {b['ms']:.0f} |")
    print(f"\nmedian turn: resumed {statistics.median(t['ms'] for t in resumed):.0f} ms, "
          f"flattened {statistics.median(t['ms'] for t in flattened):.0f} ms")


if __name__ == "__main__":
    main()
