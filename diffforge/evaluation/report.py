"""Tables of evaluation results: markdown for papers and benchmarks/, rich for the terminal.

Values are shown ×100 with one decimal, the way IDC papers print them; JSON output keeps the
toolkit's raw values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from diffforge.evaluation.metrics import METRICS

SHORT = {"Bleu_1": "B-1", "Bleu_2": "B-2", "Bleu_3": "B-3", "Bleu_4": "B-4", "ROUGE_L": "R-L"}


def _columns(rows: Mapping[str, Mapping[str, Any]], metrics: Sequence[str] | None) -> list[str]:
    if metrics is not None:
        return list(metrics)
    present = {k for row in rows.values() for k in row}
    return [m for m in METRICS if m in present]


def cell(value: Any, scale: float) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, int | float):
        return f"{value * scale:.1f}"
    return str(value)


def result_rows(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The table rows of a result: "all", then one per change type."""
    return {"all": result, **result.get("by_type", {})}


def json_safe(obj: Any) -> Any:
    """NaN (SPICE on an empty parse) is not JSON: print null instead."""
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [json_safe(v) for v in obj]
    return obj


def markdown_table(
    rows: Mapping[str, Mapping[str, Any]],
    metrics: Sequence[str] | None = None,
    *,
    scale: float = 100.0,
    label: str = "",
    with_n: bool = True,
) -> str:
    """One row per group (e.g. "all", then change types), one column per metric."""
    cols = _columns(rows, metrics)
    head = [label or "", *(["n"] if with_n else []), *(SHORT.get(c, c) for c in cols)]
    lines = [
        "| " + " | ".join(head) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|",
    ]
    for name, row in rows.items():
        cells = [name, *([str(row.get("n", ""))] if with_n else [])]
        cells += [cell(row.get(c), scale) for c in cols]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def rich_table(
    rows: Mapping[str, Mapping[str, Any]],
    metrics: Sequence[str] | None = None,
    *,
    scale: float = 100.0,
    title: str | None = None,
) -> Any:
    from rich.table import Table

    cols = _columns(rows, metrics)
    table = Table(title=title)
    table.add_column("")
    table.add_column("n", justify="right")
    for c in cols:
        table.add_column(SHORT.get(c, c), justify="right")
    for name, row in rows.items():
        table.add_row(name, str(row.get("n", "")), *(cell(row.get(c), scale) for c in cols))
    return table


def print_result(
    result: dict[str, Any], title: str, json_out: bool = False, console: Any = None
) -> None:
    """What ``diffforge eval`` prints: one JSON object (NaN as null), or a rich table (×100)
    followed by unavailable metrics, unpredicted references and the judge's summary."""
    if json_out:
        import json
        import sys

        sys.stdout.write(json.dumps(json_safe(result), ensure_ascii=False) + "\n")
        return
    from rich.console import Console

    console = console or Console()
    console.print(rich_table(result_rows(result), title=title))
    if result.get("by_subset"):
        console.print(rich_table(result["by_subset"], title="per subset (×100)"))
    for metric, reason in result["unavailable"].items():
        console.print(f"[yellow]{metric} unavailable:[/] {reason}")
    if result["unpredicted_references"]:
        console.print(f"{result['unpredicted_references']} reference ids have no prediction")
    if "grounded" in result:
        from diffforge.evaluation.grounded import print_grounded

        print_grounded(result["grounded"], console)
    if "judge" in result:
        j = result["judge"]
        score = "n/a" if j["judge_score"] is None else f"{j['judge_score']:.1f}"
        console.print(
            f"LLM judge ({j['model']}, {j.get('protocol', 'aspects')}): {score} / 100 over "
            f"{j['scored']} of {j['n']} pairs ({j.get('calls', j['n'])} calls: "
            f"{j['unparseable']} unparseable, {j['failed']} failed)"
        )
