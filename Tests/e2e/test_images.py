"""Images through the stack with the stand-in claude: how a run with images is started (stream-json
input, the images after their labels), streamed, continued, counted in the audit line and kept out of
every log; and the refusals, before any run, in each dialect's shape."""
import base64
import hashlib
import json
import os
import shutil
import struct
import tempfile
import time
import zlib

import openai
import pytest
from conftest import Stack, audit_lines

MODEL = "recruiter-triage"


def png(seed=0, size=1):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    rows = b"".join(b"\x00" + bytes([(seed + x) % 256, 0, 0]) * size for x in range(size))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def b64(data):
    return base64.b64encode(data).decode()


def seen(data):
    return {"source_type": "base64", "media_type": "image/png", "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data), "url": None}


@pytest.fixture(scope="module")
def istack():
    # Stored responses keep sessions: in a directory of the test's own.
    config = tempfile.mkdtemp(prefix="claude-fcgi-images-config-", dir="/tmp")
    s = Stack(workers=2, env={"CLAUDE_FCGI_STREAMING": "on", "CLAUDE_FCGI_MAX_IMAGES": "3", "CLAUDE_CONFIG_DIR": config})
    yield s
    assert s.stop() == []
    shutil.rmtree(config, ignore_errors=True)
    shutil.rmtree(s.runtime, ignore_errors=True)


@pytest.fixture
def client(istack):
    return openai.OpenAI(base_url=istack.url + "/v1", api_key=istack.token, max_retries=0,
                         http_client=openai.DefaultHttpxClient(verify=istack.ssl_context))


def last_record(stack):
    return stack.records()[-1]


def test_a_chat_image_goes_to_the_cli_as_a_stream_json_message(istack, client):
    data = png(1, size=40)
    reply = client.chat.completions.create(model=MODEL, messages=[
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": "Before:"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64," + b64(data)}},
                                     {"type": "text", "text": "After:"}, {"type": "image_url", "image_url": "https://example.com/b.png"},
                                     {"type": "text", "text": "What changed?\n@fake describe-images"}]}])
    record = last_record(istack)
    argv = record["argv"]
    assert argv[1:7] == ["-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose"]
    assert "--include-partial-messages" not in argv
    assert record["images"] == [seen(data), {"source_type": "url", "media_type": None, "sha256": None, "bytes": None,
                                             "url": "https://example.com/b.png"}]
    # One user line: the prompt, then each image after its label.
    line = json.loads(record["stdin"])
    content = line["message"]["content"]
    assert [b["type"] for b in content] == ["text", "text", "image", "text", "image"]
    assert [content[1]["text"], content[3]["text"]] == ["[image 1]", "[image 2]"]
    assert content[0]["text"] == ("System instructions:\nBe brief.\n\n---\n\nRequest:\n"
                                  "Before:\n[image 1]\nAfter:\n[image 2]\nWhat changed?\n@fake describe-images")
    assert reply.choices[0].message.content == f"2 images: image/png {len(data)} bytes sha256 {seen(data)['sha256']}, url https://example.com/b.png"
    # Counted in the audit line, never written to a log.
    assert audit_lines(istack)[-1]["images"] == 2
    for name in ["worker.log", "nginx-access.log", "nginx-error.log", os.path.join("state", "audit.log")]:
        assert b64(data)[:64] not in istack.log(name)


def test_a_text_run_is_as_it_was(istack, client):
    client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}])
    record = last_record(istack)
    assert record["argv"][1:4] == ["-p", "--output-format", "json"] and record["stdin"] == "Request:\nhi"
    assert "images" not in audit_lines(istack)[-1]


