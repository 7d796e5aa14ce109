"""Callers and budgets end to end, through nginx, with keys made by `claude-fcgi keys` on a live keys file:
two callers with different caps (one spends its cap and gets the 429 `insufficient_quota` with no run while
the other still runs, with the openai SDK and LangChain), each run's --max-budget-usd as what the cap has
left, revoked and new keys taking effect on the next request, a malformed keys file keeping the last good
keys, runs per minute, models and /execute a key may not use, one caller's jobs and stored responses
invisible to another (not to the token holder), the caller named in the audit line, request log, job record
and /metrics, and spend kept across a restart of the workers.

The stand-in's runs cost what `@fake cost X` says; it stops as the CLI does when that is over its
--max-budget-usd."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import uuid

import openai
import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import REPO, Stack, audit_lines, wait_for

BINARY = os.path.join(REPO, ".build", "release", "claude-fcgi")
MODEL = "recruiter-triage"


def build_worker():
    """The release worker, built as run-local builds it (other flags would make each build undo the other's)."""
    subprocess.run(["bash", "-c", ". scripts/lib/common.sh && build_release"], cwd=REPO, check=True, stdout=subprocess.DEVNULL)


def add_key(keys_file, name, *limits):
    """`claude-fcgi keys add NAME LIMITS…` on `keys_file`: the key, the last line it prints."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAUDE_FCGI_")}
    env["CLAUDE_FCGI_KEYS_FILE"] = keys_file
    result = subprocess.run([BINARY, "keys", "add", name, *limits], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def remove_key(keys_file, name):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAUDE_FCGI_")}
    env["CLAUDE_FCGI_KEYS_FILE"] = keys_file
    result = subprocess.run([BINARY, "keys", "remove", name], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def team():
    """One stack for the module with a keys file (each test adds the callers it needs, to the live file)."""
    build_worker()
    directory = tempfile.mkdtemp(prefix="claude-fcgi-callers-", dir="/tmp")
    keys_file = os.path.join(directory, "keys.json")
    first_key = add_key(keys_file, "first")
    # Chat's errors in OpenAI's shape (`--chat-errors openai`), as a team of SDK clients has them: the SDK
    # reads `type` from there. /execute keeps the service's own shape.
    s = Stack(workers=3, env={"CLAUDE_FCGI_KEYS_FILE": keys_file, "CLAUDE_CONFIG_DIR": os.path.join(directory, "config"),
                              "CLAUDE_FCGI_CHAT_ERRORS": "openai"})
    s.keys_file, s.first_key = keys_file, first_key
    yield s
    left = s.stop()
    shutil.rmtree(s.runtime, ignore_errors=True)
    shutil.rmtree(directory, ignore_errors=True)
    assert left == [], f"workers still running after run-local stopped: {left}"


def sdk(stack, key):
    return openai.OpenAI(base_url=stack.url + "/v1", api_key=key, max_retries=2,
                         http_client=openai.DefaultHttpxClient(verify=stack.ssl_context))


def langchain(stack, key):
    from langchain_openai import ChatOpenAI
    return ChatOpenAI(base_url=stack.url + "/v1", api_key=key, model=MODEL, max_retries=2,
                      http_client=openai.DefaultHttpxClient(verify=stack.ssl_context))


def ask(client, text):
    return client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": text}])


def counts(stack):
    return len(audit_lines(stack)), len(stack.records())


def budget_of(record):
    """The run's --max-budget-usd, as a number (what a cap has left is a difference of floats: 0.010000000000000002)."""
    argv = record["argv"]
    return float(argv[argv.index("--max-budget-usd") + 1])


def scrape(stack):
    r = stack.client.get("/metrics")
    assert r.status_code == 200, r.text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(r.text) for s in family.samples}


CAP_MESSAGE = re.compile(r"spend cap reached: daily cap reached: spent \$0\.02 of \$0\.02 today \(UTC\); "
                         r"resets \d{4}-\d\d-\d\dT00:00:00Z")


