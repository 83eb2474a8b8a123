"""The openai rewrite backend on a dataset: a faithful rewrite is taken, word for word.

``test_caption_dataset_with_openai_backend_is_atomic_and_counts`` allows every caption to be
"rejected", so a guard that refused everything (or a writer that kept the template) would pass
it. Here the loopback server answers each caption with a faithful paraphrase it remembers, and
the dataset must hold exactly those answers, marked "rewrite", with the template kept beside
them; an answer that invents a colour must still be turned away.
"""

from __future__ import annotations

import json
from pathlib import Path

from chat_server import ChatServer, Reply

from diffforge.captioner.api import caption_dataset
from diffforge.captioner.rewrite import OpenAIBackend
from diffforge.llm import ChatClient
from diffforge.vocabulary import COLORS


def paraphrase(caption: str) -> str:
    """Same facts, other words around them."""
    return "Looking at both pictures, " + caption[0].lower() + caption[1:]


def lie(caption: str) -> str:
    """A paraphrase that adds a colour the caption never named: the fact guard must refuse it."""
    colour = next(c for c in sorted(COLORS) if c not in caption.lower())
    return f"{paraphrase(caption)} A {colour} one appeared as well."


def captions_of(root: Path) -> list[dict]:
    rows = [json.loads(line) for line in (root / "pairs.jsonl").read_text().splitlines()]
    return [cap for row in rows for cap in row["captions"]]


class Rewriter:
    """Answers each caption it is sent (the prompt's text after its first line, as the user
    prompt template puts it); remembers what it said to which caption."""

    def __init__(self, liar_every: int = 0) -> None:
        self.liar_every = liar_every
        self.said: dict[str, str] = {}

    def __call__(self, body: dict, n: int) -> Reply:
        caption = body["messages"][-1]["content"].split("\n", 1)[1].strip()
        # which captions get a lie depends on the caption alone, not on the request order
        lying = self.liar_every and sum(map(ord, caption)) % self.liar_every == 0
        self.said[caption] = lie(caption) if lying else paraphrase(caption)
        return Reply(content=self.said[caption])


def backend(url: str, tmp_path: Path) -> OpenAIBackend:
    client = ChatClient(
        "test-model", url, "sk-test", cache_path=tmp_path / "llm.sqlite",
        timeout=5.0, retries=1, backoff=0.01,
    )  # fmt: skip
    return OpenAIBackend(client=client)


def test_faithful_rewrites_are_accepted_and_stored_verbatim(dataset: Path, tmp_path: Path) -> None:
    server = Rewriter()
    with ChatServer(server) as srv:
        report = caption_dataset(dataset, backend=backend(srv.url, tmp_path))
    caps = captions_of(dataset)
    assert len(caps) == report.captions == 24
    assert (report.rewrite.rewritten, report.rewrite.rejected, report.rewrite.failed) == (24, 0, 0)
    for cap in caps:
        assert cap["source"] == "rewrite", cap
        assert cap["template"] in server.said, "the template is the caption the server was sent"
        assert cap["text"] == server.said[cap["template"]], "the stored text is the server's"
        assert cap["text"] != cap["template"]
    assert sorted(c["template"] for c in caps) == sorted(server.said)


def test_lies_are_refused_while_faithful_rewrites_are_kept(dataset: Path, tmp_path: Path) -> None:
    server = Rewriter(liar_every=3)
    with ChatServer(server) as srv:
        report = caption_dataset(dataset, backend=backend(srv.url, tmp_path))
    caps = captions_of(dataset)
    by_source: dict[str, list[dict]] = {}
    for cap in caps:
        by_source.setdefault(cap["source"], []).append(cap)
    assert set(by_source) == {"rewrite", "rejected"}, set(by_source)
    assert report.rewrite.rewritten == len(by_source["rewrite"]) >= 12
    assert report.rewrite.rejected == len(by_source["rejected"]) >= 3
    for cap in by_source["rewrite"]:
        assert cap["text"] == server.said[cap["template"]] == paraphrase(cap["template"])
    for cap in by_source["rejected"]:  # the template stays, the lie is nowhere
        assert server.said[cap["text"]] == lie(cap["text"]) != cap["text"]
        assert "template" not in cap or cap["template"] is None
