"""bench/run's driver: starts nginx once in front of three backends (ours, the C floor, the FastAPI
reconstruction), measures each the same way in the same run, and prints one markdown table."""
import argparse
import base64
import datetime
import fcntl
import os
import re
import shutil
import signal
import socket
import ssl
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import http.client
import json
import pwd

TOKEN = "bench-token-" + os.urandom(6).hex()
CHAT_BODY = '{"model":"recruiter-triage","messages":[{"role":"user","content":"%s"}]}'
CHAT_PATH = "/v1/chat/completions"
RESPONSES_PATH = "/v1/responses"
# The callers in the keys file of the keyed rows: a team's.
KEY_CALLERS = 20
RESPONSES_BODY = '{"model":"recruiter-triage","input":"%s"}'
RESPONSES_UNSTORED_BODY = '{"model":"recruiter-triage","store":false,"input":"%s"}'
MESSAGES_PATH = "/v1/messages"
MESSAGES_BODY = '{"model":"recruiter-triage","max_tokens":1024,"messages":[{"role":"user","content":"%s"}]}'
# The two dialects streamed: the request body, what marks the first content line and the end.
STREAMS = {
    "chat": (CHAT_PATH, '{"model":"recruiter-triage","stream":true,"messages":[{"role":"user","content":"%s"}]}',
             b'"content":"tok', b"data: [DONE]"),
    "responses": (RESPONSES_PATH, '{"model":"recruiter-triage","stream":true,"input":"%s"}',
                  b'"type":"response.output_text.delta"', b"event: response.completed"),
    "messages": (MESSAGES_PATH, '{"model":"recruiter-triage","max_tokens":1024,"stream":true,'
                 '"messages":[{"role":"user","content":"%s"}]}', b'"text_delta"', b"event: message_stop"),
}


def png_base64(size):
    """`size` bytes that start with the PNG signature (the worker checks the magic bytes, the base64
    alphabet and the size, not the picture), base64-encoded."""
    signature = b"\x89PNG\r\n\x1a\n"
    return base64.b64encode(signature + bytes(i & 0xFF for i in range(size - len(signature)))).decode()


