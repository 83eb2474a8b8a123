"""Template captions: one sentence group per change, N captions per pair.

Each change becomes a ``Group`` (its template key, the exact values, its referring expression);
templates under ``templates/`` hold the phrasings, one per line. Multi-change captions open with
a sentence that says how many changes there are and give them in a stated order ("First, ...
Second, ..."); the N captions of a pair differ in phrasing and, for several changes, in order.
All choices come from ``rng_for(seed, index, "caption", attempt)``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

from diffforge.captioner.change_groups import Group, GroupContext, group_for
from diffforge.captioner.phrasings import TEMPLATE_DIR, Templates, templates
from diffforge.captioner.referring import AmbiguousReference, Readable, make_view
from diffforge.distributions import rng_for
from diffforge.scenes.model import PairSpec
from diffforge.vocabulary import number_word

__all__ = [
    "TEMPLATE_DIR",
    "AmbiguousReference",
    "Group",
    "Templates",
    "caption_or_reason",
    "caption_pair",
    "change_groups",
    "templates",
]


def change_groups(
    spec: PairSpec,
    resolution: tuple[int, int],
    facts: Mapping[str, Mapping[str, Any]] | None = None,
    min_pixels: int = 1,
    style: str = "concise",
    readable: Readable | None = None,
) -> list[Group]:
    """One Group per change of the pair (raises AmbiguousReference for the quality gate)."""
    return _groups_and_ctx(spec, resolution, facts, min_pixels, style, readable)[0]


def _groups_and_ctx(
    spec, resolution, facts, min_pixels, style, readable=None
) -> tuple[list[Group], GroupContext]:
    facts = facts or {}
    ctx = GroupContext(
        spec,
        make_view(spec.before, resolution, facts.get("before"), min_pixels, readable),
        make_view(spec.after, resolution, facts.get("after"), min_pixels, readable),
        style=style,
    )
    return [group_for(c, ctx) for c in spec.changes], ctx


# At most this many unchanged objects are named in a rich caption's closing sentence.
CONTEXT_OBJECTS = 3


def context_values(ctx: GroupContext) -> dict[str, Any] | None:
    """The rich style's closing sentence: the largest visible objects no change touched, each
    by its short unique name ("the wooden table, the green sofa and the floor lamp")."""
    touched = {t for c in ctx.spec.changes for t in c.targets}
    for c in ctx.spec.changes:
        for side in (c.before, c.after, c.params):
            for key in ("id", "from", "to"):
                if isinstance(side.get(key), str):
                    touched.add(side[key])
    lights = {str(c.params["light"]) for c in ctx.spec.changes if c.params.get("light")}
    view, resolver = ctx.before, ctx.resolver("before")
    after_ids = set(ctx.after.by_id)

    def area(i: str) -> float:
        b = view.boxes[i]
        return (b[2] - b[0]) * (b[3] - b[1])

    names = []
    for obj_id in sorted(view.visible & set(view.boxes), key=lambda i: (-area(i), i)):
        if obj_id in touched or obj_id not in after_ids or view.by_id[obj_id].noun in lights:
            continue
        name = resolver.landmark_phrase(obj_id)
        # "the large brown cube, the large brown cylinder": one of them is enough
        lead = name.split()[:3] if name else None
        if name and all(n.split()[:3] != lead for n in names):
            names.append(name)
        if len(names) == CONTEXT_OBJECTS:
            break
    if not names:
        return None
    others = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return {"others": others, "many": len(names) > 1}


# ---------------------------------------------------------------------------------------------
# Groups -> captions
# ---------------------------------------------------------------------------------------------


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _lower_first(text: str) -> str:
    """Lower the first letter after a connector, unless it starts an all-caps word or quote.

    "A car has ..." becomes "a car has ..." (a one-letter word is not an acronym).
    """
    first = text.split(" ", 1)[0]
    if text[:1].isupper() and (len(first) == 1 or not first.isupper()):
        return text[0].lower() + text[1:]
    return text


def render_group(group: Group, variant: int, tpl: Templates | None = None) -> str:
    tpl = tpl or templates()
    phrasings = _phrasings(group, tpl)
    text = phrasings[variant % len(phrasings)].render(**group.values)
    return sentence_case(" ".join(text.split()))


def _phrasings(group: Group, tpl: Templates) -> list:
    """The group's phrasings: its template (in its folder), else the generic one."""
    if tpl.has(group.key, group.where):
        return tpl.get(group.key, group.where)
    return tpl.get("generic")


def _orders(rng: np.random.Generator, n_groups: int, n: int) -> list[list[int]]:
    """The stated order of each caption: the change order first, then distinct shuffles."""
    base = list(range(n_groups))
    out = [base]
    seen = {tuple(base)}
    for _ in range(n - 1):
        order = base
        for _ in range(6):  # a few tries for an order not used yet (2 groups have only 2)
            order = [int(i) for i in rng.permutation(n_groups)]
            if tuple(order) not in seen:
                break
        seen.add(tuple(order))
        out.append(order)
    return out


def _mention_key(group: Group) -> str:
    """What makes two groups one thing: their target object, else their referring text."""
    return group.target or group.referring


