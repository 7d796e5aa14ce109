"""Structured output, tool calls and /v1/models with the official clients (openai, LangChain), through
nginx, against the stand-in (which checks --json-schema and the value as the real CLI does)."""
import json

import openai
import pydantic
import pytest
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI


class Person(pydantic.BaseModel):
    name: str
    age: int


@tool
def get_weather(city: str) -> str:
    """The weather now in a city."""
    return f"18C and sunny in {city}"


def structured(value):
    return "\n@fake structured " + json.dumps(value)


@pytest.fixture
def client(stack):
    return openai.OpenAI(base_url=stack.url + "/v1", api_key=stack.token,
                         http_client=openai.DefaultHttpxClient(verify=stack.ssl_context), timeout=60)


@pytest.fixture
def chat_model(stack):
    return ChatOpenAI(base_url=stack.url + "/v1", api_key=stack.token, model="recruiter-triage", timeout=60,
                      http_client=openai.DefaultHttpxClient(verify=stack.ssl_context))


def test_models_list_and_retrieve(client):
    models = client.models.list()
    assert [m.id for m in models.data] == ["recruiter-triage"]
    assert models.data[0].object == "model" and models.data[0].owned_by == "claude-fcgi"
    assert client.models.retrieve("recruiter-triage").id == "recruiter-triage"
    with pytest.raises(openai.NotFoundError) as caught:
        client.models.retrieve("gpt-nothing")
    assert caught.value.body == "model not found"


def test_models_need_the_token(stack):
    assert stack.get("/v1/models", token=None).status_code == 401
    assert stack.get("/v1/models").json()["object"] == "list"


def test_parse_returns_the_object_and_the_schema_is_an_argument_not_prompt(client, stack):
    completion = client.chat.completions.parse(
        model="recruiter-triage", response_format=Person,
        messages=[{"role": "user", "content": "Extract: Ada is 36" + structured({"name": "Ada", "age": 36})}])
    assert completion.choices[0].message.parsed == Person(name="Ada", age=36)
    assert completion.choices[0].finish_reason == "stop"
    record = stack.records()[-1]
    schema = record["json_schema"]
    assert schema["type"] == "object" and set(schema["properties"]) == {"name", "age"}
    assert "--json-schema" in record["argv"]
    assert '"properties"' not in record["stdin"], "the schema must not be in the prompt"


def test_json_object_and_a_non_object_root(stack):
    r = stack.post(body={"model": "m", "response_format": {"type": "json_object"},
                         "messages": [{"role": "user", "content": "json" + structured({"ok": True})}]})
    assert r.status_code == 200, r.text
    assert json.loads(r.json()["choices"][0]["message"]["content"]) == {"ok": True}
    assert stack.records()[-1]["json_schema"] == {"type": "object"}
    # A list at the root is wrapped for the CLI and unwrapped for the client.
    r = stack.post(body={"model": "m", "response_format": {"type": "json_schema", "json_schema": {
        "name": "names", "schema": {"type": "array", "items": {"type": "string"}}}},
        "messages": [{"role": "user", "content": "list" + structured({"value": ["a", "b"]})}]})
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"] == '["a","b"]'


def test_no_structured_output_is_a_503_that_says_so(stack):
    r = stack.post(body={"model": "m", "response_format": {"type": "json_object"},
                         "messages": [{"role": "user", "content": "answer in text\n@fake reply just words"}]})
    assert r.status_code == 503
    assert r.headers["x-should-retry"] == "false"
    detail = r.json()["detail"]
    assert detail.startswith("no structured output: the model answered in text") and "StructuredOutput" in detail
    assert detail.endswith("just words")


def test_schema_retries_exhausted_is_a_503_with_the_clis_words(stack):
    r = stack.post(body={"model": "m", "response_format": {"type": "json_schema", "json_schema": {"name": "P", "schema": {
        "type": "object", "properties": {"age": {"type": "integer"}}, "required": ["age"]}}},
        "messages": [{"role": "user", "content": "x" + structured({"age": "old"})}]})
    assert r.status_code == 503
    assert r.json()["detail"].startswith("Failed to provide valid structured output after 5 attempts")


