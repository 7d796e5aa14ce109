"""The run path as one cheap chain: each worker has one supervisor that outlives its runs (no start of
a binary per run), claude is its child, and a supervisor that died is replaced at the next run."""
import os
import signal
import time

from conftest import lock_is_free, parent_of, process_alive, process_name, wait_for


def test_runs_go_through_the_workers_own_supervisor(make_stack):
    s = make_stack(workers=1)
    assert s.chat("one").status_code == 200
    assert s.chat("two").status_code == 200
    first, second = s.records()[-2:]
    supervisor = first["ppid"]
    assert second["ppid"] == supervisor, "the second run went through the same supervisor"
    assert process_name(supervisor) == "claude-fcgi-sup"
    assert parent_of(supervisor) == s.worker_pids[0]
    assert process_alive(supervisor)
    assert lock_is_free(s)
    # The supervisor keeps nothing of nginx's: only stdin/stdout on /dev/null, the log and its socket.
    descriptors = {int(fd): os.readlink(f"/proc/{supervisor}/fd/{fd}") for fd in os.listdir(f"/proc/{supervisor}/fd")}
    assert descriptors[0] == descriptors[1] == "/dev/null"
    assert descriptors[2].endswith("worker.log")
    assert descriptors[3].startswith("socket:")
    assert all(fd <= 3 or not target.startswith("socket:") for fd, target in descriptors.items()), descriptors


def test_a_killed_supervisor_is_replaced_at_the_next_run(make_stack):
    s = make_stack(workers=1)
    assert s.chat("before").status_code == 200
    supervisor = s.records()[-1]["ppid"]
    os.kill(supervisor, signal.SIGKILL)
    assert wait_for(lambda: not process_alive(supervisor))
    time.sleep(0.1)
    r = s.chat("after")
    assert r.status_code == 200, r.text
    replacement = s.records()[-1]["ppid"]
    assert replacement != supervisor and process_name(replacement) == "claude-fcgi-sup"
    assert wait_for(lambda: "starting a new one" in s.log())


def test_a_workers_supervisor_goes_with_its_worker(make_stack):
    s = make_stack(workers=1)
    assert s.chat("hi").status_code == 200
    supervisor = s.records()[-1]["ppid"]
    os.kill(s.worker_pids[0], signal.SIGKILL)
    assert wait_for(lambda: not process_alive(supervisor), timeout=3)


def test_a_supervisor_killed_mid_run_leaves_no_process_and_frees_the_lock(make_stack):
    import threading
    import uuid
    from conftest import pids_with
    s = make_stack(workers=2, env={"CLAUDE_FCGI_KILL_GRACE": "1"})
    marker = "sup-kill-marker-" + uuid.uuid4().hex
    answers = []
    thread = threading.Thread(target=lambda: answers.append(s.chat(f"@fake grandchild {marker}\n@fake sleep 60")))
    thread.start()
    assert wait_for(lambda: s.records() and s.records()[-1].get("grandchild"))
    record = s.records()[-1]
    supervisor = record["ppid"]
    assert process_name(supervisor) == "claude-fcgi-sup"
    os.kill(supervisor, signal.SIGKILL)
    thread.join(10)
    assert answers and answers[0].status_code == 503
    assert answers[0].json()["detail"] == "the run supervisor ended without an answer"
    gone = lambda: not any(process_alive(p) for p in (record["pid"], record["grandchild"])) and not pids_with(marker)
    assert wait_for(gone, timeout=3), pids_with(marker)
    assert wait_for(lambda: lock_is_free(s))
    assert s.chat("next").status_code == 200
