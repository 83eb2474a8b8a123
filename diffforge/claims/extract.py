"""Reading a caption into its claims: sentences into changes, words into tokens, tokens into
noun phrases, and each value, position and direction bound to its object and side."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from diffforge.claims.model import ChangeClaims, Claims, ObjectClaim
from diffforge.claims.words import (
    AFTER_CUES,
    BEFORE_CUES,
    CLAUSE_BREAK,
    COLOR_WORDS,
    COMPILED_PHRASES,
    CONNECTOR,
    DETERMINERS,
    DIRECTIONS,
    EVENTS,
    FILLER_HEADS,
    HEADER,
    IMAGE_REFERENCE,
    MATERIAL_WORDS,
    NEGATIONS,
    NUMBERS,
    ORDINALS,
    PART_WORDS,
    POSE_WORDS,
    POSITIONS,
    QUOTE,
    SIZE_ATTRIBUTES,
    STOP,
    TOKEN,
    WEAK_AFTER,
    WEAK_BEFORE,
)
from diffforge.vocabulary import PERSON_NOUNS, singular


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
    bound: list[_Token] = field(default_factory=list)  # position and text tokens it took


def normalise(text: str) -> tuple[str, list[str]]:
    """Lower-cased text with quotes replaced by ``q0, q1 ...`` and phrases by one spelling."""
    quotes: list[str] = []

    def keep(m: re.Match[str]) -> str:
        quotes.append(m.group(1) or m.group(2))
        return f" q{len(quotes) - 1} "

    text = QUOTE.sub(keep, text).lower().replace("’", "'")
    for pattern, repl in COMPILED_PHRASES:
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
            m = HEADER.search(sentence)
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
        body, starts = CONNECTOR.subn("", sentence) if announced else (sentence, 0)
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
    text = IMAGE_REFERENCE.sub(" ", text)
    out: list[_Token] = []
    clause = 0
    words = TOKEN.findall(text)
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
        if word in CLAUSE_BREAK and not heads and not listed:
            clause += 1
        tok = _classify(word, quotes)
        tok.clause = clause
        out.append(tok)
    return out


_NP_WORD = frozenset({"color", "material", "size"})
_VALUES = frozenset({"color", "material", "number", "text", "pose"})


_PLACE_ADJECTIVES = ("most", "-hand")  # position words that stand before a noun


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
            elif w.kind == "position" and not p.head and w.word.endswith(_PLACE_ADJECTIVES):
                p.positions.append(w.value)  # "the rightmost cube": a place said before the noun
                p.bound.append(w)
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


Role = tuple[str, str, str, int]  # (side: "before" | "after" | "", kind, value, clause)


def _change(text: str, quotes: list[str], nouns: Mapping[str, str] | None) -> ChangeClaims:
    """The claims of one change's sentences."""
    tokens = _tokens(text, quotes)
    phrases = _phrases(tokens)
    taken = {id(a) for p in phrases for a in p.attrs}  # read as a phrase's attributes
    _bind_positions_and_parts(tokens, phrases)
    roles = _phrase_values(tokens, phrases)
    directions: set[str] = set()
    events: set[str] = set()
    negations = 0
    taken |= {id(t) for p in phrases for t in p.bound}
    for k, t in enumerate(tokens):
        if id(t) in taken:
            continue
        if t.kind in _VALUES:
            roles.append((_role(tokens, k), t.kind, t.value, t.clause))
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
    roles = _pair_roles(roles + _changed_part_colours(phrases, roles))
    if not any(p.head and p.head[-1] in PERSON_NOUNS for p in phrases):
        roles = [r for r in roles if r[1] != "pose"]  # "the cube now stands beside ..."
    roles = _implied(roles, directions, events)
    before = tuple(sorted((k, v) for r, k, v, _ in roles if r == "before"))
    after = tuple(sorted((k, v) for r, k, v, _ in roles if r == "after"))
    values = tuple(sorted((k, v) for r, k, v, _ in roles if r not in ("before", "after")))
    # A change is stated of the second image unless it says otherwise: "in the first image"
    # outside a before/after value places a statement in the before state, which a rewrite
    # may not do where the template does not.
    value_clauses = {c for r, _, _, c in roles if r}
    images = {"first" for t in tokens if t.word == "first-image" and t.clause not in value_clauses}
    return ChangeClaims(
        _type(before, after, values, directions, events),
        _objects(phrases, nouns),
        tuple(t.value for t in tokens if t.kind == "position"),
        _kind_order(phrases, nouns),
        before,
        after,
        values,
        tuple(sorted(directions)),
        tuple(sorted(events)),
        negations,
        tuple(sorted(images)),
    )