def test_two_callers_with_different_caps_one_spends_its_cap_the_other_still_runs(team):
    alice_key = add_key(team.keys_file, "alice", "--daily-usd", "0.02")
    bob_key = add_key(team.keys_file, "bob", "--daily-usd", "1")
    alice, bob = sdk(team, alice_key), langchain(team, bob_key)

    # Each run costs $0.01; the per-run budget is $2.00: the cap has $0.02, then $0.01 left.
    assert ask(alice, "alice one\n@fake cost 0.01\n@fake reply one").choices[0].message.content == "one"
    assert budget_of(team.records()[-1]) == pytest.approx(0.02)
    assert bob.invoke("bob one\n@fake cost 0.01\n@fake reply bob one").content == "bob one"
    assert budget_of(team.records()[-1]) == pytest.approx(1)
    assert ask(alice, "alice two\n@fake cost 0.01\n@fake reply two").choices[0].message.content == "two"
    assert budget_of(team.records()[-1]) == pytest.approx(0.01)

    # Spent: the SDK gets the 429 at once (x-should-retry: false, though it retries 429s), and nothing ran.
    before = counts(team)
    with pytest.raises(openai.RateLimitError) as caught:
        ask(alice, "alice three\n@fake cost 0.01")
    error = caught.value
    assert error.status_code == 429
    assert error.body["type"] == "insufficient_quota" and error.body["code"] == "insufficient_quota", error.body
    assert CAP_MESSAGE.fullmatch(error.body["message"]), error.body["message"]
    assert error.response.headers["x-should-retry"] == "false"
    assert counts(team) == before, "no run, no audit line"
    # LangChain sees the same answer.
    with pytest.raises(openai.RateLimitError) as caught:
        langchain(team, alice_key).invoke("alice four")
    assert caught.value.body["type"] == "insufficient_quota"
    assert counts(team) == before
    # So do the Responses API (always OpenAI's shape) and /execute (the service's shape).
    with pytest.raises(openai.RateLimitError) as caught:
        alice.responses.create(model=MODEL, input="alice five")
    assert caught.value.body["type"] == "insufficient_quota" and CAP_MESSAGE.fullmatch(caught.value.body["message"])
    job = team.post("/execute", body={"prompt": "alice's job"}, token=alice_key)
    assert job.status_code == 429 and job.headers["x-should-retry"] == "false", job.text
    # A spent cap is OpenAI's error on every route of the service's own shape too.
    assert job.json()["error"]["type"] == "insufficient_quota" and CAP_MESSAGE.fullmatch(job.json()["error"]["message"])
    assert counts(team) == before

    # The other caller still runs.
    assert bob.invoke("bob two\n@fake cost 0.01\n@fake reply bob two").content == "bob two"
    assert counts(team) == (before[0] + 1, before[1] + 1)
    spent = [line for line in audit_lines(team) if line["caller"] == "alice"]
    assert sum(line["total_cost_usd"] for line in spent) == pytest.approx(0.02)


def test_a_run_is_budgeted_what_the_cap_has_left_and_overshoots_by_at_most_one_run(team):
    key = add_key(team.keys_file, "overshoot", "--daily-usd", "0.05")
    client = sdk(team, key)
    ask(client, "one\n@fake cost 0.02")
    ask(client, "two\n@fake cost 0.02")
    # $0.01 left: the run gets --max-budget-usd 0.01 and the stand-in, as the CLI, stops over it.
    with pytest.raises(openai.InternalServerError) as caught:
        ask(client, "three\n@fake cost 0.02")
    assert re.fullmatch(r"execution failed: Reached maximum budget \(\$0\.0(1|09+\d*|10+\d*)\)", caught.value.body["message"]), \
        caught.value.body["message"]
    assert [budget_of(r) for r in team.records()[-3:]] == pytest.approx([0.05, 0.03, 0.01])
    before = counts(team)
    with pytest.raises(openai.RateLimitError) as caught:
        ask(client, "four\n@fake cost 0.02")
    assert "spent $0.06 of $0.05" in caught.value.body["message"]
    assert counts(team) == before
    runs = [line for line in audit_lines(team) if line["caller"] == "overshoot"]
    assert sum(line["total_cost_usd"] for line in runs) == pytest.approx(0.06), "cap + one run at most"


