"""Matching a prediction's claims against a pair's checklist, by rule (deterministic).

A prediction is read with the fact guard's bound-claims extractor (``diffforge.claims``) into
one claim per change it states. A checklist item's truth is the union of what the pair's own
captions claim for that change (each caption part read by the same extractor) and what its
change record holds (nouns, values). A claim finds an item when it states the item's change
type, names its object (scene-wide changes have none), and contradicts nothing the truth
says: every value it states on a side is that side's value, every attribute and position word
it binds is the object's, every direction is the change's, and it adds no negation. Saying
less than the reference (no position, no before value) is not a mistake; saying something the
reference does not is. Claims are assigned to items one to one (the most matches).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from diffforge.claims import ChangeClaims, extract_claims
from diffforge.claims.words import CONNECTOR, NOUN_SYNONYMS
from diffforge.formats.checklist import ChecklistItem
from diffforge.vocabulary import PERSON_NOUNS

# Types one extractor reading may give a record type (a removal is a disappearance seen).
_TYPE_ALIASES = {"remove": {"disappear"}, "disappear": {"disappear"}}
# Directions a change must be said with when its truth has one (the change's sense).
SENSE = frozenset(
    {"larger", "smaller", "clockwise", "counterclockwise", "brighter", "darker", "warmer"}
    | {"cooler", "on", "off"}
)
SCENE_WIDE = frozenset({"illumination", "viewpoint"})
NO_CHANGE = re.compile(
    r"^\W*(?:i )?(?:there (?:is|are) |i see |i (?:can ?not|do not|don't) (?:see|find|locate) "
    r"(?:any )?)?(?:no (?:visible )?(?:change|changes|difference|differences)\b"
    r"|nothing (?:has )?changed|nothing is different|everything (?:is|looks|stays) the same"
    r"|(?:the |these |both )?(?:two )?(?:images|pictures|photos|scenes) (?:are|look) "
    r"(?:the same|identical))",
    re.IGNORECASE,
)
# Free captions (model outputs, other datasets' styles) say some changes in words the
# template-tuned extractor does not read; these readings apply before it (evaluation only).
READINGS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.IGNORECASE), r)
    for p, r in (
        (r"\bchanged (?:its|their) (?:location|position|place)\b", "moved"),
        (r"\b(?:is|are) (?:now )?in a different (?:location|position|place)\b", "moved"),
        (r"\b(?:is|are) (?:now )?missing\b", "disappeared"),
        (r"\bsat down\b", "is sitting"),
        (r"\bcrouched(?: down)?\b", "is crouching"),
        (r"\bstood up\b", "is standing"),
        (
            r"\b(?:taken|seen|shown) from (?:a )?(?:different|another|new) "
            r"(?:angle|viewpoint|perspective|position)\b",
            "seen as the camera moved",
        ),
        (r"\b(?:only|just) ((?:one|two|three|four|five|six|\d+) [a-z]+) left\b", r"now \1"),
    )
)
_KINDS = {"color": "color", "material": "material", "text": "text", "count": "number"}
_KINDS |= {"pose": "pose"}


@dataclass
class Truth:
    """Everything a correct claim about one item may say."""

    types: set[str] = field(default_factory=set)
    nouns: set[str] = field(default_factory=set)  # the changed object's nouns
    looks: dict[str, set[tuple[str, str, str]]] = field(default_factory=dict)  # noun -> attrs
    positions: Counter[str] = field(default_factory=Counter)
    object_positions: set[str] = field(default_factory=set)
    before: set[tuple[str, str]] = field(default_factory=set)
    after: set[tuple[str, str]] = field(default_factory=set)
    values: set[tuple[str, str]] = field(default_factory=set)
    directions: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)
    images: set[str] = field(default_factory=set)
    negations: int = 0
    difference: str | None = None  # a count's change ("two more")
    valued: bool = False  # the change has a new value a finding must state
    counts: set[str] = field(default_factory=set)  # a count's before and after


def _record_value(kind: str, value: object) -> tuple[str, str] | None:
    if kind == "number":
        return (kind, str(value)) if isinstance(value, int) else None
    if kind == "text":
        return (kind, str(value) if value else "(blank)")
    return (kind, str(value).replace("_", " ") if kind != "pose" else str(value))


def _main_noun(referring: str) -> str | None:
    """The noun a referring expression names first ("the person in a red top next to the
    stool" -> person)."""
    objects = extract_claims(referring).changes
    found = [o.noun for c in objects for o in c.objects]
    text = referring.lower()
    placed = [(text.find(n.split()[-1]), n) for n in found if text.find(n.split()[-1]) >= 0]
    return min(placed)[1] if placed else None


def truth_of(item: ChecklistItem) -> Truth:
    """The item's truth: its caption parts read as claims, plus its record's nouns and values
    and, where the scene record was read, how its object looks."""
    t = Truth(types={item.type} | _TYPE_ALIASES.get(item.type, set()))
    t.nouns.update(n.lower() for n in item.nouns)
    for ref in {item.object, *item.referring}:
        if ref and (noun := _main_noun(ref)):
            t.nouns.add(noun)
    for sentence in item.sentences:
        for c in extract_claims(sentence).changes:
            t.types.add(c.type)
            for o in c.objects:
                t.looks.setdefault(o.noun, set()).update(o.attributes)
                t.object_positions.update(o.positions)
            t.positions |= Counter(c.positions)
            t.before.update(c.before)
            t.after.update(c.after)
            t.values.update(c.values)
            t.directions.update(c.directions)
            t.events.update(c.events)
            t.images.update(c.images)
            t.negations = max(t.negations, c.negations)
    for key, kind in _KINDS.items():
        for side, out in ((item.before, t.before), (item.after, t.after)):
            if key in side and (v := _record_value(kind, side[key])) is not None:
                out.add(v)
    for noun, part, kind, value in item.looks:  # the scene record's objects, by noun
        t.looks.setdefault(noun, set()).add((part, kind, value))
    for side in (item.before, item.after):  # an added, removed or replaced object's looks
        own = {
            ("", k, side[k]) for k in ("color", "material", "size") if isinstance(side.get(k), str)
        }
        nouns = [side["noun"]] if isinstance(side.get("noun"), str) else sorted(t.nouns)
        for noun in nouns:
            t.looks.setdefault(noun, set()).update(own)
    for noun in t.nouns:
        t.looks.setdefault(noun, set())
    if item.how:
        t.directions.add(item.how.replace("light_", ""))
        t.events.update(_HOW_EVENTS.get(item.how, ()))
    counts = (item.before.get("count"), item.after.get("count"))
    if all(isinstance(c, int) for c in counts):
        t.directions.add("more" if counts[1] > counts[0] else "fewer")
        t.difference = str(abs(counts[1] - counts[0]))
        t.counts = {str(c) for c in counts}
        # "two cubes were added", "one chair is gone": a count said as arrivals or departures
        t.types.add("add" if counts[1] > counts[0] else "disappear")
    t.valued = item.type in ("color", "material", "text", "count", "pose")
    return t


_HOW_EVENTS = {"appear": ("appeared",), "disappear": ("disappeared",)}
_OPPOSITE_EVENTS = {"appeared": "disappeared", "disappeared": "appeared"}


def _same_noun(a: str, b: str) -> bool:
    a, b = NOUN_SYNONYMS.get(a, a), NOUN_SYNONYMS.get(b, b)
    if a == b or a.split()[-1] == b.split()[-1]:
        return True
    return a.split()[-1] in PERSON_NOUNS and b.split()[-1] in PERSON_NOUNS


def _looks_of(noun: str, truth: Truth) -> set[tuple[str, str, str]]:
    return {a for n, attrs in truth.looks.items() if _same_noun(noun, n) for a in attrs}


def mismatch(claim: ChangeClaims, truth: Truth) -> str | None:
    """Why ``claim`` is not a correct statement of the item (None: it is)."""
    if claim.type not in truth.types:
        return f"type {claim.type}"
    named = [o for o in claim.objects if any(_same_noun(o.noun, n) for n in truth.nouns)]
    # "the rightmost one": an object named by its place alone (the extractor finds no noun)
    by_place = not claim.objects and bool(claim.positions)
    if truth.nouns and not (truth.types & SCENE_WIDE) and not named and not by_place:
        return "object " + ", ".join(o.noun for o in claim.objects)
    values = truth.before | truth.after | truth.values
    for o in claim.objects:
        known = _looks_of(o.noun, truth)
        if not known and o not in named:
            continue  # a landmark the references do not describe ("next to the shelf")
        main = o in named
        # a changed value may describe the object ("the now red mug"); a replaced object's
        # looks are its own, not the other's
        stated_ok = main and claim.type != "replace"
        wrong = [a for a in o.attributes if a not in known and not (stated_ok and a[1:] in values)]
        if wrong:
            return f"attribute {wrong[0][2]} of the {o.noun}"
        if main and not set(o.positions) <= truth.object_positions | set(truth.positions):
            return f"position {'/'.join(o.positions)} of the {o.noun}"
    if Counter(claim.positions) - truth.positions:
        return f"position {', '.join(sorted(Counter(claim.positions) - truth.positions))}"
    before = set(claim.before)
    if truth.difference is not None and set(claim.directions) & {"more", "fewer"}:
        before.discard(("number", truth.difference))  # "two more ...: gone to three"
    if not before <= (truth.before or truth.values):
        return f"before {claim.before}"
    if not set(claim.after) <= (truth.after or truth.values):
        return f"after {claim.after}"
    # what replaced the object must be what the record says, or a landmark the references name
    strangers = [
        o
        for o in claim.objects
        if o not in named and not any(_same_noun(o.noun, n) for n in truth.looks)
    ]
    if claim.type == "replace" and strangers:
        return "replaced by " + ", ".join(o.noun for o in strangers)
    if claim.type in ("add", "disappear") and truth.difference is not None:
        said = {v for k, v in claim.values + claim.before + claim.after if k == "number"}
        if not said <= {truth.difference} | truth.counts or (not said and truth.difference != "1"):
            return f"count {sorted(said)}"
        return None
    numbers = {v for k, v in claim.values if k == "number"}
    if truth.difference is not None and numbers:
        sided = claim.before or claim.after
        allowed = {truth.difference} | (
            {v for k, v in truth.after if k == "number"} if not sided else set()
        )
        if not numbers <= allowed:
            return f"count {sorted(numbers)}"
    elif not set(claim.values) <= values:
        return f"value {claim.values}"
    if not {v for v in claim.values if v[0] != "number"} <= values:
        return f"value {claim.values}"
    stated = set(claim.before) | set(claim.after) | set(claim.values)
    news = (
        truth.after | truth.values | ({("number", truth.difference)} if truth.difference else set())
    )
    if truth.valued and (truth.after or truth.values) and not stated & news:
        return "no value"
    if not set(claim.directions) <= truth.directions:
        return f"direction {claim.directions}"
    # a turn's direction may go unsaid: the references leave it out where the facing is hidden;
    # a sense said with its side still says it ("someone has turned off the lamp": after:off)
    said = {d.rpartition(":")[2] for d in claim.directions}
    if truth.directions & SENSE and not said & SENSE and claim.type != "orientation":
        return "no direction"
    for e in claim.events:
        if _OPPOSITE_EVENTS.get(e) in truth.events and e not in truth.events:
            return f"event {e}"
    if claim.negations > truth.negations:
        return "negation"
    if not (claim.before or claim.after) and not set(claim.images) <= truth.images:
        return f"image {claim.images}"
    return None


def is_no_change(text: str) -> bool:
    """Whether a prediction says the images do not differ ("No change.", "There is no
    difference between the two images.")."""
    if NO_CHANGE.search(text.strip()):
        return True
    changes = extract_claims(text).changes
    return bool(changes) and all(c.type == "none" for c in changes)


def _segments(text: str) -> list[str]:
    """A prediction cut into the changes it states: each sentence (its connector "Firstly,"
    dropped), cut again where it joins two clauses that each state a change of another type
    or object ("the mug is red, and the lamp is off"); a piece that names no object and
    states no scene-wide change continues the one before it ("...; in the first image it
    was orange.", "It now stands beside the shelf.")."""
    segments: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        sentence = sentence.strip()
        m = CONNECTOR.match(sentence.lower())
        body = sentence[m.end() :] if m else sentence
        for piece in _split_joined(body):
            changes = extract_claims(piece).changes
            new = any(c.objects or c.type in SCENE_WIDE for c in changes)
            if segments and not new:
                segments[-1] += " " + piece
            elif piece:
                segments.append(piece)
    return segments


def _split_joined(sentence: str) -> list[str]:
    for m in _JOIN.finditer(sentence):
        left, right = sentence[: m.start()], sentence[m.end() :]
        a, b = _claims(left), _claims(right)
        if len(a) == 1 and len(b) == 1 and stated(a[0]) and stated(b[0]):
            nouns_a = {o.noun for o in a[0].objects}
            nouns_b = {o.noun for o in b[0].objects}
            types = {a[0].type, b[0].type}
            if types in ({"disappear", "replace"}, {"disappear", "add"}):
                continue  # "X is gone, and Y stands in its place"
            if a[0].type != b[0].type or (nouns_a and nouns_b and not nouns_a & nouns_b):
                return [left + ".", *_split_joined(right)]
    return [sentence]


_JOIN = re.compile(r"(?:;|,? and|, while|, whereas|, but) (?=(?:the|a|an|someone) )", re.I)


def prediction_claims(text: str) -> list[ChangeClaims]:
    """The changes a prediction states (``_segments``), read by the claims extractor; none
    for a prediction that says nothing changed."""
    if is_no_change(text):
        return []
    for pattern, reading in READINGS:
        text = pattern.sub(reading, text)
    out: list[ChangeClaims] = []
    for seg in _segments(text):
        out += [c for c in _claims(seg) if stated(c)]
    return out


_VALUE_TYPES = {"number": "count", "text": "text", "color": "color", "material": "material"}
_VALUE_TYPES |= {"pose": "pose"}


def _retyped(claim: ChangeClaims) -> ChangeClaims:
    """A change said by its new value alone ("the sphere is now red", "has decreased to two",
    "the sign says "OPEN""), which the extractor leaves untyped, reads as a change of that
    value's kind; "the number of chairs has increased" as a count."""
    texts = tuple(("text", v) for o in claim.objects for _, k, v in o.attributes if k == "text")
    if texts and claim.type in ("other", "text"):
        # "the sign reads "OPEN" (instead of "BAR")": the text it reads is its new one
        objects = tuple(
            replace(o, attributes=tuple(a for a in o.attributes if a[1] != "text"))
            for o in claim.objects
        )
        old = tuple(v for v in claim.values + claim.before if v[0] == "text")
        if not old:
            return replace(claim, type="text", objects=objects, values=claim.values + texts)
        rest = tuple(v for v in claim.values if v[0] != "text")
        return replace(
            claim,
            type="text",
            objects=objects,
            values=rest,
            before=tuple(sorted({*claim.before, *old})),
            after=tuple(sorted({*claim.after, *texts})),
        )
    if claim.type != "other":
        return claim
    kinds = {k for k, _ in claim.values + claim.after + claim.before}
    for kind, change_type in _VALUE_TYPES.items():
        if kind in kinds:
            return replace(claim, type=change_type)
    if set(claim.directions) & {"more", "fewer"} and claim.objects:
        return replace(claim, type="count")
    return claim


def _claims(text: str) -> list[ChangeClaims]:
    return [_retyped(c) for c in extract_claims(text).changes]


def stated(claim: ChangeClaims) -> bool:
    """Whether a claim states a change the matcher can read (a type other than "other" and
    "none"); "The image shows a room." states none."""
    return claim.type not in ("other", "none")


def assign(claims: list[ChangeClaims], truths: list[Truth]) -> list[tuple[int, int]]:
    """(claim, item) pairs, one to one, as many as possible (augmenting paths)."""
    ok = [[mismatch(c, t) is None for t in truths] for c in claims]
    owner: dict[int, int] = {}

    def grab(i: int, seen: set[int]) -> bool:
        for j, good in enumerate(ok[i]):
            if good and j not in seen:
                seen.add(j)
                if j not in owner or grab(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in range(len(claims)):
        grab(i, set())
    return sorted((i, j) for j, i in owner.items())


def reasons(claims: Iterable[ChangeClaims], truth: Truth) -> list[str]:
    """Why each claim does not match one item (for reports and debugging)."""
    return [r or "match" for r in (mismatch(c, truth) for c in claims)]
