"""Falsified rewrites of template captions: what a careless LLM might answer.

Each falsification changes one fact of a true caption while keeping the rest of its words:
swapped before/after values, two objects' attributes exchanged, a position word moved (left
and right inside "upper-left" too), a number changed, a claim dropped or invented, a statement
negated, the images' ordinals swapped, a direction turned round. The fact guard must refuse
every one (tests/captioner/test_adversarial_corpus.py, benchmarks/caption.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from diffforge.vocabulary import COLORS, MATERIAL_ADJECTIVES, NUMBER_WORDS, SIZE_WORDS

_COLOR = re.compile(r"\b(" + "|".join(sorted(COLORS)) + r")\b")
_MATERIAL = re.compile(
    r"\b(" + "|".join(sorted(set(MATERIAL_ADJECTIVES.values()) | set(MATERIAL_ADJECTIVES))) + r")\b"
)
# a material word -> the material it names ("wooden" and "wood" say the same)
_MATERIAL_OF = {w: m for m, w in MATERIAL_ADJECTIVES.items()} | {m: m for m in MATERIAL_ADJECTIVES}
_NUMBER = re.compile(r"\b(" + "|".join(NUMBER_WORDS[1:]) + r")\b", re.I)
_QUOTE = re.compile(r'"([^"]+)"')
_SIZE = re.compile(r"\b(" + "|".join(SIZE_WORDS) + r") (?=[a-z])")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")

# word -> its opposite: a position moved, a direction turned round.
POSITION_SWAPS: dict[str, str] = {
    "left": "right",
    "right": "left",
    "upper": "lower",
    "lower": "upper",
    "foreground": "background",
    "background": "foreground",
    "centre of the scene": "left side of the scene",
    "closer to the camera": "further back",
    "further back": "closer to the camera",
    "higher up": "lower down",
    "lower down": "higher up",
    "closer to the scene": "further from the scene",
    "further from the scene": "closer to the scene",
}
DIRECTION_SWAPS: dict[str, str] = {
    "clockwise": "counterclockwise",
    "counterclockwise": "clockwise",
    "larger": "smaller",
    "smaller": "larger",
    "bigger": "smaller",
    "grown": "shrunk",
    "shrunk": "grown",
    "scaled up": "scaled down",
    "scaled down": "scaled up",
    "brighter": "darker",
    "darker": "brighter",
    "warmer": "cooler",
    "cooler": "warmer",
    "switched on": "switched off",
    "switched off": "switched on",
    "turned on": "turned off",
    "turned off": "turned on",
    "increased": "decreased",
    "decreased": "increased",
    "more": "fewer",  # "two more mugs"; "more weakly lit" is left alone (see falsify)
    "fewer": "more",
    "appeared": "disappeared",
    "disappeared": "appeared",
    "added": "removed",
    "removed": "added",
}
NEGATIONS: tuple[tuple[str, str], ...] = (
    (r"\bhas been\b", "has not been"),
    (r"\bhave been\b", "have not been"),
    (r"\bhas (?!been|not)(\w+ed)\b", r"has not \1"),
    (r"\bis now\b", "is not now"),
    (r"\bwas\b(?= [a-z])(?! not)", "was not"),
    (r"\bcan now\b", "cannot now"),
    (r"\bno longer\b", "still"),
    (r"\bnot\b ", ""),
    (r"\bnow reads\b", "does not read"),
)


def _replace_nth(text: str, pattern: re.Pattern[str] | str, n: int, repl: str) -> str:
    pattern = re.compile(pattern) if isinstance(pattern, str) else pattern
    matches = list(pattern.finditer(text))
    m = matches[n]
    return text[: m.start()] + m.expand(repl) + text[m.end() :]


def _value(word: str) -> str:
    """What a word says: the material for any of its words, else the word itself."""
    return _MATERIAL_OF.get(word.lower(), word.lower())


def _swap_first_two(text: str, pattern: re.Pattern[str]) -> str | None:
    """The first two different values of a kind exchanged (their places kept)."""
    matches = list(pattern.finditer(text))
    for j in range(1, len(matches)):
        a, b = matches[0], matches[j]
        if _value(a.group(0)) != _value(b.group(0)) and not _same_item(text, a, b):
            return (
                text[: a.start()]
                + _case_like(b.group(0), a.group(0))
                + text[a.end() : b.start()]
                + _case_like(a.group(0), b.group(0))
                + text[b.end() :]
            )
    return None


def _same_item(text: str, a: re.Match[str], b: re.Match[str]) -> bool:
    """Whether two values describe items of one list that differ only by them ("the white
    building, the yellow building"): exchanging them reorders the list, it says nothing new."""

    def noun(m: re.Match[str]) -> str:
        return re.split(
            r"[,.;:]| and | [a-z]+ed\b| (?:is|are|have|has|were|was|remain|look|stay)",
            text[m.end() :],
            maxsplit=1,
        )[0]

    between = text[a.end() : b.start()]
    listed = re.fullmatch(
        r"[a-z ]*?(?:,| and)(?: the [a-z ]+?(?:,| and))* the( [a-z]+)*? ", between
    )
    return noun(a) == noun(b) and listed is not None


def _case_like(word: str, like: str) -> str:
    if like[:1].isupper() and not like.isupper():
        return word[:1].upper() + word[1:].lower() if not word.isupper() else word
    if like.islower() and not word.isupper():
        return word.lower()
    return word


def _reorders_a_list(a: str, b: str) -> bool:
    """Whether ``b`` only lists the same items in another order ("the white building, the
    yellow building" and "the yellow building, the white building" say the same)."""

    def items(text: str) -> list[list[str]]:
        return [sorted(re.split(r",\s*|\s+and\s+", s)) for s in _SENTENCE.split(text)]

    return items(a) == items(b)


def falsify(caption: str) -> Iterator[tuple[str, str]]:
    """``(kind, falsified caption)`` for every falsification this caption admits."""
    seen = {caption}

    def emit(kind: str, text: str | None) -> Iterator[tuple[str, str]]:
        if text and text not in seen and not _reorders_a_list(caption, text):
            seen.add(text)
            yield kind, text

    # swap the first two colours, numbers, quotes, materials (before/after, or two objects)
    for kind, pattern in (
        ("swap colours", _COLOR),
        ("swap numbers", _NUMBER),
        ("swap quotes", _QUOTE),
        ("swap materials", _MATERIAL),
    ):
        yield from emit(kind, _swap_first_two(caption, pattern))
        for sentence in _SENTENCE.split(caption):  # and inside each sentence (before/after)
            swapped = _swap_first_two(sentence, pattern)
            if swapped:
                yield from emit(kind, caption.replace(sentence, swapped, 1))
    # move a position word (left/right inside "upper-left" too)
    for word, other in POSITION_SWAPS.items():
        pattern = re.compile(rf"(?<![a-z]){re.escape(word)}(?![a-z])")
        for n in range(len(pattern.findall(caption))):
            yield from emit("move position", _replace_nth(caption, pattern, n, other))
    # turn a direction round
    for word, other in DIRECTION_SWAPS.items():
        pattern, repl = re.compile(rf"\b{re.escape(word)}\b"), other
        if word in ("more", "fewer"):  # "two more mugs", not "more golden"
            pattern = re.compile(rf"\b((?:{'|'.join(NUMBER_WORDS)}) ){word}\b", re.I)
            repl = rf"\g<1>{other}"
        for n in range(len(pattern.findall(caption))):
            yield from emit("turn direction", _replace_nth(caption, pattern, n, repl))
    # change a number
    for n, m in enumerate(_NUMBER.finditer(caption)):
        value = [w.lower() for w in NUMBER_WORDS].index(m.group(0).lower())
        other = NUMBER_WORDS[value + 1 if value + 1 < len(NUMBER_WORDS) else value - 1]
        yield from emit(
            "change number", _replace_nth(caption, _NUMBER, n, _case_like(other, m.group(0)))
        )
    # change a value: another colour, material, quoted text
    colours_said = {c.lower() for c in _COLOR.findall(caption.lower())}
    spare = next((c for c in COLORS if c not in colours_said), "teal")
    for n in range(len(_COLOR.findall(caption))):
        yield from emit("change colour", _replace_nth(caption, _COLOR, n, spare))
    for n, m in enumerate(_QUOTE.finditer(caption)):
        yield from emit("change quote", _replace_nth(caption, _QUOTE, n, f'"{m.group(1)[::-1]}X"'))
    # drop a claim: an attribute, a "from ..." value, a sentence
    for pattern in (_COLOR, _MATERIAL, _SIZE):
        for n in range(len(pattern.findall(caption))):
            m = list(pattern.finditer(caption))[n]
            after = caption[m.end() : m.end() + 1]
            if after == " " and re.match(r" [a-z]", caption[m.end() : m.end() + 2]):
                yield from emit("drop attribute", caption[: m.start()] + caption[m.end() + 1 :])
    values = "|".join([*COLORS, *MATERIAL_ADJECTIVES, *NUMBER_WORDS[1:], r'"[^"]+"'])
    yield from emit("drop value", re.sub(rf" from ({values}) to ", " to ", caption, count=1))
    sentences = _SENTENCE.split(caption)
    if len(sentences) > 1:
        for k in range(len(sentences)):
            rest = sentences[:k] + sentences[k + 1 :]
            yield from emit("drop sentence", " ".join(rest))
    # invent a claim: an attribute, a position, a change
    m = re.search(r"\bthe ([a-z]+)\b", caption)
    if m and m.group(1) not in COLORS:
        yield from emit(
            "invent attribute", caption[: m.start(1)] + f"{spare} " + caption[m.start(1) :]
        )
    yield from emit("invent change", f"{caption} The {spare} vase has been removed.")
    yield from emit("invent number", re.sub(r"\bthe (\w+)", r"the two \1s", caption, count=1))
    # negate
    for pattern, repl in NEGATIONS:
        if re.search(pattern, caption):
            yield from emit("negate", re.sub(pattern, repl, caption, count=1))
    # the images' ordinals exchanged
    yield from emit(
        "swap images",
        re.sub(
            r"\b(first|second)\b(?= image| picture)",
            lambda m: "second" if m.group(1) == "first" else "first",
            caption,
        ),
    )
