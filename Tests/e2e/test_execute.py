"""The /execute job API and git sync, through nginx, sharing the run lock with chat completions."""
import os
import re
import signal
import subprocess
import threading
import time

import pytest

from conftest import audit_lines, parent_of, pids_with, process_alive, run_is_gone, wait_for

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def started(stack, before):
    """Waits until a run beyond the first `before` records has started; returns its record."""
    assert wait_for(lambda: len(stack.records()) > before)
    return stack.records()[-1]


def test_submit_then_poll_to_succeeded(stack):
    r = stack.submit("do the thing\n@fake sleep 0.5\n@fake reply all done")
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] == "running" and job["agent"] == "recruiter-triage"
    assert r.headers["location"] == f"/execute/{job['job_id']}"
    done = stack.wait_job(job["job_id"])
    assert done["status"] == "succeeded"
    assert done["result"] == "all done"
    assert done["cost_usd"] == 0.0051
    assert done["usage"] == {"prompt_tokens": 24, "completion_tokens": 3}
    for key in ("created", "started", "finished"):
        assert RFC3339.match(done[key]), done
    assert "runner" not in done and "detail" not in done
    record = stack.records()[-1]
    assert record["stdin"] == "do the thing\n@fake sleep 0.5\n@fake reply all done"
    assert record["argv"][1:] == ["-p", "--output-format", "json", "--no-session-persistence",
                                  "--agent", "recruiter-triage", "--max-budget-usd", "2.00"]
    assert stack.token not in repr(record["env"])
    line = audit_lines(stack)[-1]
    assert line["request_id"] == job["job_id"] and line["outcome"] == "ok"


def test_busy_job_gives_409_and_chat_503(stack):
    before = len(stack.records())
    first = stack.submit("hold\n@fake sleep 2").json()
    started(stack, before)
    second = stack.submit("second")
    assert second.status_code == 409
    assert second.json() == {"error": "busy", "detail": "another run is in progress"}
    assert second.headers["retry-after"] == "10"
    chat = stack.chat("chat meanwhile")
    assert chat.status_code == 503
    assert chat.json()["detail"] == "busy: another run is in progress"
    assert stack.wait_job(first["job_id"])["status"] == "succeeded"
    assert len(stack.records()) == before + 1


def test_chat_in_progress_makes_execute_409(stack):
    before = len(stack.records())
    t = threading.Thread(target=lambda: stack.chat("slow chat\n@fake sleep 2"))
    t.start()
    started(stack, before)
    r = stack.submit("job meanwhile")
    t.join()
    assert r.status_code == 409
    assert r.json()["error"] == "busy"


def test_cancel_stops_the_job(stack):
    before = len(stack.records())
    job = stack.submit("@fake grandchild cancel-marker-x1\n@fake sleep 60").json()
    assert wait_for(lambda: len(stack.records()) > before and stack.records()[-1].get("grandchild"))
    record = stack.records()[-1]
    r = stack.delete(f"/execute/{job['job_id']}")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled"
    assert wait_for(lambda: run_is_gone(stack, record, "cancel-marker-x1"), timeout=3)
    again = stack.delete(f"/execute/{job['job_id']}")
    assert again.status_code == 409
    assert again.json() == {"error": "job already finished", "detail": "status: cancelled"}
    assert audit_lines(stack)[-1]["outcome"] == "cancelled"


def test_unknown_job_is_404_and_auth_is_required_everywhere(stack):
    assert stack.get("/execute/job_0000000000000_abcdefgh").status_code == 404
    assert stack.get("/execute/not-a-job").status_code == 404
    assert stack.delete("/execute/job_0000000000000_abcdefgh").status_code == 404
    for method, path in [("GET", "/execute"), ("POST", "/execute"), ("GET", "/execute/job_0000000000000_abcdefgh"),
                         ("DELETE", "/execute/job_0000000000000_abcdefgh")]:
        for token in (None, "wrong"):
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            r = stack.client.request(method, path, headers=headers, content=b'{"prompt":"x"}' if method == "POST" else None)
            assert r.status_code == 401, (method, path, token)
            assert r.json() == {"error": "unauthorized"}
    r = stack.client.put("/execute", headers={"Authorization": f"Bearer {stack.token}"})
    assert r.status_code == 405 and r.headers["allow"] == "GET, POST"


