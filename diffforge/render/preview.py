"""A review tool for a dataset: one small HTML page plus thumbnails, opened in any browser.

Thumbnails (JPEG, a few KB each) sit in ``<page>_files/`` next to the page; a click opens the
full-size PNG from the dataset. A checkbox overlays the change mask on the after image;
captions show their referring part marked. Filters by change type, split and resample reason,
the first N or a random sample (seeded), and pages, all in the page's script. The state lives
in the URL fragment (``#type=color&split=train&reason=&mode=random&n=20&seed=3&page=2&masks=1``)
so a review can be linked to, and the browser test drives it the same way. The header holds a
table of pairs per split and change type; ``diffforge stats`` plots, when made, sit in a closed
section above the filters (never around them: the pairs show without a click). A pair whose
image cannot be decoded is left off, named on the page and in a warning.
"""

from __future__ import annotations

import html
import json
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from diffforge.dataset import PairRecord, read_meta, read_pairs

THUMB_WIDTH = 192
PAGE_SIZE = 12

CSS = """
body{font-family:system-ui,sans-serif;margin:16px;background:#fafafa;color:#222}
.controls{position:sticky;top:0;background:#fafafa;padding:6px 0;border-bottom:1px solid #ccc;
display:flex;flex-wrap:wrap;gap:10px;align-items:center;font-size:13px;z-index:2}
.pair{display:flex;gap:10px;align-items:flex-start;border-bottom:1px solid #ddd;padding:8px 0}
figure{margin:0;text-align:center;font-size:11px}
img.thumb{width:192px;image-rendering:pixelated;border:1px solid #ccc}
img.plot{width:360px}
.meta{font-size:13px;max-width:620px}
.meta ol{margin:4px 0;padding-left:18px}
mark{background:#ffe9a8;padding:0 1px}
.tag{display:inline-block;background:#e4ecf7;border-radius:3px;padding:0 4px;margin-right:3px}
.reason{color:#a33}
table.counts{border-collapse:collapse;font-size:13px;margin:4px 0 10px}
table.counts th,table.counts td{border:1px solid #ccc;padding:2px 8px;text-align:right}
table.counts th:first-child{text-align:left}
.skipped{color:#a33;font-size:13px}
"""

