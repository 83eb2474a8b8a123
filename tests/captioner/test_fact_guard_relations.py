"""The fact guard holds direction, spatial and comparison words; the cache key holds the endpoint.

Real loopback servers (tests/chat_server.py): one that swaps left and right, one that swaps
appeared and disappeared, one faithful. Their rewrites of real template captions go through
the openai backend and the guard.
"""

from __future__ import annotations

import re
from pathlib import Path

from chat_server import ChatServer, Reply

from diffforge.captioner.rewrite import OpenAIBackend, guard, lexicon_for, rewrite_captions
from diffforge.captioner.synthetic import synthetic_spec
from diffforge.llm import ChatClient

LEX = lexicon_for(synthetic_spec(0))
CAPTIONS = [
    "The red chair on the left side of the scene has been moved to the right.",
    "A blue mug has appeared on the wooden table in the foreground.",
    "The green vase on the right side of the scene has disappeared.",
    "The chair has been rotated clockwise and the scene has become brighter.",
    "The red mug has become larger than it was in the first image.",
]
SWAPS = {
    "left": "right",
    "right": "left",
    "appeared": "disappeared",
    "disappeared": "appeared",
    "clockwise": "counterclockwise",
    "brighter": "darker",
    "larger": "smaller",
    "foreground": "background",
}


def _caption_of(body: dict) -> str:
    return body["messages"][-1]["content"].split("\n", 1)[1]


def swapper(body: dict, n: int) -> Reply:
    """A lying server: every direction/comparison word is turned into its opposite."""
    text = _caption_of(body)
    pattern = re.compile(r"\b(" + "|".join(SWAPS) + r")\b")
    return Reply(content="Looking closely, " + pattern.sub(lambda m: SWAPS[m.group(1)], text))


def faithful(body: dict, n: int) -> Reply:
    text = _caption_of(body)
    return Reply(content="Looking closely, " + text[0].lower() + text[1:])


def _backend(url: str, cache: Path) -> OpenAIBackend:
    client = ChatClient("same-model", url, "sk-test", cache_path=cache, timeout=2, retries=0)
    return OpenAIBackend(client=client)


def test_guard_names_swapped_relations() -> None:
    template = "The chair on the left side has been rotated clockwise and has appeared."
    bad = "The chair on the right side has been rotated counterclockwise and has disappeared."
    problems = "; ".join(guard(template, bad, LEX))
    for word in ("left", "right", "clockwise", "counterclockwise", "appeared", "disappeared"):
        assert word in problems
    ok = "The chair at the left has turned clockwise and appeared."
    assert guard(template, ok, LEX) == []
    assert guard("The mug has vanished.", "The mug has disappeared.", LEX) == []


def test_swapping_server_is_rejected_and_cache_key_holds_the_endpoint(tmp_path: Path) -> None:
    cache = tmp_path / "llm.sqlite"
    lexicons = [LEX] * len(CAPTIONS)
    with ChatServer(swapper) as liar:
        backend = _backend(liar.url, cache)
        texts, sources, report = rewrite_captions(CAPTIONS, lexicons, backend)
        backend.close()
    assert sources == ["rejected"] * len(CAPTIONS), report.rejections
    assert texts == CAPTIONS, "rejected rewrites keep the template"
    # the bound claims name what was turned round: a position, a direction or an event
    assert all(
        {"position", "direction", "event"} & {p.split(":")[0] for p in r.split("; ")}
        for r in report.rejections
    ), report.rejections
    # The same model name on another server: its own answers, not the liar's from the cache.
    with ChatServer(faithful) as honest:
        backend = _backend(honest.url, cache)
        texts, sources, report = rewrite_captions(CAPTIONS, lexicons, backend)
        backend.close()
        assert honest.count == len(CAPTIONS), "nothing came from the other server's cache"
    assert sources == ["rewrite"] * len(CAPTIONS), report.rejections
    assert report.cached == 0
    # ... and asking that server again is answered from the cache.
    with ChatServer(faithful) as again:
        backend = _backend(honest.url, cache)
        _, sources2, report2 = rewrite_captions(CAPTIONS, lexicons, backend)
        backend.close()
    assert sources2 == sources and report2.cached == len(CAPTIONS)
    del again
