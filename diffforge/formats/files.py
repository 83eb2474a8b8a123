"""Reading JSON, JSONL and caption lists with errors that name the file and the entry."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from diffforge.formats.errors import expect, fail


def read_json(path: Path) -> Any:
    """Parsed JSON, or a FormatError naming the file, line and problem."""
    path = Path(path)
    if not path.exists():
        raise fail(path, "file not found")
    if path.is_dir():
        raise fail(path, "is a directory, expected a JSON file")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise fail(
            path, f"invalid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None
    except UnicodeDecodeError as exc:
        raise fail(path, f"not UTF-8 text ({exc.reason})") from None


def read_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value) of each non-blank line."""
    path = Path(path)
    if not path.is_file():
        raise fail(path, "file not found")
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield n, json.loads(line)
            except json.JSONDecodeError as exc:
                raise fail(path, f"invalid JSON: {exc.msg}", f"line {n}") from None


def str_list(value: Any, path: Path, where: str) -> tuple[str, ...]:
    """A list of caption strings, stripped (a bare string counts as one)."""
    if isinstance(value, str):
        return (value.strip(),)
    expect(
        isinstance(value, list),
        path,
        where,
        f"expected a list of strings, found {type(value).__name__}",
    )
    expect(all(isinstance(s, str) for s in value), path, where, "expected a list of strings")
    return tuple(s.strip() for s in value)


def split_files(path: Path, names: dict[str, tuple[str, ...]]) -> dict[str, Path]:
    """The per-split files in a directory, or a single file whose stem names its split."""
    from diffforge.formats.records import normalize_split

    if path.is_file():
        return {normalize_split(path.stem): path}
    found = {}
    for split, candidates in names.items():
        hit = next((path / n for n in candidates if (path / n).is_file()), None)
        if hit is not None:
            found[split] = hit
    looked = ", ".join(n for v in names.values() for n in v)
    expect(bool(found), path, "", f"no annotation files found (looked for {looked})")
    return found


def image_root(path: Path) -> Path:
    """Where a format's images are by default: the directory given, or the file's directory."""
    return path if path.is_dir() else path.parent
