"""Contact sheets and realism numbers for a rendered dataset directory.

    python benchmarks/contact_sheets/contact_sheet.py DATASET --out sheet.png [--rows 12]
    python benchmarks/contact_sheets/contact_sheet.py DATASET --metrics [--json out.json]

A sheet row is before | after | change mask | the first caption. The numbers, per image:
near-black fraction (Rec. 709 luma < 12/255), clipped fraction (all channels >= 254) and the
objects in view (instance-mask ids with >= 12 px). Night scenes (environment.time_of_day ==
"night") are reported apart for the near-black rule.
"""

from __future__ import annotations

import argparse
import json
import textwrap
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

MIN_PX = 12
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def pairs(root: Path) -> list[dict]:
    lines = (root / "pairs.jsonl").read_text().splitlines()
    return sorted((json.loads(x) for x in lines if x.strip()), key=lambda r: r["index"])


def image_numbers(png: Path, mask: Path) -> dict:
    rgb = np.asarray(Image.open(png).convert("RGB"), dtype=np.float32)
    luma = rgb @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
    m = np.asarray(Image.open(mask))
    counts = np.bincount(m.ravel().astype(np.int64))
    return {
        "near_black": float((luma < 12).mean()),
        "clipped": float((rgb.min(axis=2) >= 254).mean()),
        "objects": int((counts[1:] >= MIN_PX).sum()),
        "mean_luma": float(luma.mean()),
    }


def metrics(root: Path) -> dict:
    rows = []
    for rec in pairs(root):
        scene = json.loads((root / rec["scene"]).read_text())
        for side in ("before", "after"):
            env = scene["spec"][side]["environment"]
            n = image_numbers(root / rec[side], root / rec["masks"][side])
            n.update(
                id=rec["id"],
                side=side,
                layout=env["layout"],
                night=env.get("time_of_day") == "night",
            )
            rows.append(n)
    out = {"images": len(rows), "per_layout": {}}
    for layout in sorted({r["layout"] for r in rows}):
        rs = [r for r in rows if r["layout"] == layout]
        day = [r for r in rs if not r["night"]]
        out["per_layout"][layout] = {
            "images": len(rs),
            "median_objects": float(np.median([r["objects"] for r in rs])),
            "max_near_black_day": max((r["near_black"] for r in day), default=0.0),
            "images_over_10pct_near_black_day": sum(r["near_black"] > 0.10 for r in day),
            "max_clipped": max(r["clipped"] for r in rs),
            "images_over_1pct_clipped": sum(r["clipped"] > 0.01 for r in rs),
            "mean_luma": float(np.mean([r["mean_luma"] for r in rs])),
        }
    out["rows"] = rows
    return out


def layout_of(root: Path, rec: dict) -> str:
    return json.loads((root / rec["scene"]).read_text())["spec"]["before"]["environment"]["layout"]


def sheet(root: Path, out: Path, n_rows: int = 12, title: str = "", layout: str = "") -> None:
    recs = [r for r in pairs(root) if not layout or layout_of(root, r) == layout][:n_rows]
    first = Image.open(root / recs[0]["before"])
    w, h = first.size
    text_w, pad, head = 420, 4, 28
    font = ImageFont.truetype(FONT, 12)
    big = ImageFont.truetype(FONT, 16)
    W = 3 * (w + pad) + text_w
    H = head + len(recs) * (h + pad)
    canvas = Image.new("RGB", (W, H), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    draw.text((pad, 5), title or str(root), fill=(0, 0, 0), font=big)
    for i, rec in enumerate(recs):
        y = head + i * (h + pad)
        before = Image.open(root / rec["before"]).convert("RGB")
        after = Image.open(root / rec["after"]).convert("RGB")
        change = Image.open(root / rec["masks"]["change"]).convert("L").convert("RGB")
        for j, im in enumerate((before, after, change)):
            canvas.paste(im.resize((w, h)), (j * (w + pad), y))
        types = ", ".join(c["type"] for c in rec["changes"])
        caption = rec["captions"][0]["text"] if rec.get("captions") else ""
        nb = image_numbers(root / rec["before"], root / rec["masks"]["before"])
        lines = [f"{rec['id']}  [{types}]  objects in view: {nb['objects']}"]
        lines += textwrap.wrap(caption, 62)[:10]
        draw.multiline_text(
            (3 * (w + pad) + 4, y + 2), "\n".join(lines), fill=(0, 0, 0), font=font, spacing=2
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(out, optimize=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dataset", type=Path)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--rows", type=int, default=12)
    ap.add_argument("--title", default="")
    ap.add_argument("--layout", default="", help="only pairs of this layout")
    ap.add_argument("--metrics", action="store_true")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    if a.out:
        sheet(a.dataset, a.out, a.rows, a.title, a.layout)
    if a.metrics:
        m = metrics(a.dataset)
        summary = {k: v for k, v in m.items() if k != "rows"}
        print(json.dumps(summary, indent=1))
        if a.json:
            a.json.write_text(json.dumps(m, indent=1))


if __name__ == "__main__":
    main()
