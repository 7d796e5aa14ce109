"""Never two runs at once, under load: a bounded soak through nginx across four workers."""
import random
import threading
import time

from conftest import audit_lines, check_lock_in_stand_in, overlaps, process_alive

BUSY = {"error": "execution failed", "detail": "busy: another run is in progress"}


def soak(stack, clients, per_client, pause=0.3):
    import httpx2 as httpx
    counts = {"ok": 0, "busy": 0, "other": []}
    guard = threading.Lock()

    def client():
        with httpx.Client(base_url=stack.url, verify=stack.ssl_context, timeout=60) as http:
            for _ in range(per_client):
                busy = False
                r = http.post("/v1/chat/completions", headers={"Authorization": f"Bearer {stack.token}"},
                              json={"model": "recruiter-triage", "messages": [{"role": "user", "content": "soak"}]})
                with guard:
                    if r.status_code == 200 and r.json()["choices"][0]["message"]["content"] == "fake answer":
                        counts["ok"] += 1
                    elif r.status_code == 503 and r.json() == BUSY and r.headers.get("retry-after") == "10":
                        counts["busy"] += 1
                        busy = True
                    else:
                        counts["other"].append((r.status_code, r.text[:200]))
                if busy and pause:
                    # A little jitter after a busy answer lets more runs through, so that the lock
                    # changes hands often.
                    time.sleep(random.uniform(0, pause))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counts


def test_soak_never_two_runs_at_once(make_stack):
    s = make_stack(workers=4)
    check_lock_in_stand_in(s)
    counts = soak(s, clients=16, per_client=32)
    records = s.records()
    print(f"soak: 512 requests, {counts['ok']} ran, {counts['busy']} busy, {len(overlaps(records))} overlaps")
    assert counts["other"] == []
    assert counts["ok"] + counts["busy"] == 512
    assert counts["ok"] > 0 and counts["busy"] > 0
    assert len(records) == counts["ok"]
    assert overlaps(records) == []
    assert not any(r["lock_was_free"] for r in records), "a run found the lock free"
    assert all(process_alive(p) for p in s.worker_pids), "a worker died"
    lines = audit_lines(s)
    assert len(lines) == counts["ok"] and all(line["outcome"] == "ok" for line in lines)