def test_a_streamed_answer_with_an_image_streams(istack, client):
    data = png(2)
    chunks = list(client.chat.completions.create(model=MODEL, stream=True, messages=[{"role": "user", "content": [
        {"type": "text", "text": "Describe\n@fake describe-images"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64," + b64(data)}}]}]))
    assert "--include-partial-messages" in last_record(istack)["argv"]
    pieces = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(pieces) > 1 and "".join(pieces).startswith("1 image: image/png")


def test_a_continued_response_sends_only_its_new_image(istack, client):
    first, second = png(3), png(4)
    one = client.responses.create(model=MODEL, input=[{"role": "user", "content": [
        {"type": "input_text", "text": "Remember this"}, {"type": "input_image", "image_url": "data:image/png;base64," + b64(first)}]}])
    client.responses.create(model=MODEL, previous_response_id=one.id, input=[{"role": "user", "content": [
        {"type": "input_text", "text": "And this one?\n@fake describe-images"},
        {"type": "input_image", "image_url": "data:image/png;base64," + b64(second), "detail": "high"}]}])
    record = last_record(istack)
    assert record["resumed"] and record["images"] == [seen(second)]


def test_a_tool_result_may_hold_an_image(istack):
    data = png(5)
    r = istack.post("/v1/messages", body={"model": MODEL, "max_tokens": 100, "messages": [
        {"role": "user", "content": "Take a screenshot"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "screenshot", "input": {}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": [
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": b64(data)}}]},
            {"type": "text", "text": "What do you see?\n@fake describe-images"}]}]})
    assert r.status_code == 200, r.text
    record = last_record(istack)
    assert record["images"] == [seen(data)]
    assert "Function screenshot returned (call id toolu_1): [image 1]" in json.loads(record["stdin"])["message"]["content"][0]["text"]


JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
REFUSED = [
    # (what, the image part in chat's words, the field named)
    ("not base64", {"url": "data:image/png;base64,@@@@"}, "holds image data that is not base64"),
    ("declared png, bytes jpeg", {"url": "data:image/png;base64," + b64(JPEG)}, "declares media type 'image/png' but its bytes are image/jpeg"),
    ("not an image", {"url": "data:image/png;base64," + b64(b"GIF8 not really")}, "is not a JPEG, PNG, GIF or WebP image"),
    ("http", {"url": "http://example.com/a.png"}, "must be an https URL"),
    ("file", {"url": "file:///etc/passwd"}, "must be an https URL"),
    ("data URL not base64", {"url": "data:image/png,abc"}, "must be a base64 data URL"),
]


@pytest.mark.parametrize("what,image,words", REFUSED, ids=[r[0] for r in REFUSED])
def test_a_bad_image_is_refused_before_any_run(istack, what, image, words):
    before = len(istack.records())
    r = istack.post("/v1/chat/completions", body={"model": MODEL, "messages": [
        {"role": "user", "content": [{"type": "image_url", "image_url": image}, {"type": "text", "text": "hi"}]}]})
    assert r.status_code == 400 and words in r.json()["error"], r.text
    r = istack.post("/v1/responses", body={"model": MODEL, "input": [
        {"role": "user", "content": [{"type": "input_image", "image_url": image["url"]}, {"type": "input_text", "text": "hi"}]}]})
    assert r.status_code == 400 and words in r.json()["error"]["message"] and r.json()["error"]["param"] == "input[0].content[0]", r.text
    assert len(istack.records()) == before


def test_too_many_or_too_large_images_are_refused(istack):
    before = len(istack.records())
    part = {"type": "image_url", "image_url": {"url": "data:image/png;base64," + b64(png(6))}}
    r = istack.post("/v1/chat/completions", body={"model": MODEL, "messages": [{"role": "user", "content": [part] * 4}]})
    assert r.status_code == 400 and r.json()["error"] == "messages holds 4 images; at most 3 are accepted in one request"
    big = b"\x89PNG\r\n\x1a\n" + b"\x00" * (5 << 20)
    r = istack.post("/v1/messages", body={"model": MODEL, "max_tokens": 10, "messages": [{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": b64(big)}}]}]})
    assert r.status_code == 400 and r.json()["error"] == {
        "type": "invalid_request_error",
        "message": f"messages[0].content[0] is an image of {len(big)} bytes; the most one image may be is {5 << 20} bytes"}
    assert len(istack.records()) == before


def test_a_background_response_takes_its_image(istack, client):
    data = png(7)
    started = client.responses.create(model=MODEL, background=True, input=[{"role": "user", "content": [
        {"type": "input_text", "text": "Look\n@fake describe-images"}, {"type": "input_image", "image_url": "data:image/png;base64," + b64(data)}]}])
    for _ in range(100):
        done = client.responses.retrieve(started.id)
        if done.status != "in_progress":
            break
        time.sleep(0.1)
    assert done.status == "completed" and done.output_text.startswith("1 image: image/png")
    assert last_record(istack)["images"] == [seen(data)]
    # The job's record holds the prompt's text, not the image.
    jobs = os.path.join(istack.runtime, "state", "jobs")
    for name in os.listdir(jobs):
        with open(os.path.join(jobs, name), errors="replace") as f:
            assert b64(data)[:64] not in f.read()
