"""End-to-end fixtures: a real stack started exactly as `scripts/run-local` starts it.

Each stack is `scripts/run-local` itself, on its own port and runtime directory, with real nginx
(TLS), real spawn-fcgi and the release worker; claude is the stand-in `fake-claude` unless a test
says otherwise.
"""
import glob
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

import httpx2 as httpx  # the HTTP client the pinned openai SDK brings
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAKE_CLAUDE = os.path.join(REPO, "Tests", "e2e", "fake-claude")
TOKEN = "e2e-token-" + os.urandom(8).hex()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def release_binary():
    """The worker's release binary, built as scripts/run-local builds it (a build with other flags would
    make the next stack build it again)."""
    subprocess.run(["bash", "-c", "source scripts/lib/common.sh && build_release"], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL)
    return os.path.join(REPO, ".build", "release", "claude-fcgi")


def add_key(keys_file, name, *options):
    """Adds the caller `name` to `keys_file` with `claude-fcgi keys add` (its options as given); its key,
    the last line of the output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAUDE_FCGI_")}
    env["CLAUDE_FCGI_KEYS_FILE"] = keys_file
    result = subprocess.run([os.path.join(REPO, ".build", "release", "claude-fcgi"), "keys", "add", name, *options],
                            env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


class Stack:
    def __init__(self, workers=3, claude=FAKE_CLAUDE, env=None):
        self.port = free_port()
        self.workers = workers
        self.runtime = tempfile.mkdtemp(prefix="claude-fcgi-e2e-", dir="/tmp")
        self.token = TOKEN
        self.url = f"https://127.0.0.1:{self.port}"
        self.ca = os.path.join(self.runtime, "tls", "cert.pem")
        self.workdir = os.path.join(self.runtime, "workdir")
        environment = {k: v for k, v in os.environ.items() if not k.startswith("CLAUDE_FCGI_")}
        environment.update({
            "CLAUDE_FCGI_PORT": str(self.port),
            "CLAUDE_FCGI_WORKERS": str(workers),
            "CLAUDE_FCGI_RUNTIME_DIR": self.runtime,
            "CLAUDE_FCGI_TOKEN": self.token,
            "CLAUDE_FCGI_CLAUDE": claude,
            # A stopping stack cancels a run in hand after this (tests that stop mid-run raise it).
            "CLAUDE_FCGI_STOP_TIMEOUT": "5",
            # The suite sends one token hundreds of times a second (the soak, the bad-input corpus): nginx's
            # limit per credential raised out of its way. test_cors_and_rate sets its own.
            "CLAUDE_FCGI_NGINX_RATE": "10000r/s",
            "CLAUDE_FCGI_NGINX_BURST": "10000",
            # Runs start cold, as every test but the warm spare's (test_warm_spare, test_real_claude_warm, which
            # turn it on) was written for: their argv, their process chain (the worker's own supervisor).
            "CLAUDE_FCGI_WARM_SPARE": "off",
            # The stand-in's python3 is the test virtualenv's (it imports jsonschema).
            "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"),
        })
        environment.update(env or {})
        if environment.get("CLAUDE_FCGI_WORKDIR"):
            self.workdir = environment["CLAUDE_FCGI_WORKDIR"]
        self.output = []
        self.process = subprocess.Popen(
            [os.path.join(REPO, "scripts", "run-local")], env=environment, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, start_new_session=True)
        ready = threading.Event()

        def pump():
            for line in self.process.stdout:
                self.output.append(line)
                if line.strip() == "ready":
                    ready.set()
            ready.set()

        threading.Thread(target=pump, daemon=True).start()
        if not ready.wait(300) or self.process.poll() is not None:
            self.stop()
            raise RuntimeError("scripts/run-local did not come up:\n" + "".join(self.output))
        self.ssl_context = ssl.create_default_context(cafile=self.ca)
        self.client = httpx.Client(base_url=self.url, verify=self.ssl_context, timeout=60)

    @property
    def pool_pid(self):
        """multiwatch's pid (spawn-fcgi -n execs it), which run-local writes to workers.pid."""
        with open(os.path.join(self.runtime, "workers.pid")) as f:
            return int(f.read().strip())

    def stop_workers(self, timeout=30):
        """Stops the pool as systemd does (TERM to multiwatch) and waits until it and its workers are gone."""
        pool, workers = self.pool_pid, self.worker_pids
        os.kill(pool, signal.SIGTERM)
        assert wait_for(lambda: not any(process_alive(p) for p in [pool] + workers), timeout=timeout)

    def restart_workers(self):
        """Starts the pool again exactly as run-local started it (in the background) and waits for it."""
        old = self.pool_pid
        with open(os.path.join(self.runtime, "worker.log"), "a") as log:
            subprocess.Popen([os.path.join(self.runtime, "spawn-workers")], stdout=log, stderr=log,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        assert wait_for(lambda: self.pool_pid != old and len(self.worker_pids) == self.workers)

    def get(self, path, token="default"):
        token = self.token if token == "default" else token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.get(path, headers=headers)

    def delete(self, path, token="default"):
        token = self.token if token == "default" else token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.delete(path, headers=headers)

    def submit(self, prompt, **fields):
        return self.post("/execute", body={"prompt": prompt, **fields})

    def wait_job(self, job_id, timeout=20):
        """Polls until the job has finished; returns its record."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.get(f"/execute/{job_id}").json()
            if job["status"] != "running" or time.monotonic() > deadline:
                return job
            time.sleep(0.05)

    @property
    def worker_pids(self):
        """The pool's live workers: multiwatch's children."""
        try:
            pool = self.pool_pid
            with open(f"/proc/{pool}/task/{pool}/children") as f:
                return sorted(p for p in map(int, f.read().split()) if process_alive(p))
        except (FileNotFoundError, ValueError, ProcessLookupError):
            return []

    def post(self, path="/v1/chat/completions", body=None, token="default", headers=None, **kwargs):
        h = {"Content-Type": "application/json"}
        if token == "default":
            token = self.token
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        h.update(headers or {})
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        return self.client.post(path, content=body, headers=h, **kwargs)

    def raw_connection(self):
        """A TLS connection of its own to nginx, to send bytes on and hang up at will."""
        return self.ssl_context.wrap_socket(socket.create_connection(("127.0.0.1", self.port)), server_hostname="localhost")

    def raw_chat_request(self, body):
        """The bytes of a chat-completions POST of `body` (a dict) with the token, for a raw connection."""
        data = json.dumps(body).encode()
        return (b"POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + f"Authorization: Bearer {self.token}\r\nContent-Length: {len(data)}\r\n\r\n".encode() + data)

    def stream_until(self, body, seen):
        """Sends a streamed request on a raw connection and reads until `seen` (bytes) came; returns the socket."""
        sock = self.raw_connection()
        sock.sendall(self.raw_chat_request(body))
        received = b""
        while seen not in received:
            piece = sock.recv(65536)
            assert piece, received
            received += piece
        return sock

    def chat(self, text, model="recruiter-triage", **kwargs):
        return self.post(body={"model": model, "messages": [{"role": "user", "content": text}]}, **kwargs)

    def records(self):
        """The stand-in's records of its runs, oldest first."""
        found = []
        for path in sorted(glob.glob(os.path.join(self.workdir, ".fake-claude", "*-*.json"))):
            with open(path) as f:
                found.append(json.load(f))
        return sorted(found, key=lambda r: r["start"])

    def log(self, name="worker.log"):
        with open(os.path.join(self.runtime, name), errors="replace") as f:
            return f.read()

    def stop(self):
        pids = self.worker_pids
        try:
            pids.append(self.pool_pid)
        except (FileNotFoundError, ValueError):
            pass
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
                # The pool and nginx run in sessions of their own: not in run-local's group.
                try:
                    with open(os.path.join(self.runtime, "nginx.pid")) as f:
                        os.kill(int(f.read().strip()), signal.SIGKILL)
                except (FileNotFoundError, ValueError, ProcessLookupError):
                    pass
        left = [p for p in pids if process_alive(p)]
        for p in left:
            os.kill(p, signal.SIGKILL)
        return left


@pytest.fixture(scope="session")
def stack():
    s = Stack(workers=3)
    yield s
    left = s.stop()
    assert left == [], f"workers still running after run-local stopped: {left}"
    shutil.rmtree(s.runtime, ignore_errors=True)


@pytest.fixture
def make_stack():
    """Starts extra stacks with their own settings; stops them after the test."""
    started = []

    def make(**kwargs):
        s = Stack(**kwargs)
        started.append(s)
        return s

    yield make
    for s in started:
        left = s.stop()
        shutil.rmtree(s.runtime, ignore_errors=True)
        assert left == [], f"workers still running after run-local stopped: {left}"


def in_background(call):
    """Runs `call` in a thread; the list it returns gets the result (or the exception), and the thread."""
    result = []

    def run():
        try:
            result.append(call())
        except Exception as error:  # noqa: BLE001 - the test looks at it
            result.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return result, thread


def wait_for(predicate, timeout=10.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def pids_with(text):
    """Live processes whose command line contains `text`."""
    found = []
    needle = text.encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if needle in f.read() and process_alive(int(entry)):
                    found.append(int(entry))
        except OSError:
            pass
    return found


def parent_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def lock_is_free(stack):
    """Tries the run lock once (and lets it go at once)."""
    import fcntl
    with open(os.path.join(stack.runtime, "state", "run.lock"), "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False


def process_name(pid):
    """The process's name (/proc/PID/comm), or None when it is gone."""
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return None


def run_is_gone(stack, record, marker=None):
    """No process of the run is left (stand-in, its tool process, a job's own supervisor) and the lock is
    free. A chat run's supervisor is its worker's (claude-fcgi-sup), which outlives the run."""
    run = [record["pid"], record.get("grandchild")]
    if process_name(record["ppid"]) != "claude-fcgi-sup":
        run.append(record["ppid"])
    alive = [p for p in run if p and process_alive(p)]
    if marker:
        alive += pids_with(marker)
    return not alive and lock_is_free(stack)


def audit_lines(stack):
    path = os.path.join(stack.runtime, "state", "audit.log")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f]


def content_of(chunks):
    """The text an SDK client assembles from streamed chunks."""
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def chunks_until_error(chunks, on_chunk=None):
    """Reads a streamed answer that must end with an error event: the chunks before it, and the
    openai.APIError the SDK raised. `on_chunk` sees the chunks so far after each one."""
    import openai
    received = []
    with pytest.raises(openai.APIError) as caught:
        for chunk in chunks:
            received.append(chunk)
            if on_chunk:
                on_chunk(received)
    return received, caught.value


def overlaps(records):
    """Pairs of runs whose [start, end] intervals overlap."""
    runs = sorted((r["start"], r["end"] or float("inf")) for r in records)
    return [(a, b) for a, b in zip(runs, runs[1:]) if b[0] < a[1]]


def check_lock_in_stand_in(stack):
    """Has the stand-in try the run lock itself on every run (it must find it held)."""
    os.makedirs(os.path.join(stack.workdir, ".fake-claude"), exist_ok=True)
    with open(os.path.join(stack.workdir, ".fake-claude", "config.json"), "w") as f:
        json.dump({"lock_path": os.path.join(stack.runtime, "state", "run.lock")}, f)
