"""Images through `claude -p --input-format stream-json`: the same cases against the real CLI (bundled in
claude-agent-sdk, against mock_anthropic.py) and against fake-claude, so that the stand-in stays honest.

Each run is the service's: argv `-p --input-format stream-json --output-format stream-json --verbose
--no-session-persistence [--include-partial-messages] [--json-schema S]`, stdin one user line, then closed.
What arrived is read from the mock's request (real) or the stand-in's record (fake); both answer the
`describe-images` directive with the same text, so the answer itself shows the images got through.
No stack: the executables run directly.
"""
import base64
import glob
import hashlib
import json
import os
import shutil
import struct
import subprocess
import tempfile
import zlib

import pytest

from conftest import FAKE_CLAUDE
from mock_anthropic import MockAnthropic, describe_images
from test_real_claude import REAL_CLAUDE, clean_claude_environment

KINDS = ["real", "fake"]
BASE_ARGS = ["-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose",
             "--no-session-persistence"]
URL = "https://example.com/a.png"
SCHEMA = '{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name","age"],"additionalProperties":false}'


def png(width, height, seed=0):
    """A real PNG (RGB, 8 bits) of the given size, its pixels made from seed."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    rows = b"".join(b"\x00" + bytes((seed + x * 7 + y * 13) % 256 for x in range(width * 3)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def base64_image(data):
    return {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": base64.b64encode(data).decode()}}


def url_image(url):
    return {"type": "image", "source": {"type": "url", "url": url}}


def expected(data):
    """What both sides must report of a PNG sent as base64."""
    return {"source_type": "base64", "media_type": "image/png", "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data), "url": None}


def expected_url(url):
    return {"source_type": "url", "media_type": None, "sha256": None, "bytes": None, "url": url}


def user_line(prompt, images):
    """The service's stdin: the prompt, then each image after its `[image N]` marker."""
    content = [{"type": "text", "text": prompt}]
    for n, image in enumerate(images, 1):
        content += [{"type": "text", "text": f"[image {n}]"}, image]
    return json.dumps({"type": "user", "message": {"role": "user", "content": content}}) + "\n"


class Runner:
    """Runs one kind of CLI (real against the mock, or the stand-in) and says what the 'API' received."""

    def __init__(self, kind, mock, home, workdir):
        self.kind, self.mock, self.workdir = kind, mock, workdir
        self.executable = REAL_CLAUDE if kind == "real" else FAKE_CLAUDE
        self.env = dict(os.environ, **clean_claude_environment(home))
        if kind == "real":
            self.env.update({"ANTHROPIC_BASE_URL": mock.url, "ANTHROPIC_API_KEY": "dummy",
                             "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1", "CLAUDE_CODE_MAX_RETRIES": "2"})

    def run(self, args, stdin):
        """(rc, stdout lines, stderr, images received, API requests made) of one run."""
        before = len(self.mock.messages())
        process = subprocess.Popen([self.executable] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, cwd=self.workdir, env=self.env)
        out, err = process.communicate(stdin.encode(), timeout=120)
        if self.kind == "real":
            requests = self.mock.messages()[before:]
            received = self.mock.images(before) if requests else None
        else:
            # Stdin closed with nothing sent: the fake (as the CLI) exits having done nothing, and leaves no record.
            paths = glob.glob(os.path.join(self.workdir, ".fake-claude", f"*-{process.pid}.json"))
            assert len(paths) <= 1, paths
            record = {}
            for path in paths:
                with open(path) as f:
                    record = json.load(f)
            assert "iVBORw0KGgo" not in json.dumps(record), "a PNG's base64 data in the record"
            received = record["images"] if record.get("prompt") or record.get("images") else None
            requests = [record] if received is not None else []
        lines = [json.loads(line) for line in out.decode().splitlines()]
        return process.returncode, lines, err.decode(), received, len(requests)


@pytest.fixture(scope="module")
def mock():
    server = MockAnthropic()
    yield server
    server.close()


