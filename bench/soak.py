"""The soak of the end-to-end suite, scaled up: REQUESTS requests from CLIENTS concurrent clients
against a run-local stack of WORKERS workers; prints the counts. See bench/soak."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "e2e"))

from conftest import Stack, audit_lines, check_lock_in_stand_in, overlaps, process_alive  # noqa: E402
from test_soak import soak  # noqa: E402


def main():
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    per_client = max(1, -(-requests // clients))  # at least the requests asked for
    stack = Stack(workers=workers)
    try:
        check_lock_in_stand_in(stack)
        started = time.monotonic()
        counts = soak(stack, clients=clients, per_client=per_client, pause=0.05)
        elapsed = time.monotonic() - started
        records = stack.records()
        dead = [p for p in stack.worker_pids if not process_alive(p)]
        rows = [
            ("requests", clients * per_client), ("clients", clients), ("workers", workers),
            ("seconds", f"{elapsed:.1f}"), ("requests/s", f"{clients * per_client / elapsed:.0f}"),
            ("200 (ran)", counts["ok"]), ("503 busy", counts["busy"]), ("other answers", len(counts["other"])),
            ("runs recorded", len(records)), ("audit lines", len(audit_lines(stack))),
            ("overlapping runs", len(overlaps(records))),
            ("runs that found the lock free", sum(1 for r in records if r["lock_was_free"])),
            ("workers died", len(dead)),
        ]
        print("| measure | value |\n|---|---|")
        for name, value in rows:
            print(f"| {name} | {value} |")
        for status, text in counts["other"][:5]:
            print(f"unexpected answer: {status} {text}", file=sys.stderr)
        bad = counts["other"] or overlaps(records) or dead or any(r["lock_was_free"] for r in records)
        return 1 if bad else 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
