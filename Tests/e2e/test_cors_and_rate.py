"""nginx's CORS for browser clients and its rate limit per credential (deploy/nginx.conf), through a stack
rendered with two allowed origins and a small limit (CLAUDE_FCGI_CORS_ORIGINS, CLAUDE_FCGI_NGINX_RATE and
_BURST of scripts/run-local). A preflight is nginx's own answer; every answer of /v1/, errors included,
names an allowed origin and no other; a credential over its limit gets 429 in its dialect's shape with
Retry-After, and another credential is not held back."""
import os
import shutil

import anthropic
import httpx2 as httpx
import openai
import pytest

from conftest import Stack
from test_fleet import fleet  # noqa: F401 (a fixture)
from test_messages_nginx import exchange

ALLOWED = "https://app.test"
OTHER_ALLOWED = "http://localhost:5173"
REFUSED = "https://evil.test"
BURST = 20
CORS_HEADERS = ("access-control-allow-origin", "access-control-allow-methods", "access-control-allow-headers",
                "access-control-max-age", "access-control-expose-headers")
# The paths of the three dialects and the service's (a nested location, /v1/chat/completions, among them).
V1_PATHS = ["/v1/chat/completions", "/v1/models", "/v1/responses", "/v1/responses/resp_1", "/v1/messages",
            "/v1/messages/count_tokens"]


@pytest.fixture(scope="module")
def cstack():
    # One request a minute, after a burst of 20: a test's burst is never drained while it runs.
    s = Stack(workers=2, env={"CLAUDE_FCGI_CORS_ORIGINS": f"{ALLOWED} {OTHER_ALLOWED}",
                              "CLAUDE_FCGI_NGINX_RATE": "1r/m", "CLAUDE_FCGI_NGINX_BURST": str(BURST)})
    yield s
    left = s.stop()
    shutil.rmtree(s.runtime, ignore_errors=True)
    assert left == [], f"workers still running after run-local stopped: {left}"


def fresh_token():
    """A credential of its own (the worker refuses it: 401), so that each test has its own count."""
    return "rate-" + os.urandom(8).hex()


def cors_of(response):
    return {k: v for k, v in response.headers.items() if k.lower() in CORS_HEADERS}


def preflight(stack, path, origin, headers="authorization, content-type"):
    return stack.client.options(path, headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                               "Access-Control-Request-Headers": headers})


def sdk_request_headers():
    """The header names the OpenAI and Anthropic SDKs send, as captured from a request of each."""
    seen = set()

    def capture(request):
        seen.update(name.lower() for name in request.headers.keys())
        return httpx.Response(400, json={"error": {"message": "captured", "type": "invalid_request_error"}})

    transport = httpx.MockTransport(capture)
    with pytest.raises(openai.BadRequestError):
        openai.OpenAI(api_key="k", base_url="https://sdk.test/v1", max_retries=0,
                      http_client=openai.DefaultHttpxClient(transport=transport)).chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(anthropic.BadRequestError):
        anthropic.Anthropic(api_key="k", base_url="https://sdk.test", max_retries=0,
                            http_client=anthropic.DefaultHttpxClient(transport=transport)).messages.create(
            model="m", max_tokens=8, messages=[{"role": "user", "content": "hi"}])
    # What a browser sets itself, or lets any script send (CORS-safelisted), needs no allow.
    return seen - {"host", "user-agent", "accept", "accept-encoding", "connection", "content-length"}


@pytest.mark.parametrize("path", V1_PATHS)
def test_a_preflight_of_an_allowed_origin_is_answered_by_nginx(cstack, path):
    r = preflight(cstack, path, ALLOWED, "authorization, content-type, x-stainless-retry-count")
    assert r.status_code == 204, r.text
    assert r.content == b""
    assert r.headers["access-control-allow-origin"] == ALLOWED
    assert set(r.headers["access-control-allow-methods"].split(", ")) == {"GET", "POST", "DELETE"}
    assert int(r.headers["access-control-max-age"]) > 0
    assert "Origin" in r.headers["vary"]
    allowed = set(r.headers["access-control-allow-headers"].split(", "))
    assert {"authorization", "x-api-key", "content-type", "idempotency-key", "anthropic-version", "anthropic-beta",
            "openai-beta"} <= allowed


def test_every_header_the_sdks_send_is_allowed(cstack):
    sent = sdk_request_headers()
    assert {"authorization", "content-type", "anthropic-version", "x-stainless-retry-count"} <= sent
    r = preflight(cstack, "/v1/messages", OTHER_ALLOWED, ", ".join(sorted(sent)))
    assert r.headers["access-control-allow-origin"] == OTHER_ALLOWED
    assert sent - set(r.headers["access-control-allow-headers"].split(", ")) == set()