def test_a_revoked_key_is_401_at_once_and_a_new_key_works_at_once(team):
    key = add_key(team.keys_file, "leaver")
    assert team.chat("before", token=key).status_code == 200
    remove_key(team.keys_file, "leaver")
    before = counts(team)
    for _ in range(3):  # every worker, not only the one that saw the change first
        r = team.chat("after", token=key)
        assert r.status_code == 401, r.text
    assert counts(team) == before
    unknown = team.chat("unknown", token="cfk_" + "A" * 43)
    assert (unknown.status_code, unknown.json()) == (401, r.json()), "revoked and unknown look the same"
    new = add_key(team.keys_file, "leaver")
    for _ in range(3):
        assert team.chat("with the new key", token=new).status_code == 200
    assert audit_lines(team)[-1]["caller"] == "leaver"


def test_a_malformed_keys_file_keeps_the_last_good_keys_and_says_so(team):
    key = team.first_key  # in the file every worker read at its start
    good = open(team.keys_file).read()
    try:
        with open(team.keys_file, "w") as f:
            f.write('{"callers": [{"name": "first", "key_sha256": "not a hash"}]}')
        for _ in range(3):
            r = team.chat("still works", token=key)
            assert r.status_code == 200, r.text
        assert audit_lines(team)[-1]["caller"] == "first"
        assert wait_for(lambda: re.search(rf"keys file {re.escape(team.keys_file)} is malformed .*still using the \d+ keys",
                                          team.log()))
    finally:
        with open(team.keys_file, "w") as f:
            f.write(good)
    assert team.chat("after the repair", token=key).status_code == 200


def test_runs_per_minute_is_a_429_with_retry_after_and_no_run(team):
    key = add_key(team.keys_file, "hasty", "--runs-per-minute", "2")
    assert team.chat("one", token=key).status_code == 200
    assert team.chat("two", token=key).status_code == 200
    before = counts(team)
    r = team.chat("three", token=key)
    assert r.status_code == 429, r.text
    assert 1 <= int(r.headers["retry-after"]) <= 60
    assert r.json()["error"]["type"] == "requests" and r.json()["error"]["code"] == "rate_limit_exceeded", r.text
    assert "2 runs per minute" in r.json()["error"]["message"]
    assert counts(team) == before


def test_a_key_limited_to_models_gets_403_for_another(team):
    # (Every model runs the agent recruiter-triage here: a key naming the agent would allow them all.)
    key = add_key(team.keys_file, "narrow", "--models", "sonnet")
    client = sdk(team, key)
    allowed = client.chat.completions.create(model="sonnet", messages=[{"role": "user", "content": "allowed"}])
    assert allowed.choices[0].message.content == "fake answer"
    before = counts(team)
    with pytest.raises(openai.PermissionDeniedError) as caught:
        client.chat.completions.create(model="opus", messages=[{"role": "user", "content": "not allowed"}])
    assert caught.value.body["message"] == "forbidden: the key of caller 'narrow' may not use model 'opus'"
    assert counts(team) == before


def test_a_key_without_execute_gets_403_there(team):
    key = add_key(team.keys_file, "chatonly", "--no-execute")
    before = counts(team)
    r = team.post("/execute", body={"prompt": "a job"}, token=key)
    assert r.status_code == 403, r.text
    assert r.json() == {"error": "forbidden", "detail": "the key of caller 'chatonly' may not use /execute"}
    assert counts(team) == before
    assert team.chat("chat is fine", token=key).status_code == 200


