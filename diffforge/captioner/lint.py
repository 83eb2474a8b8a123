"""A caption linter: the mistakes a reader notices at once, found on the text alone.

Rules (each hit names its rule, so the audit can count them):

- ``capital``: a capital letter mid-sentence ("First, A car ..."), outside quoted sign text and
  all-caps words;
- ``repeat``: a phrase of three or more words said twice in one sentence, or one referring
  expression said twice in a caption ("further from the scene around the scene");
- ``person_it``: a person called "it" (the change part about a person uses it/its);
- ``agreement``: number agreement ("there is two", "one mugs", "two mug are") and a/an.

Used by ``diffforge audit`` and by a test over 10,000 sampled captions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from diffforge.vocabulary import COLORS, MATERIAL_ADJECTIVES, NUMBER_WORDS, PERSON_NOUNS, SIZE_WORDS

_QUOTED = re.compile(r'"[^"]*"|“[^”]*”')
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_PLURAL_NUMBERS = "|".join(NUMBER_WORDS[2:])
_AGREEMENT = [
    re.compile(rf"\b(?:there|which|that) (?:is|was|has) (?:{_PLURAL_NUMBERS})\b", re.I),
    re.compile(r"\bthere (?:are|were) (?:one|a|an)\b", re.I),
    re.compile(rf"\b(?:{_PLURAL_NUMBERS}) (?:\w+ ){{0,3}}(?:is|was|has)\b(?! (?:been|gone))", re.I),
]
# Words after "one" that end in s but are singular nouns or adjectives.
_S_SINGULAR = frozenset(
    {
        "glass", "glasses", "bus", "class", "grass", "dress", "canvas", "cactus", "trousers",
        "scissors", "is", "was", "has", "its", "this", "us", "plus", "across", "less", "always",
        "various", "famous", "previous", "metallic", "plastic",
    }
)  # fmt: skip
_FILLER = frozenset(
    {
        "the", "a", "an", "of", "in", "on", "to", "is", "was", "and", "it", "has", "now", "from",
        "image", "first", "second", "that", "with", "at", "by", "be", "been", "are", "were",
    }
)  # fmt: skip
# A phrase ending in an attribute is the start of two noun phrases, not a repeat: "the large
# blue sphere next to the large blue cube" (once CLEVR's unseen materials are not said).
_ATTRIBUTES = frozenset({*COLORS, *SIZE_WORDS, *MATERIAL_ADJECTIVES.values()})
_RELATION_SPLIT = re.compile(
    r"\b(?:next to|beside|on|that|closest|near|under|in the|in front of)\b"
)
_LANDMARK_BEFORE = "(?:on|beside|near|under|above|below|behind|to)"  # "next to", "close to"
_PLACE_WORDS = frozenset(
    {"scene", "camera", "picture", "frame", "background", "foreground", "centre", "view"}
)
_A_OK = re.compile(r"\ba (?:uni|use|usu|eu|ewe|one\b|once\b|ubiq|utens)", re.I)
_AN_OK = re.compile(r"\ban (?:hour|honest|honou?r|heir)", re.I)


@dataclass(frozen=True)
class Hit:
    rule: str
    detail: str


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(_QUOTED.sub('"Q"', text).strip()) if s]


def _capitals(text: str) -> list[Hit]:
    hits = []
    for sentence in _sentences(text):
        words = _WORD.findall(sentence)
        for w in words[1:]:
            acronym = len(w) > 1 and w.isupper()  # "EXIT"; a lone "A" is no acronym
            if w[0].isupper() and not acronym and w != "Q":
                hits.append(Hit("capital", f"{w!r} in {sentence[:60]!r}"))
    return hits


def _ngrams(words: Sequence[str], n: int) -> Iterable[tuple[str, ...]]:
    return (tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def _repeats(text: str, referring: Sequence[str] = ()) -> list[Hit]:
    hits = []
    for sentence in _sentences(text):
        words = [w.lower() for w in _WORD.findall(sentence)]
        seen: dict[tuple[str, ...], str] = {}
        for i, gram in enumerate(_ngrams(words, 3)):
            if all(w in _FILLER for w in gram) or gram[-1] in _FILLER | _ATTRIBUTES:
                continue
            before = words[i - 1] if i else ""
            # two things of one kind told apart by an attribute: "the cyan chest of drawers,
            # the gray chest of drawers"
            told_apart = before in _ATTRIBUTES and seen.get(gram, before) != before
            if gram in seen and not told_apart:
                hits.append(Hit("repeat", f"{' '.join(gram)!r} twice in {sentence[:60]!r}"))
                break
            seen[gram] = before
        # a place word said twice within a few words: "further from the scene around the scene"
        for i, w in enumerate(words):
            if w not in _PLACE_WORDS or words[i - 1 : i] != ["the"]:
                continue
            if w in words[i + 1 : i + 5] and words[words.index(w, i + 1) - 1] == "the":
                hits.append(Hit("repeat", f"'the {w}' twice in {sentence[:60]!r}"))
                break
    low = text.lower()
    for ref in {r.lower() for r in referring if r and len(r.split()) >= 3}:
        # a target named again as another change's landmark ("the lamp on the coffee table in
        # the centre") is a second use, not a stutter
        as_landmark = len(re.findall(rf"\b{_LANDMARK_BEFORE} {re.escape(ref)}", low))
        if low.count(ref) > 1 and low.count(ref) - as_landmark > 1:
            hits.append(Hit("repeat", f"referring expression {ref!r} twice"))
    return hits


def _person_it(parts: Sequence[str], referring: Sequence[str]) -> list[Hit]:
    hits = []
    for part, ref in zip(parts, referring, strict=False):
        # the head of the expression names the target; "the desk next to the person" is a desk
        head = _RELATION_SPLIT.split((ref or "").lower())[0]
        ref_words = set(re.findall(r"[a-z]+", head))
        if not ref_words & PERSON_NOUNS:
            continue
        rest = _QUOTED.sub(" ", part.lower())
        if re.search(r"\b(?:it|its|itself)\b", rest):
            hits.append(Hit("person_it", f"person called 'it' in {part[:60]!r}"))
    return hits


def _agreement(text: str) -> list[Hit]:
    hits = []
    plain = _QUOTED.sub('"Q"', text)
    for pattern in _AGREEMENT:
        for m in pattern.finditer(plain):
            hits.append(Hit("agreement", repr(m.group(0))))
    for m in re.finditer(r"\bone ((?:\w+ ){0,3})(\w+s)\b", plain, re.I):
        word = m.group(2).lower()
        if word in _S_SINGULAR or word.endswith(("ss", "us", "is")):
            continue
        if m.group(1).strip().lower() in ("of the", "of"):
            continue
        hits.append(Hit("agreement", repr(m.group(0))))
    for m in re.finditer(r"\b(a|an) ([A-Za-z]+)", plain, re.I):
        art, word = m.group(1).lower(), m.group(2)
        vowel = word[0].lower() in "aeiou"
        if art == "a" and vowel and not _A_OK.match(m.group(0)) and not word.isupper():
            hits.append(Hit("agreement", repr(m.group(0))))
        if art == "an" and not vowel and not _AN_OK.match(m.group(0)) and not word.isupper():
            hits.append(Hit("agreement", repr(m.group(0))))
    return hits


def lint_caption(
    text: str, referring: Sequence[str] | None = None, change: Sequence[str] | None = None
) -> list[Hit]:
    """Every hit in one caption. ``referring``/``change`` are the captioner's parts, if known."""
    referring = [r for r in (referring or []) if isinstance(r, str)]
    change = [c for c in (change or []) if isinstance(c, str)]
    hits = _capitals(text) + _repeats(text, referring) + _agreement(text)
    if referring and change:
        hits += _person_it(change, referring)
    return hits


def lint_record(caption: dict) -> list[Hit]:
    """A caption record ``{text, referring, change}`` (captioner output or dataset Caption)."""
    referring = caption.get("referring")
    change = caption.get("change")
    return lint_caption(
        caption["text"],
        referring if isinstance(referring, list) else None,
        change if isinstance(change, list) else None,
    )
