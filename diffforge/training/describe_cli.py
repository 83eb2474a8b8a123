"""``diffforge describe`` as a plain typer-compatible function (diffforge/cli.py mounts it).

torch and transformers load inside the function, so ``diffforge --help`` stays fast.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from diffforge.errors import DiffforgeError


def read_pairs_file(path: Path) -> list[dict[str, str]]:
    """``[{id, before, after}]`` from JSONL, a JSON list or CSV (header: id?, before, after).

    Relative image paths are relative to the file's folder, as in dataset directories; a
    missing ``id`` becomes the pair's 0-based position.
    """
    path = Path(path)
    if not path.is_file():
        raise DiffforgeError(f"{path}: pairs file not found")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DiffforgeError(f"{path}: not UTF-8 text") from None
    rows: list[Any]
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(text.splitlines())
        missing = {"before", "after"} - set(reader.fieldnames or [])
        if missing:
            raise DiffforgeError(f"{path}: header lacks column(s) {', '.join(sorted(missing))}")
        rows = list(reader)
    elif path.suffix.lower() == ".jsonl":
        rows = []
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise DiffforgeError(f"{path}: line {n}: invalid JSON ({exc.msg})") from None
    else:
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DiffforgeError(
                f"{path}: invalid JSON ({exc.msg} at line {exc.lineno}); "
                "expected a JSON list, JSONL (.jsonl) or CSV (.csv)"
            ) from None
        if not isinstance(rows, list):
            raise DiffforgeError(f"{path}: expected a list of {{id, before, after}} objects")
    out = []
    for n, row in enumerate(rows):
        if not (isinstance(row, dict) and row.get("before") and row.get("after")):
            raise DiffforgeError(f"{path}: pair {n}: needs 'before' and 'after' image paths")
        out.append(
            {
                "id": str(n if row.get("id") in (None, "") else row["id"]),
                "before": str(path.parent / row["before"]),
                "after": str(path.parent / row["after"]),
            }
        )
    if not out:
        raise DiffforgeError(f"{path}: no pairs")
    return out


def write_captions(records: list[dict[str, str]], out: Path) -> None:
    """``.json``: a COCO results file (``diffforge eval --predictions`` reads it); otherwise
    JSONL with id, before, after, caption. Written whole, then renamed (no half files)."""
    if out.suffix.lower() == ".json":
        text = json.dumps(
            [{"image_id": r["id"], "caption": r["caption"]} for r in records],
            ensure_ascii=False,
            indent=1,
        )
    else:
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        raise DiffforgeError(f"{out}: cannot write ({exc.strerror})") from None
    finally:
        tmp.unlink(missing_ok=True)


def describe(
    before: Annotated[Path | None, typer.Argument(help="The before image.")] = None,
    after: Annotated[Path | None, typer.Argument(help="The after image.")] = None,
    model: Annotated[
        Path,
        typer.Option(
            help="A trained M³Diff (train's final/ or a checkpoint-N/) or a base backbone dir."
        ),
    ] = Path("runs/m3diff/final"),
    pairs: Annotated[
        Path | None,
        typer.Option(help="Batch input: JSONL, JSON list or CSV of {id?, before, after}."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Write batch captions here (.json: COCO results; else JSONL)."),
    ] = None,
    prompt: Annotated[
        str | None, typer.Option(help="Instruction (default: the diffforge training prompt).")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Pairs per generate() call.")] = 8,
    max_new_tokens: Annotated[int, typer.Option(min=1, help="Caption length limit.")] = 64,
    num_beams: Annotated[int, typer.Option(min=1, help="Beam width (1 = greedy).")] = 1,
    device: Annotated[str, typer.Option(help="auto | cpu | cuda | cuda:N")] = "auto",
    dtype: Annotated[
        str | None, typer.Option(help="bfloat16 | float16 | float32 (default: bf16 on GPU)")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (one line per pair).")
    ] = False,
) -> list[dict[str, str]]:
    """Describe what changed between BEFORE and AFTER (or every pair in --pairs)."""
    if pairs is not None and (before is not None or after is not None):
        raise DiffforgeError("describe: give BEFORE AFTER or --pairs, not both")
    if pairs is None and (before is None or after is None):
        raise DiffforgeError("describe: give BEFORE and AFTER images, or --pairs FILE")
    if pairs is None:
        records = [{"id": "0", "before": str(before), "after": str(after)}]
    else:
        records = read_pairs_file(pairs)
    from diffforge.training.inference import Describer

    describer = Describer.load(model, device=device, dtype=dtype)
    captions = describer.describe(
        [(r["before"], r["after"]) for r in records],
        prompt=prompt,
        batch_size=batch_size,
        max_new_tokens=max_new_tokens,
        num_beams=num_beams,
    )
    for r, c in zip(records, captions, strict=True):
        r["caption"] = c
    if pairs is None:
        r = records[0]
        typer.echo(json.dumps(r, ensure_ascii=False) if as_json else _one_line(r["caption"]))
    elif out is not None:
        write_captions(records, out)
        typer.echo(f"{len(records)} captions → {out}", err=True)
    else:
        for r in records:
            typer.echo(
                json.dumps(r, ensure_ascii=False)
                if as_json
                else f"{r['id']}\t{_one_line(r['caption'])}"
            )
    return records


def _one_line(text: str) -> str:
    """One caption per output line, whatever the model emitted."""
    return " ".join(text.split())
