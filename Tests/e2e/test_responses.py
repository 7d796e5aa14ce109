"""The Responses API (POST /v1/responses and GET, DELETE, cancel of /v1/responses/{id}) through nginx,
driven by the official openai SDK against one stack running the stand-in, which keeps CLI sessions as
the CLI does (its records show each run's argv, stdin and the session it resumed)."""
import glob
import json
import os
import shutil
import tempfile
import threading

import openai
import pydantic
import pytest

from conftest import Stack, run_is_gone, wait_for

MODEL = "recruiter-triage"
WEATHER = {"type": "function", "name": "get_weather", "description": "The weather now.",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
                          "additionalProperties": False}}


@pytest.fixture(scope="module")
def rstack():
    """A stack whose CLI sessions live in a config dir of its own (store: true runs keep theirs)."""
    config = tempfile.mkdtemp(prefix="claude-fcgi-e2e-config-")
    s = Stack(workers=3, env={"CLAUDE_CONFIG_DIR": config, "CLAUDE_FCGI_STREAMING": "on"})
    s.config = config
    yield s
    left = s.stop()
    shutil.rmtree(s.runtime, ignore_errors=True)
    shutil.rmtree(config, ignore_errors=True)
    assert left == []


@pytest.fixture(scope="module")
def client(rstack):
    return openai.OpenAI(base_url=rstack.url + "/v1", api_key=rstack.token, max_retries=0,
                         http_client=openai.DefaultHttpxClient(verify=rstack.ssl_context), timeout=60)


def new_records(stack, before):
    return stack.records()[before:]


def flag(record, name):
    """The value after `name` in the run's argv, or None."""
    argv = record["argv"]
    return argv[argv.index(name) + 1] if name in argv else None


def session_files(stack, session_id):
    return glob.glob(os.path.join(stack.config, "projects", "*", session_id + ".jsonl"))


def hold(stack, seconds):
    """Keeps the stack's lock with a slow run of its own, until the thread is joined."""
    before = len(stack.records())
    thread = threading.Thread(target=lambda: stack.post("/v1/responses", body={
        "model": MODEL, "input": f"hold\n@fake sleep {seconds}", "store": False}))
    thread.start()
    assert wait_for(lambda: len(stack.records()) > before)
    return thread


def test_create_answers_text_with_usage(client, rstack):
    before = len(rstack.records())
    resp = client.responses.create(model=MODEL, input="Say hi\n@fake reply Hello from Responses.")
    assert resp.id.startswith("resp_")
    assert resp.status == "completed"
    assert resp.output_text == "Hello from Responses."
    assert resp.usage.input_tokens_details.cached_tokens == 7
    assert resp.usage.output_tokens == 3
    [run] = new_records(rstack, before)
    assert "--no-session-persistence" not in run["argv"], "a stored response keeps its session"
    assert "--resume" not in run["argv"]
    assert session_files(rstack, run["session_id"]), "the CLI wrote the session's transcript"


def test_stream_events_in_order(client, rstack):
    with client.responses.stream(model=MODEL, input="Stream\n@fake reply one two three\n@fake deltas 3") as stream:
        events = list(stream)
        final = stream.get_final_response()
    types = [e.type for e in events]
    assert types[0] == "response.created" and types[-1] == "response.completed"
    assert types.index("response.output_item.added") < types.index("response.output_text.delta") \
        < types.index("response.output_text.done") < types.index("response.output_item.done")
    deltas = [e.delta for e in events if e.type == "response.output_text.delta"]
    assert len(deltas) == 3 and "".join(deltas) == "one two three"
    assert [e.sequence_number for e in events] == sorted(e.sequence_number for e in events)
    assert final.output_text == "one two three" and final.status == "completed"
    assert client.responses.retrieve(final.id).output_text == "one two three", "a streamed response is stored"


