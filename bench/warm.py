"""bench/warm: the warm spare (issue 22) against cold starts, real claude CLI + the instant mock Messages API.

Three stacks (scripts/run-local: nginx/TLS, spawn-fcgi, 2 workers), each with its own mock, the same
environment but for the spare: warm spare off (cold), on (warm), and on with the working directory a git
checkout with an upstream (the git row). Cold and warm samples are taken in turn, so the machine's load
(other work on it) falls on both alike. Each run's audit line says whether it found its spare
("warm": true); rows say how many did.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "Tests", "e2e"))

from conftest import FAKE_CLAUDE, Stack, audit_lines, process_alive  # noqa: E402
from mock_anthropic import MockAnthropic  # noqa: E402
from test_real_claude import REAL_CLAUDE, clean_claude_environment  # noqa: E402

# Long enough for the next spare to be started and its CLI booted (a cold start takes 0.5-1 s).
PAUSE = 1.5
ANSWER = "Hello from the mock server."


class TimedList(list):
    """The mock's request log, each request stamped with when it came (time.monotonic())."""

    def append(self, request):
        request["at"] = time.monotonic()
        super().append(request)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def ms(seconds):
    return f"{seconds * 1000:.0f}"


def git(*args, cwd=None):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@x", "GIT_COMMITTER_NAME": "b",
                        "GIT_COMMITTER_EMAIL": "b@x"})


def repositories(base):
    """A bare upstream, a checkout of it as claude's working directory, a second checkout to push from."""
    bare, work, pusher = (os.path.join(base, n) for n in ("remote.git", "work", "pusher"))
    git("init", "--bare", "-b", "main", bare)
    git("clone", bare, pusher)
    os.makedirs(os.path.join(pusher, ".claude", "agents"))
    shutil.copy(os.path.join(REPO, "deploy", "agents", "recruiter-triage.md"), os.path.join(pusher, ".claude", "agents"))
    git("add", "-A", cwd=pusher)
    git("commit", "-m", "agents", cwd=pusher)
    git("push", "origin", "HEAD:main", cwd=pusher)
    git("clone", bare, work)
    return work, pusher


class Side:
    """One stack with its own mock."""

    def __init__(self, name, warm, home, workdir=None, claude=REAL_CLAUDE):
        self.name = name
        self.real = claude == REAL_CLAUDE
        self.mock = MockAnthropic()
        self.mock.requests = TimedList()
        env = clean_claude_environment(home)
        env.update({"ANTHROPIC_BASE_URL": self.mock.url, "ANTHROPIC_API_KEY": "dummy",
                    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1", "CLAUDE_FCGI_STREAMING": "on",
                    "CLAUDE_FCGI_WARM_SPARE": "on" if warm else "off", "CLAUDE_FCGI_LOG_LEVEL": "warning"})
        if workdir:
            env["CLAUDE_FCGI_WORKDIR"] = workdir
        self.stack = Stack(workers=2, claude=claude, env=env)

    def body(self, text, stream=False):
        return {"model": "recruiter-triage", "stream": stream, "messages": [{"role": "user", "content": text}]}

    def run(self, text, stream=False, busy_ok=False):
        """One chat through nginx: {total, first (first content byte, streamed), api (until the CLI's
        Messages API request came; for the stand-in: until its input line came), warm, git_sync, duration_ms}."""
        lines = len(audit_lines(self.stack))
        requests = len(self.mock.requests)
        wall = time.time()
        started = time.monotonic()
        first = None
        if stream:
            headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.stack.token}"}
            text_seen = ""
            with self.stack.client.stream("POST", "/v1/chat/completions", content=json.dumps(self.body(text, True)),
                                          headers=headers) as r:
                if r.status_code != 200:
                    raise RuntimeError(f"{self.name}: {r.status_code} {r.read()!r}")
                for line in r.iter_lines():
                    if not line.startswith("data: {"):
                        continue
                    choices = json.loads(line[6:]).get("choices") or []
                    content = choices[0].get("delta", {}).get("content") if choices else None
                    if content:
                        first = first or time.monotonic() - started
                        text_seen += content
            answer = text_seen
        else:
            r = self.stack.post(body=self.body(text))
            if busy_ok and r.status_code == 503 and r.json().get("detail", "").startswith("busy"):
                return {"busy": True, "total": time.monotonic() - started}
            if r.status_code != 200:
                raise RuntimeError(f"{self.name}: {r.status_code} {r.text}")
            answer = r.json()["choices"][0]["message"]["content"]
        total = time.monotonic() - started
        if self.real and answer != ANSWER:
            raise RuntimeError(f"{self.name}: unexpected answer {answer!r}")
        made = [q for q in self.mock.requests[requests:] if q["path"].startswith("/v1/messages")]
        api = made[0]["at"] - started if made else None
        if not self.real:
            api = self.stack.records()[-1]["start"] - wall
        line = audit_lines(self.stack)[lines:][-1]
        return {"busy": False, "total": total, "first": first, "api": api,
                "warm": bool(line.get("warm")), "git_sync": line.get("git_sync"), "duration_ms": line["duration_ms"]}

    def spare_memory(self):
        """The waiting spare's processes: {role: (pid, rss KiB, pss KiB)} for keeper, spare and claude (with
        its descendants, if any), found from this stack's workers down."""
        children = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                    children.setdefault(ppid, []).append(int(entry))
                except (OSError, ValueError):
                    pass

        def name(pid):
            try:
                with open(f"/proc/{pid}/comm") as f:
                    return f.read().strip()
            except OSError:
                return None

        keepers = [k for w in self.stack.worker_pids for k in children.get(w, []) if name(k) == "claude-fcgi-spk"]
        spares = [s for k in keepers for s in children.get(k, []) if name(s) == "claude-fcgi-spr"]
        clis = [c for s in spares for c in children.get(s, []) if process_alive(c)]
        if len(keepers) != 1 or len(spares) != 1 or len(clis) != 1:
            raise RuntimeError(f"{self.name}: no single waiting spare (keepers {keepers}, spares {spares}, claude {clis})")
        tree, todo = [], list(clis)
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo += children.get(pid, [])
        return {"keeper": memory(keepers), "spare": memory(spares), "claude": memory(tree)}

    def close(self):
        self.stack.stop()
        shutil.rmtree(self.stack.runtime, ignore_errors=True)
        self.mock.close()


