"""bench/ops: respawn time, graceful stop under a run, scrape cost (see bench/ops)."""
import json
import os
import random
import shutil
import signal
import statistics
import string
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "Tests", "e2e"))

from conftest import Stack, process_alive, wait_for  # noqa: E402


def timed(call, rounds):
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def row(name, times, unit="ms", note=""):
    times = sorted(times)
    p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
    print(f"| {name} | {statistics.median(times):.1f} | {p90:.1f} | {max(times):.1f} | {unit} | {note} |")


def timed_stop(stack):
    """TERM to multiwatch, as systemd stops the pool: milliseconds until it and its workers are gone."""
    pool, pids = stack.pool_pid, stack.worker_pids
    started = time.perf_counter()
    os.kill(pool, signal.SIGTERM)
    assert wait_for(lambda: not any(process_alive(p) for p in [pool] + pids), 30, 0.005)
    return (time.perf_counter() - started) * 1000


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    workers = 4
    stack = Stack(workers=workers, env={"CLAUDE_FCGI_LOG_LEVEL": "warning"})
    try:
        print(f"bench/ops: {rounds} rounds, {workers} workers, stand-in claude, through nginx/TLS\n")
        print("| what | p50 | p90 | max | unit | note |")
        print("|---|---|---|---|---|---|")

        # A killed worker: time until multiwatch has the pool back to N. The oldest worker each time,
        # 2.6 s apart: multiwatch gives up on a worker slot whose process dies within 10 s of its start
        # four times in a row (its crash-loop guard), so each slot is killed only every ~10.4 s.
        respawn = []
        for _ in range(rounds):
            victim = min(stack.worker_pids)
            os.kill(victim, signal.SIGKILL)
            started = time.perf_counter()
            assert wait_for(lambda: victim not in stack.worker_pids and len(stack.worker_pids) == workers, 5, 0.001)
            respawn.append((time.perf_counter() - started) * 1000)
            time.sleep(2.6)
        row("kill -9 of a worker → pool back to N", respawn, note="multiwatch forks at once; the worker forks its supervisor")

        # /healthz and /metrics through nginx (each request also adds to the shared counters).
        row("GET /healthz", timed(lambda: stack.client.get("/healthz"), rounds * 5), note="one counter add per request")
        row("GET /metrics, no job records", timed(lambda: stack.client.get("/metrics"), rounds * 5))
        job = stack.submit("a job").json()
        assert stack.wait_job(job["job_id"])["status"] == "succeeded"
        jobs = os.path.join(stack.runtime, "state", "jobs")
        record = json.load(open(os.path.join(jobs, job["job_id"] + ".json")))
        base = int(time.time() * 1000) - 10_000_000
        for i in range(9_999):
            suffix = "".join(random.choices(string.ascii_letters + string.digits, k=8))
            record["job_id"] = f"job_{base + i}_{suffix}"
            with open(os.path.join(jobs, record["job_id"] + ".json"), "w") as f:
                json.dump(record, f)
        row("GET /metrics, 10 000 job records", timed(lambda: stack.client.get("/metrics"), rounds),
            note="each record is read for its status")
        shutil.rmtree(jobs)
        os.makedirs(jobs)

        # Graceful stop: TERM to multiwatch with a 1 s run in hand, until the pool is gone; the run answers.
        stops, idle = [], []
        for _ in range(max(3, rounds // 4)):
            answers = []
            thread = threading.Thread(target=lambda: answers.append(stack.chat("@fake sleep 1").status_code))
            before = len(stack.records())
            thread.start()
            assert wait_for(lambda: len(stack.records()) > before)
            stops.append(timed_stop(stack))
            thread.join()
            assert answers == [200], answers
            stack.restart_workers()
            idle.append(timed_stop(stack))
            stack.restart_workers()
        row("stop (TERM to multiwatch), idle pool", idle)
        row("stop with a 1 s run in hand", stops, note="the run is answered (200) before its worker exits")
    finally:
        stack.stop()
        shutil.rmtree(stack.runtime, ignore_errors=True)


if __name__ == "__main__":
    main()
