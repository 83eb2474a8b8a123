"""``diffforge dataset check DIR``: is this dataset directory whole and self-consistent?

It reads every line (a corrupt one is named by file and line number), then checks that ids and
indices are unique, every file a record names exists and decodes (``decode_check``: mode, size,
mask ids within the scene), splits are known, and ``dataset.json``
counts what ``pairs.jsonl`` holds. Problems are collected, not stopped at, so one run lists all.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from diffforge.dataset.decode_check import pair_file_problems
from diffforge.dataset.layout import META, SPLITS, pairs_file
from diffforge.dataset.reader import DatasetError, _lines, _problem, read_meta, require_dataset
from diffforge.dataset.records import PairRecord


@dataclass
class CheckReport:
    root: Path
    pairs: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _record_files(rec: PairRecord) -> list[str]:
    files = [rec.before, rec.after]
    if rec.scene:
        files.append(rec.scene)
    if rec.masks is not None:
        files += [p for p in (rec.masks.before, rec.masks.after, rec.masks.change) if p]
    return files


def check_dataset(root: Path, max_problems: int = 50, decode: bool = True) -> CheckReport:
    """Every line, and (``decode``) every image and mask of every pair decoded and compared."""
    root = require_dataset(root)
    report = CheckReport(root)
    file = pairs_file(root)
    records: list[PairRecord] = []
    unreadable = 0  # corrupt lines: their pairs' counts are unknown, so counts are not compared
    for n, text, last in _lines(file):
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
            records.append(PairRecord.model_validate(obj))
        except json.JSONDecodeError as exc:
            if last:
                report.warnings.append(
                    f"{file}: line {n} is torn (a killed writer; generate repairs it)"
                )
            else:
                report.problems.append(f"{file}: line {n}: invalid JSON ({exc.msg})")
                unreadable += 1
            continue
        except ValidationError as exc:
            report.problems.append(f"{file}: line {n}: {_problem(exc)}")
            unreadable += 1
            continue
        rec = records[-1]
        missing = [p for p in _record_files(rec) if not (root / p).is_file()]
        if missing:
            report.problems.append(f"{file}: line {n}: pair {rec.id}: missing {', '.join(missing)}")
        if decode:
            report.problems += [f"pair {rec.id}: {p}" for p in pair_file_problems(root, rec)]
        if rec.split not in SPLITS:
            report.problems.append(f"{file}: line {n}: pair {rec.id}: unknown split {rec.split!r}")
    report.pairs = len(records)
    for what, values in (
        ("ids", [r.id for r in records]),
        ("indices", [r.index for r in records if r.index is not None]),
    ):
        dup = [v for v, k in Counter(values).items() if k > 1]
        if dup:
            report.problems.append(f"{file}: {len(dup)} duplicate {what} (e.g. {dup[0]!r})")
    try:
        meta = read_meta(root)
    except DatasetError as exc:
        report.problems.append(str(exc))
        meta = None
    if meta is None:
        report.warnings.append(f"{root}: no dataset.json (an unfinished run or a foreign dataset)")
    elif meta.counts and not unreadable:
        counted = meta.counts.get("pairs")
        if counted != len(records):
            report.problems.append(
                f"{root / META}: counts {counted} pairs, pairs.jsonl holds {len(records)}"
            )
        splits = Counter(r.split for r in records)
        recorded = meta.counts.get("splits", {})
        if any(recorded.get(s, 0) != splits.get(s, 0) for s in SPLITS):
            report.problems.append(
                f"{root / META}: split counts {recorded} != {dict(splits)} in pairs.jsonl"
            )
    del report.problems[max_problems:]
    return report
