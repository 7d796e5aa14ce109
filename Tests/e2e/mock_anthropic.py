"""A local mock of the Anthropic Messages API, for the real `claude` CLI (stdlib only, loopback only).

It answers `POST /v1/messages` with the server-sent events the CLI needs (../shared/claude-cli.md,
"What the mock must answer"), steered by directive lines in the run's prompt (the first user
message), `@mock <verb> [argument]`:
  text TEXT               answer TEXT, streamed in four deltas (default: "Hello from the mock server.")
  tool NAME JSON          answer with a tool_use block of tool NAME and input JSON (stop_reason tool_use)
  status CODE             answer HTTP CODE with an Anthropic error body (529: overloaded_error)
  usage IN OUT CW CR      the usage figures: input, output, cache creation, cache read tokens
  pause SECONDS           wait between deltas
  error_after K           the first streaming request of this prompt breaks off after K text deltas with an
                          `event: error` (overloaded); later requests answer as usual
  cut_after K             the first streaming request of this prompt closes the connection after K deltas
  then_status CODE        every request of this prompt but the first answers HTTP CODE
  describe-images         answer with the request's images, as fake-claude's directive of that name does:
                          `2 images: image/png 92 bytes sha256 HEX, url URL`
Every POST is kept in `requests` (path, headers, parsed body, the body's size in bytes) for the tests to read;
every request of any method, a malformed one included, in `seen` (method, path, time.time() when it came), and
the time of every connection in `connections` (one that sends nothing is no request);
`images(body)` (or `mock.images()` for the last request) says what image blocks a request carried.
"""
import base64
import binascii
import hashlib
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_TEXT = "Hello from the mock server."


def directives(body):
    """The @mock lines of the first message's text blocks."""
    found = {}
    messages = body.get("messages") or []
    if not messages:
        return found
    content = messages[0].get("content")
    blocks = [content] if isinstance(content, str) else [b.get("text", "") for b in content or [] if isinstance(b, dict)]
    for block in blocks:
        for line in block.splitlines():
            if line.startswith("@mock "):
                verb, _, rest = line[6:].partition(" ")
                found[verb] = rest
    return found


def describe_images(found):
    parts = [f"url {i['url']}" if i["source_type"] == "url" else f"{i['media_type']} {i['bytes']} bytes sha256 {i['sha256']}"
             for i in found]
    return f"{len(found)} image{'' if len(found) == 1 else 's'}" + (": " + ", ".join(parts) if parts else "")