def image_bodies(data):
    """A chat and a Messages request with the text "hi" and one PNG image (`data`, base64; None: the
    same request without the image): {dialect: (path, body)}."""
    chat = [{"type": "text", "text": "hi"}]
    messages = [{"type": "text", "text": "hi"}]
    if data is not None:
        chat.append({"type": "image_url", "image_url": {"url": "data:image/png;base64," + data}})
        messages.append({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": data}})
    return {"chat": (CHAT_PATH, json.dumps({"model": "recruiter-triage", "messages": [{"role": "user", "content": chat}]})),
            "messages": (MESSAGES_PATH, json.dumps({"model": "recruiter-triage", "max_tokens": 1024,
                                                    "messages": [{"role": "user", "content": messages}]}))}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def cpu_seconds(pids):
    """User + system CPU seconds the processes have used (utime and stime of /proc/PID/stat)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Bench:
    def __init__(self, mode, repo):
        self.quick = mode == "quick"
        self.repo = repo
        self.seconds = 1 if self.quick else 5
        self.runtime = tempfile.mkdtemp(prefix="claude-fcgi-bench-", dir="/tmp")
        os.chmod(self.runtime, 0o755)
        self.processes = []
        # BENCH_OURS_BIN: another build of ours (an earlier commit's, for a before/after in one session).
        self.ours_bin = os.environ.get("BENCH_OURS_BIN") or os.path.join(repo, ".build", "release", "claude-fcgi")
        self.floor_bin = os.path.join(repo, ".build-bench", "floor")
        self.stand_in = os.path.join(repo, ".build-bench", "instant-claude")
        self.ports = {"ours": free_port(), "floor": free_port(), "fastapi": free_port()}
        self.uvicorn_port = free_port()
        self.workdir = os.path.join(self.runtime, "workdir")
        os.makedirs(os.path.join(self.workdir, ".claude", "agents"))
        shutil.copy(os.path.join(repo, "deploy", "agents", "recruiter-triage.md"), os.path.join(self.workdir, ".claude", "agents"))
        self.ca = os.path.join(self.runtime, "cert.pem")
        self.context = ssl.create_default_context(cafile=None)
        self.keys_file = os.path.join(self.runtime, "keys.json")
        self.key = None

    # ---- the stack -------------------------------------------------------------------------
    def path(self, *parts):
        return os.path.join(self.runtime, *parts)

    def ours_env(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLAUDE_FCGI_")}
        env.update({"CLAUDE_FCGI_TOKEN": TOKEN, "CLAUDE_FCGI_CLAUDE": self.stand_in, "CLAUDE_FCGI_WORKDIR": self.workdir,
                    "CLAUDE_FCGI_STATE_DIR": self.path("state"), "CLAUDE_FCGI_LOG_LEVEL": "warning",
                    "CLAUDE_FCGI_GIT_SYNC": "off", "CLAUDE_FCGI_LOG_FILE": self.path("worker.log"),
                    "CLAUDE_FCGI_STREAMING": "on", "CLAUDE_FCGI_KEYS_FILE": self.keys_file})
        return env

    def make_keys(self, callers=KEY_CALLERS):
        """A keys file of a team's size, made as an operator would (`claude-fcgi keys add`), each caller
        with limits; the last caller's key is the one benched (every key is compared, so which one does
        not matter). The token is compared before any key, so the token rows are those of a worker
        without keys."""
        env = self.ours_env()
        for n in range(1, callers + 1):
            output = subprocess.run([self.ours_bin, "keys", "add", f"caller{n:02d}", "--daily-usd", "20", "--monthly-usd", "300",
                                     "--runs-per-minute", "30", "--models", "recruiter-triage"],
                                    env=env, check=True, capture_output=True, text=True).stdout
            self.key = output.strip().splitlines()[-1]
        user = pwd.getpwnam("www-data")
        os.chown(self.keys_file, user.pw_uid, user.pw_gid)

    def floor_env(self):
        env = dict(os.environ)
        env.update({"FLOOR_TOKEN": TOKEN, "FLOOR_LOCK": self.path("floor.lock"), "FLOOR_CLAUDE": self.stand_in})
        return env

    def spawn_workers(self, name, binary, env, count=4):
        subprocess.run(["spawn-fcgi", "-s", self.path(f"{name}.sock"), "-F", str(count), "-P", self.path(f"{name}.pid"),
                        "-U", "www-data", "-G", "www-data", "-M", "0660", "--", binary],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        with open(self.path(f"{name}.pid")) as f:
            return [int(p) for p in f.read().split()]

    def start(self):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                        "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-keyout", self.path("key.pem"), "-out", self.ca], check=True, capture_output=True)
        self.context = ssl.create_default_context(cafile=self.ca)
        self.make_keys()
        self.workers = {"ours": self.spawn_workers("ours", self.ours_bin, self.ours_env()),
                        "floor": self.spawn_workers("floor", self.floor_bin, self.floor_env())}
        uvicorn_env = dict(os.environ, PEER_TOKEN=TOKEN, PEER_CLAUDE=self.stand_in)
        uvicorn = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(self.uvicorn_port),
             "--workers", "1", "--log-level", "warning", "--no-access-log"],
            cwd=os.path.join(self.repo, "bench", "peers"), env=uvicorn_env)
        self.processes.append(uvicorn)
        self.workers["fastapi"] = [uvicorn.pid]
        # One nginx: deploy/nginx.conf rendered for ours and for the floor, and the same server with
        # proxy_pass for the FastAPI reconstruction.
        with open(os.path.join(self.repo, "deploy", "nginx.conf")) as f:
            deployed = f.read()
        # The http-level part (maps, the rate limit's zone) once; the rate limit per credential out of
        # the way of a benchmark's single token.
        http_level, server_start, deployed = deployed.partition("\nserver {")
        deployed = server_start + deployed
        servers = [http_level.replace("rate=10r/s;", "rate=100000r/s;")]
        for name in ("ours", "floor", "fastapi"):
            server = (deployed.replace("listen 443 ssl;", f"listen 127.0.0.1:{self.ports[name]} ssl;")
                      .replace("/etc/claude-fcgi/tls/cert.pem", self.ca)
                      .replace("/etc/claude-fcgi/tls/key.pem", self.path("key.pem"))
                      .replace("unix:/run/claude-fcgi/fcgi.sock", f"unix:{self.path(name + '.sock')}"))
            if name == "fastapi":
                server = re.sub(r"include fastcgi_params;\s*fastcgi_pass [^;]+;",
                                f"proxy_pass http://127.0.0.1:{self.uvicorn_port}; proxy_http_version 1.1; "
                                f"proxy_set_header Connection \"\"; proxy_read_timeout 960s;", server)
                # A nested location (chat's, with its larger body limit) names only the handler.
                server = re.sub(r"fastcgi_pass [^;]+;", f"proxy_pass http://127.0.0.1:{self.uvicorn_port};", server)
                server = re.sub(r"\n\s*fastcgi_[a-z_]+ [^;\n]+;", "", server)
            servers.append(server.replace("burst=40 nodelay;", "burst=100000 nodelay;"))
        with open(self.path("servers.conf"), "w") as f:
            f.write("\n".join(servers))
        shutil.copy("/etc/nginx/fastcgi_params", self.path("fastcgi_params"))
        os.makedirs(self.path("tmp"), exist_ok=True)
        with open(self.path("nginx.conf"), "w") as f:
            temp = self.path("tmp")
            f.write(f"""user www-data;
worker_processes 2;
daemon off;
pid {self.path('nginx.pid')};
error_log {self.path('nginx-error.log')} warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {temp};
    proxy_temp_path {temp};
    fastcgi_temp_path {temp};
    uwsgi_temp_path {temp};
    scgi_temp_path {temp};
    include {self.path('servers.conf')};
}}
""")
        nginx = subprocess.Popen(["nginx", "-p", self.runtime, "-c", self.path("nginx.conf")])
        self.processes.append(nginx)
        for name in self.ports:
            if not wait_until(lambda: self.request(name, "GET", "/healthz", token=None)[0] in (200, 401), 30):
                raise RuntimeError(f"{name} did not come up")

    def stop(self):
        for name in ("ours", "floor"):
            for pid in self.workers.get(name, []):
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.kill_sleeping_stand_ins()
        shutil.rmtree(self.runtime, ignore_errors=True)

    # ---- one request over HTTPS --------------------------------------------------------------
    def request(self, name, method, path, body=None, token=TOKEN):
        try:
            connection = http.client.HTTPSConnection("127.0.0.1", self.ports[name], context=self.context, timeout=60)
            headers = {"Content-Type": "application/json"}
            if token:
                headers["Authorization"] = f"Bearer {token}"
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            connection.close()
            return response.status, data
        except OSError:
            return 0, b""

    # ---- wrk ---------------------------------------------------------------------------------
    def wrk(self, name, connections, seconds, token=True, content="hi", latency=False, path=CHAT_PATH, body=CHAT_BODY,
            method="POST", headers=None, unique=None):
        """`token`: True sends the token, False none, a string sends that (a caller's key). `unique`: a
        header sent with another value on every request (its name)."""
        credential = TOKEN if token is True else token or None
        lines = {"Content-Type": "application/json", **(headers or {})}
        if credential:
            lines["Authorization"] = f"Bearer {credential}"
        script = self.path(f"wrk-{name}-{abs(hash((credential, method, body, tuple(lines.items())))):x}.lua")
        with open(script, "w") as f:
            f.write(f'wrk.method = "{method}"\n')
            if method == "POST":
                f.write(f'wrk.body = [[{body % content}]]\n')
            f.write("wrk.headers = {" + ", ".join(f'["{k}"] = "{v}"' for k, v in lines.items()) + "}\n")
            if unique:
                # Each of wrk's threads numbers its requests; the value: a prefix new in every call,
                # the thread's number, the request's.
                f.write(f'local threads = 0\nfunction setup(thread) threads = threads + 1; thread:set("tid", threads) end\n'
                        f'count = 0\nfunction request() count = count + 1; wrk.headers["{unique}"] = '
                        f'"bench-{os.urandom(6).hex()}-" .. tid .. "-" .. count; return wrk.format() end\n')
        command = ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds}s", "-s", script]
        if latency:
            command.append("--latency")
        command.append(f"https://127.0.0.1:{self.ports[name]}{path}")
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        requests = int(re.search(r"(\d+) requests in", output).group(1))
        duration = float(re.search(r"requests in ([\d.]+)s", output).group(1))
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        result = {"rps": requests / duration, "requests": requests, "ok": requests - (int(non2xx.group(1)) if non2xx else 0),
                  "duration": duration}
        if latency:
            for percentile in ("50", "99"):
                match = re.search(rf"\s{percentile}%\s+([\d.]+)(us|ms|s)", output)
                value = float(match.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[match.group(2)]
                result[f"p{percentile}"] = value
        return result

    def alternated(self, rounds, measure):
        """Ours and the floor measured in turn, `rounds` times each, added up. Each result carries
        `cpu_us`: the workers' CPU time per request."""
        totals = {}
        for _ in range(rounds):
            for name in ("ours", "floor"):
                before = cpu_seconds(self.workers[name])
                result = measure(name)
                result["cpu"] = cpu_seconds(self.workers[name]) - before
                total = totals.setdefault(name, {"requests": 0, "ok": 0, "duration": 0.0, "cpu": 0.0})
                for key in total:
                    total[key] += result[key]
        for total in totals.values():
            total["rps"] = total["requests"] / total["duration"]
            total["cpu_us"] = total["cpu"] * 1e6 / total["requests"]
        return totals

    def variants_alternated(self, rounds, variants):
        """Ours alone, each of `variants` ({label: measure()}) in turn for `rounds` rounds: requests/s and
        the workers' CPU per request over all rounds, and the median of the per-round p50 and p99."""
        totals = {label: {"requests": 0, "ok": 0, "duration": 0.0, "cpu": 0.0, "p50s": [], "p99s": []} for label in variants}
        for _ in range(rounds):
            for label, measure in variants.items():
                before = cpu_seconds(self.workers["ours"])
                result = measure()
                cpu = cpu_seconds(self.workers["ours"]) - before
                total = totals[label]
                for key in ("requests", "ok", "duration"):
                    total[key] += result[key]
                total["cpu"] += cpu
                total["p50s"].append(result["p50"])
                total["p99s"].append(result["p99"])
        for total in totals.values():
            total["rps"] = total["requests"] / total["duration"]
            total["cpu_us"] = total["cpu"] * 1e6 / total["requests"]
            total["p50"] = statistics.median(total.pop("p50s"))
            total["p99"] = statistics.median(total.pop("p99s"))
        return totals

    def keyed_alternated(self, rounds):
        """A keyed request against one with the token, on the paths that answer without a run: GET
        /v1/models (200), and the chat POST while the run lock is held (the busy 503), the latter also
        with an Idempotency-Key (token; another on every request: one key re-sent by 32 connections at
        once would measure its requests waiting for each other's claim); plus an unknown key against no token (401). wrk, 32 connections."""
        seconds = self.seconds
        models = lambda credential: lambda: self.wrk("ours", 32, seconds, token=credential, latency=True, path="/v1/models",
                                                     method="GET")
        busy = lambda credential, unique=None: lambda: self.wrk("ours", 32, seconds, token=credential, latency=True,
                                                                unique=unique)
        unknown = "sk-cf-" + os.urandom(24).hex()
        for label, (credential, path, method, expected) in {
                "models, token": (TOKEN, "/v1/models", "GET", 200), "models, key": (self.key, "/v1/models", "GET", 200),
                "unknown key": (unknown, "/v1/models", "GET", 401)}.items():
            status, data = self.request("ours", method, path, token=credential)
            if status != expected:
                raise RuntimeError(f"ours: {label} got {status}, not {expected}: {data[:200]!r}")
        reject = self.variants_alternated(rounds, {"token": models(True), "key": models(self.key)})
        unauthorized = self.variants_alternated(rounds, {"none": models(False), "unknown": models(unknown)})
        held = self.hold_lock("ours")
        for label, credential in (("token", TOKEN), ("key", self.key)):
            status, data = self.request("ours", "POST", CHAT_PATH, CHAT_BODY % "hi", token=credential)
            if status != 503:
                raise RuntimeError(f"ours: busy with the {label} got {status}, not 503: {data[:200]!r}")
        busied = self.variants_alternated(rounds, {"token": busy(True), "key": busy(self.key),
                                                   "idempotent": busy(True, "Idempotency-Key")})
        self.release_lock(held)
        for label, result in [*reject.items(), *[("busy " + k, v) for k, v in busied.items()]]:
            wanted = result["requests"] if label in ("token", "key") else 0
            if result["ok"] != wanted:
                raise RuntimeError(f"ours: keyed bench, {label}: {result['ok']} of {result['requests']} answered 2xx")
        for label, result in unauthorized.items():
            if result["ok"]:
                raise RuntimeError(f"ours: {label}: {result['ok']} requests accepted")
        return {"reject": reject, "busy": busied, "unauthorized": unauthorized}

    # ---- holding the lock --------------------------------------------------------------------
    def hold_lock(self, name):
        if name in ("ours", "floor"):
            path = self.path("state", "run.lock") if name == "ours" else self.path("floor.lock")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            handle = open(path, "a")
            fcntl.flock(handle, fcntl.LOCK_EX)
            return handle
        # The FastAPI reconstruction's lock is in its process: hold it with a run that sleeps.
        import threading
        threading.Thread(target=lambda: self.request(name, "POST", "/v1/chat/completions", CHAT_BODY % "@bench-sleep"),
                         daemon=True).start()
        wait_until(lambda: self.sleeping_stand_ins())
        return None

    def release_lock(self, handle):
        if handle:
            handle.close()
        self.kill_sleeping_stand_ins()

    def sleeping_stand_ins(self):
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/cmdline", "rb") as f:
                        if f.read().startswith(self.stand_in.encode()):
                            found.append(int(entry))
                except OSError:
                    pass
        return found

    def kill_sleeping_stand_ins(self):
        for pid in self.sleeping_stand_ins():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    # ---- measurements ------------------------------------------------------------------------
    def worker_rss_mib(self, name):
        return max(rss_kib(pid) for pid in self.workers[name]) / 1024

    def payload_latency(self, name, content, runs):
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            status, _ = self.request(name, "POST", "/v1/chat/completions", CHAT_BODY % content)
            times.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise RuntimeError(f"{name}: payload request got {status}")
        return statistics.median(times)

    def streams_alternated(self, content, runs):
        """`stream_timing` of ours for each dialect in STREAMS, one request of each in turn: medians per dialect."""
        timings = {d: ([], []) for d in STREAMS}
        for _ in range(runs):
            for dialect, (firsts, wholes) in timings.items():
                first, whole = self.stream_timing("ours", content, 1, dialect)
                firsts.append(first)
                wholes.append(whole)
        return {d: (statistics.median(f), statistics.median(w)) for d, (f, w) in timings.items()}

    def dialects_alternated(self, rounds):
        """Ours, one connection: chat, responses stored (the default), responses with store: false and
        messages, in turn for `rounds` rounds; the median of each one's per-round p50 and p99."""
        bodies = {"chat": (CHAT_PATH, CHAT_BODY), "responses": (RESPONSES_PATH, RESPONSES_BODY),
                  "responses-unstored": (RESPONSES_PATH, RESPONSES_UNSTORED_BODY), "messages": (MESSAGES_PATH, MESSAGES_BODY)}
        results = {d: [] for d in bodies}
        for _ in range(rounds):
            for dialect, (path, body) in bodies.items():
                result = self.wrk("ours", 1, self.seconds, latency=True, path=path, body=body)
                if not result["ok"]:
                    raise RuntimeError(f"ours: no {dialect} request answered 200")
                results[dialect].append(result)
        summary = {d: {p: statistics.median(r[p] for r in rs) for p in ("p50", "p99")} for d, rs in results.items()}
        for d, rs in results.items():
            summary[d]["requests"] = sum(r["requests"] for r in rs)
            summary[d]["not_ok"] = sum(r["requests"] - r["ok"] for r in rs)
        store = self.path("state", "responses")
        summary["stored_records"] = len(os.listdir(store)) if os.path.isdir(store) else 0
        return summary

    def images_alternated(self, runs):
        """Ours: chat and Messages requests without an image, with a 1 KiB and with a 1 MiB PNG image, one
        of each in turn, `runs` times: {(dialect, image): median ms}. A run with an image goes to the CLI
        as a stream-json line on stdin (the stand-in reads it to its end, as it reads a prompt)."""
        variants = {"none": image_bodies(None), "1KiB": image_bodies(png_base64(1 << 10)),
                    "1MiB": image_bodies(png_base64(1 << 20))}
        times = {(d, v): [] for v in variants for d in ("chat", "messages")}
        for _ in range(runs):
            for (dialect, variant), samples in times.items():
                path, body = variants[variant][dialect]
                started = time.perf_counter()
                status, data = self.request("ours", "POST", path, body)
                samples.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    raise RuntimeError(f"ours: {dialect} with image {variant} got {status}: {data[:200]!r}")
        return {key: statistics.median(samples) for key, samples in times.items()}

    def stream_timing(self, name, content, runs, dialect="chat"):
        """A streamed answer (stream: true): milliseconds to the first content line (chat: the first chunk
        with content; responses: the first `response.output_text.delta` event; messages: the first
        `text_delta` event's data line) and to the end, medians."""
        firsts, wholes = [], []
        path, body, first_mark, done_mark = STREAMS[dialect]
        body = body % content
        for _ in range(runs):
            connection = http.client.HTTPSConnection("127.0.0.1", self.ports[name], context=self.context, timeout=60)
            started = time.perf_counter()
            connection.request("POST", path, body=body,
                               headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
            response = connection.getresponse()
            if response.status != 200:
                raise RuntimeError(f"{name}: streamed request got {response.status}")
            first, done = None, False
            for line in iter(response.readline, b""):
                if first is None and first_mark in line:
                    first = time.perf_counter() - started
                done = done or line.startswith(done_mark)
            wholes.append((time.perf_counter() - started) * 1000)
            connection.close()
            if first is None or not done:
                raise RuntimeError(f"{name}: a streamed {dialect} answer without content or its end")
            firsts.append(first * 1000)
        return statistics.median(firsts), statistics.median(wholes)

    def start_time_ms(self, name, runs):
        """Process start to the first answered request, for one new worker on its own socket."""
        times = []
        for n in range(runs):
            if name == "fastapi":
                port = free_port()
                started = time.perf_counter()
                process = subprocess.Popen(
                    [sys.executable, "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
                     "--log-level", "warning"], cwd=os.path.join(self.repo, "bench", "peers"),
                    env=dict(os.environ, PEER_TOKEN=TOKEN, PEER_CLAUDE=self.stand_in))
                answered = wait_until(lambda: http_get_ok(port), 30)
            else:
                sock = self.path(f"start-{name}-{n}.sock")
                binary, env = (self.ours_bin, self.ours_env()) if name == "ours" else (self.floor_bin, self.floor_env())
                started = time.perf_counter()
                process = subprocess.Popen(["spawn-fcgi", "-n", "-s", sock, "--", binary], env=env,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                answered = wait_until(lambda: fastcgi_answers(sock), 30)
            elapsed = (time.perf_counter() - started) * 1000
            process.terminate()
            process.wait(10)
            if not answered:
                raise RuntimeError(f"{name}: a new worker did not answer")
            times.append(elapsed)
        return statistics.median(times)


def http_get_ok(port):
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        connection.request("GET", "/healthz")
        ok = connection.getresponse().status == 200
        connection.close()
        return ok
    except OSError:
        return False


def fastcgi_answers(path):
    """Sends one FastCGI GET /healthz and says whether an answer came back."""
    def record(kind, content):
        return struct.pack(">BBHHBx", 1, kind, 1, len(content), 0) + content

    def pair(name, value):
        return bytes([len(name)]) + bytes([len(value)]) + name + value

    params = pair(b"REQUEST_METHOD", b"GET") + pair(b"DOCUMENT_URI", b"/healthz") + pair(b"REQUEST_URI", b"/healthz")
    message = (record(1, struct.pack(">HBxxxxx", 1, 0)) + record(4, params) + record(4, b"") + record(5, b""))
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(2)
            s.connect(path)
            s.sendall(message)
            return len(s.recv(8)) > 0
    except OSError:
        return False


def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "–"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["full", "quick"], default="full")
    parser.add_argument("--repo", required=True)
    options = parser.parse_args()
    bench = Bench(options.mode, options.repo)
    names = ("ours", "floor", "fastapi")
    rows = []
    began = time.monotonic()
    try:
        bench.start()
        idle = {n: bench.worker_rss_mib(n) for n in names}

        # Ours and the floor take turns (3 rounds in a full run), so that a neighbour's load on this
        # shared machine falls on both alike; each round also counts the workers' own CPU time.
        rounds = 1 if bench.quick else 3
        reject = bench.alternated(rounds, lambda n: bench.wrk(n, 32, bench.seconds, token=False))
        reject["fastapi"] = bench.wrk("fastapi", 32, bench.seconds, token=False)
        holds = {n: bench.hold_lock(n) for n in ("ours", "floor")}
        busy = bench.alternated(rounds, lambda n: bench.wrk(n, 32, bench.seconds))
        for handle in holds.values():
            bench.release_lock(handle)
        held = bench.hold_lock("fastapi")
        busy["fastapi"] = bench.wrk("fastapi", 32, bench.seconds)
        bench.release_lock(held)
        # A caller's key against the token (ours alone), in turn, the lock held for the busy rows.
        keyed = bench.keyed_alternated(rounds)
        chat1 = {n: bench.wrk(n, 1, bench.seconds, latency=True) for n in names}
        chat8 = {n: bench.wrk(n, 8, bench.seconds) for n in names}
        for n in names:
            for result in (reject[n], busy[n]):
                if result["ok"]:
                    raise RuntimeError(f"{n}: {result['ok']} requests succeeded where all must be refused")
            if not chat1[n]["ok"]:
                raise RuntimeError(f"{n}: no chat request succeeded")

        # Growth after many requests (reject and busy paths, the ones every request takes).
        target = 10_000 if bench.quick else 100_000
        served = {n: 0 for n in names}
        for n in ("ours", "floor"):
            held = bench.hold_lock(n)
            while served[n] < target:
                served[n] += bench.wrk(n, 32, 2)["requests"]
                served[n] += bench.wrk(n, 32, 2, token=False)["requests"]
            bench.release_lock(held)
        grown = {n: bench.worker_rss_mib(n) for n in names}

        runs = 2 if bench.quick else 5
        start = {n: bench.start_time_ms(n, runs) for n in names}
        small, big = "x" * 1024, "x" * (1 << 20)
        # Requests spread over 4 workers, and each worker's first large body or answer pays for memory it
        # had not touched yet: a median of 10 moved by a factor of two from run to run; 40 holds.
        payload_runs = 4 if bench.quick else 40
        payload = {n: (bench.payload_latency(n, small, payload_runs), bench.payload_latency(n, big, payload_runs),
                       bench.payload_latency(n, small + " @bench-big-answer", payload_runs)) for n in names}
        # Streaming is ours alone (the floor and the original answer stream: true with a 400).
        stream_runs = 3 if bench.quick else 10
        paced = bench.streams_alternated("@bench-deltas 10 @bench-pause 50", stream_runs)
        one = bench.streams_alternated("@bench-deltas 1", stream_runs)
        many = bench.streams_alternated("@bench-deltas 2001", stream_runs)
        # The Responses API against chat, ours alone: the same instant stand-in, in turn, one
        # connection; stored (the default: one record file written per response) and not.
        dialects = bench.dialects_alternated(rounds)
        # What an image adds (ours alone: the floor and the original take no images).
        images = bench.images_alternated(payload_runs)
    finally:
        bench.stop()
    # The waiting line by itself (bench/queue, no stack): ~200 hand-overs among 4 waiters, each holding
    # the lock 5 ms; then 8 waiting while the lock is held.
    queue = json.loads(subprocess.run([os.path.join(options.repo, ".build/release/queue-bench"), "200",
                                       "1" if bench.quick else "3"], check=True, capture_output=True, text=True).stdout)
    if queue["tickets_left"]:
        raise RuntimeError(f"queue: {queue['tickets_left']} ticket(s) left in the line")

    def row(label, values, fmt, lower_is_better):
        o, f, p = (values[n] for n in names)
        rows.append((label, fmt.format(o), fmt.format(f), fmt.format(p), ratio(o, f), ratio(o, p),
                     "lower" if lower_is_better else "higher"))

    row("reject (no token → 401), requests/s, 32 conns", {n: reject[n]["rps"] for n in names}, "{:.0f}", False)
    row("busy (lock held → 503), requests/s, 32 conns", {n: busy[n]["rps"] for n in names}, "{:.0f}", False)
    for label, result in (("reject", reject), ("busy", busy)):
        rows.append((f"{label}: worker CPU per request, µs", f"{result['ours']['cpu_us']:.1f}", f"{result['floor']['cpu_us']:.1f}",
                     "–", ratio(result["ours"]["cpu_us"], result["floor"]["cpu_us"]), "–", "lower"))
    row("chat, instant stand-in, p50 ms, 1 conn", {n: chat1[n]["p50"] for n in names}, "{:.2f}", True)
    row("chat, instant stand-in, p99 ms, 1 conn", {n: chat1[n]["p99"] for n in names}, "{:.2f}", True)
    row("chat, instant stand-in, runs/s (200s), 8 conns", {n: chat8[n]["ok"] / chat8[n]["duration"] for n in names}, "{:.0f}", False)
    row("chat, requests/s answered (200 + busy 503), 8 conns", {n: chat8[n]["rps"] for n in names}, "{:.0f}", False)
    row("worker RSS idle, MiB (largest worker)", idle, "{:.1f}", True)
    row(f"worker RSS growth after {target:,} requests, MiB", {n: grown[n] - idle[n] if n != "fastapi" else 0 for n in names},
        "{:.2f}", True)
    row("worker start to first answer, ms", start, "{:.1f}", True)
    row("1 KiB prompt, latency ms (median)", {n: payload[n][0] for n in names}, "{:.2f}", True)
    row("1 MiB prompt adds, ms", {n: payload[n][1] - payload[n][0] for n in names}, "{:.2f}", True)
    row("1 MiB answer adds, ms", {n: payload[n][2] - payload[n][0] for n in names}, "{:.2f}", True)

    def ours_row(label, value, fmt, lower_is_better):
        rows.append((label, fmt.format(value), "–", "–", "–", "–", "lower" if lower_is_better else "higher"))

    for dialect in ("chat", "messages"):
        for variant, label in (("1MiB", "1 MiB"), ("1KiB", "1 KiB")):
            ours_row(f"{label} image adds, ms ({dialect}: one image part against none)",
                     images[(dialect, variant)] - images[(dialect, "none")], "{:.2f}", True)

    ours_row("stream, 10 deltas 50 ms apart: first content byte, ms", paced["chat"][0], "{:.1f}", True)
    ours_row("stream, 10 deltas 50 ms apart: whole answer, ms", paced["chat"][1], "{:.1f}", True)
    ours_row("stream, cost per event (2001 deltas vs 1, no pause), µs", (many["chat"][1] - one["chat"][1]) * 1000 / 2000,
             "{:.1f}", True)

    ours_row(f"queue hand-over (lock released → next in line holds it), p50 ms, {queue['handovers']} hand-overs",
             queue["p50_ms"], "{:.2f}", True)
    ours_row("queue hand-over, p99 ms", queue["p99_ms"], "{:.2f}", True)
    ours_row("queue, 8 waiting while the lock is held: CPU, % of one core", queue["cpu_percent_8_waiting"], "{:.1f}", True)

    # Responses beside chat (ours only: the floor and the original have no /v1/responses).
    chat = dialects["chat"]
    stored, unstored = dialects["responses"], dialects["responses-unstored"]
    messages = dialects["messages"]
    per_event = {d: (many[d][1] - one[d][1]) * 1000 / 2000 for d in STREAMS}
    dialect_rows = [
        ("p50 ms, instant stand-in, 1 conn", chat["p50"], stored["p50"], unstored["p50"], messages["p50"], "{:.2f}"),
        ("p99 ms, instant stand-in, 1 conn", chat["p99"], stored["p99"], unstored["p99"], messages["p99"], "{:.2f}"),
        ("stream, first content byte, ms", paced["chat"][0], paced["responses"][0], None, paced["messages"][0], "{:.2f}"),
        ("stream, 10 deltas 50 ms apart: whole answer, ms", paced["chat"][1], paced["responses"][1], None,
         paced["messages"][1], "{:.1f}"),
        ("stream, cost per event (2001 deltas vs 1), µs", per_event["chat"], per_event["responses"], None,
         per_event["messages"], "{:.1f}"),
    ]

    # A key of the keys file against the token (ours alone).
    reject_k, busy_k, unauth_k = keyed["reject"], keyed["busy"], keyed["unauthorized"]
    keyed_rows = [
        ("reject: GET /v1/models (200, no run)", reject_k["token"], reject_k["key"]),
        ("busy: chat POST, lock held (503)", busy_k["token"], busy_k["key"]),
        ("busy, the token with an Idempotency-Key (keyed columns: with the header)", busy_k["token"], busy_k["idempotent"]),
        ("401: an unknown key (token columns: no credential)", unauth_k["none"], unauth_k["unknown"]),
    ]

    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    print(f"claude-fcgi benchmark, {options.mode} run, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
          f"nproc {os.cpu_count()}, {cpu}; {time.monotonic() - began:.0f} s")
    print("Ours: 4 workers (spawn-fcgi); floor: 4 workers (spawn-fcgi); FastAPI: 1 uvicorn worker (its asyncio lock is "
          "per process). One nginx, same TLS; wrk over HTTPS. Growth is not measured for FastAPI (–).")
    print(f"Reject and busy: ours and the floor in turn, {1 if options.mode == 'quick' else 3} round(s) each; worker CPU "
          "from /proc/PID/stat (ours: the worker processes, not their idle supervisors).\n")
    print("| measure | ours | C floor | FastAPI | ours/floor | ours/FastAPI | better |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print(f"\nOurs, POST /v1/responses and POST /v1/messages beside POST /v1/chat/completions, measured in turn "
          f"({rounds} round(s) of {bench.seconds} s each with wrk; streams: {stream_runs} requests each, alternated; "
          "medians). Stream first content byte: chat's first chunk with content, the first response.output_text.delta "
          f"event, the first text_delta event. Records stored by the end: {dialects['stored_records']}. "
          f"Not 200 (requests): chat {chat['not_ok']} ({chat['requests']}), responses {stored['not_ok']} "
          f"({stored['requests']}), store: false {unstored['not_ok']} ({unstored['requests']}), messages "
          f"{messages['not_ok']} ({messages['requests']}).\n")
    print("| measure | chat | responses | responses/chat | responses, store: false | /chat | messages | messages/chat |")
    print("|---|---|---|---|---|---|---|---|")
    for label, c, r, u, m, fmt in dialect_rows:
        print(f"| {label} | {fmt.format(c)} | {fmt.format(r)} | {ratio(r, c)} | "
              f"{fmt.format(u) if u is not None else '–'} | {ratio(u, c) if u is not None else '–'} | "
              f"{fmt.format(m)} | {ratio(m, c)} |")

    print(f"\nOurs, a caller's key (one of {KEY_CALLERS} in the keys file, each with limits) against the token, in turn "
          f"({rounds} round(s) of {bench.seconds} s each, wrk, 32 connections; p50 and p99: the median of the rounds'; "
          "CPU: the workers' per request, from /proc/PID/stat).\n")
    print("| path | token p50 ms | keyed p50 ms | p50 keyed/token | token p99 ms | keyed p99 ms | p99 keyed/token "
          "| token req/s | keyed req/s | token CPU µs | keyed CPU µs | CPU keyed/token |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for label, t, k in keyed_rows:
        print(f"| {label} | {t['p50']:.2f} | {k['p50']:.2f} | {ratio(k['p50'], t['p50'])} | {t['p99']:.2f} | {k['p99']:.2f} | "
              f"{ratio(k['p99'], t['p99'])} | {t['rps']:.0f} | {k['rps']:.0f} | {t['cpu_us']:.1f} | {k['cpu_us']:.1f} | "
              f"{ratio(k['cpu_us'], t['cpu_us'])} |")


if __name__ == "__main__":
    main()
