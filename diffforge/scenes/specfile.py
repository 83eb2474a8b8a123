"""Pair specs as JSONL (what ``diffforge sample`` writes and ``generate --specs`` reads)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from diffforge.dataset.files import atomic_write_lines
from diffforge.errors import DiffforgeError
from diffforge.scenes.model import PairSpec


def write_specs(specs: Iterable[PairSpec], out: Path) -> Counter[str]:
    """Write specs to ``out`` atomically; returns the count of each change type."""
    out = Path(out)
    counts: Counter[str] = Counter()

    def lines() -> Iterator[str]:
        for spec in specs:
            counts.update(c.type for c in spec.changes)
            yield spec.to_json()

    try:
        atomic_write_lines(out, lines())
    except OSError as exc:
        raise DiffforgeError(f"--out {out}: cannot write ({exc.strerror})") from None
    return counts


def read_specs(path: Path) -> Iterator[PairSpec]:
    """Pair specs from a JSONL file, lazily; a bad line is a one-line error with its number."""
    path = Path(path)
    if not path.is_file():
        raise DiffforgeError(f"--specs {path}: file not found")
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield PairSpec.model_validate_json(line)
                except ValueError as exc:
                    why = str(exc).splitlines()[0]
                    raise DiffforgeError(f"{path}: line {n}: not a pair spec ({why})") from None