def test_raw_stream_true(client):
    events = list(client.responses.create(model=MODEL, input="Raw\n@fake reply raw text", stream=True))
    assert events[0].type == "response.created"
    assert "".join(e.delta for e in events if e.type == "response.output_text.delta") == "raw text"
    assert events[-1].type == "response.completed" and events[-1].response.output_text == "raw text"


class Person(pydantic.BaseModel):
    name: str
    age: int


def test_parse_gives_output_parsed(client, rstack):
    before = len(rstack.records())
    resp = client.responses.parse(model=MODEL, input='Ada is 36\n@fake structured {"name": "Ada", "age": 36}', text_format=Person)
    assert resp.output_parsed == Person(name="Ada", age=36)
    [run] = new_records(rstack, before)
    assert set(run["json_schema"]["properties"]) == {"name", "age"}


def test_schema_key_order_reaches_the_cli(client, rstack):
    schema = {"type": "object", "properties": {"reasoning": {"type": "string"}, "answer": {"type": "string"}},
              "required": ["reasoning", "answer"], "additionalProperties": False}
    before = len(rstack.records())
    resp = client.responses.create(model=MODEL, input='Think\n@fake structured {"reasoning": "r", "answer": "a"}',
                                   text={"format": {"type": "json_schema", "name": "ordered", "schema": schema, "strict": True}})
    assert json.loads(resp.output_text) == {"reasoning": "r", "answer": "a"}
    [run] = new_records(rstack, before)
    text = flag(run, "--json-schema")
    assert text.index('"reasoning"') < text.index('"answer"'), text
    assert list(json.loads(text)["properties"]) == ["reasoning", "answer"]


def first_turn_with_a_call(client, **kwargs):
    call = {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}
    resp = client.responses.create(model=MODEL, tools=[WEATHER], input=[
        {"role": "user", "content": "Weather in Paris?\n@fake structured " + json.dumps(call)}], **kwargs)
    [item] = resp.output
    assert item.type == "function_call" and item.call_id.startswith("call_")
    assert (item.name, json.loads(item.arguments)) == ("get_weather", {"city": "Paris"})
    return resp, item


# The function's result; its second line steers the stand-in's second answer.
RESULT = "18C and sunny\n@fake structured " + json.dumps({"content": "It is 18C and sunny in Paris."})


def test_function_call_then_previous_response_id_resumes_the_session(client, rstack):
    before = len(rstack.records())
    first, call = first_turn_with_a_call(client)
    [run1] = new_records(rstack, before)
    second = client.responses.create(model=MODEL, tools=[WEATHER], previous_response_id=first.id, input=[
        {"type": "function_call_output", "call_id": call.call_id, "output": RESULT}])
    assert second.output_text == "It is 18C and sunny in Paris."
    assert second.previous_response_id == first.id
    [run2] = new_records(rstack, before + 1)
    argv = run2["argv"]
    assert flag(run2, "--resume") == run1["session_id"] and "--fork-session" in argv
    assert run2["resumed"] == run1["session_id"] and run2["session_id"] != run1["session_id"]
    assert "Weather in Paris?" not in run2["stdin"], "only the new input goes to a resumed session"
    assert "18C and sunny" in run2["stdin"] and call.call_id in run2["stdin"]
    assert [t["role"] for t in run2["history"]] == ["user", "assistant"]
    assert "Weather in Paris?" in run2["history"][0]["text"], "the resumed session holds the first turn"


def test_function_call_then_items_passed_back(client, rstack):
    before = len(rstack.records())
    first, call = first_turn_with_a_call(client, store=False)
    second = client.responses.create(model=MODEL, tools=[WEATHER], store=False, input=[
        {"role": "user", "content": "Weather in Paris?"}, *[item.model_dump(exclude_none=True) for item in first.output],
        {"type": "function_call_output", "call_id": call.call_id, "output": RESULT}])
    assert second.output_text == "It is 18C and sunny in Paris."
    [run1, run2] = new_records(rstack, before)
    assert "--resume" not in run2["argv"]
    assert "--no-session-persistence" in run1["argv"] and "--no-session-persistence" in run2["argv"]
    stdin = run2["stdin"]
    assert "Weather in Paris?" in stdin and "get_weather" in stdin and call.call_id in stdin and "18C and sunny" in stdin