# Reads the state from the URL fragment, filters, samples, pages and draws the cards. Marks
# <body data-total data-matched data-shown data-page data-pages data-images="loaded/total">.
SCRIPT = r"""
const DATA = JSON.parse(document.getElementById('data').textContent);
const $ = (id) => document.getElementById(id);
function state() {
  const p = new URLSearchParams(location.hash.slice(1));
  return {type: p.get('type') || '', split: p.get('split') || '', reason: p.get('reason') || '',
          mode: p.get('mode') || 'first', n: parseInt(p.get('n') || '0') || 0,
          seed: parseInt(p.get('seed') || '0') || 0, page: parseInt(p.get('page') || '1') || 1,
          masks: p.get('masks') === '1'};
}
function setState(s) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(s)) {
    if (v !== '' && v !== false && v !== 0 && !(k === 'mode' && v === 'first')
        && !(k === 'page' && v === 1)) p.set(k, v === true ? '1' : v);
  }
  location.hash = p.toString();
}
function rng(seed) {  // mulberry32: the same sample for the same seed
  let a = seed >>> 0;
  return () => { a = (a + 0x6D2B79F5) >>> 0; let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}
function esc(s) { return s.replace(/[&<>"']/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;',
  '"':'&quot;',"'":'&#39;'}[c])); }
function marked(text, refs) {
  let out = esc(text);
  for (const r of refs) { if (r && r.length > 2) { const e = esc(r);
    const i = out.toLowerCase().indexOf(e.toLowerCase());
    if (i >= 0) out = out.slice(0, i) + '<mark>' + out.slice(i, i + e.length) + '</mark>'
                      + out.slice(i + e.length); } }
  return out;
}
function draw() {
  const s = state();
  for (const k of ['type', 'split', 'reason', 'mode']) $(k).value = s[k];
  $('n').value = s.n || ''; $('seed').value = s.seed; $('masks').checked = s.masks;
  let rows = DATA.pairs.filter(r => (!s.type || r.types.includes(s.type))
      && (!s.split || r.split === s.split)
      && (!s.reason || (s.reason === '(none)' ? r.reasons.length === 0
                                              : r.reasons.includes(s.reason))));
  const matched = rows.length;
  if (s.mode === 'random') {
    const rand = rng(s.seed); rows = rows.slice();
    for (let i = rows.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1));
      [rows[i], rows[j]] = [rows[j], rows[i]]; }
  }
  if (s.n > 0) rows = rows.slice(0, s.n);
  const pages = Math.max(1, Math.ceil(rows.length / DATA.page_size));
  const page = Math.min(Math.max(1, s.page), pages);
  const shown = rows.slice((page - 1) * DATA.page_size, page * DATA.page_size);
  $('pairs').innerHTML = shown.map(r => {
    const after = s.masks && r.overlay ? r.overlay : r.thumbs.after;
    const caps = r.captions.map(c => '<li>' + marked(c.text, c.referring) + '</li>').join('');
    const reasons = r.reasons.length ? '<div class="reason">resampled: '
        + esc(r.reasons.join(', ')) + '</div>' : '';
    return `<div class="pair" data-id="${r.id}" data-types="${r.types.join(' ')}">`
      + `<figure><a href="${r.full.before}"><img class="thumb" alt="${r.id} before" `
      + `src="${r.thumbs.before}"></a><figcaption>before</figcaption></figure>`
      + `<figure><a href="${r.full.after}"><img class="thumb after" alt="${r.id} after" `
      + `src="${after}"></a><figcaption>after${s.masks ? ' + change mask' : ''}</figcaption>`
      + `</figure><div class="meta"><b>${r.id}</b> · ${r.split} · `
      + r.types.map(t => `<span class="tag">${esc(t)}</span>`).join('')
      + `<ol>${caps}</ol>${reasons}</div></div>`;
  }).join('');
  $('status').textContent = `${matched} of ${DATA.pairs.length} pairs match; `
      + `showing ${shown.length}, page ${page} of ${pages}`;
  const b = document.body.dataset;
  Object.assign(b, {total: DATA.pairs.length, matched: matched, shown: shown.length,
                    page: page, pages: pages, images: ''});
  const imgs = [...document.images];
  Promise.all(imgs.map(i => i.complete ? Promise.resolve() : new Promise(ok => {
    i.onload = ok; i.onerror = ok; }))).then(() => {
    const ok = imgs.filter(i => i.complete && i.naturalWidth > 0).length;
    b.images = ok + '/' + imgs.length;
  });
}
function fromControls(page) {
  setState({type: $('type').value, split: $('split').value, reason: $('reason').value,
            mode: $('mode').value, n: parseInt($('n').value) || 0,
            seed: parseInt($('seed').value) || 0, page: page, masks: $('masks').checked});
}
for (const id of ['type', 'split', 'reason', 'mode', 'n', 'seed', 'masks'])
  $(id).addEventListener('change', () => fromControls(1));
$('prev').addEventListener('click', () => fromControls(state().page - 1));
$('next').addEventListener('click', () => fromControls(state().page + 1));
window.addEventListener('hashchange', draw);
draw();
"""


def overlay(after: Path, mask: Path) -> Image.Image:
    """The after image with the change mask tinted red."""
    img = np.asarray(Image.open(after).convert("RGB")).astype(np.float32)
    m = np.asarray(Image.open(mask)) > 0
    if m.shape != img.shape[:2]:
        raise ValueError(f"{mask.name}'s size {m.shape[::-1]} is not the image's")
    img[m] = 0.45 * img[m] + 0.55 * np.array([255.0, 30.0, 30.0])
    return Image.fromarray(img.astype(np.uint8))


