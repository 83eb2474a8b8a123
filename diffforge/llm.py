"""One OpenAI-compatible chat-completions client for the captioner's rewrites and the eval judge.

Talks to any server that speaks `POST {base_url}/chat/completions` (vLLM, llama.cpp server,
Ollama, OpenAI). Built for batch work where losing an item or paying twice is the real cost:

* a concurrency limit (one `asyncio.Semaphore`) and a hard per-request deadline;
* retries with exponential back-off on 5xx, 408, 429, timeouts, connection errors and replies
  that are not chat-completions JSON; other 4xx fail at once (asking again will not help);
* a persistent sqlite cache keyed by sha256(model, messages, parameters), so a rerun never
  asks twice; only successful answers are stored;
* failures never raise out of `complete_many`: they come back as `Result(error=...)` so the
  caller can fall back (template caption, unjudged item) and count them.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import sqlite3
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from diffforge.errors import DiffforgeError

Messages = list[dict[str, Any]]

DEFAULT_BASE_URL = "https://api.openai.com/v1"
RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


def default_cache_path() -> Path:
    """$DIFFFORGE_CACHE_DIR/llm.sqlite, else ~/.cache/diffforge/llm.sqlite."""
    root = os.environ.get("DIFFFORGE_CACHE_DIR")
    base = Path(root) if root else Path.home() / ".cache" / "diffforge"
    return base / "llm.sqlite"


@dataclass(frozen=True)
class Result:
    """The outcome of one prompt: `text` on success, `error` (one line) on failure."""

    text: str | None = None
    error: str | None = None
    cached: bool = False
    attempts: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None and self.text is not None


@dataclass
class ClientStats:
    """Counters over the client's lifetime; `requests` counts HTTP attempts, not prompts."""

    requests: int = 0
    cache_hits: int = 0
    retries: int = 0
    failures: int = 0
    succeeded: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


