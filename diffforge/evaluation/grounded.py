"""Grounded evaluation: did a caption find the differences, invent any, and say "no change"
where there is none? Counted against each pair's checklist (``formats.checklist``), which comes
from its change records, so no person writes the list.

Per pair the prediction's claims are matched to checklist items (``grounded_match``). Figures
(``grounded`` in ``diffforge eval --grounded --json``):

- ``recall``: items found / items, over pairs with changes (a "No change." there finds none);
- ``precision``: claims matching an item / claims stated, over all pairs (every claim on a
  ``none`` pair is a hallucinated change); None when no prediction states a readable claim;
- ``exact``: pairs with every item found and nothing invented (a ``none`` pair: "no change");
- ``tnr``: ``none`` pairs whose prediction says there is no change / ``none`` pairs;
- ``by_type``: recall and precision per change type; ``by_tier``: recall per difficulty tier of
  the target (visible area, contrast of the change) and recall and tnr with and without
  distractors (``dataset.tiers``);
- ``judge`` (with ``--judge``): an LLM's recall (one yes/no per item) and precision (one list of
  the caption's claims per pair, each supported or not), ``grounded_judge``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from diffforge.dataset import PairRecord, read_pairs, read_scene
from diffforge.dataset.tiers import pair_tiers
from diffforge.errors import DiffforgeError
from diffforge.evaluation.grounded_match import (
    assign,
    is_no_change,
    mismatch,
    prediction_claims,
    truth_of,
)
from diffforge.formats.checklist import ChecklistItem, checklist


def score_pair(
    items: Sequence[ChecklistItem], prediction: str, tiers: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """One pair: which items the prediction found, which of its claims match nothing."""
    truths = [truth_of(i) for i in items]
    claims = prediction_claims(prediction)
    pairs = assign(claims, truths)
    found = {j for _, j in pairs}
    matched = {i for i, _ in pairs}
    hallucinated = []
    for k, c in enumerate(claims):
        if k in matched:
            continue
        why = [mismatch(c, t) for t in truths]
        hallucinated.append({"type": c.type, "why": why[0] if len(why) == 1 else why})
    no_change = is_no_change(prediction)
    return {
        "none": not items,
        "items": [
            {"type": i.type, "object": i.object, "found": k in found, "tiers": i.tiers}
            for k, i in enumerate(items)
        ],
        "claims": len(claims),
        "matched": len(matched),
        "claim_types": [c.type for c in claims],
        "matched_types": {i: items[j].type for i, j in pairs},
        "hallucinated": hallucinated,
        "no_change": no_change,
        "exact": (no_change if not items else len(found) == len(items) and not hallucinated),
        "tiers": dict(tiers or {}),
    }


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def aggregate(scored: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """The figures over scored pairs (``score_pair`` results by id)."""
    items = [it for p in scored.values() for it in p["items"]]
    found = sum(it["found"] for it in items)
    claims = sum(p["claims"] for p in scored.values())
    matched = sum(p["matched"] for p in scored.values())
    nones = [p for p in scored.values() if p["none"]]
    by_type: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for it in items:
        by_type[it["type"]]["n"] += 1
        by_type[it["type"]]["found"] += it["found"]
    for p in scored.values():
        for k, t in enumerate(p["claim_types"]):
            row = by_type[p["matched_types"].get(k, t)]
            row["claims"] += 1
            row["matched"] += k in p["matched_types"]
    return {
        "recall": _ratio(found, len(items)),
        "precision": _ratio(matched, claims),
        "exact": _ratio(sum(p["exact"] for p in scored.values()), len(scored)),
        "tnr": _ratio(sum(p["no_change"] for p in nones), len(nones)),
        "pairs": len(scored),
        "items": len(items),
        "found": found,
        "claims": claims,
        "hallucinated": claims - matched,
        "none_pairs": len(nones),
        "by_type": {
            t: {
                "n": r["n"],
                "recall": _ratio(r["found"], r["n"]),
                "claims": r["claims"],
                "precision": _ratio(r["matched"], r["claims"]),
            }
            for t, r in sorted(by_type.items())
        },
        "by_tier": by_tier(scored),
    }


def by_tier(scored: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Recall per tier of each item's ``area`` and ``contrast``; recall and tnr per pair
    ``distractors`` tier. Items or pairs without a tier are left out of that breakdown."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for p in scored.values():
        for it in p["items"]:
            for name in ("area", "contrast"):
                level = it["tiers"].get(name)
                if level is not None:
                    counts[(name, level)][0] += it["found"]
                    counts[(name, level)][1] += 1
    for (name, level), (f, n) in sorted(counts.items()):
        out.setdefault(name, {})[level] = {"n": n, "recall": _ratio(f, n)}
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in scored.values():
        level = p["tiers"].get("distractors")
        if level is not None:
            groups[level].append(p)
    for level, ps in sorted(groups.items()):
        items = [it for p in ps for it in p["items"]]
        nones = [p for p in ps if p["none"]]
        out.setdefault("distractors", {})[level] = {
            "pairs": len(ps),
            "n": len(items),
            "recall": _ratio(sum(it["found"] for it in items), len(items)),
            "none_pairs": len(nones),
            "tnr": _ratio(sum(p["no_change"] for p in nones), len(nones)),
        }
    return out


def score_records(
    records: Sequence[PairRecord],
    predictions: Mapping[str, str],
    root: Path | None = None,
) -> dict[str, Any]:
    """Grounded figures of ``predictions`` (id -> caption) against ``records``; ``root`` (the
    dataset) lets tiers missing from older records be measured from its files."""
    scored: dict[str, dict[str, Any]] = {}
    for rec in records:
        if rec.id not in predictions:
            continue
        tiers = pair_tiers(rec, root)
        items = checklist(rec, read_scene(root, rec) if root is not None else None)
        for item in items:
            item.tiers = {**tiers["changes"].get(item.index, {}), **item.tiers}
        scored[rec.id] = score_pair(items, predictions[rec.id], {"distractors": tiers["pair"]})
    if not scored:
        raise DiffforgeError("grounded: no prediction id is a pair of the references")
    out = aggregate(scored)
    out["per_pair"] = scored
    return out


def score_dataset(
    predictions: Mapping[str, str], references: Path, split: str | None = None
) -> dict[str, Any]:
    """``score_records`` on a diffforge dataset directory (its ``split`` when given)."""
    from diffforge.dataset import is_dataset

    if not is_dataset(references):
        raise DiffforgeError(
            f"--grounded: {references} is not a diffforge dataset (the checklists come from "
            "its change records)"
        )
    records = read_pairs(Path(references), split)
    return score_records(records, predictions, Path(references))


def summary_rows(g: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Table rows: "all", then one per change type (recall, precision, n)."""
    rows = {"all": {"n": g["items"], "recall": g["recall"], "precision": g["precision"]}}
    rows.update(g["by_type"])
    return rows


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}"


