"""The caption linter: each rule finds its mistake, and 10,000 sampled captions have none."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from diffforge.captioner.compose import AmbiguousReference, caption_pair
from diffforge.captioner.lint import lint_caption, lint_record
from diffforge.captioner.phrasings import templates
from diffforge.config import load_config

# the caption linter over thousands of sampled pairs: `make test-slow`, run in CI
pytestmark = pytest.mark.slow

# the default config as users run it at standard (the specs tests/scenes share through the cache)
STANDARD = load_config(
    Path(__file__).parents[2] / "configs/default.yaml", ["render.preset=standard"]
)


def rules(text: str, referring=None, change=None) -> set[str]:
    return {h.rule for h in lint_caption(text, referring, change)}


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("There are two changes. First, A car has appeared.", "capital"),
        ("First, the Chair has turned blue.", "capital"),
        ("The camera moved closer to the scene around the scene.", "repeat"),
        ("The red mug on the table has moved and the red mug on the table is gone.", "repeat"),
        ("There is two red mugs on the table.", "agreement"),
        ("Now there are one mug.", "agreement"),
        ("The number went from one to two: one mugs can be seen.", "agreement"),
        ("A orange ball has appeared.", "agreement"),
        ("An red ball has appeared.", "agreement"),
    ],
)
def test_each_rule_finds_its_mistake(text: str, rule: str) -> None:
    assert rule in rules(text)


def test_person_is_never_it() -> None:
    ref = "the person in a red top"
    part = "The person in a red top has moved: it is now on the left."
    assert "person_it" in rules(part, [ref], [part])
    fine = "The person in a red top has moved: the person is now on the left."
    assert rules(fine, [ref], [fine]) == set()
    mug = "The red mug has moved: it is now on the left."
    assert rules(mug, ["the red mug"], [mug]) == set()


@pytest.mark.parametrize(
    "text",
    [
        'The sign now reads "NO ENTRY" instead of "OPEN".',
        "There are two differences. First, a car has appeared. Second, the EXIT sign is gone.",
        "There is one mug on the table, and now there are three.",
        "An umbrella and a unicorn have appeared; an hour passed.",
        "The table lamp on the table has turned.",
    ],
)
def test_clean_captions_pass(text: str) -> None:
    assert rules(text) == set()


def test_two_of_a_kind_and_a_landmark_named_again_are_no_repeats() -> None:
    """Two things of one kind told apart by colour, and a changed object named again as the
    landmark of another change, are second uses; the same phrase said twice is a stutter."""
    assert rules("Apart from this, the cyan chest of drawers, the gray chest of drawers and the "
                 "lamp have not changed.") == set()  # fmt: skip
    assert "repeat" in rules("The cyan chest of drawers and the cyan chest of drawers are new.")
    ref = "the coffee table in the centre of the scene"
    two = ("The coffee table in the centre of the scene has turned to glass. Then someone "
           "turned off the table lamp on the coffee table in the centre of the scene.")  # fmt: skip
    assert rules(two, [ref]) == set()
    stutter = f"{ref.capitalize()} is red. Then {ref} has turned to glass."
    assert "repeat" in rules(stutter, [ref])


LINT_PAIRS = 800  # 4,000 captions; 2,000 pairs (10,000 captions, 0 hits) took 710 s of make test


@pytest.mark.slow
@pytest.mark.parametrize("key", ["illumination_light_on", "illumination_light_off"])
def test_a_lamp_named_by_its_support_reads_once(key: str) -> None:
    """A switched lamp named by what it stands on ("the table lamp on the table") makes no echo
    with the switch's verb: "turned on the table lamp on the table" said "on the table" twice
    (CI at ee5f62f)."""
    light = "table lamp on the table in the centre of the scene"
    for template in templates().get(key):
        text = template.render(light=light)
        assert not rules(text[0].upper() + text[1:]), text


def test_four_thousand_sampled_captions_are_clean(spec_cache) -> None:
    """800 default-config pairs × 5 captions, at the standard frame: no linter hit."""
    hits: Counter[str] = Counter()
    examples: list[str] = []
    total = 0
    for spec in spec_cache.specs(STANDARD, LINT_PAIRS):
        try:
            captions = caption_pair(spec, per_pair=5, resolution=(256, 192))
        except AmbiguousReference:  # the render pipeline resamples these
            continue
        for cap in captions:
            total += 1
            for hit in lint_record(cap):
                hits[hit.rule] += 1
                if len(examples) < 5:
                    examples.append(f"{hit.rule}: {hit.detail} in {cap['text']!r}")
    # at most 2 % of pairs left uncaptioned (ambiguous; resampled by the pipeline): since issue
    # 32 names a material only where the render shows it, a few more descriptions tie (21 of 2,000)
    assert total >= 0.98 * 5 * LINT_PAIRS
    assert not hits, (dict(hits), examples)


def test_rich_style_is_longer_clean_and_names_more(spec_cache) -> None:
    """The rich style says colour, material, size, support and neighbours, and what stayed the
    same: about OmniDiff's length (≈60 words), with no linter hit."""
    concise, rich, hits = [], [], []
    for spec in spec_cache.specs(STANDARD, 150):
        try:
            a = caption_pair(spec, 2, (256, 192), style="concise")
            b = caption_pair(spec, 2, (256, 192), style="rich")
        except AmbiguousReference:
            continue
        concise += [len(c["text"].split()) for c in a]
        rich += [len(c["text"].split()) for c in b]
        hits += [h for c in b for h in lint_record(c)]
    assert not hits, hits[:3]
    assert sum(rich) / len(rich) >= 45 > sum(concise) / len(concise)