class ResponseCache:
    """sqlite key → text store. sqlite gives atomic writes and safe sharing between processes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=30.0, check_same_thread=False)
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, text TEXT NOT NULL,"
                " model TEXT, created REAL)"
            )
            self._db.commit()

    def get(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT text FROM responses WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def put(self, key: str, text: str, model: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?)",
                (key, text, model, time.time()),
            )
            self._db.commit()

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()


class _Retryable(Exception):
    """A failure worth asking again about."""


class _Fatal(Exception):
    """A failure that asking again will not fix (400, 401, 404, ...)."""


def cache_key(model: str, messages: Messages, params: dict[str, Any], endpoint: str = "") -> str:
    """sha256 over a canonical JSON of everything that decides the answer: the endpoint (the
    same model name on another server is another model), the model, the prompt, the params."""
    blob = json.dumps(
        {"endpoint": endpoint, "model": model, "messages": messages, "params": params},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def _extract_text(body: bytes) -> str:
    """The first choice's message content; anything else is a malformed reply (retryable)."""
    try:
        data = json.loads(body)
        content = data["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        snippet = body[:80].decode("utf-8", "replace").replace("\n", " ")
        raise _Retryable(f"malformed reply ({type(exc).__name__}): {snippet!r}") from None
    if not isinstance(content, str):
        raise _Retryable(f"malformed reply: content is {type(content).__name__}")
    return content


def _one_line(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ChatClient:
    """Async OpenAI-compatible chat client with retries, a concurrency limit and a disk cache.

    `params` given here (temperature, max_tokens, ...) are defaults merged under the ones passed
    to `complete_many`; all of them go into the request body and the cache key.
    """

    def __init__(
        self,
        model: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        concurrency: int = 8,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        cache: bool = True,
        cache_path: Path | str | None = None,
        **params: Any,
    ) -> None:
        model = model or os.environ.get("OPENAI_MODEL")
        if not model:
            raise DiffforgeError("LLM client: no model given (pass a model or set OPENAI_MODEL)")
        if concurrency < 1 or retries < 0 or timeout <= 0:
            raise DiffforgeError(
                f"LLM client: bad limits concurrency={concurrency} retries={retries} "
                f"timeout={timeout} (need ≥1, ≥0, >0)"
            )
        self.model = model
        self.base_url = (base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip(
            "/"
        )
        self.api_key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
        self.concurrency = concurrency
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.params = params
        self.cache = ResponseCache(Path(cache_path or default_cache_path())) if cache else None
        self.stats = ClientStats()
        self._rng = random.Random()

    @classmethod
    def from_config(cls, cfg: Any, **overrides: Any) -> ChatClient:
        """Build from a config object with model/base_url/concurrency/timeout/retries fields."""
        kwargs: dict[str, Any] = {
            name: getattr(cfg, name)
            for name in ("model", "base_url", "concurrency", "timeout", "retries", "temperature")
            if getattr(cfg, name, None) is not None
        }
        kwargs.update(overrides)
        return cls(**kwargs)

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/chat/completions"

    def key_for(self, messages: Messages, **params: Any) -> str:
        return cache_key(self.model, messages, {**self.params, **params}, self.endpoint)

    async def complete_many(self, prompts: Sequence[Messages], **params: Any) -> list[Result]:
        """One Result per prompt, in order. Never raises for a failed request.

        Identical prompts in one batch are asked once (the cache only helps across batches).
        """
        merged = {**self.params, **params}
        keys = [cache_key(self.model, list(p), merged, self.endpoint) for p in prompts]
        unique = {k: list(p) for k, p in zip(keys, prompts, strict=True)}
        sem = asyncio.Semaphore(self.concurrency)
        limits = httpx.Limits(max_connections=self.concurrency)
        async with httpx.AsyncClient(timeout=self.timeout, limits=limits) as http:
            tasks = [self._complete_one(http, sem, p, merged, k) for k, p in unique.items()]
            done = dict(zip(unique, await asyncio.gather(*tasks), strict=True))
        return [done[k] for k in keys]

    async def complete(self, messages: Messages, **params: Any) -> Result:
        return (await self.complete_many([messages], **params))[0]

    def complete_many_sync(self, prompts: Sequence[Messages], **params: Any) -> list[Result]:
        """Blocking wrapper; works inside a running event loop too (runs in a helper thread)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self.complete_many(prompts, **params))
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, self.complete_many(prompts, **params)).result()

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()

    async def _complete_one(
        self,
        http: httpx.AsyncClient,
        sem: asyncio.Semaphore,
        messages: Messages,
        params: dict[str, Any],
        key: str,
    ) -> Result:
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                self.stats.cache_hits += 1
                return Result(text=hit, cached=True)
        body = {**params, "model": self.model, "messages": messages}
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        error = "no attempt made"
        attempt = 0
        for attempt in range(1, self.retries + 2):
            if attempt > 1:
                self.stats.retries += 1
            wait: float | None = None
            try:
                async with sem:
                    self.stats.requests += 1
                    text = await self._post(http, body, headers)
            except _Fatal as exc:
                error = str(exc)
                break
            except _Retryable as exc:
                error = str(exc)
                wait = getattr(exc, "retry_after", None)
            except Exception as exc:  # a bad URL, an encoding bug: report it, never raise
                error = f"{type(exc).__name__}: {exc}"
                break
            else:
                if self.cache is not None:
                    self.cache.put(key, text, self.model)
                self.stats.succeeded += 1
                return Result(text=text, attempts=attempt)
            if attempt <= self.retries:
                await asyncio.sleep(self._delay(attempt, wait))
        self.stats.failures += 1
        return Result(error=_one_line(error), attempts=attempt)

    async def _post(self, http: httpx.AsyncClient, body: dict, headers: dict) -> str:
        """One HTTP attempt under a hard deadline; maps every failure to _Retryable or _Fatal."""
        try:
            async with asyncio.timeout(self.timeout):
                resp = await http.post(self.endpoint, json=body, headers=headers)
        except (TimeoutError, httpx.TimeoutException):
            raise _Retryable(f"timeout after {self.timeout:g} s") from None
        except httpx.TransportError as exc:
            raise _Retryable(f"connection error: {type(exc).__name__}: {exc}") from None
        if resp.status_code in RETRY_STATUS or resp.status_code >= 500:
            err = _Retryable(f"HTTP {resp.status_code}: {_one_line(resp.text, 80)}")
            err.retry_after = _retry_after(resp)  # type: ignore[attr-defined]
            raise err
        if resp.status_code >= 400:
            raise _Fatal(f"HTTP {resp.status_code}: {_one_line(resp.text, 80)}")
        return _extract_text(resp.content)

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        base = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        if retry_after is not None:
            return min(self.max_backoff, max(base, retry_after))
        return base * (0.75 + 0.5 * self._rng.random())  # jitter spreads a burst of retries


def _retry_after(resp: httpx.Response) -> float | None:
    value = resp.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