@pytest.mark.parametrize("body,message", [
    (b"{", "request body is not valid JSON"),
    (b'{"agent":"recruiter-triage"}', "prompt must be a non-empty string"),
    (b'{"prompt":""}', "prompt must be a non-empty string"),
    (b'{"prompt":5}', "prompt must be a non-empty string"),
    (b'{"prompt":"x","agent":"--evil"}', "agent must be a name of letters, digits, '-', '_' and '.'"),
    (b'{"prompt":"x","max_budget_usd":2.5}', "max_budget_usd 2.5 is above the cap of 2"),
    (b'{"prompt":"x","max_budget_usd":0}', "max_budget_usd must be a positive number"),
    (b'{"prompt":"x","timeout_s":901}', "timeout_s 901 is above the cap of 900"),
    (b'{"prompt":"x","timeout_s":"60"}', "timeout_s must be a positive number"),
    (b'{"prompt":"x","timeout":60}', "unknown field 'timeout'"),
    (b'{"prompt":"x","prompt":"y"}', "request body repeats the key 'prompt'"),
    (b'{"prompt":"a\\u0000b"}', "prompt contains a NUL character"),
])
def test_bad_job_bodies_are_400(stack, body, message):
    before = len(stack.records())
    r = stack.post("/execute", body=body)
    assert r.status_code == 400
    assert r.json() == {"error": message}
    assert len(stack.records()) == before


def test_listing_is_newest_first_without_results(stack):
    ids = []
    for n in range(3):
        job = stack.submit(f"list {n}\n@fake reply r{n}").json()
        stack.wait_job(job["job_id"])
        ids.append(job["job_id"])
    listing = stack.get("/execute?limit=2").json()
    assert [j["job_id"] for j in listing["jobs"]] == [ids[2], ids[1]]
    assert all("result" not in j for j in listing["jobs"])
    assert listing["next_before"] == ids[1]
    page = stack.get(f"/execute?limit=1&before={listing['next_before']}").json()
    assert [j["job_id"] for j in page["jobs"]] == [ids[0]]
    for bad in ("limit=0", "limit=101", "limit=x", "before=nope", "colour=red"):
        r = stack.get(f"/execute?{bad}")
        assert r.status_code == 400 and "error" in r.json(), bad


def test_timeout_gives_timed_out_with_processes_gone(make_stack):
    s = make_stack(workers=2, env={"CLAUDE_FCGI_KILL_GRACE": "1"})
    job = s.submit("@fake ignore_term\n@fake grandchild job-timeout-marker\n@fake sleep 60", timeout_s=1).json()
    done = s.wait_job(job["job_id"])
    assert done["status"] == "timed_out"
    assert done["detail"] == "timed out after 1 s"
    record = s.records()[-1]
    assert wait_for(lambda: run_is_gone(s, record, "job-timeout-marker"), timeout=3)


def test_job_survives_its_worker_and_all_workers(make_stack):
    s = make_stack(workers=2)
    job = s.submit("@fake sleep 2\n@fake reply survived").json()
    assert wait_for(lambda: s.records())
    record = s.records()[-1]
    supervisor = record["ppid"]
    accepting_worker = parent_of(supervisor)
    assert accepting_worker in s.worker_pids
    ready = s.log().count("worker ready")
    os.kill(accepting_worker, signal.SIGKILL)
    assert wait_for(lambda: not process_alive(accepting_worker))
    # multiwatch's replacement is up (its stop signal handled): a signal that reaches a child multiwatch forked
    # before it execs the worker runs multiwatch's own handler there and is lost, and the pool waits for that worker.
    assert wait_for(lambda: s.log().count("worker ready") > ready)
    s.stop_workers()  # the rest, and multiwatch, which had replaced the killed one
    assert process_alive(supervisor), "the job's supervisor must outlive the workers"
    s.restart_workers()
    assert wait_for(lambda: s.client.get("/healthz").status_code == 200)
    done = s.wait_job(job["job_id"])
    assert done["status"] == "succeeded" and done["result"] == "survived"
    assert not process_alive(supervisor)


def test_job_whose_runner_is_killed_reads_runner_lost(make_stack):
    s = make_stack(workers=2)
    job = s.submit("@fake sleep 60").json()
    assert wait_for(lambda: s.records())
    record = s.records()[-1]
    os.kill(record["ppid"], signal.SIGKILL)
    assert wait_for(lambda: not process_alive(record["ppid"]))
    r = s.get(f"/execute/{job['job_id']}").json()
    assert r["status"] == "failed" and r["detail"] == "runner lost"
    assert wait_for(lambda: not process_alive(record["pid"]), timeout=3), "claude must die with its supervisor"
    assert s.submit("after the lost runner\n@fake reply ok").status_code == 202