def _second_mention(group: Group, said: dict[str, str], named: dict[str, int]) -> Group:
    """A target already described earlier in the caption is "the same <noun>" the second time
    ("that same <noun>" the third), whatever its own change would have called it (``named``:
    target -> times named, so a tree that turns green and then shrinks is not read as two
    trees); an earlier target named again as a landmark is "that <noun>" ("the television on
    that table"), rather than the whole referring expression again. ``said``: referring ->
    bare."""
    thing = group.values.get("thing")
    if not group.referring or not isinstance(thing, str):
        return group
    who = _mention_key(group)
    if who in named:
        noun = group.values.get("noun") or thing.removeprefix("the ")
        same = ("that same " if named[who] > 1 else "the same ") + noun
        named[who] += 1
        values = {**group.values, "ref": same}
        if "light" in values:  # a switched lamp: "The {{ light }}" -> "The same street lamp"
            values.update(light=f"same {noun}", the_light=f"the same {noun}")
        return dataclasses.replace(group, values=values, referring=same)
    for earlier in said:
        if len(group.referring.split()) >= 3 and group.referring in earlier:
            that = "that " + thing.removeprefix("the ")  # named earlier as a landmark
            return dataclasses.replace(group, values={**group.values, "ref": that}, referring=that)
    for earlier, bare in said.items():
        if len(earlier.split()) < 3:
            continue
        that = "that " + bare.removeprefix("the ")
        values = dict(group.values)
        for key in ("ref", "ref_a"):
            if isinstance(values.get(key), str) and earlier in values[key]:
                values[key] = values[key].replace(earlier, that, 1)
        if values != group.values:
            referring = group.referring
            for key in ("ref_a", "ref"):
                if group.referring == group.values.get(key):
                    referring = values[key]
            return dataclasses.replace(group, values=values, referring=referring)
    return group


def assemble(
    groups: list[Group],
    per_pair: int,
    rng: np.random.Generator,
    tpl: Templates | None = None,
    context: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """N caption records ``{text, referring, change, types}`` from a pair's groups.

    ``context`` (the rich style): values of the closing sentence about what stayed the same.
    """
    tpl = tpl or templates()
    if not groups:
        groups = [Group("none", "none", {})]
    variants = []
    for g in groups:
        count = len(_phrasings(g, tpl))
        variants.append([int(i) for i in rng.permutation(count)])
    intro = tpl.get("multi_intro")
    connectors = tpl.get("multi_order")
    intro_perm = [int(i) for i in rng.permutation(len(intro))]
    conn_perm = [int(i) for i in rng.permutation(len(connectors))]
    captions = []
    for k, order in enumerate(_orders(rng, len(groups), per_pair)):
        parts, referring, said, named = [], [], {}, {}
        for i in order:
            g = _second_mention(groups[i], said, named)
            parts.append(render_group(g, variants[i][k % len(variants[i])], tpl))
            referring.append(g.referring)
            if isinstance(groups[i].values.get("thing"), str):
                said[groups[i].referring] = groups[i].values["thing"]
                named.setdefault(_mention_key(groups[i]), 1)
        if len(groups) == 1:
            text = parts[0]
        else:
            n_word = number_word(len(groups))
            head = intro[intro_perm[k % len(intro)]].render(n=n_word, N=sentence_case(n_word))
            words = [
                w.strip() for w in connectors[conn_perm[k % len(connectors)]].render().split("|")
            ]
            body = [
                f"{words[min(j, len(words) - 1)]} {_lower_first(p)}" for j, p in enumerate(parts)
            ]
            text = " ".join([sentence_case(head.strip()), *body])
        if context:
            closing = tpl.get("context")
            line = closing[(k + int(rng.integers(len(closing)))) % len(closing)]
            text = f"{text} {sentence_case(' '.join(line.render(**context).split()))}"
        captions.append(
            {
                "text": text,
                "referring": referring,
                "change": parts,
                "types": [groups[i].type for i in order],
            }
        )
    return captions


def caption_pair(
    spec: PairSpec,
    per_pair: int = 2,
    resolution: tuple[int, int] = (96, 72),
    facts: Mapping[str, Mapping[str, Any]] | None = None,
    min_pixels: int = 1,
    tpl: Templates | None = None,
    style: str = "concise",
    readable: Readable | None = None,
) -> list[dict[str, Any]]:
    """Template captions for one pair: deterministic in (spec.seed, spec.index, spec.attempt).

    ``style``: "concise" (the shortest unique referring expressions) or "rich" (full
    descriptions and a closing sentence on what stayed the same: OmniDiff's length).
    ``readable``: which signs may be quoted (``scenes.sampler.text_readability``); None: all.
    """
    groups, ctx = _groups_and_ctx(spec, resolution, facts, min_pixels, style, readable)
    rng = rng_for(spec.seed, spec.index, "caption", spec.attempt)
    context = None
    if style == "rich" and any(g.type != "none" for g in groups):
        context = context_values(ctx)
    return assemble(groups, per_pair, rng, tpl, context)


def caption_or_reason(
    spec: PairSpec,
    per_pair: int = 2,
    resolution: tuple[int, int] = (96, 72),
    facts: Mapping[str, Mapping[str, Any]] | None = None,
    min_pixels: int = 1,
    tpl: Templates | None = None,
    style: str = "concise",
    readable: Readable | None = None,
) -> tuple[list[dict[str, Any]] | None, str | None]:
    """The quality gate's hook: ``(captions, None)``, or ``(None, reason)`` when a pair fails.

    ``reason`` is ``AmbiguousReference.reason`` ("ambiguous referring expression"), the string
    the render pipeline counts and resamples on; any other error is a bug and propagates.
    """
    try:
        caps = caption_pair(spec, per_pair, resolution, facts, min_pixels, tpl, style, readable)
        return caps, None
    except AmbiguousReference as exc:
        return None, exc.reason