def test_one_callers_jobs_and_responses_are_invisible_to_another_not_to_the_admin(team):
    carol = add_key(team.keys_file, "carol")
    dave = add_key(team.keys_file, "dave")
    boss = add_key(team.keys_file, "boss", "--admin")
    r = team.post("/execute", body={"prompt": "carol's job\n@fake sleep 30"}, token=carol)
    assert r.status_code == 202, r.text
    job = r.json()["job_id"]
    assert wait_for(lambda: team.records() and "carol's job" in (team.records()[-1]["stdin"] or ""))
    unknown = team.get("/execute/job_1700000000000_nosuchid", token=dave)
    for answer in (team.get(f"/execute/{job}", token=dave), team.delete(f"/execute/{job}", token=dave)):
        assert answer.status_code == 404, answer.text
        assert answer.json()["error"] == unknown.json()["error"], "another's job reads as an unknown one"
    assert job not in [j["job_id"] for j in team.get("/execute", token=dave).json()["jobs"]]
    assert team.get(f"/execute/{job}", token=carol).json()["status"] == "running", "dave's DELETE cancelled nothing"
    assert job in [j["job_id"] for j in team.get("/execute", token=carol).json()["jobs"]]
    for admin in (team.token, boss):
        assert team.get(f"/execute/{job}", token=admin).json()["caller"] == "carol"
        assert job in [j["job_id"] for j in team.get("/execute", token=admin).json()["jobs"]]
    assert team.delete(f"/execute/{job}", token=boss).status_code == 200, "an admin may cancel it"
    assert team.wait_job(job)["status"] == "cancelled"

    stored = team.post("/v1/responses", body={"model": MODEL, "input": "carol's response\n@fake reply for carol"},
                       token=carol)
    assert stored.status_code == 200, stored.text
    response_id = stored.json()["id"]
    got = team.get(f"/v1/responses/{response_id}", token=dave)
    assert got.status_code == 404 and got.json()["error"]["code"] == "not_found", got.text
    before = counts(team)
    go_on = team.post("/v1/responses", body={"model": MODEL, "input": "go on", "previous_response_id": response_id},
                      token=dave)
    assert go_on.status_code == 404 and go_on.json()["error"]["code"] == "previous_response_not_found", go_on.text
    assert counts(team) == before
    assert team.delete(f"/v1/responses/{response_id}", token=dave).status_code == 404
    for reader in (carol, team.token, boss):
        r = team.get(f"/v1/responses/{response_id}", token=reader)
        assert r.status_code == 200 and r.json()["output"][0]["content"][0]["text"] == "for carol", r.text


def test_the_caller_is_named_in_the_audit_line_request_log_job_record_and_metrics(team):
    key = add_key(team.keys_file, "erin")
    samples = scrape(team)
    runs = ("claude_fcgi_caller_runs_total", (("caller", "erin"),))
    cost = ("claude_fcgi_caller_cost_usd_total", (("caller", "erin"),))
    output = ("claude_fcgi_caller_tokens_total", (("caller", "erin"), ("kind", "output")))
    assert samples.get(runs, 0) == 0
    r = team.chat(f"named {uuid.uuid4()}\n@fake cost 0.25", token=key)
    assert r.status_code == 200, r.text
    line = audit_lines(team)[-1]
    assert line["caller"] == "erin"
    assert wait_for(lambda: re.search(rf"^\S+ info \S+ caller=erin .*request_id={re.escape(line['request_id'])} .*status=200 request$",
                                      team.log(), re.M))
    job = team.post("/execute", body={"prompt": "erin's job"}, token=key)
    assert job.status_code == 202, job.text
    assert team.wait_job(job.json()["job_id"])["status"] == "succeeded"
    with open(os.path.join(team.runtime, "state", "jobs", job.json()["job_id"] + ".json")) as f:
        assert json.load(f)["caller"] == "erin"
    after = scrape(team)
    assert after[runs] == 2
    assert after[cost] == pytest.approx(0.25 + 0.0051)
    assert after[output] == 6
    token_runs = ("claude_fcgi_caller_runs_total", (("caller", "default"),))
    assert after.get(token_runs, 0) == samples.get(token_runs, 0), "erin's runs are not the token holder's"


def test_spend_survives_a_restart_of_the_workers(team):
    key = add_key(team.keys_file, "frugal", "--daily-usd", "0.01")
    assert team.chat("spend it\n@fake cost 0.01", token=key).status_code == 200
    assert team.chat("over", token=key).status_code == 429
    team.stop_workers()
    team.restart_workers()
    before = counts(team)
    r = team.chat("after the restart", token=key)
    assert r.status_code == 429, r.text
    assert "spent $0.01 of $0.01" in r.json()["error"]["message"]
    assert counts(team) == before
    assert team.chat("the others run", token=add_key(team.keys_file, "fresh")).status_code == 200
