"""The fact guard against an adversarial corpus (issue 24), the figures benchmarks/caption.md
records (run with ``-s`` to print them).

Falsified: 200 sampled specs (the PairSampler on configs/default.yaml and
configs/examples/clevr_like.yaml with predicted render facts, plus synthetic specs for the
text templates the default frame rarely makes readable), captioned by the real captioner in
the concise and the rich style; every caption falsified every way ``adversarial.falsify``
knows. Every falsification must be refused. Faithful: the hand-written paraphrases of
faithful_paraphrases.py (and its held-out set, written after the extractor was last tuned);
at least 90 % of each must be kept.
"""

from __future__ import annotations

import collections
from pathlib import Path

import pytest
from faithful_paraphrases import HELD_OUT, PARAPHRASES

from diffforge.captioner.adversarial import falsify
from diffforge.captioner.compose import caption_or_reason
from diffforge.captioner.rewrite import guard, lexicon_for
from diffforge.captioner.synthetic import synthetic_spec
from diffforge.config import load_config
from diffforge.render.facts import predicted_facts
from diffforge.scenes.sampler import PairSampler, text_readability

# guards a corpus of rewrites over sampled pairs: `make test-slow`, run in CI
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SAMPLED = (("configs/default.yaml", 150), ("configs/examples/clevr_like.yaml", 30))
SYNTHETIC = 20  # synthetic specs with a text change: text_change, text_appear, text_disappear


def corpus() -> tuple[list[tuple[str, dict[str, str]]], dict[str, int], set[int]]:
    """(caption, lexicon) for 200 specs in both styles; the change types and change counts."""
    out: list[tuple[str, dict[str, str]]] = []
    types: collections.Counter[str] = collections.Counter()
    counts: set[int] = set()

    def add(spec, **kw) -> None:
        lex = lexicon_for(spec)
        for style in ("concise", "rich"):
            caps, _ = caption_or_reason(spec, 2, style=style, **kw)
            for cap in caps or []:
                out.append((cap["text"], lex))
                types.update(cap["types"])
        counts.add(len(spec.changes))

    for path, n in SAMPLED:
        cfg = load_config(REPO / path)
        resolution = tuple(cfg.render.resolved().resolution)
        sampler = PairSampler(cfg)
        readable = text_readability(cfg)
        for i in range(n):
            spec = sampler.sample(i)
            facts = predicted_facts(spec, resolution, cfg.visibility.predict_fill)
            add(spec, resolution=resolution, facts=facts, readable=readable)
    i = taken = 0
    while taken < SYNTHETIC:
        spec = synthetic_spec(i)
        i += 1
        if any(c.type == "text" for c in spec.changes):
            add(spec)
            taken += 1
    return out, dict(types), counts


@pytest.fixture(scope="module")
def captions() -> tuple[list[tuple[str, dict[str, str]]], dict[str, int], set[int]]:
    return corpus()


def test_every_falsification_is_refused(captions) -> None:
    texts, types, counts = captions
    every_type = set(PairSampler(load_config(REPO / SAMPLED[0][0])).types)
    assert every_type <= set(types), f"change types not covered: {every_type - set(types)}"
    assert {1, 2, 3} <= counts
    tried: collections.Counter[str] = collections.Counter()
    kept: list[tuple[str, str, str]] = []
    for text, lex in texts:
        for kind, lie in falsify(text):
            tried[kind] += 1
            if not guard(text, lie, lex):
                kept.append((kind, text, lie))
    total = sum(tried.values())
    print(
        f"\nfalsified corpus: {total} rewrites of {len(texts)} captions "
        f"(200 specs, {len(types)} change types), {total - len(kept)} rejected "
        f"({100 * (total - len(kept)) / total:.1f} %); by kind: {dict(sorted(tried.items()))}"
    )
    assert total >= 2000
    assert not kept, kept[:5]


@pytest.mark.parametrize(("name", "pairs"), [("written", PARAPHRASES), ("held out", HELD_OUT)])
def test_faithful_paraphrases_are_kept(name: str, pairs: list[tuple[str, str]]) -> None:
    assert len(PARAPHRASES) >= 100
    refused = [(t, p, guard(t, p, {})) for t, p in pairs]
    refused = [r for r in refused if r[2]]
    share = 1 - len(refused) / len(pairs)
    print(
        f"\nfaithful paraphrases ({name}): {len(pairs) - len(refused)} of {len(pairs)} kept "
        f"({100 * share:.1f} %); refused: {[r[2] for r in refused]}"
    )
    assert share >= 0.9, refused[:5]


if __name__ == "__main__":  # debugging: print the kept falsifications
    texts, _, _ = corpus()
    for text, lex in texts:
        for kind, lie in falsify(text):
            if not guard(text, lie, lex):
                print(kind, "|", text, "\n  ->", lie)
