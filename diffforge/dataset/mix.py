"""The change mix a config asks for beside the mix its pairs carry.

A user who sets ``changes.weights`` (or ``scene.layouts``) to make a distribution must see
whether the pairs follow it: ``sample``, ``generate``, ``audit`` and ``bench sample`` print this
report, and ``dataset.json`` records the realized shares. Plain data in, plain data out: the sampler's
specs, a dataset's records and its scene files all reduce to each pair's change types and
fallbacks (``PairSpec.fallbacks``: a drawn type no scene could carry, and why).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# A type realized below this share of its configured share gets a warning, where the shortfall
# is more than this many binomial standard errors.
WARN_BELOW, WARN_SE = 0.5, 2.0


@dataclass(frozen=True)
class Share:
    """One row: a change type (or a changes-per-pair count, or a layout), configured vs
    realized."""

    name: str
    configured: float
    realized: float
    count: int


@dataclass
class MixReport:
    """Configured vs realized shares per change type, per changes-per-pair count and per
    layout (``layouts`` empty where no pair's layout is known)."""

    types: list[Share]
    per_pair: list[Share]
    tvd: float  # total variation distance between the type shares
    tvd_per_pair: float
    changes: int  # changes counted
    pairs: int
    fallbacks: dict[str, Counter[str]] = field(default_factory=dict)  # type -> reason -> n
    draws: Counter[str] = field(default_factory=Counter)  # type -> times drawn
    layouts: list[Share] = field(default_factory=list)
    tvd_layouts: float = 0.0
    placed: int = 0  # pairs whose layout is known (the layout shares' denominator)

    def warnings(self) -> list[str]:
        """One line per type realized below half its configured share, saying why; only where
        the shortfall exceeds ``WARN_SE`` binomial standard errors (a few pairs are noise)."""
        out = []
        for row in self.types:
            if not _short(row, self.changes):
                continue
            why = self.fallbacks.get(row.name)
            drawn = self.draws.get(row.name, 0)
            if why:
                lost = sum(why.values())
                reasons = "; ".join(f"{r} ({n})" for r, n in why.most_common(3))
                because = f"{lost} of {drawn} draws fell back: {reasons}"
            else:
                because = "no draw fell back: its pairs failed the gates, or too few were drawn"
            out.append(
                f"{row.name}: {row.realized:.1%} realized of {row.configured:.1%} configured; "
                f"{because}"
            )
        for row in self.layouts:
            if _short(row, self.placed):
                out.append(
                    f"layout {row.name}: {row.realized:.1%} of pairs realized of "
                    f"{row.configured:.1%} configured; the pairs' drawn change types rarely "
                    "find what they need there (their scene_needs), so they go to other layouts"
                )
        return out

    def realized(self) -> dict[str, Any]:
        """What ``dataset.json`` records: realized shares and the distances."""
        out = {
            "types": {r.name: round(r.realized, 4) for r in self.types},
            "per_pair": {r.name: round(r.realized, 4) for r in self.per_pair},
            "tvd": round(self.tvd, 4),
            "tvd_per_pair": round(self.tvd_per_pair, 4),
        }
        if self.layouts:
            out["layouts"] = {r.name: round(r.realized, 4) for r in self.layouts}
            out["tvd_layouts"] = round(self.tvd_layouts, 4)
        return out

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (audit.json)."""
        return {
            "pairs": self.pairs,
            "changes": self.changes,
            "types": _as_dict(self.types),
            "per_pair": _as_dict(self.per_pair),
            "tvd": round(self.tvd, 4),
            "tvd_per_pair": round(self.tvd_per_pair, 4),
            "fallbacks": {k: dict(v) for k, v in self.fallbacks.items()},
            "warnings": self.warnings(),
            **(
                {"layouts": _as_dict(self.layouts), "tvd_layouts": round(self.tvd_layouts, 4)}
                if self.layouts
                else {}
            ),
        }

    def lines(self) -> list[str]:
        """The table as plain text lines (the commands print them)."""
        return mix_lines(self.as_dict())


def mix_lines(d: Mapping[str, Any]) -> list[str]:
    """``MixReport.as_dict()`` as the table the commands print (the audit prints it from
    audit.json's data)."""
    out = [f"change mix over {d['pairs']} pairs, {d['changes']} changes"]
    for title, key, unit, tvd in _SECTIONS:
        if key not in d:  # no layouts: a report from before they were counted
            continue
        out.append(f"  {title:<14}{'configured':>11}{'realized':>10}{unit:>8}")
        for name, r in d[key].items():
            out.append(f"  {name:<14}{r['configured']:>11.1%}{r['realized']:>10.1%}{r['count']:>8}")
        out.append(f"  total variation distance {d[tvd]:.1%}")
    return out + [f"warning: {w}" for w in d["warnings"]]


# The table's sections: title, as_dict key, count column, distance key.
_SECTIONS = (
    ("type", "types", "count", "tvd"),
    ("per pair", "per_pair", "pairs", "tvd_per_pair"),
    ("layout", "layouts", "pairs", "tvd_layouts"),
)


def _short(row: Share, n: int) -> bool:
    """Realized below ``WARN_BELOW`` of its configured share, by more than ``WARN_SE``
    binomial standard errors of ``n`` draws (a few pairs short are noise)."""
    if row.configured <= 0 or row.realized >= WARN_BELOW * row.configured:
        return False
    se = math.sqrt(row.configured * (1 - row.configured) / max(n, 1))
    return row.configured - row.realized > WARN_SE * se


def _as_dict(rows: list[Share]) -> dict[str, dict[str, float]]:
    return {
        r.name: {
            "configured": round(r.configured, 4),
            "realized": round(r.realized, 4),
            "count": r.count,
        }
        for r in rows
    }


def normalised(weights: Mapping[Any, float]) -> dict[str, float]:
    total = sum(w for w in weights.values() if w > 0)
    return {str(k): (w / total if total else 0.0) for k, w in weights.items() if w > 0}


def tvd(p: Mapping[str, float], q: Mapping[str, float]) -> float:
    """Total variation distance: half the summed absolute differences."""
    return 0.5 * sum(abs(p.get(k, 0.0) - q.get(k, 0.0)) for k in set(p) | set(q))


def _rows(configured: Mapping[str, float], counts: Counter[str]) -> tuple[list[Share], float]:
    total = sum(counts.values())
    realized = {k: (n / total if total else 0.0) for k, n in counts.items()}
    names = sorted(set(configured) | set(counts), key=lambda k: (-configured.get(k, 0.0), k))
    rows = [Share(k, configured.get(k, 0.0), realized.get(k, 0.0), counts.get(k, 0)) for k in names]
    return rows, tvd(configured, realized)


def mix_report(
    weights: Mapping[str, float],
    per_pair: Mapping[int, float],
    pairs: Iterable[Iterable[str]],
    fallbacks: Iterable[tuple[str, str]] = (),
    draws: Iterable[str] = (),
    layouts: Mapping[str, float] | None = None,
    pair_layouts: Iterable[str | None] = (),
) -> MixReport:
    """Compare a config's ``weights`` and ``per_pair`` with ``pairs`` (each the change types of
    one pair); ``fallbacks`` are (drawn type, reason) for draws another type replaced and
    ``draws`` every type drawn (how many draws a fallback count is out of). ``layouts``: the
    config's ``scene.layouts`` weights, compared with ``pair_layouts`` (each pair's layout;
    None where unknown, left out of the layout shares); no layout rows without both."""
    types: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    n_pairs = 0
    for pair in pairs:
        kinds = list(pair)
        types.update(kinds)
        sizes[str(len(kinds))] += 1
        n_pairs += 1
    type_rows, type_tvd = _rows(normalised(weights), types)
    size_rows, size_tvd = _rows(normalised(per_pair), sizes)
    size_rows.sort(key=lambda r: int(r.name))
    why: dict[str, Counter[str]] = {}
    for kind, reason in fallbacks:
        why.setdefault(kind, Counter())[reason] += 1
    placed = Counter(k for k in pair_layouts if k is not None)
    # no configured layouts (a caller that does not say): no rows, rather than a 100 % distance
    known = placed and layouts
    layout_rows, layout_tvd = _rows(normalised(layouts), placed) if known else ([], 0.0)
    return MixReport(
        types=type_rows,
        per_pair=size_rows,
        tvd=type_tvd,
        tvd_per_pair=size_tvd,
        changes=sum(types.values()),
        pairs=n_pairs,
        fallbacks=why,
        draws=Counter(draws),
        layouts=layout_rows,
        tvd_layouts=layout_tvd,
        placed=sum(placed.values()),
    )


def drawn_types(changes: Iterable[str], fallbacks: Iterable[Any]) -> list[str]:
    """The types a pair drew: its changes' types with each fallback's replacement undone
    (``fallbacks``: ``model.Fallback`` records or their dicts)."""
    drawn = list(changes)
    for fb in reversed(list(fallbacks)):  # a chain (text -> add -> color) undone from its end
        kind, instead = (
            (fb["type"], fb["instead"]) if isinstance(fb, dict) else (fb.type, fb.instead)
        )
        if instead in drawn:
            drawn[drawn.index(instead)] = kind
    return drawn


def lost_draws(fallbacks: Iterable[Any]) -> list[tuple[str, str]]:
    """(type, reason) for each draw a pair lost: the first link of each fallback chain only.
    In a chain (replace -> move -> size) the move was never drawn, so its own fallback is
    not a move draw lost (a warning read "3 of 2 draws fell back")."""
    out, standing_in = [], Counter()  # replacement types not yet undone by a later link
    for fb in fallbacks:
        kind, instead, reason = (
            (fb["type"], fb["instead"], fb["reason"])
            if isinstance(fb, dict)
            else (fb.type, fb.instead, fb.reason)
        )
        if standing_in[kind]:
            standing_in[kind] -= 1  # a replacement that fell back in turn
        else:
            out.append((kind, reason))
        standing_in[instead] += 1
    return out


def realized_shares(
    pairs: Iterable[Iterable[str]],
    config: Mapping[str, Any] | None = None,
    layouts: Iterable[str | None] = (),
) -> dict[str, Any]:
    """What ``dataset.json`` records (``counts.mix``): each type's share of the changes, each
    changes-per-pair count's share of the pairs and, where the ``config`` (dataset.json's)
    names its ``scene.layouts``, each layout's share of the pairs (``layouts``: each pair's);
    with the distances to the configured mix where the config names its weights."""
    changes = (config or {}).get("changes") or {}
    weights, per_pair = changes.get("weights"), changes.get("per_pair") or {}
    configured = ((config or {}).get("scene") or {}).get("layouts") or {}
    report = mix_report(weights or {}, per_pair, pairs, layouts=configured, pair_layouts=layouts)
    out = report.realized()
    if not weights:  # the operators' default mix: the run's report printed it
        del out["tvd"]
    if not per_pair:
        del out["tvd_per_pair"]
    return out


def scene_layout(scene: Mapping[str, Any] | None) -> str | None:
    """The layout a pair's scene file (``dataset.reader.read_scene``) records, None if none."""
    spec = (scene or {}).get("spec") or {}
    return ((spec.get("before") or {}).get("environment") or {}).get("layout")


def pair_layouts(root, recs: Iterable[Any]) -> list[str | None]:
    """Each record's layout, read from its scene file (None where it has none or it is
    unreadable: a count is no reason to fail a run's dataset.json)."""
    from diffforge.dataset.reader import DatasetError, read_scene

    out: list[str | None] = []
    for rec in recs:
        try:
            out.append(scene_layout(read_scene(root, rec)))
        except DatasetError:
            out.append(None)
    return out


class MixTally:
    """Pairs' change types and fallbacks, collected one pair at a time (a run's stream)."""

    def __init__(self) -> None:
        self.pairs: list[list[str]] = []
        self.fallbacks: list[tuple[str, str]] = []
        self.draws: list[str] = []
        self.layouts: list[str | None] = []

    def add(
        self, kinds: Iterable[str], fallbacks: Iterable[Any] = (), layout: str | None = None
    ) -> None:
        """One pair: its change types, its fallbacks (records or their dicts), its layout."""
        kinds, fallbacks = list(kinds), list(fallbacks)
        self.pairs.append(kinds)
        self.layouts.append(layout)
        self.fallbacks += lost_draws(fallbacks)
        self.draws += drawn_types(kinds, fallbacks)

    def add_spec(self, spec) -> None:
        """One ``PairSpec``."""
        self.add((c.type for c in spec.changes), spec.fallbacks, spec.before.environment.layout)

    def report(
        self,
        weights: Mapping[str, float],
        per_pair: Mapping[int, float],
        layouts: Mapping[str, float] | None = None,
    ) -> MixReport:
        """The report against a config's change weights, ``per_pair`` and ``scene.layouts``."""
        return mix_report(
            weights, per_pair, self.pairs, self.fallbacks, self.draws, layouts, self.layouts
        )


def spec_report(
    weights: Mapping[str, float],
    per_pair: Mapping[int, float],
    specs,
    layouts: Mapping[str, float] | None = None,
) -> MixReport:
    """``mix_report`` of sampled pair specs (``PairSpec``s), their fallbacks and layouts
    included."""
    tally = MixTally()
    for spec in specs:
        tally.add_spec(spec)
    return tally.report(weights, per_pair, layouts)


def dataset_report(
    root,
    weights: Mapping[str, float],
    per_pair: Mapping[int, float],
    layouts: Mapping[str, float] | None = None,
) -> MixReport:
    """The mix of a dataset's pairs: their layouts and, where a type falls short, why (their
    specs' fallbacks) come from the scene files, read once each."""
    from diffforge.dataset.reader import read_pairs, read_scene

    tally = MixTally()
    for rec in read_pairs(root):
        scene = read_scene(root, rec)
        spec = (scene or {}).get("spec") or {}
        tally.add((c.type for c in rec.changes), spec.get("fallbacks") or [], scene_layout(scene))
    return tally.report(weights, per_pair, layouts)
