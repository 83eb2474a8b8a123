"""The fact guard, and the openai rewrite backend against a real HTTP server on loopback."""

from __future__ import annotations

import json
from pathlib import Path

import chat_server
import pytest
from chat_server import ChatServer, Reply

from diffforge.captioner.api import caption_dataset
from diffforge.captioner.rewrite import (
    OpenAIBackend,
    extract_facts,
    guard,
    lexicon_for,
    rewrite_captions,
)
from diffforge.captioner.synthetic import synthetic_spec
from diffforge.llm import ChatClient

LEX = lexicon_for(synthetic_spec(0))
TEMPLATE = (
    "There are two differences between the two images. First, the red chair on the left side "
    'of the scene has turned blue. Second, the sign now reads "Cautiuos" instead of "OPEN".'
)


def test_facts_are_normalised() -> None:
    facts = extract_facts('Two grey mugs and 3 wooden chairs; the sign reads "SALE".', LEX)
    assert facts.colors == {"gray"} and facts.materials == {"wood"}
    assert facts.nouns == {"mug", "chair", "sign"} and facts.numbers == {2, 3}
    assert facts.quotes == {"SALE"}


def test_guard_accepts_a_faithful_paraphrase() -> None:
    ok = (
        "The two images differ in two ways: the red chair at the left of the scene is blue now, "
        'and the sign that said "OPEN" now says "Cautiuos".'
    )
    assert guard(TEMPLATE, ok, LEX) == []


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        (TEMPLATE.replace("red chair", "chair"), "dropped colors: red"),
        (TEMPLATE.replace("red chair", "red wooden chair"), "invented materials: wood"),
        (TEMPLATE.replace("turned blue", "turned green"), "invented colors: green"),
        (TEMPLATE.replace("There are two", "There are three"), "invented numbers: 3"),
        (TEMPLATE.replace('"Cautiuos"', '"Cautious"'), "invented quotes: Cautious"),
        (TEMPLATE.replace("the sign", "the poster"), "dropped nouns: sign"),
        (TEMPLATE.replace("red chair", "red chair next to the table"), "invented nouns: table"),
        ("", "empty rewrite"),
    ],
)
def test_guard_rejects_dropped_or_invented_facts(bad: str, problem: str) -> None:
    assert problem in guard(TEMPLATE, bad, LEX)


def test_words_for_the_images_are_not_a_picture_in_the_scene() -> None:
    """A room with a picture on its wall (review rounds' rooms, CI at ee5f62f): "both pictures"
    or "the second picture" names an image, so a paraphrase saying so invents no noun; a rewrite
    that hangs "a picture" into the caption still does."""
    lex = LEX | lexicon_for(None, ["picture"])
    for opening in (
        "Looking at both pictures, t",
        "Set side by side, the two pictures show that t",
    ):
        assert guard(TEMPLATE, opening + TEMPLATE[1:], lex) == []
    invented = TEMPLATE.replace("red chair on", "red chair under the picture on")
    assert "invented nouns: picture" in guard(TEMPLATE, invented, lex)


def paraphrase(caption: str) -> str:
    return "Looking closely, " + caption[0].lower() + caption[1:]


def make_backend(url: str, tmp_path: Path) -> OpenAIBackend:
    client = ChatClient(
        "test-model", url, "sk-test", cache_path=tmp_path / "llm.sqlite",
        timeout=0.5, retries=1, backoff=0.01,
    )  # fmt: skip
    return OpenAIBackend(client=client)


def respond(body: dict, n: int) -> Reply:
    """Misbehave by keyword in the caption: the rest get a faithful paraphrase."""
    caption = body["messages"][-1]["content"].split("\n", 1)[1]
    if "case-error" in caption:
        return Reply(status=500, raw=b"overloaded")
    if "case-slow" in caption:
        return Reply(content=paraphrase(caption), delay=1.5)
    if "case-garbage" in caption:
        return Reply(raw=b'{"choices": [{"message": ')
    if "case-liar" in caption:
        return Reply(content=caption.replace("red", "green"))
    return Reply(content=paraphrase(caption))


def test_openai_backend_answers_errors_timeouts_garbage_and_cache(tmp_path: Path) -> None:
    captions = [
        "The red chair case-fine has turned blue.",
        "The red chair case-error has turned blue.",
        "The red chair case-slow has turned blue.",
        "The red chair case-garbage has turned blue.",
        "The red chair case-liar has turned blue.",
        'The sign case-quote now reads "Cautiuos".',
    ]
    lexicons = [LEX] * len(captions)
    with ChatServer(respond) as srv:
        backend = make_backend(srv.url, tmp_path)
        texts, sources, report = rewrite_captions(captions, lexicons, backend)
        backend.close()
        assert len(texts) == len(captions), "nothing is lost"
        assert sources == ["rewrite", "failed", "failed", "failed", "rejected", "rewrite"]
        assert texts[0] == paraphrase(captions[0])
        assert texts[1:5] == captions[1:5], "failures and rejections keep the template"
        assert '"Cautiuos"' in texts[5]
        assert (report.rewritten, report.rejected, report.failed) == (2, 1, 3)
        assert "dropped colors: red" in report.rejections[0]
        asked = srv.count

        again = make_backend(srv.url, tmp_path)  # a rerun: answers come from the disk cache
        texts2, sources2, report2 = rewrite_captions(captions, lexicons, again)
        again.close()
        assert texts2 == texts and sources2 == sources
        assert report2.cached == 3  # the two rewrites and the rejected answer were cached
        # Only the three failures are asked again (each with one retry).
        assert srv.count - asked == 3 * 2


def test_caption_dataset_with_openai_backend_is_atomic_and_counts(
    dataset: Path, tmp_path: Path
) -> None:
    before = (dataset / "pairs.jsonl").read_text()
    with ChatServer(chat_server.echo) as srv:  # "re: Rewrite this caption: ..." keeps the facts
        report = caption_dataset(dataset, backend=make_backend(srv.url, tmp_path))
    after = (dataset / "pairs.jsonl").read_text()
    rows = [json.loads(line) for line in after.splitlines()]
    assert len(rows) == len(before.splitlines()) == report.pairs == 12
    assert report.captions == sum(len(r["captions"]) for r in rows) == 24
    assert report.rewrite.rewritten + report.rewrite.rejected == 24
    assert report.rewrite.failed == 0
    for row in rows:
        for cap in row["captions"]:
            assert cap["source"] in ("rewrite", "rejected")
            if cap["source"] == "rewrite":
                assert cap["text"].startswith("re: ") and cap["template"] in cap["text"]
    assert not list(dataset.glob(".*.tmp*")), "no temporary file left behind"
