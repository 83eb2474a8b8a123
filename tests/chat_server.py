"""A real OpenAI-compatible chat-completions server on loopback, for tests (no mocks).

It answers POST /v1/chat/completions and misbehaves on script: 5xx then success, slow answers
past the client's deadline, malformed JSON, dropped connections. Shared by the LLM client,
captioner rewrite and evaluation judge tests.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    """One scripted server action: a status and content, raw bytes, a delay, or a dropped socket."""

    content: str | None = None
    status: int = 200
    raw: bytes | None = None
    delay: float = 0.0
    drop: bool = False
    headers: dict[str, str] = field(default_factory=dict)


def completion_json(content: str, model: str = "m") -> bytes:
    return json.dumps(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
    ).encode()


Responder = Callable[[dict, int], Reply]


class ChatServer:
    """A threaded stdlib HTTP server speaking POST /v1/chat/completions.

    `respond(body, n)` decides each reply; n counts requests so far for the same last message,
    so a script ("fail twice, then answer") is deterministic under concurrency.
    """

    def __init__(self, respond: Responder) -> None:
        self.respond = respond
        self.bodies: list[dict] = []
        self.headers: list[dict[str, str]] = []
        self.per_prompt: Counter[str] = Counter()
        self.inflight = 0
        self.max_inflight = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                prompt = str(body["messages"][-1]["content"])
                with server._lock:
                    server.bodies.append(body)
                    server.headers.append(dict(self.headers))
                    n = server.per_prompt[prompt]
                    server.per_prompt[prompt] += 1
                    server.inflight += 1
                    server.max_inflight = max(server.max_inflight, server.inflight)
                try:
                    if self.path != "/v1/chat/completions":
                        reply = Reply(status=404, raw=b'{"error": "not found"}')
                    else:
                        reply = server.respond(body, n)
                    time.sleep(reply.delay)
                    if reply.drop:
                        self.connection.shutdown(2)
                        return
                    payload = reply.raw if reply.raw is not None else completion_json(reply.content)
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    pass  # the client gave up (timeout test)
                finally:
                    with server._lock:
                        server.inflight -= 1

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def count(self) -> int:
        return len(self.bodies)

    def __enter__(self) -> ChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def echo(body: dict, n: int) -> Reply:
    return Reply(content="re: " + body["messages"][-1]["content"])


def scripted(script: dict[str, list[Reply]], default: Responder = echo) -> Responder:
    """Per-prompt script: the n-th request for a prompt gets script[prompt][n], then `default`."""

    def respond(body: dict, n: int) -> Reply:
        steps = script.get(body["messages"][-1]["content"], [])
        return steps[n] if n < len(steps) else default(body, n)

    return respond
