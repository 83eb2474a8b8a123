"""Contact sheets for the by-eye review: before | after | change mask over after, captions beside.

    .venv/bin/python benchmarks/review_contact_sheet.py DATASET OUT_PREFIX [--per-sheet 8]
        [--types text,pose] [--first 48]

Reads the dataset through diffforge.dataset; writes OUT_PREFIX_<k>.png.
"""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from diffforge.dataset import read_pairs
from diffforge.errors import DiffforgeError
from diffforge.render.preview import overlay


def sheet(root: Path, recs, out: Path) -> None:
    w, h = 256, 192
    text_w = 620
    font = ImageFont.load_default(size=13)
    canvas = Image.new("RGB", (3 * w + text_w + 20, len(recs) * (h + 8)), "white")
    draw = ImageDraw.Draw(canvas)
    for row, rec in enumerate(recs):
        y = row * (h + 8)
        ims = [
            Image.open(root / rec.before).convert("RGB"),
            Image.open(root / rec.after).convert("RGB"),
        ]
        ims.append(overlay(root / rec.after, root / rec.change_mask) if rec.change_mask else ims[1])
        for col, im in enumerate(ims):
            canvas.paste(im.resize((w, h), Image.NEAREST), (col * w, y))
        lines = [f"{rec.id} [{', '.join(rec.change_types)}]"]
        for cap in rec.captions[:1]:
            lines += textwrap.wrap(cap.text, 88)
        draw.multiline_text((3 * w + 10, y + 4), "\n".join(lines[:12]), fill="black", font=font)
    canvas.save(out)


def _index(rec) -> int:
    """A pair's index: its record's, else its id (a resumed dataset's lines are not in order)."""
    return rec.index if rec.index is not None else int(rec.id)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("dataset", type=Path, help="a dataset directory")
    parser.add_argument("out_prefix", type=Path, help="sheets go to OUT_PREFIX_<k>.png")
    parser.add_argument("--per-sheet", type=int, default=8, help="pairs per sheet")
    parser.add_argument(
        "--types", default="", help="only pairs with one of these change types (comma-separated)"
    )
    parser.add_argument(
        "--first",
        type=int,
        default=0,
        help="only pairs 0..FIRST-1 (0: all; a dataset still growing)",
    )
    args = parser.parse_args(argv)
    if args.per_sheet < 1:
        parser.error("--per-sheet must be at least 1")
    root, prefix, per = args.dataset, args.out_prefix, args.per_sheet
    try:
        recs = read_pairs(root)
    except DiffforgeError as exc:
        parser.exit(2, f"error: {exc}\n")
    if args.first:
        recs = sorted((r for r in recs if _index(r) < args.first), key=_index)
    if args.types:
        wanted = set(args.types.split(","))
        recs = [r for r in recs if wanted & set(r.change_types)]
    prefix.parent.mkdir(parents=True, exist_ok=True)
    for k in range(0, len(recs), per):
        sheet(root, recs[k : k + per], prefix.with_name(f"{prefix.name}_{k // per + 1}.png"))


if __name__ == "__main__":
    main()
