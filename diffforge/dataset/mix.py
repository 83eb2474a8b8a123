"""The change mix a config asks for beside the mix its pairs carry.

A user who sets ``changes.weights`` to make a distribution must see whether the pairs follow
it: ``sample``, ``generate``, ``audit`` and ``bench sample`` print this report, and
``dataset.json`` records the realized shares. Plain data in, plain data out: the sampler's
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
    """One row: a change type (or a changes-per-pair count), configured vs realized."""

    name: str
    configured: float
    realized: float
    count: int


@dataclass
class MixReport:
    """Configured vs realized shares per change type and per changes-per-pair count."""

    types: list[Share]
    per_pair: list[Share]
    tvd: float  # total variation distance between the type shares
    tvd_per_pair: float
    changes: int  # changes counted
    pairs: int
    fallbacks: dict[str, Counter[str]] = field(default_factory=dict)  # type -> reason -> n
    draws: Counter[str] = field(default_factory=Counter)  # type -> times drawn

    def warnings(self) -> list[str]:
        """One line per type realized below half its configured share, saying why; only where
        the shortfall exceeds ``WARN_SE`` binomial standard errors (a few pairs are noise)."""
        out = []
        for row in self.types:
            if row.configured <= 0 or row.realized >= WARN_BELOW * row.configured:
                continue
            se = math.sqrt(row.configured * (1 - row.configured) / max(self.changes, 1))
            if row.configured - row.realized <= WARN_SE * se:
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
        return out

    def realized(self) -> dict[str, Any]:
        """What ``dataset.json`` records: realized shares and the distances."""
        return {
            "types": {r.name: round(r.realized, 4) for r in self.types},
            "per_pair": {r.name: round(r.realized, 4) for r in self.per_pair},
            "tvd": round(self.tvd, 4),
            "tvd_per_pair": round(self.tvd_per_pair, 4),
        }

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
        }

    def lines(self) -> list[str]:
        """The table as plain text lines (the commands print them)."""
        return mix_lines(self.as_dict())


def mix_lines(d: Mapping[str, Any]) -> list[str]:
    """``MixReport.as_dict()`` as the table the commands print (the audit prints it from
    audit.json's data)."""
    out = [f"change mix over {d['pairs']} pairs, {d['changes']} changes"]
    for title, key, unit in (("type", "types", "count"), ("per pair", "per_pair", "pairs")):
        out.append(f"  {title:<14}{'configured':>11}{'realized':>10}{unit:>8}")
        for name, r in d[key].items():
            out.append(f"  {name:<14}{r['configured']:>11.1%}{r['realized']:>10.1%}{r['count']:>8}")
        tvd = d["tvd" if key == "types" else "tvd_per_pair"]
        out.append(f"  total variation distance {tvd:.1%}")
    return out + [f"warning: {w}" for w in d["warnings"]]


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
) -> MixReport:
    """Compare a config's ``weights`` and ``per_pair`` with ``pairs`` (each the change types of
    one pair); ``fallbacks`` are (drawn type, reason) for draws another type replaced and
    ``draws`` every type drawn (how many draws a fallback count is out of)."""
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
    return MixReport(
        types=type_rows,
        per_pair=size_rows,
        tvd=type_tvd,
        tvd_per_pair=size_tvd,
        changes=sum(types.values()),
        pairs=n_pairs,
        fallbacks=why,
        draws=Counter(draws),
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


def realized_shares(
    pairs: Iterable[Iterable[str]], config: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """What ``dataset.json`` records (``counts.mix``): each type's share of the changes and each
    changes-per-pair count's share of the pairs; with the distances to the configured mix where
    the ``config`` (dataset.json's) names its weights."""
    changes = (config or {}).get("changes") or {}
    weights, per_pair = changes.get("weights"), changes.get("per_pair") or {}
    report = mix_report(weights or {}, per_pair, pairs)
    out = report.realized()
    if not weights:  # the operators' default mix: the run's report printed it
        del out["tvd"]
    if not per_pair:
        del out["tvd_per_pair"]
    return out


class MixTally:
    """Pairs' change types and fallbacks, collected one pair at a time (a run's stream)."""

    def __init__(self) -> None:
        self.pairs: list[list[str]] = []
        self.fallbacks: list[tuple[str, str]] = []
        self.draws: list[str] = []

    def add(self, kinds: Iterable[str], fallbacks: Iterable[Any] = ()) -> None:
        """One pair: its change types and its fallbacks (records or their dicts)."""
        kinds, fallbacks = list(kinds), list(fallbacks)
        self.pairs.append(kinds)
        for fb in fallbacks:
            d = fb if isinstance(fb, dict) else {"type": fb.type, "reason": fb.reason}
            self.fallbacks.append((d["type"], d["reason"]))
        self.draws += drawn_types(kinds, fallbacks)

    def add_spec(self, spec) -> None:
        """One ``PairSpec``."""
        self.add((c.type for c in spec.changes), spec.fallbacks)

    def report(self, weights: Mapping[str, float], per_pair: Mapping[int, float]) -> MixReport:
        return mix_report(weights, per_pair, self.pairs, self.fallbacks, self.draws)


def spec_report(weights: Mapping[str, float], per_pair: Mapping[int, float], specs) -> MixReport:
    """``mix_report`` of sampled pair specs (``PairSpec``s), their fallbacks included."""
    tally = MixTally()
    for spec in specs:
        tally.add_spec(spec)
    return tally.report(weights, per_pair)


def dataset_report(root, weights: Mapping[str, float], per_pair: Mapping[int, float]) -> MixReport:
    """The mix of a dataset's pairs; where a type falls short, its scene files say why (their
    specs' fallbacks: read only then, they are the large files)."""
    from diffforge.dataset.reader import read_pairs, read_scene

    recs = read_pairs(root)
    pairs = [[c.type for c in r.changes] for r in recs]
    report = mix_report(weights, per_pair, pairs)
    if not report.warnings():
        return report
    tally = MixTally()
    for rec, kinds in zip(recs, pairs, strict=True):
        spec = (read_scene(root, rec) or {}).get("spec") or {}
        tally.add(kinds, spec.get("fallbacks") or [])
    return tally.report(weights, per_pair)
