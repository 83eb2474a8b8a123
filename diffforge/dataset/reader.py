"""Reading a dataset directory: the only code that parses ``pairs.jsonl`` and ``dataset.json``.

A torn last line (a writer killed mid-append leaves one) is skipped with a warning; ``generate``
repairs it on resume. Anything else that does not parse is an error naming the file and line.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from diffforge.dataset.layout import PAIRS, dataset_root, is_dataset, meta_file, pairs_file
from diffforge.dataset.records import DatasetMeta, PairRecord
from diffforge.errors import DiffforgeError

log = logging.getLogger(__name__)


class DatasetError(DiffforgeError):
    """A dataset directory that is missing, or a file in it that is not what it should be."""


def _problem(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    if err["type"] == "missing":
        return f"not a pair record (missing key {where!r})"
    return f"not a pair record ({where}: {err['msg']})"


def _lines(file: Path) -> Iterator[tuple[int, str, bool]]:
    """(line number, text, is the file's last line and lacks its newline), streamed: a
    dataset of any size is read in constant memory."""
    with file.open("rb") as fh:
        for n, raw in enumerate(fh, 1):
            last = not raw.endswith(b"\n")  # only the last line can lack its newline
            try:
                text = raw.decode("utf-8").rstrip("\n")
            except UnicodeDecodeError:
                if last:
                    yield n, "\x00", True  # a torn multi-byte character
                    continue
                raise DatasetError(f"{file}: line {n}: not UTF-8 text") from None
            yield n, text, last


def require_dataset(path: Path) -> Path:
    """The dataset's root directory; a one-line error when ``path`` is not a dataset."""
    if not is_dataset(path):
        raise DatasetError(f"{dataset_root(path)}: no {PAIRS} (not a diffforge dataset directory)")
    return dataset_root(path)


def iter_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, raw JSON object) of each complete line of a pairs.jsonl."""
    file = pairs_file(require_dataset(path))
    for n, text, last in _lines(file):
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            if last:
                log.warning("%s: line %d is torn (a killed writer); skipped", file, n)
                return
            raise DatasetError(f"{file}: line {n}: invalid JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise DatasetError(f"{file}: line {n}: expected a JSON object")
        yield n, obj


def iter_pairs(path: Path) -> Iterator[PairRecord]:
    """The pair records of a dataset directory (or of its pairs.jsonl), in file order."""
    file = pairs_file(dataset_root(path))
    for n, obj in iter_records(path):
        try:
            yield PairRecord.model_validate(obj)
        except ValidationError as exc:
            raise DatasetError(f"{file}: line {n}: {_problem(exc)}") from None


def read_pairs(path: Path, split: str | None = None) -> list[PairRecord]:
    return [r for r in iter_pairs(path) if split is None or r.split == split]


def read_meta(root: Path) -> DatasetMeta | None:
    """``dataset.json``, or None where there is none (a run that never finished, a foreign dir)."""
    file = meta_file(root)
    if not file.is_file():
        return None
    try:
        return DatasetMeta.model_validate(json.loads(file.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{file}: not valid JSON ({exc})") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise DatasetError(f"{file}: {where}: {err['msg']}") from None


def read_scene(root: Path, rec: PairRecord) -> dict[str, Any] | None:
    """A pair's ``scenes/<id>.json`` (pair spec + render facts), None when it has none."""
    from diffforge.dataset.layout import pair_paths

    file = Path(root) / (rec.scene or pair_paths(rec.id)["scene"])
    if not file.is_file():
        return None
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{file}: cannot read scene record ({exc})") from None