def test_a_schema_the_cli_refuses_is_a_400(stack):
    # Passes our shape check (pattern is a string), refused by the CLI's full check: a bad request all the same.
    r = stack.post(body={"model": "m", "response_format": {"type": "json_schema", "json_schema": {"name": "P", "schema": {
        "type": "object", "properties": {"a": {"type": "string", "pattern": "("}}}}},
        "messages": [{"role": "user", "content": "x"}]})
    assert r.status_code == 400, r.text
    assert r.json()["error"].startswith("the output schema was refused by claude: --json-schema is not a valid JSON Schema")


def test_tools_give_tool_calls_and_the_result_comes_back(client, stack):
    tools = [{"type": "function", "function": {"name": "get_weather", "description": "The weather now.",
              "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
    messages = [{"role": "user", "content": "Weather in Paris?" + structured(
        {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]})}]
    first = client.chat.completions.create(model="recruiter-triage", messages=messages, tools=tools)
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    [call] = choice.message.tool_calls
    assert call.type == "function" and call.id.startswith("call_")
    assert (call.function.name, json.loads(call.function.arguments)) == ("get_weather", {"city": "Paris"})
    messages += [choice.message.model_dump(exclude_none=True),
                 {"role": "tool", "tool_call_id": call.id, "content": "18C" + structured({"content": "It is 18C in Paris."})}]
    second = client.chat.completions.create(model="recruiter-triage", messages=messages, tools=tools)
    assert second.choices[0].finish_reason == "stop"
    assert second.choices[0].message.content == "It is 18C in Paris."
    prompt = stack.records()[-1]["stdin"]
    assert f'Assistant called function get_weather with arguments {{"city": "Paris"}} (call id {call.id})' in prompt \
        or f'Assistant called function get_weather with arguments {{"city":"Paris"}} (call id {call.id})' in prompt
    assert f"Function get_weather returned (call id {call.id}): 18C" in prompt


def test_tool_choice_forms(stack):
    tools = [{"type": "function", "function": {"name": "f"}}, {"type": "function", "function": {"name": "g"}}]

    def run(**fields):
        r = stack.post(body={"model": "m", "tools": tools, **fields,
                             "messages": [{"role": "user", "content": "x" + structured({"tool_calls": [{"name": "g", "arguments": {}}]})}]})
        return r, stack.records()[-1]

    r, record = run(tool_choice="none")
    assert r.status_code == 200 and "json_schema" not in record
    r, record = run(tool_choice={"type": "function", "function": {"name": "g"}})
    assert r.status_code == 200, r.text
    assert record["json_schema"]["properties"]["tool_calls"]["maxItems"] == 1
    assert record["json_schema"]["required"] == ["tool_calls"]
    assert r.json()["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "g"
    r, record = run(tool_choice={"type": "function", "function": {"name": "f"}})
    assert r.status_code == 503, "the CLI's check keeps the call to the named function"
    r, record = run(parallel_tool_calls=False)
    assert r.status_code == 200 and record["json_schema"]["properties"]["tool_calls"]["maxItems"] == 1


def test_legacy_functions_name_tools(stack):
    r = stack.post(body={"model": "m", "functions": [{"name": "f"}], "messages": [{"role": "user", "content": "x"}]})
    assert (r.status_code, r.json()) == (400, {"error": "functions is not supported; use tools and tool_choice"})


@pytest.mark.parametrize("method", ["json_schema", "json_mode"])
def test_langchain_with_structured_output(chat_model, method):
    model = chat_model.with_structured_output(Person, method=method)
    text = "Extract: Ada is 36" + structured({"name": "Ada", "age": 36})
    if method == "json_mode":
        text = "Reply in JSON with name and age. " + text
    assert model.invoke(text) == Person(name="Ada", age=36)


def test_langchain_bind_tools_and_a_two_step_loop(chat_model):
    model = chat_model.bind_tools([get_weather])
    question = HumanMessage("Weather in Paris?" + structured({"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}))
    reply = model.invoke([question])
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [("get_weather", {"city": "Paris"})]
    call = reply.tool_calls[0]
    result = get_weather.invoke(call["args"])
    final = model.invoke([question, reply, ToolMessage(result + structured({"content": "It is 18C and sunny."}), tool_call_id=call["id"])])
    assert final.tool_calls == []
    assert final.content == "It is 18C and sunny."
    assert final.usage_metadata["input_tokens"] == 24
    assert final.usage_metadata["input_token_details"]["cache_read"] == 7