def _phrase_values(tokens: list[_Token], phrases: list[_Phrase]) -> list[Role]:
    """Values a phrase states rather than describes its object with: "from a red one", "now
    wears black trousers instead of ...", a count ("three cubes"); they leave its attributes."""
    roles: list[Role] = []
    for p in phrases:
        role = _phrase_role(tokens, p)
        is_part = bool(p.head) and p.head[-1] in PART_WORDS.values()
        if (role or not p.head or p.head[-1] in FILLER_HEADS) and p.attrs:
            stated = [a for a in p.attrs if a.kind in ("color", "material", "number")]
        elif is_part:
            continue  # "the pink trousers of ...": see _changed_part_colours
        else:
            stated = [a for a in p.attrs if a.kind == "number"]
        roles += [(role or _role(tokens, p.start), a.kind, a.value, a.clause) for a in stated]
        p.attrs = [a for a in p.attrs if a not in stated]
    return roles


def _changed_part_colours(phrases: list[_Phrase], roles: list[Role]) -> list[Role]:
    """ "The pink trousers of ... have become yellow": the changed part's colour is its before."""
    out: list[Role] = []
    for p in phrases:
        if not p.head or p.head[-1] not in PART_WORDS.values():
            continue
        for a in list(p.attrs):
            sides = {r for r, k, _, _ in roles if k == a.kind}
            if "after" in sides and "before" not in sides:
                out.append(("before", a.kind, a.value, a.clause))
                p.attrs.remove(a)
    return out


def _implied(roles: list[Role], directions: set[str], events: set[str]) -> list[Role]:
    """Drop what other claims already say, so a rewrite may say it or not: the difference of a
    count, "more" of a count that grew, "rotated" beside "clockwise", "moved" of the sun or
    camera, "disappeared" beside "replaced" (edits ``directions`` and ``events``)."""
    if "replaced" in events:  # "is gone, and X stands in its place" says one replacement
        events -= {"appeared", "disappeared"}
    if events & {"sun", "camera"}:
        events.discard("moved")
    if directions & {"clockwise", "counterclockwise"}:
        events.discard("rotated")
    counts = {r: int(v) for r, k, v, _ in roles if k == "number" and r in ("before", "after")}
    if len(counts) == 2:
        diff = str(abs(counts["after"] - counts["before"]))  # "two more mugs: from one to three"
        roles = [x for x in roles if not (x[1] == "number" and not x[0] and x[2] == diff)]
        # "increased"/"more" said of a count that fell is a claim of its own
        directions -= {"more"} if counts["after"] > counts["before"] else {"fewer"}
    return roles


def _objects(phrases: list[_Phrase], nouns: Mapping[str, str] | None) -> tuple[ObjectClaim, ...]:
    """Each object once; a bare second mention ("the person" after "the person in a red top")
    adds nothing."""
    objects = {c for p in phrases if (c := _object_claim(p, nouns)) is not None}
    described = {o.noun for o in objects if o.attributes or o.positions}
    kept = {o for o in objects if o.attributes or o.positions or o.noun not in described}
    return tuple(sorted(kept, key=str))


def _kind_order(
    phrases: list[_Phrase], nouns: Mapping[str, str] | None
) -> tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...]:
    """The objects of one noun that the change tells apart by their attributes, in the order it
    first names them: a move "from next to the pink wardrobe ... to beside the red wardrobe"
    with the two swapped names the same objects, only in the other order."""
    seen: list[tuple[str, tuple[tuple[str, str, str], ...]]] = []
    for p in sorted(phrases, key=lambda p: p.start):
        claim = _object_claim(p, nouns)
        if claim is not None and claim.attributes and claim.what not in seen:
            seen.append(claim.what)
    nouns_told_apart = {n for n, _ in seen if sum(m == n for m, _ in seen) > 1}
    return tuple(w for w in seen if w[0] in nouns_told_apart)


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
            current.bound.append(t)
        elif (
            t.kind == "position" and current is not None and all(t is not b for b in current.bound)
        ):
            current.positions.append(t.value)
            current.bound.append(t)
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


def _type(
    before: tuple[tuple[str, str], ...],
    after: tuple[tuple[str, str], ...],
    values: tuple[tuple[str, str], ...],
    directions: set[str],
    events: set[str],
) -> str:
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
    if "text" in kinds or "text" in {k for k, _ in values}:
        return "text"
    if "number" in kinds:
        return "count"
    if "color" in kinds:
        return "color"
    if "material" in kinds:
        return "material"
    if directions & {"larger", "smaller"}:
        return "size"
    if directions & {"clockwise", "counterclockwise"} or "rotated" in events:
        return "orientation"
    if "moved" in events:
        return "move"
    if "pose" in kinds or "pose" in {k for k, _ in values}:
        return "pose"  # "has moved one arm": a pose stated without a before or after
    if "appeared" in events:
        return "add"
    if "disappeared" in events:
        return "disappear"
    if "none" in events:
        return "none"
    return "other"