def _thumb(img: Image.Image, path: Path) -> None:
    w, h = img.size
    if w > THUMB_WIDTH:
        img = img.resize((THUMB_WIDTH, max(1, round(h * THUMB_WIDTH / w))), Image.LANCZOS)
    img.convert("RGB").save(path, format="JPEG", quality=85)


def _rel(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path, start)).as_posix()


def _reason(text: str) -> str:
    """'move: target not visible (before)' -> 'move: target not visible'."""
    return text.split(" (")[0]


def _stats_section(root: Path, page_dir: Path) -> list[str]:
    """The plots of ``diffforge stats`` (word cloud, caption lengths), linked, when made."""
    stats_dir = root / "stats"
    plots = [
        p for p in (stats_dir / "wordcloud.png", stats_dir / "caption_lengths.png") if p.is_file()
    ]
    if not plots:
        return []
    figs = "".join(
        f"<figure><a href='{_rel(p, page_dir)}'><img class='plot' alt='{p.stem}' "
        f"src='{_rel(p, page_dir)}'></a><figcaption>{p.stem.replace('_', ' ')}</figcaption>"
        "</figure>"
        for p in plots
    )
    return [
        f"<details><summary>Caption statistics</summary><div class='pair'>{figs}</div></details>"
    ]


def _counts_table(recs: list[PairRecord], counts: dict[str, Any]) -> str:
    """The pairs as a table, a row per split and a column per change type (from pairs.jsonl, so
    it holds whether or not dataset.json has counts); failures from dataset.json below it."""
    by_split: dict[str, Counter[str]] = {}
    for rec in recs:
        by_split.setdefault(rec.split, Counter()).update(rec.change_types or ["none"])
        by_split[rec.split]["pairs"] += 1
    total = sum(by_split.values(), Counter())
    changes = sorted(k for k in total if k != "pairs")
    head = "".join(f"<th>{html.escape(c)}</th>" for c in ["split", "pairs", *changes])
    rows = [
        f"<tr><th>{html.escape(name)}</th>"
        + "".join(f"<td>{c[k]}</td>" for k in ["pairs", *changes])
        + "</tr>"
        for name, c in [*sorted(by_split.items()), ("all", total)]
    ]
    extra = [
        f"{counts[k]} {label}"
        for k, label in (("failed", "failed pairs"), ("rejected_attempts", "rejected attempts"))
        if counts.get(k)
    ]
    note = f"<p>{html.escape('; '.join(extra))}</p>" if extra else ""
    return f"<table class='counts'><tr>{head}</tr>{''.join(rows)}</table>{note}"


def _thumbs(rec: PairRecord, root: Path, files: Path, page_dir: Path, row: dict) -> None:
    """Decode the pair's images (and mask) into thumbnails; raises OSError naming a bad file."""
    after = root / rec.after
    for side, path in (("before", root / rec.before), ("after", after)):
        thumb = files / f"{rec.id}_{side}.jpg"
        try:
            with Image.open(path) as im:
                _thumb(im, thumb)
        except (OSError, ValueError, SyntaxError) as exc:
            raise OSError(f"{path}: {exc}") from None
        row["thumbs"][side] = _rel(thumb.resolve(), page_dir)
    if rec.change_mask and (root / rec.change_mask).is_file():
        thumb = files / f"{rec.id}_mask.jpg"
        try:
            _thumb(overlay(after, root / rec.change_mask), thumb)
        except (OSError, ValueError, SyntaxError) as exc:
            raise OSError(f"{root / rec.change_mask}: {exc}") from None
        row["overlay"] = _rel(thumb.resolve(), page_dir)


def _select(name: str, label: str, options: list[tuple[str, str]]) -> str:
    opts = "".join(
        f"<option value='{html.escape(v, quote=True)}'>{html.escape(t)}</option>"
        for v, t in options
    )
    return f"<label>{label} <select id='{name}'>{opts}</select></label>"


