"""The official openai Python SDK (pinned in requirements.txt) against the stack."""
import openai
import pytest


@pytest.fixture
def client(stack):
    return openai.OpenAI(base_url=stack.url + "/v1", api_key=stack.token,
                         http_client=openai.DefaultHttpxClient(verify=stack.ssl_context), timeout=60)


def test_sdk_happy_path(client, stack):
    completion = client.chat.completions.create(
        model="recruiter-triage",
        messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi\n@fake reply from the SDK"}],
        max_tokens=50, temperature=0.2, user="u-1", metadata={"k": "v"})
    assert completion.choices[0].message.content == "from the SDK"
    assert completion.model == "recruiter-triage"
    assert completion.usage.total_tokens == 27


def test_sdk_failed_run_is_a_503_and_is_not_retried(client, stack):
    before = len(stack.records())
    with pytest.raises(openai.APIStatusError) as caught:
        client.chat.completions.create(model="recruiter-triage",
                                       messages=[{"role": "user", "content": "@fake exit 3"}])
    assert caught.value.status_code == 503
    assert caught.value.body == "execution failed"
    assert len(stack.records()) == before + 1, "x-should-retry: false must stop the SDK's retries"


def test_sdk_wrong_key_is_authentication_error(stack):
    client = openai.OpenAI(base_url=stack.url + "/v1", api_key="nope",
                           http_client=openai.DefaultHttpxClient(verify=stack.ssl_context))
    with pytest.raises(openai.AuthenticationError):
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])


def test_sdk_streaming_is_a_bad_request(client):
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}], stream=True)
    assert caught.value.body == "streaming not supported"