@pytest.fixture(scope="module", params=KINDS)
def cli(request, mock):
    if request.param == "real" and (REAL_CLAUDE is None or not os.access(REAL_CLAUDE, os.X_OK)):
        pytest.skip("claude-agent-sdk with its bundled claude is not installed")
    home = tempfile.mkdtemp(prefix="claude-fcgi-e2e-home-")
    workdir = tempfile.mkdtemp(prefix="claude-fcgi-e2e-work-")
    yield Runner(request.param, mock, home, workdir)
    shutil.rmtree(workdir, ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)


def result_of(lines):
    [result] = [line for line in lines if line["type"] == "result"]
    return result


def streamed_text(lines):
    return "".join(line["event"]["delta"]["text"] for line in lines
                   if line["type"] == "stream_event" and line["event"]["type"] == "content_block_delta"
                   and line["event"]["delta"]["type"] == "text_delta")


def check_answer(cli, images, sent, partial=False, args=()):
    """Runs the line, checks rc 0, success, the images the API got and the answer that lists them."""
    extra = ["--include-partial-messages"] if partial else []
    prompt = "Describe these.\n@mock describe-images\n@fake describe-images"
    rc, lines, err, received, requests = cli.run(BASE_ARGS + extra + list(args), user_line(prompt, sent))
    assert rc == 0, err
    assert requests == 1
    assert received == images
    result = result_of(lines)
    assert (result["subtype"], result["is_error"]) == ("success", False)
    assert result["result"] == describe_images(images)
    if partial:
        assert streamed_text(lines) == result["result"]
    else:
        assert not [line for line in lines if line["type"] == "stream_event"]
    return result


@pytest.mark.parametrize("partial", [False, True], ids=["whole", "partial"])
def test_one_base64_png_arrives_intact(cli, partial):
    data = png(1, 1)
    check_answer(cli, [expected(data)], [base64_image(data)], partial)


def test_a_url_image_reaches_the_api_as_a_url_source(cli):
    check_answer(cli, [expected_url(URL)], [url_image(URL)])


def test_images_keep_their_order(cli):
    first, second = png(3, 2, seed=5), png(1, 1)
    check_answer(cli, [expected(first), expected_url(URL), expected(second)],
                 [base64_image(first), url_image(URL), base64_image(second)], partial=True)


def test_structured_output_with_an_image(cli):
    data = png(2, 2, seed=9)
    value = {"name": "Ada", "age": 36}
    prompt = f"Extract the person.\n@mock tool StructuredOutput {json.dumps(value)}\n@fake structured {json.dumps(value)}"
    rc, lines, err, received, requests = cli.run(BASE_ARGS + ["--json-schema", SCHEMA],
                                                 user_line(prompt, [base64_image(data)]))
    assert rc == 0, err
    assert requests == 1, "a valid value ends the run without a further request"
    assert received == [expected(data)]
    result = result_of(lines)
    assert (result["subtype"], result["is_error"]) == ("success", False)
    assert result["structured_output"] == value
    assert json.loads(result["result"]) == value


@pytest.mark.parametrize("args, stdin, rc, stderr", [
    (["-p", "--input-format", "stream-json", "--output-format", "json"], user_line("hi", []), 1,
     "Error: --input-format=stream-json requires output-format=stream-json.\n"),
    (["-p", "--input-format", "stream-json", "--output-format", "stream-json"], user_line("hi", []), 1,
     "Error: When using --print, --output-format=stream-json requires --verbose\n"),
    (["-p", "--input-format", "xml", "--output-format", "stream-json", "--verbose"], user_line("hi", []), 1,
     "error: option '--input-format <format>' argument 'xml' is invalid. Allowed choices are text, stream-json.\n"),
    (BASE_ARGS, "hello wo\n", 1, "Error parsing streaming input line (type=unknown, 8 chars): SyntaxError\n"),
    (BASE_ARGS, "", 0, ""),
    (BASE_ARGS, '{"type":"note","text":"not a user line"}\n', 0, ""),
], ids=["json-output", "no-verbose", "unknown-format", "not-json", "no-input", "no-user-line"])
def test_what_the_cli_refuses_or_skips(cli, args, stdin, rc, stderr):
    got_rc, lines, err, _, requests = cli.run(args, stdin)
    assert (got_rc, err, lines, requests) == (rc, stderr, [], 0)