def test_a_preflight_of_another_origin_gets_no_allow(cstack):
    for path in ("/v1/chat/completions", "/v1/messages", "/v1/responses"):
        r = preflight(cstack, path, REFUSED)
        assert r.status_code == 204 and cors_of(r) == {}, (path, r.headers)
    # A look-alike of an allowed origin is another origin.
    assert cors_of(preflight(cstack, "/v1/models", ALLOWED + ".evil.test")) == {}
    assert cors_of(preflight(cstack, "/v1/models", ALLOWED + ":8443")) == {}


def test_an_answer_names_an_allowed_origin(cstack):
    r = cstack.client.get("/v1/models", headers={"Authorization": f"Bearer {cstack.token}", "Origin": ALLOWED})
    assert r.status_code == 200 and r.json()["data"]
    assert r.headers["access-control-allow-origin"] == ALLOWED
    assert "Origin" in r.headers["vary"]
    # A script reads when to try again, and whether to.
    assert set(r.headers["access-control-expose-headers"].split(", ")) == {"Retry-After", "X-Should-Retry"}


@pytest.mark.parametrize("method, path, token, status, shape", [
    ("GET", "/v1/models", "wrong", 401, "service"),  # the worker's refusal
    ("GET", "/v1/nope", None, 404, "service"),  # the worker's: no route
    ("GET", "/v1/responses/resp_unknown", None, 404, "openai"),
    ("POST", "/v1/messages", "wrong", 401, "anthropic"),
])
def test_an_error_names_an_allowed_origin(cstack, method, path, token, status, shape):
    r = cstack.client.request(method, path, json={} if method == "POST" else None,
                              headers={"Authorization": f"Bearer {token or cstack.token}", "Origin": ALLOWED})
    assert r.status_code == status, r.text
    body = r.json()
    assert {"service": isinstance(body.get("error"), str), "openai": isinstance(body.get("error"), dict),
            "anthropic": body.get("type") == "error"}[shape], body
    assert r.headers["access-control-allow-origin"] == ALLOWED
    assert "Origin" in r.headers["vary"]


@pytest.mark.parametrize("path, body", [
    ("/v1/models", {"error": "request body too large"}),
    ("/v1/messages", {"type": "error", "error": {"type": "request_too_large", "message": "request body too large"}}),
])
def test_nginxs_own_error_names_an_allowed_origin(cstack, path, body):
    raw = (f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nOrigin: {ALLOWED}\r\n"
           f"Authorization: Bearer {cstack.token}\r\nContent-Length: {64 << 20}\r\n\r\n").encode()
    status, headers, answer = exchange(cstack.port, cstack.ssl_context, raw)
    assert (status, answer) == (413, body)
    assert headers["access-control-allow-origin"] == ALLOWED
    assert "Origin" in headers["vary"]


def test_another_origin_and_no_origin_get_no_cors_headers(cstack):
    auth = {"Authorization": f"Bearer {cstack.token}"}
    for headers in ({"Origin": REFUSED}, {}):
        ok = cstack.client.get("/v1/models", headers={**auth, **headers})
        refused = cstack.client.get("/v1/models", headers={"Authorization": "Bearer wrong", **headers})
        assert (ok.status_code, refused.status_code) == (200, 401)
        assert cors_of(ok) == {} and cors_of(refused) == {}, (ok.headers, refused.headers)
        # The answer depends on Origin all the same: a cache keeps them apart.
        assert "Origin" in ok.headers["vary"]


def test_outside_v1_there_is_no_cors(cstack):
    r = cstack.client.get("/healthz", headers={"Origin": ALLOWED})
    assert r.status_code == 200 and cors_of(r) == {}
    r = cstack.client.options("/execute", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "POST"})
    assert r.status_code != 204 and cors_of(r) == {}


def burst_until_limited(stack, token, path="/v1/models", header="Authorization"):
    """Sends one request more than the burst allows; the statuses."""
    value = f"Bearer {token}" if header == "Authorization" and token else token
    headers = {header: value} if token else {}
    return [stack.client.get(path, headers=headers).status_code for _ in range(BURST + 2)]


