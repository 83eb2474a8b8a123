"""What a change caption claims, each fact bound to its role, in order.

A set of colours cannot tell "from purple to gray" from "from gray to purple", nor "a yellow top
and black trousers" from "a black top and yellow trousers". ``extract_claims`` reads a caption
into per-change claims: the objects it names (noun, the attributes bound to the noun or to the
clothing part they describe, the position words of the referring expression), the change's
position words in order, its before and after values, its direction and event words, how
many negations it states, and the number of changes the caption announces. The LLM fact guard
keeps a rewrite only when these equal the template's; evaluation can match a prediction's
claims against a pair's change records the same way. Words come from ``diffforge.vocabulary``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from diffforge.vocabulary import (
    CLOTHING_WORDS,
    COLOR_SYNONYMS,
    COLORS,
    MATERIAL_ADJECTIVES,
    MATERIAL_PREDICATES,
    NUMBER_WORDS,
    PERSON_NOUNS,
    SIZE_WORDS,
    singular,
)

# --- words -------------------------------------------------------------------------------------

COLOR_WORDS: dict[str, str] = {c: c for c in COLORS} | COLOR_SYNONYMS
MATERIAL_WORDS: dict[str, str] = (
    {m: m for m in MATERIAL_ADJECTIVES}
    | {a: m for m, a in MATERIAL_ADJECTIVES.items()}
    | {p: m for m, p in MATERIAL_PREDICATES.items()}
    | {"metal": "metal", "wood": "wood", "glassy": "glass", "metallic": "metal"}
)
SIZE_ATTRIBUTES: dict[str, str] = {w: w for w in SIZE_WORDS} | {
    "big": "large",
    "little": "small",
    "tiny": "small",
    "mid-sized": "medium",
    "medium-sized": "medium",
}
NUMBERS: dict[str, int] = {w: i for i, w in enumerate(NUMBER_WORDS)}
PART_WORDS: dict[str, str] = {w: w for w in CLOTHING_WORDS.values()} | {
    "shirt": "top",
    "pants": "trousers",
    "bottom": "trousers",
    "tops": "top",
}

# Direction words: how something changed (size, turning, light, camera), word -> canonical.
DIRECTIONS: dict[str, str] = {
    **dict.fromkeys(("larger", "bigger", "grown", "enlarged", "scaled-up"), "larger"),
    **dict.fromkeys(("smaller", "shrunk", "shrunken", "tinier", "scaled-down"), "smaller"),
    **dict.fromkeys(("clockwise",), "clockwise"),
    **dict.fromkeys(
        ("counterclockwise", "counter-clockwise", "anticlockwise", "anti-clockwise"),
        "counterclockwise",
    ),
    **dict.fromkeys(("brighter", "lighter", "brightened", "brightening"), "brighter"),
    **dict.fromkeys(("darker", "dimmer", "darkened", "gloomier"), "darker"),
    **dict.fromkeys(("warmer",), "warmer"),
    **dict.fromkeys(("cooler", "colder"), "cooler"),
    **dict.fromkeys(("neutral",), "neutral"),
    **dict.fromkeys(("increased", "risen"), "more"),
    **dict.fromkeys(("decreased", "dropped"), "fewer"),
    **dict.fromkeys(("switched-on", "lit"), "on"),
    **dict.fromkeys(("switched-off", "unlit"), "off"),
}

# A person's poses (the asset library's pose phrases), word -> canonical.
POSE_WORDS: dict[str, str] = {
    **dict.fromkeys(("standing",), "standing"),
    **dict.fromkeys(("waving",), "waving"),
    **dict.fromkeys(("arms-raised",), "arms_raised"),
    **dict.fromkeys(("pointing",), "pointing"),
    **dict.fromkeys(("sitting", "seated"), "sitting"),
    **dict.fromkeys(("walking",), "walking"),
    **dict.fromkeys(("crouching", "squatting"), "crouching"),
    **dict.fromkeys(("arms-crossed",), "arms_crossed"),
    **dict.fromkeys(("head-turned",), "head_turned"),
}

# Events: what happened, word -> canonical (removing is a disappearance a viewer sees).
EVENTS: dict[str, str] = {
    **dict.fromkeys(("added", "appeared", "placed", "new"), "appeared"),
    **dict.fromkeys(
        ("disappeared", "vanished", "gone", "removed", "erased", "lost"),
        "disappeared",
    ),
    **dict.fromkeys(("replaced", "swapped", "replacing", "replacement"), "replaced"),
    **dict.fromkeys(("moved", "shifted", "relocated", "moving"), "moved"),
    **dict.fromkeys(("rotated", "turned-round"), "rotated"),
    **dict.fromkeys(("camera", "viewpoint", "perspective"), "camera"),
    **dict.fromkeys(("sun", "sunlight"), "sun"),
    **dict.fromkeys(("unchanged-scene",), "none"),
}

# Position words, word -> canonical; compounds keep both halves ("upper-left").
POSITIONS: dict[str, str] = {
    "left": "left",
    "right": "right",
    "leftmost": "left",
    "rightmost": "right",
    "left-hand": "left",
    "right-hand": "right",
    "centre": "centre",
    "center": "centre",
    "middle": "centre",
    "foreground": "front",
    "front": "front",
    "background": "back",
    "behind": "back",
    "back": "back",
    "upper": "up",
    "lower": "down",
    "toward-camera": "front",
    "away-from-camera": "back",
    "up-high": "up",
    "down-low": "down",
    "zoom-in": "closer",
    "zoom-out": "farther",
    "next-to": "next to",
    "beside": "next to",
    "closest-to-camera": "nearest",
    "nearest": "nearest",
    "farthest": "farthest",
}
for _v in ("upper", "lower"):
    for _h in ("left", "right"):
        POSITIONS[f"{_v}-{_h}"] = f"{POSITIONS[_v]}-{_h}"

ORDINALS = frozenset({"first", "second", "first-image", "second-image"})
# "still" asserts what "no longer" denies: a rewrite may not add it
NEGATIONS = frozenset({"not", "no", "never", "n't", "no-longer", "nor", "neither", "still"})

# Multi-word phrases read as one word first (same meaning, one spelling). Order matters: the
# longer phrase first. Negated phrases that state an event are turned into the event here, so
# what stays a negation afterwards is a negation the caption adds.
PHRASES: tuple[tuple[str, str], ...] = (
    (r"\bcounter[- ]clockwise\b", "counterclockwise"),
    (r"\b(?:raised|raising|lifted|lifting|put up) (?:both|their|his|her) arms\b", "arms-raised"),
    (r"\b(?:both )?arms raised\b", "arms-raised"),
    (r"\b(?:crossed|crossing|folded|folding) (?:their |his |her )?arms\b", "arms-crossed"),
    (r"\barms (?:crossed|folded)\b", "arms-crossed"),
    (r"\b(?:turned|turning) (?:their|his|her) head\b", "head-turned"),
    (r"\bhead turned\b", "head-turned"),
    (r"\bpointing forward\b", "pointing"),
    (r"\banti[- ]clockwise\b", "counterclockwise"),
    (r"\bno longer gives any light\b", "is switched-off"),
    (r"\bgives no light\b", "is switched-off"),
    (r"\bno longer in the same place\b", "moved"),
    (r"\bno longer holds\b", "has lost"),
    (r"\b(has|have) taken (.+?) (?:off|away from)\b", r"\1 removed \2 from"),
    (r"\b(?:which|that) (?:was|were) visible in the first image\b", ""),
    (r"\b(?:was|were) (?:not there|missing|absent|not present) in the second image\b", "never"),
    # said of the second image, these invert a change's direction: counted as a negation
    (r"\b(?:which|that) (?:was|were) visible in the second image\b", "still"),
    (r"\bcompared (?:with|to) the second image\b", "still"),
    (r"\bthan (?:it|they) (?:was|were) in the second image\b", "than still"),
    (r"\bcompared (?:with|to) the first image,? ", ""),
    (
        r"\bthe objects(?: themselves)? (?:stay where they were|have not moved|did not move|"
        r"remain in place|stay in place|are where they were)\b",
        "objects-in-place",
    ),
    (r"\b(?:has|have) gone (?=from \w+ to\b|from q\d+ to\b|up from|down from)", "has changed "),
    (r"\b(?:the )?second picture was taken from\b", "the camera moved to"),
    (r"\bpoint of view\b", "viewpoint"),
    (r"\blit more (?:strongly|brightly)\b", "brighter"),
    (r"\blit (?:more (?:weakly|dimly)|less)\b", "darker"),
    (r"\b(?:is|are) no longer on\b", "removed from"),
    (r"\bno longer reads\b", "used to read"),
    (r"\b(?:is|are) no longer (?:there|present|visible)\b", "disappeared"),
    (r"\bcan no longer be seen\b", "disappeared"),
    (r"\bcannot be seen anymore\b", "disappeared"),
    (r"\bis not there anymore\b", "disappeared"),
    (r"\b(?:was|were) not there(?: in the first image| before| earlier)?\b", "appeared"),
    (
        r"\b(?:was|were) (?:missing|absent|not present)(?: in the first image| before)?\b",
        "appeared",
    ),
    (r"\bcannot\b", "can not"),
    (r"\bdid not exist\b", "appeared"),
    (r"\b(?:has|have) not changed\b", "unchanged"),
    (r"\b(?:did|does|do) not change\b", "unchanged"),
    (r"\bnothing else (?:is different|has changed|differs|changed)\b", "unchanged"),
    (r"\bstays? exactly as (?:it was|they were|before)\b", "unchanged"),
    (r"\b(?:is|are) where (?:it was|they were)\b", "unchanged"),
    (r"\blooks? the same\b", "unchanged"),
    (r"\bremains? the same\b", "unchanged"),
    (r"\bthere is no (?:difference|change)\b", "unchanged-scene"),
    (r"\bnothing has changed\b", "unchanged-scene"),
    (r"\bno object, light or camera change can be seen\b", "unchanged-scene"),
    (r"\bno change to describe\b", "unchanged-scene"),
    (r"\bshadows look less dark\b", "shadows look brighter"),
    (r"\bless dark\b", "brighter"),
    (r"\bless bright\b", "darker"),
    (
        r"\b(?:the )?(?:overall )?brightness(?: of (?:the |this )?\w+)? (?:has )?"
        r"(?:increased|gone up|risen)\b",
        "brighter",
    ),
    (
        r"\b(?:the )?(?:overall )?brightness(?: of (?:the |this )?\w+)? (?:has )?"
        r"(?:decreased|gone down|dropped)\b",
        "darker",
    ),
    (r"\b(?:more strongly|more brightly|better) lit\b", "brighter"),
    (r"\b(?:more dimly|more weakly|less) lit\b", "darker"),
    (r"\bdimly\b", "darker"),
    (r"\b(?:switched|turned) on\b", "switched-on"),
    (r"\b(?:switched|turned) off\b", "switched-off"),
    (r"\bswitch(?:ed)? (?:the|that|it) ([a-z ]+?) on\b", r"switched-on the \1"),
    (r"\bis on\b", "is switched-on"),
    (r"\bis off\b", "is switched-off"),
    (r"\bwas off\b", "was switched-off"),
    (r"\bwas on\b(?! the\b| a\b| an\b)", "was switched-on"),
    (r"\bturned (?:up|brighter)\b", "brighter"),
    (r"\bturned (?:down|dimmer)\b", "darker"),
    (r"\bscaled (?:down|smaller)\b", "scaled-down"),
    (r"\bscaled (?:up|larger)\b", "scaled-up"),
    (r"\bcloser to the camera\b", "toward-camera"),
    (r"\bnearer to the camera\b", "toward-camera"),
    (r"\b(?:further|farther) (?:away )?from the camera\b", "away-from-camera"),
    (r"\b(?:further|farther) back\b", "away-from-camera"),
    (r"\b(?:further|farther) away\b", "away-from-camera"),
    (r"\bcloser to the scene\b", "zoom-in"),
    (r"\b(?:further|farther) (?:away )?from the scene\b", "zoom-out"),
    (r"\bhigher up\b", "up-high"),
    (r"\blower down\b", "down-low"),
    (r"\bclosest to the camera\b", "closest-to-camera"),
    (r"\bnext to\b", "next-to"),
    (r"\bupper ([a-z]+)\b", r"upper-\1"),
    (r"\blower ([a-z]+)\b", r"lower-\1"),
    (r"\bupper-left-hand\b", "upper-left"),
    (r"\bupper-right-hand\b", "upper-right"),
    (r"\blower-left-hand\b", "lower-left"),
    (r"\blower-right-hand\b", "lower-right"),
    (r"\b(?:further|farther) to\b", "to"),
    (r"\btaken (?:away|off)\b", "removed"),
    (r"\btaken (?:it|them) off\b", "removed"),
    (r"\btook (?:away|off)\b", "removed"),
    (r"\bin (?:its|their) place\b", "replacing"),
    (r"\b(?:taken|took) the place of\b", "replacing"),
    (r"\bin the place of\b", "replacing"),
    (r"\binstead of\b", "instead-of"),
    (r"\brather than\b", "instead-of"),
    (r"\bin place of\b", "instead-of"),
    (r"\bused to (?:be|read|show|say|have)\b", "used-to"),
    (r"\bno longer\b", "no-longer"),
    (r"\bcan't\b", "can n't"),
    (r"\b(\w+)n't\b", r"\1 n't"),
    (r"\bcolou?r\b", "colour"),
    (r"\bgrey\b", "gray"),
    (r"\bturned (?:around|round)\b", "turned-round"),
    (r"\bthan before\b", "than earlier-state"),
    (r"\bthan (?:it|they) (?:was|were) in the first image\b", "than earlier-state"),
    (r"\b(?:the )?(first|second) (?:image|picture|photo|frame|view)\b", r"\1-image"),
    (r"\bin the (first|second)\b(?= *[,.;:]| and\b)", r"\1-image"),
)
_PHRASES = tuple((re.compile(p), r) for p, r in PHRASES)


# Words that end a noun phrase: prepositions, verbs, conjunctions, pronouns, adverbs.
def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP = _wordset(
    """in on at of to from with by into onto off near under over above below across towards
    toward through around between than for as while whereas although though but and or so
    because since after before then has have had is are was were be been being can could will
    would does did do now no not n't longer there which who whom whose that it its they them
    their he she his her someone something also again just still only here where when what how
    very much more less most least ever anymore any each every all both either other others
    this these those one's reads read says say shows show wears wear stands stand looks look
    appears appear seems seem used-to instead-of no-longer made got get gets become becomes
    became turned turns turn changed changes change moved shifted rotated faces face
    previously originally earlier later first-image second-image like such including
    apart except rest nothing everything unchanged same exactly whole entire up down said
    remain remains remained stay stays stayed sit sits sat stood lie lies lay fall falls hold
    holds themselves lost cannot overall because
    , ; : . ! ?"""
)
DETERMINERS = frozenset({"the", "a", "an", "that", "this", "these", "those", "its", "their"})
# Head nouns that name no object (aspects, the scene, the images).
FILLER_HEADS = _wordset(
    """colour number count material surface size position orientation pose text writing word
    words lighting light environment scene image images picture pictures photo photos camera
    viewpoint point view angle direction shadow shadows sun sunlight object objects place part
    rest everything nothing area surroundings tint cast tones tone temperature finish look
    change changes difference differences thing things way ways perspective brightness
    intensity side corner sky shading illumination tints kind version copy copies one ones
    lights time bit lot"""
)
CONNECTORS = (
    "the first change is that",
    "the second change is that",
    "the third change is that",
    "the fourth change is that",
    "the fifth change is that",
    "first of all",
    "to begin with",
    "after that",
    "in addition",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "firstly",
    "secondly",
    "thirdly",
    "fourthly",
    "fifthly",
    "next",
    "then",
    "also",
    "moreover",
    "furthermore",
    "finally",
    "lastly",
    "besides",
    "additionally",
    "on top of that",
)
_CONNECTOR = re.compile(r"^(?:" + "|".join(re.escape(c) for c in CONNECTORS) + r")\b[ ,]*")
_HEADER = re.compile(
    r"\b(\w+) (?:differences|changes|things have changed|things are different|ways|"
    r"things differ|modifications|alterations)\b"
)
_QUOTE = re.compile(r'"([^"]+)"|“([^”]+)”')
_TOKEN = re.compile(r"q\d+|[a-z]+(?:[-'][a-z]+)*|\d+|[,;:.!?]")
_CLAUSE_BREAK = frozenset({",", ";", ":", "but", "while", "whereas", "although", "and", "so"})
BEFORE_CUES = frozenset(
    {"first-image", "earlier", "previously", "originally", "used-to", "before", "formerly"}
)
AFTER_CUES = frozenset({"second-image", "now", "anymore"})
WEAK_BEFORE = frozenset({"was", "were", "had"})
WEAK_AFTER = frozenset({"is", "are", "become", "becomes", "became", "turned", "has", "have"})


# --- claims ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectClaim:
    """One object a caption names: its noun, the attributes bound to it (part "" for the object
    itself, "top"/"trousers" for what a person wears) and the position words of its phrase."""

    noun: str
    attributes: tuple[tuple[str, str, str], ...] = ()  # (part, kind, value), sorted
    positions: tuple[str, ...] = ()

    @property
    def what(self) -> tuple[str, tuple[tuple[str, str, str], ...]]:
        """Noun and attributes: what the guard compares (position words are compared in the
        change's order, whichever phrase a rewrite attaches them to)."""
        return self.noun, self.attributes

    def __str__(self) -> str:
        attrs = ", ".join(f"{p + ' ' if p else ''}{v}" for p, _, v in self.attributes)
        pos = f" @{'/'.join(self.positions)}" if self.positions else ""
        return f"{self.noun}({attrs}){pos}"


@dataclass(frozen=True)
class ChangeClaims:
    """What one change of a caption claims."""

    type: str
    objects: tuple[ObjectClaim, ...] = ()  # sorted, each once
    positions: tuple[str, ...] = ()  # every position word of the change, in order
    before: tuple[tuple[str, str], ...] = ()  # (kind, value), sorted
    after: tuple[tuple[str, str], ...] = ()
    values: tuple[tuple[str, str], ...] = ()  # stated without a side
    directions: tuple[str, ...] = ()  # sorted canonical direction words
    events: tuple[str, ...] = ()  # sorted canonical event words
    negations: int = 0
    images: tuple[str, ...] = ()  # "first"/"second" said outside a before/after value


@dataclass(frozen=True)
class Claims:
    """A caption's claims: the number of changes it announces, each change's claims in the
    stated order, and the objects it says stayed the same."""

    changes: tuple[ChangeClaims, ...]
    announced: int | None = None  # "There are three differences ..."
    unchanged: tuple[ObjectClaim, ...] = ()
    extra: tuple[str, ...] = field(default=())  # numbers no change binds, in order
    header_images: tuple[str, ...] = ()  # "between the first and the second image"


def claim_problems(template: Claims, candidate: Claims, allow_reorder: bool = False) -> list[str]:
    """Why ``candidate`` does not claim what ``template`` does: ``"<reason>: detail"`` lines
    (reason: changes, order, type, object, position, before/after, value, direction, event,
    negation, unchanged); empty when they claim the same."""
    out: list[str] = []
    if template.announced != candidate.announced:
        out.append(f"changes: announces {candidate.announced} instead of {template.announced}")
    if len(template.changes) != len(candidate.changes):
        out.append(f"changes: {len(candidate.changes)} stated instead of {len(template.changes)}")
        return out
    pairs = list(zip(template.changes, candidate.changes, strict=True))
    if allow_reorder:
        pairs = list(
            zip(
                sorted(template.changes, key=repr),
                sorted(candidate.changes, key=repr),
                strict=True,
            )
        )
    for i, (a, b) in enumerate(pairs, 1):
        what_a = sorted({o.what for o in a.objects})
        what_b = sorted({o.what for o in b.objects})
        if what_a != what_b:
            out.append(
                f"object: change {i} objects {_show_objects(b)} instead of {_show_objects(a)}"
            )
        for name, reason in (
            ("type", "type"),
            ("positions", "position"),
            ("before", "before/after"),
            ("after", "before/after"),
            ("values", "value"),
            ("directions", "direction"),
            ("events", "event"),
            ("negations", "negation"),
        ):
            x, y = getattr(a, name), getattr(b, name)
            if x != y:
                out.append(f"{reason}: change {i} {name} {_show(y)} instead of {_show(x)}")
        # naming an image is optional, a wrong one is not (a value's side says it already)
        if not (a.before or a.after) and not set(b.images) <= set(a.images):
            out.append(
                f"image: change {i} names the {_show(b.images)} image, not {_show(a.images)}"
            )
    if set(template.unchanged) != set(candidate.unchanged):
        out.append(
            f"unchanged: {_show(candidate.unchanged)} instead of {_show(template.unchanged)}"
        )
    if template.extra != candidate.extra:
        out.append(f"value: numbers {_show(candidate.extra)} instead of {_show(template.extra)}")
    extra = Counter(candidate.header_images) - Counter(template.header_images)
    if extra:
        out.append(f"image: the opening names {_show(candidate.header_images)}")
    return out


def _show_objects(c: ChangeClaims) -> str:
    return (
        "["
        + ", ".join(
            sorted({f"{o.noun}({', '.join(v for _, _, v in o.attributes)})" for o in c.objects})
        )
        + "]"
    )


def _show(x: object) -> str:
    if isinstance(x, tuple):
        return "[" + ", ".join(_show(v) for v in x) + "]"
    return str(x)


# --- extraction --------------------------------------------------------------------------------


@dataclass
class _Token:
    word: str
    kind: str = ""  # color, material, size, number, text, part, position, direction, event
    value: str = ""
    clause: int = 0


@dataclass
class _Phrase:
    """A noun phrase: its head words, attribute tokens, position words, where it starts."""

    start: int
    head: list[str] = field(default_factory=list)
    attrs: list[_Token] = field(default_factory=list)
    positions: list[str] = field(default_factory=list)
    parts: list[tuple[str, str, str]] = field(default_factory=list)
    role: str = ""


def normalise(text: str) -> tuple[str, list[str]]:
    """Lower-cased text with quotes replaced by ``q0, q1 ...`` and phrases by one spelling."""
    quotes: list[str] = []

    def keep(m: re.Match[str]) -> str:
        quotes.append(m.group(1) or m.group(2))
        return f" q{len(quotes) - 1} "

    text = _QUOTE.sub(keep, text).lower().replace("’", "'")
    for pattern, repl in _PHRASES:
        text = pattern.sub(repl, text)
    return " ".join(text.split()), quotes


def extract_claims(text: str, nouns: Mapping[str, str] | None = None) -> Claims:
    """The claims of a caption, bound to their roles. ``nouns`` maps the nouns a caption of the
    pair may use (plurals and synonyms included) to canonical ones; without it, a phrase's head
    words are its noun (singular)."""
    norm, quotes = normalise(text)
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", norm) if s.strip()]
    announced: int | None = None
    extra: tuple[str, ...] = ()
    header_images: tuple[str, ...] = ()
    segments: list[list[str]] = []
    context: list[str] = []
    for k, sentence in enumerate(sentences):
        if k == 0 and announced is None:
            m = _HEADER.search(sentence)
            if m and _number(m.group(1)) is not None and "unchanged" not in sentence:
                announced = _number(m.group(1))
                head, colon, body = sentence.partition(":")  # "... in two ways: the mug ..."
                if not colon or m.end() > len(head):
                    head, body = sentence, ""
                rest = _tokens(head[: m.start()] + head[m.end() :], quotes)
                extra = tuple(t.value for t in rest if t.kind == "number")
                extra += tuple(t.value for t in rest if t.kind in ("color", "material"))
                header_images = tuple(
                    sorted(w.split("-")[0] for w in _words(head) if w in ORDINALS)
                )
                if not body.strip():
                    continue
                sentence = body.strip()
        if "unchanged" in _words(sentence):
            m = _CONTEXT_JOIN.search(sentence)
            closing = sentence
            if m and "unchanged" not in _words(sentence[: m.start()]):
                closing, sentence = sentence[m.end() :], sentence[: m.start()] + "."
            else:
                sentence = ""
            context.append(closing)
            said = _tokens(closing, quotes)
            extra += tuple(t.value for t in said if t.kind == "number")
            extra += tuple(t.word for t in said if t.word in NEGATIONS)
            if not sentence:
                continue
        body, starts = _CONNECTOR.subn("", sentence) if announced else (sentence, 0)
        if starts or not segments:
            segments.append([body])
        else:
            segments[-1].append(body)
    if announced and len(segments) < announced:
        segments = _split_joined(segments, announced)
    changes = tuple(_change(" ".join(seg), quotes, nouns) for seg in segments)
    unchanged: set[ObjectClaim] = set()
    for sentence in context:
        tokens = _tokens(sentence, quotes)
        for p in _phrases(tokens):
            claim = _object_claim(p, nouns)
            if claim is not None:
                unchanged.add(claim)
    return Claims(changes, announced, tuple(sorted(unchanged, key=str)), extra, header_images)


# Where a rewrite may join the closing "... remain unchanged" to a change's sentence.
_CONTEXT_JOIN = re.compile(r"(?:,? while|;|, and|, whereas) (?=(?:the|a|an|all|everything) )")

# Where a rewrite may join two changes in one sentence: "..., and the sign now says ...".
_JOIN = re.compile(r"(?:;|,? and|, while|, whereas|, but) (?=(?:the|a|an|that|someone) )")


def _split_joined(segments: list[list[str]], announced: int) -> list[list[str]]:
    """Changes a rewrite joined into one sentence, split at joins that open a new subject,
    left to right, until there are as many as the caption announces."""
    out = [list(s) for s in segments]
    k = 0
    while len(out) < announced and k < len(out):
        text = " ".join(out[k])
        m = _JOIN.search(text)
        if m is None:
            k += 1
            continue
        out[k : k + 1] = [[text[: m.start()]], [text[m.end() :]]]
        k += 1
    return out


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9'-]+", text)


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return NUMBERS.get(word)


def _classify(word: str, quotes: list[str]) -> _Token:
    if re.fullmatch(r"q\d+", word):
        i = int(word[1:])
        return _Token(word, "text", quotes[i] if i < len(quotes) else word)
    if word in ("blank", "empty"):  # a sign's text state: "was blank before, now reads ..."
        return _Token(word, "text", "(blank)")
    if word in COLOR_WORDS:
        return _Token(word, "color", COLOR_WORDS[word])
    if word in MATERIAL_WORDS:
        return _Token(word, "material", MATERIAL_WORDS[word])
    if word in SIZE_ATTRIBUTES:
        return _Token(word, "size", SIZE_ATTRIBUTES[word])
    if word.isdigit() or word in NUMBERS:
        return _Token(word, "number", str(_number(word)))
    if word in PART_WORDS:
        return _Token(word, "part", PART_WORDS[word])
    if word in POSE_WORDS:
        return _Token(word, "pose", POSE_WORDS[word])
    if word in POSITIONS:
        return _Token(word, "position", POSITIONS[word])
    if word in DIRECTIONS:
        return _Token(word, "direction", DIRECTIONS[word])
    if word in EVENTS:
        return _Token(word, "event", EVENTS[word])
    return _Token(word)


def _tokens(text: str, quotes: list[str]) -> list[_Token]:
    # "two images" names the pair, not a count
    text = re.sub(r"\b(?:two|both) (?:images|pictures|photos|frames|views)\b", " ", text)
    out: list[_Token] = []
    clause = 0
    words = _TOKEN.findall(text)
    for k, word in enumerate(words):
        opening = [t.word for t in out if t.clause == clause]
        # "in the first image, it was red": an opening ordinal belongs to the clause it heads
        heads = word == "," and opening and opening[-1] in ORDINALS and len(opening) <= 3
        # "a purple top and orange trousers": a list of attributes is one phrase
        listed = (
            word == "and"
            and k + 1 < len(words)
            and _classify(words[k + 1], quotes).kind
            in (
                "color",
                "material",
                "size",
                "part",
            )
        )
        if word in _CLAUSE_BREAK and not heads and not listed:
            clause += 1
        tok = _classify(word, quotes)
        tok.clause = clause
        out.append(tok)
    return out


_NP_WORD = frozenset({"color", "material", "size"})
_VALUES = frozenset({"color", "material", "number", "text", "pose"})


def _phrases(tokens: list[_Token]) -> list[_Phrase]:
    """Noun phrases: a determiner, number or attribute, then words that are not STOP words."""
    out: list[_Phrase] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        opens = t.word in DETERMINERS or t.kind in _NP_WORD or t.kind == "number"
        opens = opens or t.kind == "part"
        if i > 1 and tokens[i - 1].word == "of" and tokens[i - 2].word in ("number", "count"):
            opens = t.word not in STOP  # "the number of red mugs"
        if t.word == "that" and i + 1 < len(tokens) and tokens[i + 1].word in STOP:
            opens = False  # "the poster that reads ..."
        if not opens:
            i += 1
            continue
        p = _Phrase(i)
        j = i + (1 if t.word in DETERMINERS else 0)
        while j < len(tokens):
            w = tokens[j]
            if (
                w.word in ("more", "fewer")
                and not p.head
                and any(a.kind == "number" for a in p.attrs)
            ):
                p.attrs.append(_Token(w.word, "direction", w.word, w.clause))
            elif w.kind in _NP_WORD or (w.kind == "number" and not p.head):
                p.attrs.append(w)
            elif w.kind == "part":
                p.head.append(w.value)
            elif w.kind in ("", "event") and w.word not in STOP and w.word not in DETERMINERS:
                if w.kind == "event" and w.word != "new":
                    break
                if w.word == "new":
                    p.attrs.append(w)
                else:
                    p.head.append(w.word)
            else:
                break
            j += 1
        if p.head or p.attrs:
            out.append(p)
        i = max(j, i + 1)
    return out


def _head(words: list[str], nouns: Mapping[str, str] | None) -> str:
    phrase = " ".join(words)
    if nouns:
        for k in range(len(words)):
            tail = " ".join(words[k:])
            if tail in nouns:
                return nouns[tail]
    if not words:
        return ""
    return " ".join([*words[:-1], singular(words[-1])]) if words[-1] != "glasses" else phrase


def _object_claim(p: _Phrase, nouns: Mapping[str, str] | None) -> ObjectClaim | None:
    if not p.head or p.head[-1] in FILLER_HEADS:
        return None
    attrs = {("", a.kind, a.value) for a in p.attrs if a.kind != "number" and a.kind != "event"}
    attrs |= set(p.parts)
    return ObjectClaim(_head(p.head, nouns), tuple(sorted(attrs)), tuple(p.positions))


def _change(text: str, quotes: list[str], nouns: Mapping[str, str] | None) -> ChangeClaims:
    tokens = _tokens(text, quotes)
    phrases = _phrases(tokens)
    in_phrase: dict[int, _Phrase] = {}
    for p in phrases:
        for tok in p.attrs:
            in_phrase[id(tok)] = p
    _bind_positions_and_parts(tokens, phrases)
    objects: set[ObjectClaim] = set()
    roles: list[tuple[str, str, str, int]] = []  # (role, kind, value, clause)
    for p in phrases:
        role = _phrase_role(tokens, p)
        is_part = bool(p.head) and p.head[-1] in PART_WORDS.values()
        if (role or not p.head or p.head[-1] in FILLER_HEADS) and p.attrs:
            for a in p.attrs:
                if a.kind in ("color", "material", "number"):
                    roles.append((role or _role(tokens, p.start), a.kind, a.value, a.clause))
            keep = [a for a in p.attrs if a.kind not in ("color", "material", "number")]
            p.attrs = keep
        elif is_part and not role:
            pass
        else:
            for a in p.attrs:
                if a.kind == "number":
                    roles.append((_role(tokens, p.start), "number", a.value, a.clause))
            p.attrs = [a for a in p.attrs if a.kind != "number"]
    positions: list[str] = []
    directions: set[str] = set()
    events: set[str] = set()
    negations = 0
    bound_positions = {id(t) for p in phrases for t in getattr(p, "_pos_tokens", [])}
    for k, t in enumerate(tokens):
        if id(t) in in_phrase:
            continue
        if id(t) in bound_positions:
            continue
        if t.kind in ("text", "color", "material", "pose"):
            roles.append((_role(tokens, k), t.kind, t.value, t.clause))
        elif t.kind == "number":
            roles.append((_role(tokens, k), "number", t.value, t.clause))
        elif t.kind == "position" and id(t) not in bound_positions:
            positions.append(t.value)
        elif t.kind == "direction":
            role = _role(tokens, k)
            # a direction describes the second image unless a cue puts it in the first
            # ("replacing the warmer light of the first image"); a lamp's on/off either way
            marked = role == "before" or (t.value in ("on", "off") and role)
            directions.add(f"{role}:{t.value}" if marked else t.value)
        elif t.kind == "event":
            events.add(t.value)
        elif t.word in NEGATIONS and not (
            t.word == "no-longer" and k + 1 < len(tokens) and tokens[k + 1].kind in _VALUES
        ):  # "is no longer red" says what it was
            negations += 1
    for p in phrases:  # "two more red mugs"
        directions.update(a.value for a in p.attrs if a.kind == "direction")
        p.attrs = [a for a in p.attrs if a.kind != "direction"]
    # "the pink trousers of ... have become yellow": the changed part's colour is its before
    for p in phrases:
        if p.head and p.head[-1] in PART_WORDS.values():
            for a in list(p.attrs):
                if any(r == "after" and k == a.kind for r, k, _, _ in roles) and not any(
                    r == "before" and k == a.kind for r, k, _, _ in roles
                ):
                    roles.append(("before", a.kind, a.value, a.clause))
                    p.attrs.remove(a)
    roles = _pair_roles(roles)
    if "replaced" in events:  # "is gone, and X stands in its place" says one replacement
        events -= {"appeared", "disappeared"}
    if events & {"sun", "camera"}:
        events.discard("moved")
    if not any(
        p.head and p.head[-1] in PERSON_NOUNS for p in phrases
    ):  # "the cube now stands beside ..."
        roles = [r for r in roles if r[1] != "pose"]
    counts = {r: int(v) for r, k, v, _ in roles if k == "number" and r in ("before", "after")}
    if len(counts) == 2:  # "two more mugs ... from one to three": the difference is implied
        diff = str(abs(counts["after"] - counts["before"]))
        roles = [x for x in roles if not (x[1] == "number" and not x[0] and x[2] == diff)]
    if len(counts) == 2:  # "increased"/"more" said of a count that fell is a claim of its own
        up = counts["after"] > counts["before"]
        directions -= {"more"} if up else {"fewer"}
    if directions & {"clockwise", "counterclockwise"}:
        events.discard("rotated")  # "turned clockwise" says it: the verb is free
    # A change is stated of the second image unless it says otherwise: "in the first image"
    # outside a before/after value places a statement in the before state, which a rewrite
    # may not do where the template does not.
    value_clauses = {c for r, _, _, c in roles if r}
    images = {"first" for t in tokens if t.word == "first-image" and t.clause not in value_clauses}
    for p in phrases:
        claim = _object_claim(p, nouns)
        if claim is not None:
            objects.add(claim)
    described = {o.noun for o in objects if o.attributes or o.positions}
    objects = {o for o in objects if o.attributes or o.positions or o.noun not in described}
    positions = [t.value for t in tokens if t.kind == "position"]
    before = tuple(sorted((k, v) for r, k, v, _ in roles if r == "before"))
    after = tuple(sorted((k, v) for r, k, v, _ in roles if r == "after"))
    values = tuple(
        sorted((f"{r}:{k}" if r else k, v) for r, k, v, _ in roles if r not in ("before", "after"))
    )
    kind = _type(
        before,
        after,
        values,
        directions,
        events,
        quotes and any(k == "text" for k, _ in before + after + values),
    )
    return ChangeClaims(
        kind,
        tuple(sorted(objects, key=str)),
        tuple(positions),
        before,
        after,
        values,
        tuple(sorted(directions)),
        tuple(sorted(events)),
        negations,
        tuple(sorted(images)),
    )


def _bind_positions_and_parts(tokens: list[_Token], phrases: list[_Phrase]) -> None:
    """A position word after a phrase (no verb between) belongs to that phrase; a clothing part
    phrase after a person ("in a yellow top and black trousers") binds its colours to it."""
    starts = {p.start: p for p in phrases}
    current: _Phrase | None = None
    k = 0
    while k < len(tokens):
        t = tokens[k]
        if k in starts:
            p = starts[k]
            is_part = bool(p.head) and p.head[-1] in PART_WORDS.values()
            prev = tokens[k - 1].word if k else ""
            prev2 = tokens[k - 2].word if k > 1 else ""
            if (
                is_part
                and current is not None
                and current.head
                and (prev in ("in", "wearing", "with", "and") or prev2 in ("in", "wearing"))
                and p.attrs
            ):
                part = p.head[-1]
                current.parts.extend((part, a.kind, a.value) for a in p.attrs)
                p.attrs, p.head = [], []
            elif p.head and p.head[-1] not in FILLER_HEADS:
                current = p
            elif not p.head:
                pass
        elif (
            t.kind == "text"
            and current is not None
            and k > 1
            and tokens[k - 1].word in ("reads", "reading", "saying", "says")
            and tokens[k - 2].word in ("that", "which", current.head[-1] if current.head else "")
        ):  # "the poster that reads "BANK"": the text names the object
            current.parts.append(("", "text", t.value))
            current.__dict__.setdefault("_pos_tokens", []).append(t)
        elif t.kind == "position" and current is not None:
            current.positions.append(t.value)
            current.__dict__.setdefault("_pos_tokens", []).append(t)
        elif t.word in STOP and t.word not in _NP_LINKS:
            current = None
        k += 1


# Words that may sit between a phrase and its position words ("the mug in the upper-left corner
# of the scene", "the chair next to the table on the left side").
_NP_LINKS = frozenset(
    {"in", "on", "at", "of", "to", "the", "a", "an", "by", "near", "and", "that", "which"}
    | {"reads", "reading", "saying", "says"}
)


def _phrase_role(tokens: list[_Token], p: _Phrase) -> str:
    """The side a whole phrase states (``from a red one``/``wears blue trousers instead of``);
    an object's phrase ("from the blue table") states a place, not a side."""
    if p.head and p.head[-1] not in FILLER_HEADS and p.head[-1] not in PART_WORDS.values():
        return ""
    prev = [t.word for t in tokens[max(0, p.start - 2) : p.start]]
    if prev[-1:] == ["from"] or prev[-1:] == ["instead-of"] or prev[-1:] == ["used-to"]:
        return "before"
    if prev[-1:] in (["to"], ["into"], ["wears"]) or prev[-2:] == ["now", "wears"]:
        return "after"
    end = p.start + 1 + len(p.head) + len(p.attrs)
    nxt = [t.word for t in tokens[end : end + 1]]
    if nxt == ["instead-of"] and prev[-1:] in (["wears"], ["now"], ["has"]):
        return "after"
    return ""


def _role(tokens: list[_Token], k: int) -> str:
    """Before or after: the nearest explicit cue, else the clause's cue, else none."""
    prev = [t.word for t in tokens[max(0, k - 3) : k] if t.word not in DETERMINERS]
    nxt = [t.word for t in tokens[k + 1 : k + 3]]
    clause = [t.word for t in tokens if t.clause == tokens[k].clause]
    # "in the first image it was purple rather than orange": the ordinal says which side
    # "rather than" puts each value on
    first = "first-image" in clause and "second-image" not in clause
    if prev[-1:] == ["instead-of"]:
        return "after" if first else "before"
    if nxt[:1] == ["instead-of"]:
        return "before" if first else "after"
    if prev[-1:] in (["from"], ["used-to"], ["said"], ["showed"], ["no-longer"]):
        return "before"
    if prev[-1:] in (["to"], ["into"], ["by"]) or prev[-2:] == ["replaced", "by"]:
        return "after"
    if BEFORE_CUES & set(clause):
        return "before"
    if AFTER_CUES & set(clause):
        return "after"
    if prev[-1:] and prev[-1] in WEAK_BEFORE:
        return "before"
    if prev[-1:] and prev[-1] in WEAK_AFTER:
        return "after"
    return ""


def _pair_roles(roles: list[tuple[str, str, str, int]]) -> list[tuple[str, str, str, int]]:
    """Complete a before/after pair: in a change where a kind has an explicit after, its value
    without a side is the before (and the other way round). A kind stated once keeps no side."""
    out = []
    for r, k, v, c in roles:
        same = [x for x in roles if x[1] == k]
        if not r and any(x[0] == "after" for x in same) and not any(x[0] == "before" for x in same):
            r = "before"
        elif (
            not r and any(x[0] == "before" for x in same) and not any(x[0] == "after" for x in same)
        ):
            r = "after"
        out.append((r, k, v, c))
    final = []
    for r, k, v, c in out:
        same = [x for x in out if x[1] == k]
        if len(same) == 1:
            r = ""
        final.append((r, k, v, c))
    return final


def _type(before, after, values, directions, events, has_text) -> str:
    """The change type the claims state."""
    kinds = {k for k, _ in before + after}
    if "camera" in events:
        return "viewpoint"
    if (
        directions & {"brighter", "darker", "warmer", "cooler", "on", "off"}
        or any(d.endswith((":on", ":off")) for d in directions)
        or "sun" in events
    ):
        return "illumination"
    if "replaced" in events:
        return "replace"
    if "text" in kinds or (has_text and "text" in {k for k, _ in values}):
        return "text"
    if "number" in kinds:
        return "count"
    if "color" in kinds:
        return "color"
    if "material" in kinds:
        return "material"
    if directions & {"larger", "smaller"}:
        return "size"
    if directions & {"clockwise", "counterclockwise"}:
        return "orientation"
    if "moved" in events:
        return "move"
    if "pose" in kinds:
        return "pose"
    if "appeared" in events:
        return "add"
    if "disappeared" in events:
        return "disappear"
    if "none" in events:
        return "none"
    return "other"
