"""Bad input never costs a worker or a run: the corpus in bad_requests.py, sent through nginx."""
import json
import socket
import ssl

import pytest

from bad_requests import CORPUS, MESSAGES_CORPUS, RESPONSES_CORPUS
from conftest import audit_lines, process_alive


# Corpus entries whose answer must name the field they get wrong (the entry's first word).
NAMED_FIELDS = {"response_format", "tools", "tool_choice", "parallel_tool_calls", "functions", "function_call"}


def send_raw(stack, raw):
    context = ssl.create_default_context(cafile=stack.ca)
    with socket.create_connection(("127.0.0.1", stack.port), timeout=30) as sock:
        with context.wrap_socket(sock, server_hostname="localhost") as tls:
            try:
                tls.sendall(raw.replace(b"TOKEN", stack.token.encode()))
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                pass  # nginx may answer (413) and close before it has read all of a large body
            data = b""
            while True:
                try:
                    chunk = tls.recv(65536)
                except (ConnectionResetError, ssl.SSLError):
                    break
                if not chunk:
                    break
                data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 40
    assert len({name for name, _ in CORPUS}) == len(CORPUS)
    assert len(RESPONSES_CORPUS) >= 40
    assert len({entry[0] for entry in RESPONSES_CORPUS}) == len(RESPONSES_CORPUS)
    assert len(MESSAGES_CORPUS) >= 40
    assert len({entry[0] for entry in MESSAGES_CORPUS}) == len(MESSAGES_CORPUS)


@pytest.fixture(scope="module")
def before(stack):
    return {"records": len(stack.records()), "audit": len(audit_lines(stack)), "workers": stack.worker_pids}


def json_answer(stack, raw, expected=None):
    """Sends a raw request: its status (a 4xx, or `expected`), its JSON body parsed, and the body's bytes."""
    status, headers, body = send_raw(stack, raw)
    assert (400 <= status < 500) if expected is None else status == expected, (status, body[:300])
    assert headers.get("content-type") == "application/json", headers
    return status, json.loads(body), body


@pytest.mark.parametrize("name,raw", CORPUS, ids=[name for name, _ in CORPUS])
def test_bad_request_gets_a_json_4xx(stack, before, name, raw):
    status, document, body = json_answer(stack, raw)
    assert isinstance(document, dict) and isinstance(document.get("error"), str) and document["error"]
    assert stack.token.encode() not in body
    field = name.split()[0]
    if field in NAMED_FIELDS:
        assert status == 400 and field in document["error"], document


@pytest.mark.parametrize("name,raw,status,param", RESPONSES_CORPUS, ids=[entry[0] for entry in RESPONSES_CORPUS])
def test_bad_responses_request_gets_an_openai_error_naming_the_field(stack, before, name, raw, status, param):
    _, document, body = json_answer(stack, raw, status)
    assert list(document) == ["error"] and isinstance(document["error"], dict), document
    error = document["error"]
    assert set(error) == {"message", "type", "param", "code"}, error
    assert isinstance(error["message"], str) and error["message"], error
    assert error["type"] == "invalid_request_error", error
    assert error["param"] == param, error
    if status == 404:
        assert error["code"] == "previous_response_not_found", error
    assert stack.token.encode() not in body


# The Messages API's error types by status (messages-design.md).
ANTHROPIC_TYPES = {400: "invalid_request_error", 401: "authentication_error", 404: "not_found_error", 413: "request_too_large",
                   415: "invalid_request_error"}


@pytest.mark.parametrize("name,raw,status,field", MESSAGES_CORPUS, ids=[entry[0] for entry in MESSAGES_CORPUS])
def test_bad_messages_request_gets_an_anthropic_error_naming_the_field(stack, before, name, raw, status, field):
    _, document, body = json_answer(stack, raw, status)
    assert list(document) == ["type", "error"] and document["type"] == "error", document
    error = document["error"]
    assert list(error) == ["type", "message"], error
    assert error["type"] == ANTHROPIC_TYPES[status], error
    assert isinstance(error["message"], str) and error["message"], error
    if field is not None:
        assert field in error["message"], error
    assert stack.token.encode() not in body


def test_after_the_corpus_no_run_started_and_workers_still_answer(stack, before):
    assert len(stack.records()) == before["records"], "a bad request started a claude run"
    assert len(audit_lines(stack)) == before["audit"]
    assert stack.worker_pids == before["workers"]
    assert all(process_alive(p) for p in before["workers"]), "a worker died"
    for _ in range(len(before["workers"]) * 2):
        assert stack.client.get("/healthz").json() == {"status": "ok"}
    r = stack.chat("a good request after the corpus")
    assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"] == "fake answer"


def test_a_well_formed_chunked_body_is_accepted(stack):
    body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "chunked"}]}).encode()
    raw = (b"POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: Bearer TOKEN\r\n"
           b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
           + hex(len(body))[2:].encode() + b"\r\n" + body + b"\r\n0\r\n\r\n")
    status, _, response = send_raw(stack, raw)
    assert status == 200, response