def test_effort_reaches_the_cli(client, rstack):
    before = len(rstack.records())
    client.responses.create(model=MODEL, input="think hard", reasoning={"effort": "high"}, store=False)
    client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "think less"}], reasoning_effort="low")
    client.responses.create(model=MODEL, input="default effort", store=False)
    runs = new_records(rstack, before)
    assert [flag(r, "--effort") for r in runs] == ["high", "low", None]


def test_store_false_is_not_kept(client, rstack):
    before = len(rstack.records())
    resp = client.responses.create(model=MODEL, input="forget me", store=False)
    [run] = new_records(rstack, before)
    assert "--no-session-persistence" in run["argv"]
    assert not session_files(rstack, run["session_id"])
    with pytest.raises(openai.NotFoundError) as caught:
        client.responses.retrieve(resp.id)
    assert caught.value.body["code"] == "not_found" and caught.value.body["type"] == "invalid_request_error"
    with pytest.raises(openai.NotFoundError) as caught:
        client.responses.create(model=MODEL, input="go on", previous_response_id=resp.id)
    assert caught.value.body["code"] == "previous_response_not_found"
    assert caught.value.body["param"] == "previous_response_id"
    assert resp.id in caught.value.body["message"]
    assert len(rstack.records()) == before + 1, "no run for a request that continues nothing"


def test_retrieve_and_delete(client, rstack):
    before = len(rstack.records())
    resp = client.responses.create(model=MODEL, input="keep me\n@fake reply kept", metadata={"k": "v"})
    [run] = new_records(rstack, before)
    assert session_files(rstack, run["session_id"])
    got = client.responses.retrieve(resp.id)
    assert got.model_dump() == resp.model_dump()
    deleted = client.responses.delete(resp.id)
    assert deleted is None  # the SDK returns nothing for a 200 of a delete
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(resp.id)
    assert not session_files(rstack, run["session_id"]), "the session went with the response"
    with pytest.raises(openai.NotFoundError):
        client.responses.delete(resp.id)


def test_background_completes(client, rstack):
    resp = client.responses.create(model=MODEL, input="later\n@fake sleep 0.5\n@fake reply done later", background=True)
    assert resp.status == "in_progress" and resp.output_text == ""
    done = wait_for(lambda: (r := client.responses.retrieve(resp.id)).status == "completed" and r, timeout=20)
    assert done, client.responses.retrieve(resp.id)
    assert done.output_text == "done later"
    assert client.responses.retrieve(resp.id).model_dump() == done.model_dump(), "the finished response is kept"


def test_background_cancel_stops_the_run(client, rstack):
    before = len(rstack.records())
    resp = client.responses.create(model=MODEL, input="slow\n@fake sleep 30", background=True)
    assert wait_for(lambda: len(rstack.records()) > before and new_records(rstack, before)[0]["stdin"] is not None)
    [run] = new_records(rstack, before)
    cancelled = client.responses.cancel(resp.id)
    assert cancelled.status == "cancelled"
    assert wait_for(lambda: run_is_gone(rstack, run), timeout=15)
    assert client.responses.retrieve(resp.id).status == "cancelled"


def test_busy_is_503_with_retry_after_and_409_for_background(client, rstack):
    holder = hold(rstack, 2)
    try:
        with pytest.raises(openai.InternalServerError) as caught:
            client.responses.create(model=MODEL, input="while busy")
        assert caught.value.status_code == 503 and caught.value.body["code"] == "busy"
        assert int(caught.value.response.headers["retry-after"]) > 0
        # A background request is answered as /execute is: 409.
        with pytest.raises(openai.ConflictError) as caught:
            client.responses.create(model=MODEL, input="background while busy", background=True)
        assert caught.value.status_code == 409 and caught.value.body["code"] == "busy"
        assert int(caught.value.response.headers["retry-after"]) > 0
    finally:
        holder.join()


