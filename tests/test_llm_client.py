"""diffforge.llm.ChatClient against a real OpenAI-compatible HTTP server on loopback (no mocks).

The server (also used by test_evaluation.py) answers chat-completions JSON and misbehaves on
script: 5xx then success, slow answers past the client's deadline, malformed JSON, dropped
connections. We assert nothing is lost, retries happen, failures come back as error results,
and a rerun is served from the on-disk cache (the server's request count does not grow).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from chat_server import ChatServer, Reply, echo, scripted

from diffforge.errors import DiffforgeError
from diffforge.llm import ChatClient, Result, cache_key


def user(text: str) -> list[dict]:
    return [{"role": "user", "content": text}]


def make_client(url: str, tmp_path: Path, **kw) -> ChatClient:
    kw.setdefault("timeout", 2.0)
    kw.setdefault("retries", 3)
    kw.setdefault("backoff", 0.01)
    return ChatClient("test-model", url, "sk-test", cache_path=tmp_path / "llm.sqlite", **kw)


def run(client: ChatClient, prompts: list[list[dict]], **params) -> list[Result]:
    return asyncio.run(client.complete_many(prompts, **params))


def test_answers_in_order_and_rerun_hits_cache(tmp_path: Path) -> None:
    prompts = [user(f"caption {i}") for i in range(24)]
    with ChatServer(echo) as srv:
        client = make_client(srv.url, tmp_path, concurrency=4)
        results = run(client, prompts, temperature=0.0)
        assert [r.text for r in results] == [f"re: caption {i}" for i in range(24)]
        assert all(r.ok and not r.cached and r.attempts == 1 for r in results)
        assert srv.count == 24
        assert client.stats.requests == 24 and client.stats.cache_hits == 0
        assert srv.bodies[0]["model"] == "test-model" and srv.bodies[0]["temperature"] == 0.0
        assert srv.headers[0]["Authorization"] == "Bearer sk-test"
        client.close()

        again = make_client(srv.url, tmp_path, concurrency=4)  # a new process would do the same
        rerun = run(again, prompts, temperature=0.0)
        assert [r.text for r in rerun] == [r.text for r in results]
        assert all(r.cached for r in rerun)
        assert srv.count == 24, "a rerun must not ask the server again"
        assert again.stats.cache_hits == 24 and again.stats.requests == 0

        changed = run(again, prompts[:2], temperature=0.7)  # parameters are part of the key
        assert srv.count == 26 and not any(r.cached for r in changed)


def test_identical_prompts_in_one_batch_are_asked_once(tmp_path: Path) -> None:
    with ChatServer(echo) as srv:
        client = make_client(srv.url, tmp_path)
        results = run(client, [user("a"), user("b"), user("a"), user("a")])
        assert [r.text for r in results] == ["re: a", "re: b", "re: a", "re: a"]
        assert srv.per_prompt == {"a": 1, "b": 1}


def test_5xx_and_429_are_retried_until_success(tmp_path: Path) -> None:
    script = {
        "flaky": [Reply(status=500, raw=b"boom"), Reply(status=503, raw=b"busy")],
        "limited": [Reply(status=429, raw=b"{}", headers={"Retry-After": "0.05"})],
    }
    with ChatServer(scripted(script)) as srv:
        client = make_client(srv.url, tmp_path)
        flaky, limited, fine = run(client, [user("flaky"), user("limited"), user("fine")])
        assert flaky.text == "re: flaky" and flaky.attempts == 3
        assert limited.text == "re: limited" and limited.attempts == 2
        assert fine.attempts == 1
        assert srv.per_prompt == {"flaky": 3, "limited": 2, "fine": 1}
        assert client.stats.retries == 3 and client.stats.failures == 0
        assert client.stats.requests == 6


def test_slow_answer_times_out_then_retry_succeeds(tmp_path: Path) -> None:
    delay = 3.0
    with ChatServer(scripted({"slow": [Reply(content="late", delay=delay)]})) as srv:
        client = make_client(srv.url, tmp_path, timeout=0.3)
        t0 = time.perf_counter()
        (res,) = run(client, [user("slow")])
        # a client that waited for the slow answer took at least its delay; the deadline (0.3 s,
        # ten times shorter) leaves a loaded machine seconds to spare
        assert time.perf_counter() - t0 < delay, "the per-request deadline must cut the answer"
        assert res.text == "re: slow" and res.attempts == 2
        assert client.stats.retries == 1


def test_malformed_json_is_retried(tmp_path: Path) -> None:
    script = {
        "bad": [
            Reply(raw=b"<html>gateway hiccup</html>"),
            Reply(raw=b'{"choices": []}'),
            Reply(raw=b'{"choices": [{"message": {"content": null}}]}'),
        ]
    }
    with ChatServer(scripted(script)) as srv:
        client = make_client(srv.url, tmp_path)
        (res,) = run(client, [user("bad")])
        assert res.text == "re: bad" and res.attempts == 4
        assert srv.per_prompt["bad"] == 4


def test_failures_come_back_as_errors_and_are_not_cached(tmp_path: Path) -> None:
    def respond(body: dict, n: int) -> Reply:
        prompt = body["messages"][-1]["content"]
        if prompt == "always-500":
            return Reply(status=500, raw=b"down")
        if prompt == "always-garbage":
            return Reply(raw=b"\x00\xffnot json at all")
        if prompt == "dropped":
            return Reply(drop=True)
        if prompt == "bad-request":
            return Reply(status=400, raw=b'{"error": "context too long"}')
        return echo(body, n)

    names = ["always-500", "ok-1", "always-garbage", "dropped", "bad-request", "ok-2"]
    with ChatServer(respond) as srv:
        client = make_client(srv.url, tmp_path, retries=2)
        results = run(client, [user(n) for n in names])
        assert len(results) == len(names), "nothing is lost"
        by = dict(zip(names, results, strict=True))
        assert by["ok-1"].text == "re: ok-1" and by["ok-2"].text == "re: ok-2"
        assert "HTTP 500" in by["always-500"].error and by["always-500"].attempts == 3
        assert "malformed" in by["always-garbage"].error
        assert by["dropped"].error and by["dropped"].attempts == 3
        assert "HTTP 400" in by["bad-request"].error and by["bad-request"].attempts == 1
        assert srv.per_prompt["bad-request"] == 1, "a 400 is not worth asking again"
        assert all(r.text is None for r in results if r.error)
        assert client.stats.failures == 4 and client.stats.succeeded == 2
        assert client.stats.retries == 6

        before = srv.count
        rerun = run(client, [user(n) for n in names])
        assert [r.ok for r in rerun] == [r.ok for r in results]
        assert sum(r.cached for r in rerun) == 2
        assert srv.count > before, "failures are asked again on a rerun, successes are not"


def test_garbage_text_is_returned_for_the_caller_to_judge(tmp_path: Path) -> None:
    with ChatServer(lambda body, n: Reply(content="lorem ipsum ¯\\_(ツ)_/¯")) as srv:
        (res,) = run(make_client(srv.url, tmp_path), [user("rewrite this")])
        assert res.ok and res.text == "lorem ipsum ¯\\_(ツ)_/¯"


def test_connection_refused_is_an_error_result(tmp_path: Path) -> None:
    with ChatServer(echo) as srv:
        url = srv.url
    client = make_client(url, tmp_path, retries=1)  # the server is gone: nobody listens there
    results = run(client, [user("a"), user("b")])
    assert all(not r.ok and "connection" in r.error for r in results)
    assert client.stats.failures == 2 and client.stats.retries == 2


def test_unexpected_client_errors_come_back_as_results(tmp_path: Path) -> None:
    client = make_client("not-a-url://nowhere", tmp_path)
    (res,) = run(client, [user("a")])
    assert not res.ok and res.error and client.stats.failures == 1


def test_concurrency_limit_is_respected(tmp_path: Path) -> None:
    with ChatServer(lambda body, n: Reply(content="x", delay=0.05)) as srv:
        client = make_client(srv.url, tmp_path, concurrency=3, cache=False)
        results = run(client, [user(str(i)) for i in range(15)])
        assert all(r.ok for r in results)
        assert srv.max_inflight <= 3
        assert srv.max_inflight >= 2, "requests should overlap up to the limit"


def test_sync_wrapper_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with ChatServer(echo) as srv:
        monkeypatch.setenv("OPENAI_BASE_URL", srv.url + "/")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
        monkeypatch.setenv("OPENAI_MODEL", "env-model")
        client = ChatClient(cache_path=tmp_path / "c.sqlite", backoff=0.01)
        assert client.endpoint == srv.url + "/chat/completions"
        assert [r.text for r in client.complete_many_sync([user("hi")])] == ["re: hi"]

        async def inside_a_loop() -> list[Result]:
            return client.complete_many_sync([user("there")])

        assert asyncio.run(inside_a_loop())[0].text == "re: there"
        assert srv.headers[0]["Authorization"] == "Bearer sk-env"
        assert srv.bodies[0]["model"] == "env-model"


def test_missing_model_is_a_user_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_MODEL", raising=False)
    with pytest.raises(DiffforgeError, match="no model"):
        ChatClient(cache=False)


def test_cache_key_is_canonical() -> None:
    msgs = user("x")
    assert cache_key("m", msgs, {"a": 1, "b": 2}) == cache_key("m", msgs, {"b": 2, "a": 1})
    assert cache_key("m", msgs, {"a": 1}) != cache_key("m2", msgs, {"a": 1})
    assert cache_key("m", msgs, {"a": 1}) != cache_key("m", user("y"), {"a": 1})
