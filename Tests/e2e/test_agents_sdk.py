"""The OpenAI Agents SDK (pinned in requirements.txt) in its default mode, the Responses API, against the
stack: an agent with a function tool and a typed output, run whole and streamed. The model (the
stand-in) calls the tool first, the SDK runs it and sends its result back with the call, and the
final answer is the typed object.

The stand-in is steered by `@fake structured …` lines: the user's message asks for the tool call, and
the tool's result carries the final answer's directive (the last directive in the prompt wins)."""
import asyncio
import json

import openai
import pydantic
import pytest
from agents import Agent, Runner, function_tool, set_default_openai_client, set_tracing_disabled


class Forecast(pydantic.BaseModel):
    city: str
    outlook: str


@function_tool
def get_weather(city: str) -> str:
    """The weather for a city."""
    final = {"content": {"city": city, "outlook": f"sunny in {city}"}}
    return f"sunny in {city}\n@fake structured {json.dumps(final)}"


ASK = 'What is the weather in {city}?\n@fake structured {{"tool_calls":[{{"name":"get_weather","arguments":{{"city":"{city}"}}}}]}}'


@pytest.fixture
def agent(stack):
    set_tracing_disabled(True)
    client = openai.AsyncOpenAI(base_url=stack.url + "/v1", api_key=stack.token, max_retries=0,
                                http_client=openai.DefaultAsyncHttpxClient(verify=stack.ssl_context))
    set_default_openai_client(client, use_for_tracing=False)
    return Agent(name="forecaster", instructions="Answer with the forecast.", tools=[get_weather],
                 output_type=Forecast, model="recruiter-triage")


def check_runs(stack, before, city):
    """The stand-in ran twice: first with the tool offered in its schema, then with the call and its
    result in the prompt (the SDK's second request carried function_call and function_call_output)."""
    first, second = stack.records()[before:]
    schema = first["json_schema"]
    assert "tool_calls" in schema["properties"] and "content" in schema["properties"]
    assert schema["properties"]["content"]["properties"].keys() == {"city", "outlook"}
    assert first["stdin"].endswith("Request:\n" + ASK.format(city=city))
    assert f'Assistant called function get_weather with arguments {{"city":"{city}"}} (call id call_' in second["stdin"]
    assert f"Function get_weather returned (call id call_" in second["stdin"]
    assert f"): sunny in {city}\n@fake structured" in second["stdin"]
    assert second["stdin"].endswith("Request:\nContinue the conversation above: answer the user's last message, "
                                     "using what the functions returned.")


def test_run_calls_the_tool_and_ends_with_the_typed_output(stack, agent):
    before = len(stack.records())
    result = asyncio.run(Runner.run(agent, ASK.format(city="Oslo")))
    assert result.final_output == Forecast(city="Oslo", outlook="sunny in Oslo")
    kinds = [item.type for item in result.new_items]
    assert kinds == ["tool_call_item", "tool_call_output_item", "message_output_item"], kinds
    assert result.context_wrapper.usage.requests == 2
    assert result.context_wrapper.usage.input_tokens > 0
    check_runs(stack, before, "Oslo")


def test_run_streamed_calls_the_tool_and_ends_with_the_typed_output(stack, agent):
    before = len(stack.records())

    async def run():
        result = Runner.run_streamed(agent, ASK.format(city="Bergen"))
        events = [event async for event in result.stream_events()]
        return result, events

    result, events = asyncio.run(run())
    assert result.final_output == Forecast(city="Bergen", outlook="sunny in Bergen")
    items = [e.name for e in events if e.type == "run_item_stream_event"]
    assert items == ["tool_called", "tool_output", "message_output_created"], items
    raw = [e.data.type for e in events if e.type == "raw_response_event"]
    assert raw.count("response.completed") == 2
    assert "response.output_text.delta" in raw
    check_runs(stack, before, "Bergen")