def images(body):
    """The image blocks of a request's messages, in order (those inside tool results included), each as
    {source_type, media_type, sha256 and bytes of the decoded data (None if it does not decode), url}."""
    found = []

    def walk(content):
        for block in content if isinstance(content, list) else []:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "image":
                source = block.get("source") or {}
                image = {"source_type": source.get("type"), "media_type": source.get("media_type"),
                         "sha256": None, "bytes": None, "url": source.get("url")}
                if source.get("type") == "base64":
                    try:
                        data = base64.b64decode(source.get("data", ""), validate=True)
                        image.update(sha256=hashlib.sha256(data).hexdigest(), bytes=len(data))
                    except (binascii.Error, ValueError):
                        pass
                found.append(image)
            elif block.get("type") == "tool_result":
                walk(block.get("content"))

    for message in body.get("messages") or []:
        walk(message.get("content"))
    return found


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A client that hangs up mid-answer (a cancelled run's CLI) is no error of the mock's.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class MockAnthropic:
    def __init__(self):
        self.requests = []
        self.seen = []
        self.connections = []
        self.attempts = {}
        self.server = QuietServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def messages(self):
        """The bodies of the POST /v1/messages requests so far."""
        return [r["body"] for r in self.requests if r["path"].startswith("/v1/messages")]

    def images(self, index=-1):
        """The image blocks of one POST /v1/messages request (default: the last), as `images(body)` gives them."""
        return images(self.messages()[index])

    def _handler(self):
        mock = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def setup(self):
                mock.connections.append(time.time())
                super().setup()

            def parse_request(self):
                # Before any method's handler (or the 501 for one the mock has none of): what every client sent.
                parsed = super().parse_request()
                mock.seen.append({"method": getattr(self, "command", None), "path": getattr(self, "path", None),
                                  "time": time.time()})
                return parsed

            def do_HEAD(self):
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {}
                mock.requests.append({"path": self.path, "headers": dict(self.headers), "body": body, "bytes": len(raw)})
                if not self.path.startswith("/v1/messages"):
                    self._json(404, {"type": "error", "error": {"type": "not_found_error", "message": "mock: no such path"}})
                    return
                d = directives(body)
                key = json.dumps(sorted(d.items()))
                attempt = mock.attempts[key] = mock.attempts.get(key, 0) + 1
                if attempt > 1 and "then_status" in d:
                    d["status"] = d["then_status"]
                if "status" in d:
                    code = int(d["status"])
                    kind = "overloaded_error" if code == 529 else "api_error"
                    self._json(code, {"type": "error", "error": {"type": kind, "message": f"mock {kind}"}})
                    return
                usage = [int(x) for x in d.get("usage", "1234 7 0 0").split()]
                if "tool" in d:
                    name, _, value = d["tool"].partition(" ")
                    block = {"type": "tool_use", "id": f"toolu_mock{len(mock.requests)}", "name": name, "input": {}}
                    pieces = [{"type": "input_json_delta", "partial_json": value}]
                    stop = "tool_use"
                else:
                    text = describe_images(images(body)) if "describe-images" in d else d.get("text", DEFAULT_TEXT)
                    block = {"type": "text", "text": ""}
                    step = max(1, -(-len(text) // 4))
                    pieces = [{"type": "text_delta", "text": text[i:i + step]} for i in range(0, len(text), step)]
                    stop = "end_turn"
                if not body.get("stream"):
                    self._json(200, self._message(body, block, pieces, stop, usage))
                    return
                breaks = None
                if attempt == 1 and ("error_after" in d or "cut_after" in d):
                    breaks = ("error", int(d["error_after"])) if "error_after" in d else ("cut", int(d["cut_after"]))
                self._stream(body, block, pieces, stop, usage, float(d.get("pause", "0")), breaks)

            def _message(self, body, block, pieces, stop, usage):
                if block["type"] == "tool_use":
                    content = dict(block, input=json.loads(pieces[0]["partial_json"]))
                else:
                    content = {"type": "text", "text": "".join(p["text"] for p in pieces)}
                return {"id": f"msg_mock{len(mock.requests)}", "type": "message", "role": "assistant",
                        "model": body.get("model", "mock"), "content": [content], "stop_reason": stop,
                        "stop_sequence": None, "usage": self._usage(usage)}

            @staticmethod
            def _usage(usage):
                return {"input_tokens": usage[0], "output_tokens": usage[1],
                        "cache_creation_input_tokens": usage[2], "cache_read_input_tokens": usage[3]}

            def _stream(self, body, block, pieces, stop, usage, pause, breaks=None):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                start_usage = dict(self._usage(usage), output_tokens=1)
                events = [
                    ("message_start", {"type": "message_start", "message": {
                        "id": f"msg_mock{len(mock.requests)}", "type": "message", "role": "assistant",
                        "model": body.get("model", "mock"), "content": [], "stop_reason": None,
                        "stop_sequence": None, "usage": start_usage}}),
                    ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": block}),
                ]
                events += [("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": p}) for p in pieces]
                events += [
                    ("content_block_stop", {"type": "content_block_stop", "index": 0}),
                    ("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                                       "usage": {"output_tokens": usage[1]}}),
                    ("message_stop", {"type": "message_stop"}),
                ]
                sent = 0
                for name, data in events:
                    if breaks and name == "content_block_delta" and sent == breaks[1]:
                        if breaks[0] == "error":
                            error = {"type": "error", "error": {"type": "overloaded_error", "message": "mock overloaded mid-stream"}}
                            self.wfile.write(f"event: error\ndata: {json.dumps(error)}\n\n".encode())
                            self.wfile.flush()
                        break
                    self.wfile.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
                    self.wfile.flush()
                    if name == "content_block_delta":
                        sent += 1
                        if pause:
                            time.sleep(pause)
                self.close_connection = True

            def _json(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if status == 529 or status >= 500:
                    self.send_header("x-should-retry", "true")
                self.end_headers()
                self.wfile.write(data)

        return Handler
