"""The claims a caption makes, and how two captions' claims differ."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


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
    # objects of one noun told apart by attributes, in the order first named (a move's from
    # and to landmarks of one kind): swapped, the objects are the same and the claim is not
    kind_order: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = ()
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
        if what_a == what_b and a.kind_order != b.kind_order:
            shown = [f"{noun}({', '.join(v for _, _, v in attrs)})" for noun, attrs in b.kind_order]
            out.append(f"object: change {i} names {', '.join(shown)} in the other order")
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
