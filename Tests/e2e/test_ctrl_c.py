"""Ctrl-C of scripts/run-local (SIGINT to its process group, as a terminal sends it) stops the whole
stack in order: the pool first, so that the run in hand is answered and no worker is started again,
then nginx; nothing is left. A second Ctrl-C hurries the stop instead of leaving the pool behind.
bench/stop-loop repeats the first case in many timings."""
import os
import signal
import time

from conftest import in_background, pids_with, process_alive, wait_for


def stack_processes(stack):
    """Live processes of the stack: by the runtime directory in their command line or environment, or
    in an open file (nginx's worker processes write their title over both)."""
    found = set(pids_with(stack.runtime))
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            if any(os.readlink(f"/proc/{entry}/fd/{fd}").startswith(stack.runtime + "/")
                   for fd in os.listdir(f"/proc/{entry}/fd")) and process_alive(int(entry)):
                found.add(int(entry))
        except OSError:
            pass
    return sorted(found)


def test_ctrl_c_mid_run_answers_the_run_and_leaves_nothing(make_stack):
    s = make_stack(workers=3)
    answer, thread = in_background(lambda: s.chat("@fake sleep 1\n@fake reply finished despite ctrl-c"))
    assert wait_for(lambda: s.records())
    os.killpg(s.process.pid, signal.SIGINT)
    assert s.process.wait(30) == 130
    thread.join(10)
    assert answer and not isinstance(answer[0], Exception), answer
    assert answer[0].status_code == 200
    assert answer[0].json()["choices"][0]["message"]["content"] == "finished despite ctrl-c"
    # Not one worker was started again: multiwatch writes "Child[N] died, respawn" or "Spawning
    # child[N] failed" when it does, and such a worker may miss the stop and run on.
    assert "child[" not in s.log().lower()
    assert stack_processes(s) == []
    assert "claude-fcgi stopped" in "".join(s.output)


def test_a_second_ctrl_c_ends_a_long_run_and_leaves_nothing(make_stack):
    s = make_stack(workers=2, env={"CLAUDE_FCGI_STOP_TIMEOUT": "60"})
    answer, thread = in_background(lambda: s.chat("@fake sleep 60"))
    assert wait_for(lambda: s.records())
    run_pid = s.records()[-1]["pid"]
    os.killpg(s.process.pid, signal.SIGINT)
    time.sleep(1)
    assert s.process.poll() is None, "the first Ctrl-C waits for the run in hand"
    hurried = time.monotonic()
    os.killpg(s.process.pid, signal.SIGINT)
    assert s.process.wait(20) == 130
    print(f"stopped {time.monotonic() - hurried:.2f} s after the second Ctrl-C")
    thread.join(10)
    assert wait_for(lambda: stack_processes(s) == [], timeout=10), stack_processes(s)
    assert not process_alive(run_pid)


def test_sigint_to_a_worker_mid_run_is_a_stop_that_answers_the_run(make_stack):
    # A pool started in a terminal's foreground gets Ctrl-C itself: each worker must take it as the
    # stop it is (the run in hand answered), not die mid-request.
    s = make_stack(workers=1)
    answer, thread = in_background(lambda: s.chat("@fake sleep 1\n@fake reply finished despite sigint"))
    assert wait_for(lambda: s.records())
    worker = s.worker_pids[0]
    os.kill(worker, signal.SIGINT)
    thread.join(20)
    assert answer and not isinstance(answer[0], Exception), answer
    assert answer[0].status_code == 200
    assert answer[0].json()["choices"][0]["message"]["content"] == "finished despite sigint"
    assert wait_for(lambda: not process_alive(worker))
    assert "stop requested" in s.log()
