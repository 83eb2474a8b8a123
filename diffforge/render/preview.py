"""A self-contained HTML contact sheet of a dataset: before, after, change-mask overlay, records.

Images are embedded as base64 data URIs so the page can be mailed or opened from anywhere.
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

import numpy as np
from PIL import Image

from diffforge.dataset import read_meta, read_pairs

CSS = """
body{font-family:system-ui,sans-serif;margin:16px;background:#fafafa;color:#222}
.pair{display:flex;gap:12px;align-items:flex-start;border-bottom:1px solid #ddd;padding:10px 0}
figure{margin:0;text-align:center;font-size:12px}
img{width:256px;image-rendering:pixelated;border:1px solid #ccc}
img.plot{width:420px;image-rendering:auto}
.meta{font-size:12px;max-width:460px}
pre{white-space:pre-wrap;background:#f0f0f0;padding:6px;margin:4px 0}
"""


# Marks <body data-images="loaded/total"> once the page has loaded (read by the browser test).
CHECK_JS = """
window.addEventListener('load', () => {
  const imgs = [...document.images];
  const ok = imgs.filter(i => i.complete && i.naturalWidth > 0).length;
  document.body.dataset.images = ok + '/' + imgs.length;
});
"""


def _data_uri(img: Image.Image) -> str:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def overlay(after: Path, mask: Path) -> Image.Image:
    """The after image with the change mask tinted red."""
    img = np.asarray(Image.open(after).convert("RGB")).astype(np.float32)
    m = np.asarray(Image.open(mask)) > 0
    img[m] = 0.45 * img[m] + 0.55 * np.array([255.0, 30.0, 30.0])
    return Image.fromarray(img.astype(np.uint8))


def _stats_section(root: Path) -> list[str]:
    """The plots of ``diffforge stats`` (word cloud, caption lengths), when they were made."""
    stats_dir = root / "stats"
    plots = [
        p for p in (stats_dir / "wordcloud.png", stats_dir / "caption_lengths.png") if p.is_file()
    ]
    if not plots:
        return []
    figs = "".join(
        f"<figure><img class='plot' alt='{p.stem}' src='{_data_uri(Image.open(p).convert('RGB'))}'>"
        f"<figcaption>{p.stem.replace('_', ' ')}</figcaption></figure>"
        for p in plots
    )
    return [f"<h2>Caption statistics</h2><div class='pair'>{figs}</div>"]


def write_preview(root: Path, out: Path | None = None, limit: int = 100) -> Path:
    recs = read_pairs(root)  # a one-line error for a directory that is no dataset
    meta = read_meta(root)
    counts = meta.counts if meta is not None else {}
    out = out or root / "preview.html"
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>diffforge preview: {html.escape(root.name)}</title><style>{CSS}</style></head>",
        f"<body><h1>{html.escape(str(root))}</h1>",
        f"<p>{len(recs)} pairs; counts: {html.escape(json.dumps(counts))}</p>",
    ]
    parts += _stats_section(root)
    for rec in recs[:limit]:
        imgs = [
            ("before", Image.open(root / rec.before).convert("RGB")),
            ("after", Image.open(root / rec.after).convert("RGB")),
        ]
        if rec.change_mask:
            imgs.append(("change mask", overlay(root / rec.after, root / rec.change_mask)))
        figs = "".join(
            f"<figure><img alt='{rec.id} {name}' src='{_data_uri(im)}'>"
            f"<figcaption>{name}</figcaption></figure>"
            for name, im in imgs
        )
        caps = "".join(f"<li>{html.escape(t)}</li>" for t in rec.texts)
        changes = html.escape(json.dumps([c.to_dict() for c in rec.changes], indent=1))
        parts.append(
            f"<div class='pair' id='p{rec.id}'>{figs}<div class='meta'>"
            f"<b>{html.escape(rec.id)}</b> · {rec.split}"
            f"<pre>{changes}</pre>{'<ul>' + caps + '</ul>' if caps else ''}</div></div>"
        )
    if len(recs) > limit:
        parts.append(f"<p>… {len(recs) - limit} more pairs not shown.</p>")
    parts.append(f"<script>{CHECK_JS}</script></body></html>")
    out.write_text("\n".join(parts))
    return out
