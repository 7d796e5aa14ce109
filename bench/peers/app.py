"""A reconstruction of the original service's stack, for comparison: FastAPI + uvicorn doing the same
checks as claude-fcgi (bearer token, validation of the chat request, prompt synthesis, one run at a
time with an asyncio lock, asyncio.create_subprocess_exec of the stand-in claude, the envelope).
Served behind the same nginx over HTTP proxying. Environment: PEER_TOKEN, PEER_CLAUDE."""
import asyncio
import hmac
import json
import os
import secrets
import time

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()
lock = asyncio.Lock()
TOKEN = os.environ["PEER_TOKEN"]
CLAUDE = os.environ["PEER_CLAUDE"]


def error(status, message, detail=None, headers=None):
    body = {"error": message} if detail is None else {"error": message, "detail": detail}
    return JSONResponse(body, status_code=status, headers=headers)


@app.get("/healthz")
async def healthz():
    return {"status": "ok"}


@app.post("/v1/chat/completions")
async def chat(request: Request):
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer ") or not hmac.compare_digest(header[7:].strip(), TOKEN):
        return error(401, "unauthorized", headers={"WWW-Authenticate": "Bearer"})
    try:
        body = json.loads(await request.body())
    except ValueError:
        return error(400, "request body is not valid JSON")
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or not body["messages"]:
        return error(400, "messages must be a non-empty array")
    if body.get("stream"):
        return error(400, "streaming not supported")
    system, turns, last = [], [], None
    for message in body["messages"]:
        role, content = message.get("role"), message.get("content")
        if isinstance(content, list):
            content = "\n".join(part.get("text", "") for part in content)
        if role in ("system", "developer"):
            system.append(content)
        elif role in ("user", "assistant"):
            turns.append((role, content))
    if not turns or turns[-1][0] != "user":
        return error(400, "the last message must be the user's request")
    last = turns.pop()[1]
    sections = []
    if system:
        sections.append("System instructions:\n" + "\n\n".join(system))
    if turns:
        sections.append("Conversation so far:\n" + "\n\n".join(f"{r.capitalize()}: {c}" for r, c in turns))
    sections.append("Request:\n" + last)
    prompt = "\n\n---\n\n".join(sections)
    if lock.locked():
        return error(503, "execution failed", "busy: another run is in progress", headers={"Retry-After": "10"})
    async with lock:
        process = await asyncio.create_subprocess_exec(
            CLAUDE, "-p", "--output-format", "json", "--no-session-persistence", "--max-budget-usd", "2.00",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        stdout, _ = await process.communicate(prompt.encode())
    try:
        text = json.loads(stdout)["result"]
    except (ValueError, KeyError):
        text = stdout.decode().strip()
    return {"id": "chatcmpl-" + secrets.token_hex(12), "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model"), "choices": [{"index": 0, "finish_reason": "stop",
                                                     "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}
