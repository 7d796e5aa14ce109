"""The worker pool as ops run it: spawn-fcgi -n → multiwatch → workers. Killed workers come back; a
stop (TERM to multiwatch, what systemd sends) or a replacement (USR2) finishes the run in hand; an
nginx reload loses nothing."""
import os
import re
import signal
import subprocess
import threading
import time

from conftest import audit_lines, in_background, lock_is_free, process_alive, wait_for


def hammer(stack, stop, answers):
    while not stop.is_set():
        try:
            answers.append(stack.client.get("/healthz").status_code)
        except Exception as error:  # noqa: BLE001
            answers.append(repr(error))


def test_a_killed_worker_is_replaced_at_once_and_only_its_request_fails(make_stack):
    s = make_stack(workers=3)
    before = s.worker_pids
    assert len(before) == 3
    doomed, doomed_thread = in_background(lambda: s.chat("@fake sleep 60").status_code)
    assert wait_for(lambda: s.records())
    worker = int(open(f"/proc/{s.records()[-1]['ppid']}/stat").read().rsplit(")", 1)[1].split()[1])
    assert worker in before
    stop, answers = threading.Event(), []
    hammers = [threading.Thread(target=hammer, args=(s, stop, answers)) for _ in range(3)]
    for t in hammers:
        t.start()
    time.sleep(0.3)
    os.kill(worker, signal.SIGKILL)
    killed = time.monotonic()
    back = wait_for(lambda: len(s.worker_pids) == 3 and worker not in s.worker_pids, timeout=2, interval=0.01)
    respawn = time.monotonic() - killed
    time.sleep(0.5)
    stop.set()
    for t in hammers:
        t.join()
    doomed_thread.join(10)
    assert back, f"pool not back to 3 within 2 s: {s.worker_pids}"
    print(f"killed worker replaced in {respawn * 1000:.0f} ms; {len(answers)} requests meanwhile")
    assert doomed == [502], "the killed worker's own request is the one that fails"
    assert answers and set(answers) == {200}, [a for a in answers if a != 200][:5]
    assert re.search(r"child\[\d\]", s.log().lower()), "multiwatch's message is in the workers' log"
    assert s.chat("after").status_code == 200


def test_stopping_the_pool_mid_run_answers_the_run(make_stack):
    s = make_stack(workers=2)
    answer, thread = in_background(lambda: s.chat("@fake sleep 2\n@fake reply finished despite the stop"))
    assert wait_for(lambda: s.records())
    stopped = time.monotonic()
    s.stop_workers()
    took = time.monotonic() - stopped
    thread.join(10)
    assert answer and not isinstance(answer[0], Exception), answer
    assert answer[0].status_code == 200
    assert answer[0].json()["choices"][0]["message"]["content"] == "finished despite the stop"
    assert audit_lines(s)[-1]["outcome"] == "ok"
    assert "stop requested" in s.log()
    print(f"stop with a 2 s run in hand took {took:.2f} s")
    # Nothing is left: no worker, no supervisor, the lock free; nginx answers that no worker is up.
    assert lock_is_free(s)
    assert s.chat("nobody home").status_code == 502


def test_a_run_that_outlives_the_stop_timeout_is_cancelled(make_stack):
    s = make_stack(workers=2, env={"CLAUDE_FCGI_STOP_TIMEOUT": "1", "CLAUDE_FCGI_KILL_GRACE": "1"})
    answer, thread = in_background(lambda: s.chat("@fake sleep 60"))
    assert wait_for(lambda: s.records())
    record = s.records()[-1]
    s.stop_workers(timeout=10)
    thread.join(10)
    assert answer[0].status_code == 503
    assert answer[0].json() == {
        "error": "execution failed",
        "detail": "cancelled: the worker is stopping and the run went on longer than --stop-timeout (1 s)"}
    assert audit_lines(s)[-1]["outcome"] == "cancelled"
    assert not process_alive(record["pid"])
    assert lock_is_free(s)


def test_nginx_reload_mid_run_loses_nothing(make_stack):
    s = make_stack(workers=2)
    answer, thread = in_background(lambda: s.chat("@fake sleep 2\n@fake reply through the reload"))
    assert wait_for(lambda: s.records())
    subprocess.run(["nginx", "-s", "reload", "-p", s.runtime, "-c", os.path.join(s.runtime, "nginx.conf")], check=True)
    thread.join(15)
    assert answer[0].status_code == 200
    assert answer[0].json()["choices"][0]["message"]["content"] == "through the reload"
    assert s.chat("after the reload").status_code == 200


def test_usr2_replaces_every_worker_without_refusing_a_request(make_stack):
    s = make_stack(workers=3)
    before = set(s.worker_pids)
    answer, thread = in_background(lambda: s.chat("@fake sleep 1.5\n@fake reply kept"))
    assert wait_for(lambda: s.records())
    stop, answers = threading.Event(), []
    hammers = [threading.Thread(target=hammer, args=(s, stop, answers)) for _ in range(2)]
    for t in hammers:
        t.start()
    os.kill(s.pool_pid, signal.SIGUSR2)
    replaced = wait_for(lambda: len(s.worker_pids) == 3 and not before & set(s.worker_pids), timeout=10)
    time.sleep(0.3)
    stop.set()
    for t in hammers:
        t.join()
    thread.join(10)
    assert replaced, (before, s.worker_pids)
    assert answer[0].status_code == 200 and answer[0].json()["choices"][0]["message"]["content"] == "kept"
    assert answers and set(answers) == {200}, [a for a in answers if a != 200][:5]


def test_a_worker_that_cannot_start_does_not_spin(tmp_path):
    """A bad setting: each worker says why on stderr (the journal), multiwatch gives up after a few
    tries and exits instead of restarting it forever."""
    from conftest import REPO
    binary = os.path.join(REPO, ".build", "release", "claude-fcgi")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAUDE_FCGI_")}
    env.update({"CLAUDE_FCGI_TOKEN": "t", "CLAUDE_FCGI_STATE_DIR": str(tmp_path), "CLAUDE_FCGI_TIMEOUT": "soon"})
    started = time.monotonic()
    result = subprocess.run(["spawn-fcgi", "-n", "-s", str(tmp_path / "fcgi.sock"), "--", "/usr/bin/multiwatch", "-f", "2",
                             "--", binary], env=env, capture_output=True, text=True, timeout=30)
    took = time.monotonic() - started
    said = result.stderr.count("claude-fcgi: --timeout 'soon' must be a positive number")
    assert 2 <= said <= 10, result.stderr
    assert "died to often, not forking again" in result.stderr
    assert took < 5, f"multiwatch took {took:.1f} s to give up"
