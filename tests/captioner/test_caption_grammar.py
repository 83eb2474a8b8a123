"""Number and article agreement in every phrasing of every change type.

Each phrasing is rendered with counts of one, two and three (before and after) and with nouns and
colours that start with a vowel; the checker flags "one <plural>", "<two+> <singular>",
"were one" / "are one", "is two", "a <vowel>", "an <consonant>" and clothing without an article.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from diffforge.captioner.compose import Group, change_groups, render_group, templates
from diffforge.captioner.referring import Referring
from diffforge.captioner.synthetic import CHANGE_TYPES, synthetic_spec
from diffforge.scenes.model import Change, PairSpec
from diffforge.vocabulary import (
    COLORS,
    MATERIAL_ADJECTIVES,
    NUMBER_WORDS,
    SIZE_WORDS,
    plural,
)

RES = (96, 72)
# Nouns of the synthetic scenes -> nouns that start with a vowel ("an urn", "an egg cup").
VOWEL_NOUNS = {
    "mug": "egg cup", "chair": "armchair", "vase": "urn", "table": "island", "sign": "easel",
    "person": "officer", "potted plant": "orchid", "lamp": "oil lamp",
}  # fmt: skip
COUNTS = [(a, b) for a in (1, 2, 3) for b in (1, 2, 3) if a != b]

_ADJ = "|".join(
    re.escape(w)
    for w in [*COLORS, *MATERIAL_ADJECTIVES.values(), *SIZE_WORDS, "more", "fewer", "new"]
)
_MANY = "|".join(NUMBER_WORDS[2:])
_QUOTED = re.compile(r'"[^"]*"')
_FIXED = [
    (re.compile(r"\b(?:were|are) one\b", re.I), "plural verb with one"),
    (re.compile(rf"\b(?:was|is) (?:zero|{_MANY})\b", re.I), "singular verb with a plural count"),
    (re.compile(r"\ba (?=[aeiou])", re.I), "'a' before a vowel"),
    (re.compile(r"\ban (?=[b-df-gj-np-tv-z])", re.I), "'an' before a consonant"),
    (re.compile(rf"\b(?:wears|instead of) (?:{'|'.join(COLORS)}) top\b"), "clothing article"),
]


def agreement_errors(text: str, nouns: set[str]) -> list[str]:
    """What is wrong with ``text`` (empty: nothing); ``nouns`` are the singular nouns in play."""
    text = _QUOTED.sub("Q", text)  # quoted strings are kept verbatim, whatever they say
    found = [f"{why}: {m.group(0)!r}" for rx, why in _FIXED for m in rx.finditer(text)]
    plurals = {plural(n) for n in nouns} - nouns
    alt = "|".join(re.escape(n) for n in sorted(nouns | plurals, key=len, reverse=True))
    phrase = re.compile(rf"\b({_MANY}|one) (?:(?:{_ADJ}) ){{0,3}}({alt})\b", re.I)
    for m in phrase.finditer(text):
        one, is_plural = m.group(1).lower() == "one", m.group(2).lower() in plurals
        if one == is_plural:
            found.append(f"number agreement: {m.group(0)!r}")
    return found


def test_checker_catches_the_known_bugs() -> None:
    nouns = {"bollard", "egg cup"}
    assert agreement_errors("There were one orange bollards, and now there are two.", nouns)
    assert agreement_errors("There was two orange bollard.", nouns)
    assert agreement_errors("Now there are one.", nouns)
    assert agreement_errors("A orange egg cup has been added.", nouns)
    assert agreement_errors("The person now wears red top instead of an orange top.", nouns)
    fine = "There was one orange bollard, and now there are two orange bollards."
    assert agreement_errors(fine, nouns) == []
    assert agreement_errors('The sign reads "a OPEN one bollards".', nouns) == []


def _vowelize(spec: PairSpec) -> PairSpec:
    """Vowel-initial nouns everywhere, and orange (the vowel colour) for the counted mugs."""
    for scene in (spec.before, spec.after):
        for o in scene.objects:
            o.noun = VOWEL_NOUNS.get(o.noun, o.noun)
            if o.category == "mug":
                o.attributes.color = "orange"
    for change in spec.changes:
        for side in (change.before, change.after, change.params):
            if side.get("noun") in VOWEL_NOUNS:
                side["noun"] = VOWEL_NOUNS[side["noun"]]
    return spec


def _nouns(spec: PairSpec) -> set[str]:
    return {o.noun for s in (spec.before, spec.after) for o in s.objects}


def _renderings(change_type: str) -> Iterator[tuple[str, set[str]]]:
    """Every phrasing, for several draws (sub-kinds), plain and vowel-initial, counts 1..3."""
    for index in range(8):
        for vowels in (False, True):
            spec = synthetic_spec(index, types=[change_type])
            if vowels:
                _vowelize(spec)
            grid = COUNTS if change_type == "count" else [None]
            for counts in grid:
                if counts:
                    spec.changes[0].before["count"], spec.changes[0].after["count"] = counts
                (group,) = change_groups(spec, RES)
                for variant in range(len(templates().get(group.key))):
                    yield render_group(group, variant), _nouns(spec)


@pytest.mark.parametrize("change_type", CHANGE_TYPES)
def test_every_phrasing_agrees_in_number_and_article(change_type: str) -> None:
    errors = sorted(
        {
            f"{e} in: {t}"
            for t, nouns in _renderings(change_type)
            for e in agreement_errors(t, nouns)
        }
    )
    assert not errors, "\n".join(errors[:20])


def test_count_phrasings_agree_with_one_before_and_after() -> None:
    spec = _vowelize(synthetic_spec(3, types=["count"]))
    spec.changes[0].before["count"], spec.changes[0].after["count"] = 1, 2
    (g,) = change_groups(spec, RES)
    texts = [render_group(g, v) for v in range(len(templates().get("count")))]
    assert "There was one orange egg cup on the island, and now there are two." in texts
    spec.changes[0].before["count"], spec.changes[0].after["count"] = 3, 1
    (g,) = change_groups(spec, RES)
    texts = [render_group(g, v) for v in range(len(templates().get("count")))]
    assert any(t.endswith("while in the second image there is one.") for t in texts)
    assert any(t.startswith("Two fewer orange egg cups can be seen") for t in texts)


def test_generic_replace_and_superlative_articles() -> None:
    spec = synthetic_spec(0, types=["none"])
    spec.changes[0] = Change(type="ice_cover", targets=["chair_1"])
    (g,) = change_groups(spec, RES)
    texts = [render_group(g, v) for v in range(len(templates().get(g.key)))]
    assert all("an ice cover change" in t.lower() for t in texts), texts
    # A replacement whose new object is not in the scene still gets the right article.
    spec = synthetic_spec(0, types=["replace"])
    spec.changes[0].targets = spec.changes[0].targets[:1]
    spec.changes[0].after = {"id": "missing", "noun": "umbrella"}
    (g,) = change_groups(spec, RES)
    assert g.values["new"] == "an umbrella"
    # "the leftmost mug" never becomes "a leftmost mug".
    ref = Referring("m", "leftmost red mug", "", "on the table", ("color", "leftmost"))
    assert ref.indefinite == "the leftmost red mug on the table"
    assert Referring("m", "orange mug").indefinite == "an orange mug"


def test_group_values_render_without_gaps() -> None:
    """A Group built by hand from the documented count values renders every phrasing."""
    values = {
        "group": "umbrellas", "where": "", "group_where": "umbrellas", "before": "one",
        "after": "two", "group_before": "umbrella", "was_before": "was", "are_before": "is",
        "are_after": "are", "more": True, "diff": "one", "group_diff": "umbrella",
        "one_diff": True, "noun": "umbrella",
    }  # fmt: skip
    g = Group("count", "count", values)
    for v in range(len(templates().get("count"))):
        text = render_group(g, v)
        assert not agreement_errors(text, {"umbrella"}), text