def test_wrong_or_no_token_is_401(rstack):
    bad = openai.OpenAI(base_url=rstack.url + "/v1", api_key="nope", max_retries=0,
                        http_client=openai.DefaultHttpxClient(verify=rstack.ssl_context))
    with pytest.raises(openai.AuthenticationError) as caught:
        bad.responses.create(model=MODEL, input="hi")
    assert caught.value.body["type"] == "invalid_request_error" and caught.value.body["code"] == "invalid_api_key"
    # The SDK will not send a request without a key: the same request without one, by hand.
    r = rstack.post("/v1/responses", body={"model": MODEL, "input": "hi"}, token=None)
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_api_key", r.text


def test_bad_request_names_the_field(client):
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model=MODEL, input="hi", text={"format": {"type": "xml"}})
    assert caught.value.body["param"] == "text.format.type"
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model=MODEL, input="hi", max_output_tokens=-1)
    assert caught.value.body["param"] == "max_output_tokens"


def test_tool_types(client, rstack):
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model=MODEL, input="hi", tools=[{"type": "file_search", "vector_store_ids": ["vs_1"]}])
    assert "file_search" in caught.value.body["message"]
    assert caught.value.body["param"] == "tools[0].type"
    with pytest.raises(openai.BadRequestError):
        client.responses.create(model=MODEL, input="hi", tools=[{"type": "web_search"}])
    resp = client.responses.create(model=MODEL, input="hi\n@fake reply searched nothing", store=False,
                                   tools=[{"type": "web_search", "external_web_access": False}])
    assert resp.output_text == "searched nothing"


def test_namespace_functions(client, rstack):
    namespace = {"type": "namespace", "name": "crm", "description": "The CRM.", "tools": [
        {"type": "function", "name": "find_contact", "parameters": {"type": "object", "properties": {"q": {"type": "string"}},
                                                                      "required": ["q"], "additionalProperties": False}},
        {"type": "function", "name": "add_note", "parameters": {"type": "object", "properties": {}, "additionalProperties": False}}]}
    call = {"tool_calls": [{"name": "crm.find_contact", "arguments": {"q": "Ada"}}]}
    before = len(rstack.records())
    resp = client.responses.create(model=MODEL, tools=[namespace], store=False,
                                   input="Find Ada\n@fake structured " + json.dumps(call))
    [run] = new_records(rstack, before)
    offered = run["json_schema"]["properties"]["tool_calls"]["items"]["anyOf"]
    assert [o["properties"]["name"]["const"] for o in offered] == ["crm.find_contact", "crm.add_note"]
    [item] = resp.output
    raw = item.model_dump()
    assert item.type == "function_call" and (raw.get("namespace"), item.name) == ("crm", "find_contact")
    assert json.loads(item.arguments) == {"q": "Ada"}


def test_a_response_whose_session_is_gone_cannot_be_continued(client, rstack):
    before = len(rstack.records())
    first = client.responses.create(model=MODEL, input="remember me")
    [run] = new_records(rstack, before)
    for path in session_files(rstack, run["session_id"]):
        os.unlink(path)
    before = len(rstack.records())
    with pytest.raises(openai.NotFoundError) as caught:
        client.responses.create(model=MODEL, input="go on", previous_response_id=first.id)
    assert caught.value.body["code"] == "previous_response_not_found" and caught.value.body["param"] == "previous_response_id"
    assert first.id in caught.value.body["message"]
    assert new_records(rstack, before) == [], "nothing ran"
    # A failed run leaves no kept session behind (its supervisor deletes it).
    before = len(rstack.records())
    with pytest.raises(openai.InternalServerError):
        client.responses.create(model=MODEL, input="fail\n@fake is_error API Error: 500 boom")
    [failed] = new_records(rstack, before)
    assert failed["session_id"] and session_files(rstack, failed["session_id"]) == []