def write_preview(
    root: Path,
    out: Path | None = None,
    limit: int = 5000,
    warn: Callable[[str], None] | None = None,
) -> Path:
    """Write the review page (and its thumbnails) for up to ``limit`` pairs; returns its path.

    A pair whose image or mask cannot be decoded is left off the page, named on it and passed
    to ``warn`` (one line each), so one bad file does not cost the review.
    """
    root = Path(root)
    recs = read_pairs(root)  # a one-line error for a directory that is no dataset
    meta = read_meta(root)
    counts = meta.counts if meta is not None else {}
    out = Path(out) if out else root / "preview.html"
    page_dir = out.resolve().parent
    files = out.with_name(out.stem + "_files")
    files.mkdir(parents=True, exist_ok=True)
    pairs: list[dict[str, Any]] = []
    skipped: list[str] = []
    for rec in recs[:limit]:
        before, after = root / rec.before, root / rec.after
        row: dict[str, Any] = {
            "id": rec.id,
            "split": rec.split,
            "types": rec.change_types or ["none"],
            "reasons": sorted({_reason(r) for r in rec.resampled}),
            "captions": [
                {
                    "text": c.text,
                    "referring": [r for r in (c.referring or []) if isinstance(r, str)]
                    if isinstance(c.referring, list)
                    else ([c.referring] if isinstance(c.referring, str) else []),
                }
                for c in rec.captions
            ],
            "full": {"before": _rel(before.resolve(), page_dir)},
            "thumbs": {},
            "overlay": None,
        }
        row["full"]["after"] = _rel(after.resolve(), page_dir)
        try:
            _thumbs(rec, root, files, page_dir, row)
        except (OSError, ValueError) as exc:  # PIL: missing, truncated, not an image
            for side in ("before", "after", "mask"):  # no thumbnails of a pair not shown
                (files / f"{rec.id}_{side}.jpg").unlink(missing_ok=True)
            skipped.append(f"pair {rec.id} skipped: {exc}")
            if warn is not None:
                warn(skipped[-1])
            continue
        pairs.append(row)
    skipped_note = [f"<p class='skipped'>{html.escape(line)}</p>" for line in skipped]
    types = sorted({t for r in pairs for t in r["types"]})
    splits = sorted({r["split"] for r in pairs})
    reasons = sorted({x for r in pairs for x in r["reasons"]})
    data = json.dumps({"pairs": pairs, "page_size": PAGE_SIZE}, separators=(",", ":"))
    controls = "".join(
        [
            _select("type", "change", [("", "all types")] + [(t, t) for t in types]),
            _select("split", "split", [("", "all splits")] + [(s, s) for s in splits]),
            _select(
                "reason",
                "resampled",
                [("", "any"), ("(none)", "not resampled")] + [(r, r) for r in reasons],
            ),
            _select("mode", "order", [("first", "first N"), ("random", "random sample")]),
            "<label>N <input id='n' type='number' min='0' style='width:5em'></label>",
            "<label>seed <input id='seed' type='number' min='0' style='width:4em'></label>",
            "<label><input id='masks' type='checkbox'> mask overlay</label>",
            "<button id='prev'>&lt; prev</button><button id='next'>next &gt;</button>",
            "<span id='status'></span>",
        ]
    )
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>diffforge review: {html.escape(root.name)}</title><style>{CSS}</style></head>",
        f"<body><h1>{html.escape(str(root))}</h1>",
        _counts_table(recs, counts),
        *skipped_note,
        *_stats_section(root, page_dir),
        f"<div class='controls'>{controls}</div><div id='pairs'></div>",
    ]
    if len(recs) > limit:
        parts.append(f"<p>… {len(recs) - limit} more pairs not in this page (--limit).</p>")
    # "</" cannot end the data block early: JSON escapes it as "<\/".
    safe = data.replace("</", "<\\/")
    parts.append(f"<script type='application/json' id='data'>{safe}</script>")
    parts.append(f"<script>{SCRIPT}</script></body></html>")
    out.write_text("\n".join(parts), encoding="utf-8")
    return out