def memory(pids):
    """(processes, RSS KiB, PSS KiB or None) summed over pids."""
    rss, pss = 0, 0
    for pid in pids:
        with open(f"/proc/{pid}/status") as f:
            rss += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                pss += next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
        except (OSError, StopIteration):
            pss = None
    return len(pids), rss, pss


def row(what, cold, warm, note=""):
    """p50/p99 cold and warm (seconds) and warm/cold at p50."""
    c50, w50 = statistics.median(cold), statistics.median(warm)
    print(f"| {what} | {ms(c50)} | {ms(percentile(cold, 99))} | {ms(w50)} | {ms(percentile(warm, 99))} | "
          f"{w50 / c50:.2f} | {note} |")


def main():
    quick = "--quick" in sys.argv[1:]
    n = 5 if quick else 30
    if REAL_CLAUDE is None or not os.access(REAL_CLAUDE, os.X_OK):
        sys.exit("bench/warm: the venv's claude_agent_sdk with its bundled claude is needed (scripts/test installs it)")
    began = time.monotonic()
    base = tempfile.mkdtemp(prefix="claude-fcgi-bench-warm-")
    os.chmod(base, 0o755)
    home = os.path.join(base, "home")
    os.makedirs(home)
    sides = []
    try:
        work, pusher = repositories(base)
        cold, warm = Side("cold", False, home), Side("warm", True, home)
        sides += [cold, warm]
        synced = Side("warm, checkout", True, home, workdir=work)
        sides.append(synced)
        stand_in = Side("warm, stand-in", True, home, claude=FAKE_CLAUDE)
        sides.append(stand_in)
        for side in sides:  # the first run of a stack reads its files for the first time; not a sample
            side.run("warm-up")
        time.sleep(PAUSE)

        runs = {"cold": [], "warm": []}
        streams = {"cold": [], "warm": []}
        for i in range(n):
            for side in (cold, warm):
                runs[side.name].append(side.run(f"answer {i}"))
                time.sleep(PAUSE)
            for side in (cold, warm):
                streams[side.name].append(side.run(f"stream {i}", stream=True))
                time.sleep(PAUSE)
        back = {"cold": [], "warm": []}
        for side in (cold, warm):
            time.sleep(PAUSE)
            back[side.name] = [side.run(f"back to back {i}", busy_ok=True) for i in range(n)]
        time.sleep(3 * PAUSE)
        spare = warm.spare_memory()
        after_push, steady = [], []
        for i in range(n):
            with open(os.path.join(pusher, "NOTES"), "a") as f:
                f.write(f"{i}\n")
            git("add", "NOTES", cwd=pusher)
            git("commit", "-qm", f"note {i}", cwd=pusher)
            git("push", "-q", "origin", "HEAD:main", cwd=pusher)
            after_push.append(synced.run(f"after a push {i}"))
            time.sleep(PAUSE)
            steady.append(synced.run(f"no push {i}"))
            time.sleep(PAUSE)
        ours = []
        for i in range(n):
            ours.append(stand_in.run(f"our path {i}"))
            time.sleep(PAUSE)
        load = os.getloadavg()
    finally:
        for side in sides:
            side.close()
        shutil.rmtree(base, ignore_errors=True)

    def count(samples):
        return f"{sum(s['warm'] for s in samples)}/{len(samples)} warm"

    def seconds(samples, key):
        return [s[key] for s in samples]

    print(f"bench/warm: real claude CLI ({os.path.basename(os.path.dirname(os.path.dirname(REAL_CLAUDE)))} bundled) against "
          f"the instant mock Messages API, through nginx/TLS, 2 workers, {n} samples a row (p99 of so few: about their "
          f"maximum), {PAUSE} s between runs but in the back-to-back row; {time.monotonic() - began:.0f} s")
    print(f"load average (1, 5, 15 min) at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores\n")
    print("| what | cold p50 ms | cold p99 ms | warm p50 ms | warm p99 ms | warm/cold p50 | note |")
    print("|---|---|---|---|---|---|---|")
    row("chat answer, end to end", seconds(runs["cold"], "total"), seconds(runs["warm"], "total"),
        f"{count(runs['warm'])}; cold {count(runs['cold'])}")
    row("… until the CLI's API request", seconds(runs["cold"], "api"), seconds(runs["warm"], "api"),
        "our path + the CLI's start-up (cold) or its work after the input line (warm)")
    row("… from the API request to the answer", [s["total"] - s["api"] for s in runs["cold"]],
        [s["total"] - s["api"] for s in runs["warm"]], "the CLI's answer and exit, our path back")
    row("streamed: first content byte", seconds(streams["cold"], "first"), seconds(streams["warm"], "first"),
        count(streams["warm"]))
    row("streamed: whole answer", seconds(streams["cold"], "total"), seconds(streams["warm"], "total"), "")
    answered = {k: [s for s in v if not s["busy"]] for k, v in back.items()}
    row("back to back (no pause)", seconds(answered["cold"], "total"), seconds(answered["warm"], "total"),
        f"{count(answered['warm'])}, warm ones p50 "
        f"{ms(statistics.median([s['total'] for s in answered['warm'] if s['warm']] or [0]))} ms; "
        f"503 busy (the last run's lock not yet let go): cold {n - len(answered['cold'])}/{n}, "
        f"warm {n - len(answered['warm'])}/{n}")
    t = seconds(ours, "api")
    print(f"\nOur path alone, warm (the stand-in fake-claude as the spare, waiting as the CLI waits): request sent → its "
          f"input line read: p50 {ms(statistics.median(t))} ms, p99 {ms(percentile(t, 99))} ms ({count(ours)}); whole "
          f"answer p50 {ms(statistics.median(seconds(ours, 'total')))} ms (the stand-in is a python script: its answer "
          f"and exit are its own cost).")
    print("\n| run in a git checkout (warm spare on) | p50 ms | p99 ms | found its spare |")
    print("|---|---|---|---|")
    for what, samples in (("first run after a push moved HEAD (cold by design)", after_push),
                          ("next run, HEAD unchanged", steady)):
        t = seconds(samples, "total")
        syncs = sorted({s["git_sync"] for s in samples})
        print(f"| {what} | {ms(statistics.median(t))} | {ms(percentile(t, 99))} | {count(samples)} (git_sync {', '.join(syncs)}) |")
    print("\n| the waiting spare | processes | RSS MiB | PSS MiB |")
    print("|---|---|---|---|")
    for role, label in (("claude", "claude (waiting for its input line)"), ("spare", "spare (claude-fcgi-spr)"),
                        ("keeper", "keeper (claude-fcgi-spk)")):
        count_, rss, pss = spare[role]
        print(f"| {label} | {count_} | {rss / 1024:.1f} | {'n/a' if pss is None else f'{pss / 1024:.1f}'} |")


if __name__ == "__main__":
    main()