def test_a_record_that_cannot_be_read_is_a_500_naming_the_job(make_stack):
    stack = make_stack(workers=1)
    job = stack.submit("@fake reply corrupt me").json()
    stack.wait_job(job["job_id"])
    path = os.path.join(stack.runtime, "state", "jobs", job["job_id"] + ".json")
    with open(path, "w") as f:
        f.write('{"job_id": ')
    r = stack.get(f"/execute/{job['job_id']}")
    assert r.status_code == 500
    assert r.json()["detail"].startswith(f"job {job['job_id']}: its record cannot be read")
    assert stack.get("/execute/job_1700000000000_missing0").status_code == 404


def test_pruning_keeps_the_newest(make_stack):
    s = make_stack(workers=2, env={"CLAUDE_FCGI_JOB_MAX_COUNT": "2"})
    ids = []
    for n in range(3):
        job = s.submit(f"prune {n}").json()
        s.wait_job(job["job_id"])
        ids.append(job["job_id"])
    # Pruning happens at submission: the third job's left the first two, the next one drops the first.
    last = s.submit("prune 3").json()
    s.wait_job(last["job_id"])
    assert s.get(f"/execute/{ids[0]}").status_code == 404
    assert [j["job_id"] for j in s.get("/execute").json()["jobs"]] == [last["job_id"], ids[2]]


def git(*args, cwd=None):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@x"})


@pytest.fixture
def repos(tmp_path):
    """A bare 'remote', a checkout of it as claude's working directory, and a second checkout to push from."""
    bare, work, pusher = tmp_path / "remote.git", tmp_path / "work", tmp_path / "pusher"
    git("init", "--bare", "-b", "main", str(bare))
    git("clone", str(bare), str(pusher))
    agents = pusher / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "recruiter-triage.md").write_text(open(os.path.join(os.path.dirname(__file__), "..", "..", "deploy", "agents",
                                                                   "recruiter-triage.md")).read())
    (pusher / ".gitignore").write_text(".fake-claude/\n")
    git("add", "-A", cwd=pusher)
    git("commit", "-m", "agents", cwd=pusher)
    git("push", "origin", "HEAD:main", cwd=pusher)
    git("clone", str(bare), str(work))
    os.chmod(tmp_path, 0o755)
    return bare, work, pusher


def test_git_sync_pulls_before_each_run(make_stack, repos):
    bare, work, pusher = repos
    s = make_stack(workers=2, env={"CLAUDE_FCGI_WORKDIR": str(work)})
    (pusher / "NEW-COMMIT-FILE").write_text("x")
    git("add", "-A", cwd=pusher)
    git("commit", "-m", "new", cwd=pusher)
    git("push", "origin", "HEAD:main", cwd=pusher)
    r = s.chat("sync check")
    assert r.status_code == 200, r.text
    assert "NEW-COMMIT-FILE" in s.records()[-1]["files"]
    assert audit_lines(s)[-1]["git_sync"] == "ok"
    job = s.submit("job sync").json()
    assert s.wait_job(job["job_id"])["status"] == "succeeded"
    assert audit_lines(s)[-1]["git_sync"] == "ok"


def test_git_sync_required_fails_the_run_and_best_effort_goes_on(make_stack, repos):
    bare, work, pusher = repos
    git("remote", "set-url", "origin", "/nonexistent/remote.git", cwd=work)
    s = make_stack(workers=2, env={"CLAUDE_FCGI_WORKDIR": str(work), "CLAUDE_FCGI_GIT_SYNC": "required"})
    before = len(s.records())
    r = s.chat("must sync")
    assert r.status_code == 503
    assert r.json()["detail"].startswith("git sync failed: git pull exited with code 1")
    job = s.submit("must sync too").json()
    done = s.wait_job(job["job_id"])
    assert done["status"] == "failed" and done["detail"].startswith("git sync failed")
    assert len(s.records()) == before, "claude must not run when a required sync failed"
    s2 = make_stack(workers=2, env={"CLAUDE_FCGI_WORKDIR": str(work), "CLAUDE_FCGI_GIT_SYNC": "best-effort"})
    r = s2.chat("may sync")
    assert r.status_code == 200
    assert audit_lines(s2)[-1]["git_sync"] == "failed"
    assert "git sync failed" in s2.log()
