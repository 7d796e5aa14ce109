"""A caller's spend cap across a fleet (deploy/nginx.fleet.conf, two hosts): both hosts read the same keys
file and keep spend in the same directory (CLAUDE_FCGI_SPEND_DIR), so requests spread over both stop at the
cap, with at most one run's worth over it; the over-cap answer through the fleet is a 403 (a 429 is the busy
signal nginx passes to the next host) with type insufficient_quota and no run on either host; a caller's
runs per minute likewise are not busy there."""
import json
import os
import shutil
import tempfile
import threading

import openai
import pytest

from conftest import audit_lines
from test_callers import add_key, build_worker
from test_fleet import fleet_of

COST = 0.01
CAP = 0.05  # five runs' worth


@pytest.fixture
def shared(make_stack, tmp_path):
    build_worker()
    directory = tempfile.mkdtemp(prefix="claude-fcgi-fleet-callers-", dir="/tmp")
    keys_file, spend = os.path.join(directory, "keys.json"), os.path.join(directory, "spend")
    add_key(keys_file, "someone")
    # A per-run budget below the cap: two runs (one on each host) can hold their budgets at once.
    # Chat's errors in OpenAI's shape, as a team of SDK clients has them.
    env = {"CLAUDE_FCGI_KEYS_FILE": keys_file, "CLAUDE_FCGI_SPEND_DIR": spend, "CLAUDE_FCGI_MAX_BUDGET_USD": "0.02",
           "CLAUDE_FCGI_CHAT_ERRORS": "openai"}
    with fleet_of(make_stack, tmp_path, env) as (a, b, client):
        yield a, b, client, keys_file, spend
    shutil.rmtree(directory, ignore_errors=True)


def chat(client, key, text):
    return client.post("/v1/chat/completions", json={"model": "recruiter-triage", "messages": [{"role": "user", "content": text}]},
                       headers={"Authorization": f"Bearer {key}"})


def test_a_cap_holds_across_the_hosts_and_the_over_cap_answer_is_a_403(shared):
    a, b, client, keys_file, spend = shared
    key = add_key(keys_file, "team", "--daily-usd", str(CAP))
    answers = []

    def spend_until_refused(worker):
        for i in range(20):
            r = chat(client, key, f"worker {worker} run {i}\n@fake sleep 0.3\n@fake cost {COST}")
            answers.append(r)
            if r.status_code == 403:
                return

    threads = [threading.Thread(target=spend_until_refused, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    statuses = {r.status_code for r in answers}
    print("fleet answers:", [r.status_code for r in answers])
    assert statuses <= {200, 403, 503}, [(r.status_code, r.text) for r in answers]
    assert all(r.json()["error"]["code"] == "busy" for r in answers if r.status_code == 503), "503s are only both hosts busy"
    lines = [line for line in audit_lines(a) + audit_lines(b) if line["caller"] == "team"]
    per_host = [len([line for line in audit_lines(host) if line["caller"] == "team"]) for host in (a, b)]
    assert all(per_host), f"the runs were spread over both hosts: {per_host}"
    total = sum(line["total_cost_usd"] for line in lines)
    assert CAP - 1e-9 <= total <= CAP + COST + 1e-9, total
    assert len([r for r in answers if r.status_code == 200]) == len(lines)
    with open(os.path.join(spend, "team.json")) as f:
        assert json.load(f)["day_usd"] == pytest.approx(total), "one account for both hosts"

    # Spent: what a client gets through the fleet, from either host, is the 403 insufficient_quota; nothing runs.
    before = len(a.records()), len(b.records()), len(audit_lines(a)), len(audit_lines(b))
    for i in range(4):  # round robin: both hosts answer
        r = chat(client, key, f"over {i}")
        assert r.status_code == 403, r.text
        assert r.headers["x-should-retry"] == "false"
        error = r.json()["error"]
        assert error["type"] == "insufficient_quota" and error["code"] == "insufficient_quota", error
        assert error["message"].startswith(f"spend cap reached: daily cap reached: spent ${total:.2f} of $0.05 today (UTC); resets ")
    sdk = openai.OpenAI(base_url=str(client.base_url).rstrip("/") + "/v1", api_key=key, max_retries=2,
                        http_client=openai.DefaultHttpxClient(verify=a.ssl_context))
    with pytest.raises(openai.PermissionDeniedError) as caught:
        sdk.chat.completions.create(model="recruiter-triage", messages=[{"role": "user", "content": "over, by the SDK"}])
    assert caught.value.body["type"] == "insufficient_quota"
    assert (len(a.records()), len(b.records()), len(audit_lines(a)), len(audit_lines(b))) == before

    # Another caller of the same keys file still runs on the fleet.
    other = add_key(keys_file, "other", "--daily-usd", "1")
    assert chat(client, other, "still runs").status_code == 200



def test_a_callers_rate_through_the_fleet_is_a_503_with_its_retry_after_not_busy(shared):
    # The worker's 429 would be nginx's busy signal: tried on every host, then "busy on every host". The rate
    # is the same on every host (one account): it goes to the client as the worker's 503 with Retry-After.
    a, b, client, keys_file, spend = shared
    key = add_key(keys_file, "hasty", "--runs-per-minute", "1")
    assert chat(client, key, "the one run of the minute").status_code == 200
    before = len(a.records()) + len(b.records())
    for i in range(2):  # round robin: both hosts answer
        r = chat(client, key, f"too soon {i}")
        assert r.status_code == 503, r.text
        assert 1 <= int(r.headers["retry-after"]) <= 60
        error = r.json()["error"]
        assert (error["type"], error["code"]) == ("requests", "rate_limit_exceeded"), error
        assert error["message"] == f"rate limit reached: limit of 1 runs per minute reached; the next may start in {r.headers['retry-after']} s"
    assert len(a.records()) + len(b.records()) == before