def test_a_credential_over_its_limit_gets_429_in_each_dialects_shape(cstack):
    token = fresh_token()
    statuses = burst_until_limited(cstack, token)
    # nodelay: the burst passes at once (the worker refuses the credential), then nginx refuses.
    assert statuses == [401] * (BURST + 1) + [429], statuses
    detail = "too many requests with this credential, try again in a second"
    expected = {
        "/v1/chat/completions": {"error": "rate limit reached", "detail": detail},
        "/execute": {"error": "rate limit reached", "detail": detail},
        "/v1/responses": {"error": {"message": f"rate limit reached: {detail}", "type": "requests", "param": None,
                                    "code": "rate_limit_exceeded"}},
        "/v1/messages": {"type": "error", "error": {"type": "rate_limit_error", "message": f"rate limit reached: {detail}"}},
    }
    for path, body in expected.items():
        r = cstack.client.post(path, json={}, headers={"Authorization": f"Bearer {token}", "Origin": ALLOWED})
        assert (r.status_code, r.json()) == (429, body), path
        assert r.headers["content-type"] == "application/json"
        assert r.headers["retry-after"] == "1"
        if path.startswith("/v1/"):
            # A browser script may read it, and when to try again.
            assert r.headers["access-control-allow-origin"] == ALLOWED
            assert "Retry-After" in r.headers["access-control-expose-headers"]
        else:
            assert cors_of(r) == {}
    # Another credential has its own count; the stack's own token still gets its answers.
    assert cstack.client.get("/v1/models", headers={"Authorization": f"Bearer {fresh_token()}"}).status_code == 401
    assert cstack.get("/v1/models").status_code == 200
    # A preflight carries no credential and is never held back.
    assert preflight(cstack, "/v1/models", ALLOWED).status_code == 204


def test_the_sdks_see_a_rate_limit_error(cstack):
    token = fresh_token()
    burst_until_limited(cstack, token)
    client = openai.OpenAI(api_key=token, base_url=cstack.url + "/v1", max_retries=0,
                           http_client=openai.DefaultHttpxClient(verify=cstack.ssl_context))
    with pytest.raises(openai.RateLimitError) as caught:
        client.responses.create(model="recruiter-triage", input="hi")
    assert caught.value.code == "rate_limit_exceeded"
    client = anthropic.Anthropic(api_key=token, base_url=cstack.url, max_retries=0,
                                 http_client=anthropic.DefaultHttpxClient(verify=cstack.ssl_context))
    with pytest.raises(anthropic.RateLimitError) as caught:
        client.messages.create(model="recruiter-triage", max_tokens=8, messages=[{"role": "user", "content": "hi"}])
    assert caught.value.body["error"]["type"] == "rate_limit_error"


def test_x_api_key_is_the_credential_counted(cstack):
    key = fresh_token()
    statuses = burst_until_limited(cstack, key, path="/v1/messages", header="x-api-key")
    assert statuses[-1] == 429 and 429 not in statuses[:-1], statuses
    assert cstack.client.get("/v1/messages", headers={"x-api-key": fresh_token()}).status_code != 429


def test_without_a_credential_the_address_is_counted(cstack):
    statuses = burst_until_limited(cstack, None)
    assert statuses[-1] == 429 and set(statuses[:-1]) <= {401, 429}, statuses
    # A caller with a credential from the same address is not held back by them.
    assert cstack.get("/v1/models").status_code == 200


def test_a_fleet_limits_each_credential_with_429_not_busy(fleet):  # noqa: F811 (fleet is a fixture)
    """deploy/nginx.fleet.conf as shipped (10 a second, a burst of 40): a 429 of the rate limit is not taken
    for a busy host's (which the fleet's pages answer as busy), and a fleet allows no origin by default."""
    a, b, client = fleet
    token = fresh_token()
    statuses = []
    while 429 not in statuses and len(statuses) < 200:
        statuses.append(client.get("/v1/models", headers={"Authorization": f"Bearer {token}"}).status_code)
    assert statuses[-1] == 429 and set(statuses[:-1]) == {401} and len(statuses) > 40, statuses
    detail = "too many requests with this credential, try again in a second"
    expected = {
        "/v1/chat/completions": {"error": "rate limit reached", "detail": detail},
        "/execute": {"error": "rate limit reached", "detail": detail},
        "/v1/responses": {"error": {"message": f"rate limit reached: {detail}", "type": "requests", "param": None,
                                    "code": "rate_limit_exceeded"}},
        "/v1/messages": {"type": "error", "error": {"type": "rate_limit_error", "message": f"rate limit reached: {detail}"}},
    }
    for path, body in expected.items():
        r = client.post(path, json={}, headers={"Authorization": f"Bearer {token}", "Origin": ALLOWED})
        assert (r.status_code, r.json(), r.headers["retry-after"]) == (429, body, "1"), path
        assert cors_of(r) == {}
    assert client.get("/v1/models", headers={"Authorization": f"Bearer {a.token}"}).status_code == 200
    r = client.options("/v1/chat/completions", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "POST"})
    assert r.status_code == 204 and cors_of(r) == {}