def print_grounded(g: Mapping[str, Any], console: Any) -> None:
    """The grounded figures for the terminal: one line, then recall and precision per change
    type and recall per tier (×100)."""
    from rich.table import Table

    console.print(
        f"grounded: recall {_pct(g['recall'])} ({g['found']}/{g['items']} changes), precision "
        f"{_pct(g['precision'])} ({g['hallucinated']} of {g['claims']} claims invented), exact "
        f"{_pct(g['exact'])} ({g['pairs']} pairs), tnr {_pct(g['tnr'])} "
        f"({g['none_pairs']} no-change pairs)",
        highlight=False,
    )
    table = Table(title="grounded, per change type (×100)")
    for col in ("", "n", "recall", "claims", "precision"):
        table.add_column(col, justify="left" if not col else "right")
    for name, row in g["by_type"].items():
        table.add_row(
            name, str(row["n"]), _pct(row["recall"]), str(row["claims"]), _pct(row["precision"])
        )
    console.print(table)
    tiers = Table(title="grounded recall per difficulty tier (×100)")
    for col in ("tier", "level", "n", "recall", "tnr"):
        tiers.add_column(col, justify="left" if col in ("tier", "level") else "right")
    for tier, levels in g["by_tier"].items():
        for level, row in levels.items():
            tiers.add_row(tier, level, str(row["n"]), _pct(row["recall"]), _pct(row.get("tnr")))
    if g["by_tier"]:
        console.print(tiers)
    if "judge" in g:
        j, c = g["judge"], g["judge"].get("precision_detail", {})
        agree = j.get("agreement_with_rules")
        console.print(
            f"grounded judge ({j['model']}): recall {_pct(j['recall'])} over {j['answered']} of "
            f"{j['n']} changes (agrees with the rules on "
            f"{'n/a' if agree is None else _pct(agree)} %); precision {_pct(j.get('precision'))}"
            f" ({c.get('invented', 0)} of {c.get('claims', 0)} claims invented, "
            f"{c.get('answered', 0)} of {c.get('pairs', 0)} pairs answered; "
            f"{j['unparseable'] + c.get('unparseable', 0)} unparseable, "
            f"{j['failed'] + c.get('failed', 0)} failed)",
            highlight=False,
        )
