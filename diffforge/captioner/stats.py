"""Dataset statistics: counts, caption lengths, and the two plots of the OmniDiff supplement.

``write_stats`` draws a word-frequency cloud (Fig. 4) and a caption-length histogram (Fig. 5)
as PNGs and writes the numbers to ``stats.json``; the preview page and ``make demo`` show them.
With ``compare`` it also draws the seed's Figure 5 comparison: the caption-length distribution of
the dataset beside public datasets (IEdit, Spot-the-Diff, any format ``diffforge.formats``
reads), each read from its released annotation files, every caption of every split.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from diffforge.dataset import PairRecord, read_pairs

_WORD = re.compile(r"[A-Za-z]+(?:['-][A-Za-z]+)*")


def word_count(text: str) -> int:
    return len(text.split())


def compute_stats(rows: Iterable[PairRecord]) -> dict[str, Any]:
    """Counts per split and change type, caption lengths overall and by number of changes."""
    splits: Counter[str] = Counter()
    types: Counter[str] = Counter()
    per_pair: Counter[int] = Counter()
    lengths: list[int] = []
    by_changes: dict[int, list[int]] = {}
    sources: Counter[str] = Counter()
    pairs = 0
    for rec in rows:
        pairs += 1
        splits[rec.split] += 1
        kinds = [c.type for c in rec.changes]
        types.update(kinds or ["none"])
        n = len([k for k in kinds if k != "none"])
        per_pair[n] += 1
        for cap in rec.captions:
            lengths.append(word_count(cap.text))
            by_changes.setdefault(n, []).append(word_count(cap.text))
            sources[cap.source or "template"] += 1
    multi = [x for k, v in by_changes.items() if k > 1 for x in v]
    return {
        "pairs": pairs,
        "captions": len(lengths),
        "splits": dict(sorted(splits.items())),
        "change_types": dict(sorted(types.items())),
        "changes_per_pair": {str(k): v for k, v in sorted(per_pair.items())},
        "caption_sources": dict(sorted(sources.items())),
        "avg_words": round(sum(lengths) / len(lengths), 2) if lengths else 0.0,
        "avg_words_by_changes": {
            str(k): round(sum(v) / len(v), 2) for k, v in sorted(by_changes.items())
        },
        "avg_words_multi_change": round(sum(multi) / len(multi), 2) if multi else None,
        "min_words": min(lengths, default=0),
        "max_words": max(lengths, default=0),
        "lengths": lengths,
    }


def word_frequencies(texts: Iterable[str]) -> Counter[str]:
    """Lower-cased word counts without stop words (what the cloud draws)."""
    from wordcloud import STOPWORDS

    stop = set(STOPWORDS) | {"scene", "image", "images", "now", "first", "second"}
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(w for w in (m.lower() for m in _WORD.findall(text)) if w not in stop)
    return counts


def plot_wordcloud(freqs: Counter[str], path: Path, width: int = 1200, height: int = 600) -> None:
    from wordcloud import WordCloud

    if not freqs:
        freqs = Counter({"empty": 1})
    cloud = WordCloud(width=width, height=height, background_color="white", random_state=0)
    cloud.generate_from_frequencies(freqs).to_file(str(path))


def plot_lengths(lengths: list[int], path: Path) -> list[float]:
    """The caption-length histogram (counts of captions per length); returns its y ticks."""
    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4), dpi=120)
    if lengths:
        bins = range(min(lengths), max(lengths) + 2)
        ax.hist(lengths, bins=list(bins), color="#3b6ea8", edgecolor="white")
        mean = sum(lengths) / len(lengths)
        ax.axvline(mean, color="#c0392b", linestyle="--", label=f"mean {mean:.1f} words")
        ax.legend()
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))  # counts, not 0.5
    ax.set_xlabel("caption length (words)")
    ax.set_ylabel("captions")
    ax.set_title("Caption length distribution")
    fig.tight_layout()
    fig.savefig(path)
    ticks = [float(t) for t in ax.get_yticks()]
    plt.close(fig)
    return ticks


def parse_compare(spec: str) -> tuple[str, str, Path]:
    """``FORMAT=PATH`` or ``LABEL:FORMAT=PATH`` -> (label, format, path)."""
    from diffforge.errors import DiffforgeError, valid_names
    from diffforge.formats.registry import DATASET_READERS, FORMATS

    head, sep, path = spec.partition("=")
    label, _, fmt = head.rpartition(":")
    if not sep or not path or fmt not in DATASET_READERS:
        raise DiffforgeError(
            f"--compare {spec!r}: expected FORMAT=PATH or LABEL:FORMAT=PATH with FORMAT one of "
            f"{valid_names(DATASET_READERS).removeprefix('valid: ')}"
        )
    return label or FORMATS[fmt].title, fmt, Path(path)


def annotation_lengths(fmt: str, path: Path) -> list[int]:
    """Words per caption of every caption in a public dataset's annotation files (all splits)."""
    from diffforge.formats.registry import DATASET_READERS

    ann = DATASET_READERS[fmt](Path(path))
    return [word_count(c) for e in ann.pairs for c in e.captions]


def length_summary(lengths: list[int]) -> dict[str, Any]:
    """Captions, mean, median, 90th percentile and range of a length list (words)."""
    import numpy as np

    if not lengths:
        return {"captions": 0, "mean": None, "median": None, "p90": None, "min": None, "max": None}
    arr = np.asarray(lengths)
    return {"captions": len(lengths), "mean": round(float(arr.mean()), 2),
            "median": float(np.median(arr)), "p90": float(np.percentile(arr, 90)),
            "min": int(arr.min()), "max": int(arr.max())}  # fmt: skip


def plot_length_comparison(series: dict[str, list[int]], path: Path, clip: int = 80) -> None:
    """The seed's Figure 5: caption-length distributions side by side, each as the share of its
    own captions per length (so datasets of any size compare), lengths above ``clip`` pooled."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(8, 4.2), dpi=120)
    bins = np.arange(0, clip + 2)
    for (name, lengths), color in zip(series.items(), plt.cm.tab10.colors, strict=False):
        if not lengths:
            continue
        x = np.minimum(np.asarray(lengths), clip)
        share = np.histogram(x, bins=bins)[0] / len(x) * 100
        mean = float(np.mean(lengths))
        ax.step(bins[:-1], share, where="mid", color=color, linewidth=1.6,
                label=f"{name} ({len(lengths):,} captions, mean {mean:.1f})")  # fmt: skip
        ax.axvline(mean, color=color, linestyle="--", linewidth=0.9)
    ax.set_xlabel(f"caption length (words; ≥{clip} pooled)")
    ax.set_ylabel("share of captions (%)")
    ax.set_title("Caption length distributions")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_stats(
    root: Path | str, out: Path | str | None = None, compare: list[str] | None = None
) -> dict[str, Any]:
    """stats.json, wordcloud.png and caption_lengths.png under ``out`` (default root/stats);
    with ``compare`` (``FORMAT=PATH`` items) also caption_lengths_compare.png (Figure 5)."""
    root = Path(root)
    out = Path(out) if out else root / "stats"
    rows = read_pairs(root)  # first: a bad dataset fails before anything is written
    others = [parse_compare(c) for c in compare or []]
    other_lengths = {label: annotation_lengths(fmt, path) for label, fmt, path in others}
    out.mkdir(parents=True, exist_ok=True)
    stats = compute_stats(rows)
    texts = [t for rec in rows for t in rec.texts]
    plot_wordcloud(word_frequencies(texts), out / "wordcloud.png")
    plot_lengths(stats["lengths"], out / "caption_lengths.png")
    public = {k: v for k, v in stats.items() if k != "lengths"}
    public["files"] = {"wordcloud": "wordcloud.png", "caption_lengths": "caption_lengths.png"}
    if others:
        series = {root.name or "diffforge": stats["lengths"], **other_lengths}
        plot_length_comparison(series, out / "caption_lengths_compare.png")
        public["compare"] = {k: length_summary(v) for k, v in series.items()}
        public["files"]["caption_lengths_compare"] = "caption_lengths_compare.png"
    (out / "stats.json").write_text(json.dumps(public, indent=2) + "\n", encoding="utf-8")
    return public


def format_stats(stats: dict[str, Any], out: Path) -> str:
    """What ``diffforge stats`` prints: the counts in a few lines, then where the plots are."""

    def items(d: dict[str, Any], unit: str = "") -> str:
        return ", ".join(f"{k}{unit} {v}" for k, v in d.items()) or "none"

    by_changes = ", ".join(
        f"{k} change{'s' if k != '1' else ''}: {v}"
        for k, v in stats["avg_words_by_changes"].items()
    )
    lines = [
        f"{stats['pairs']} pairs, {stats['captions']} captions ({items(stats['splits'])})",
        f"change types: {items(stats['change_types'])}",
        "pairs by number of changes: "
        + ", ".join(f"{k}: {v}" for k, v in stats["changes_per_pair"].items()),
        f"caption length: mean {stats['avg_words']} words (min {stats['min_words']}, "
        f"max {stats['max_words']}; by number of changes: {by_changes or 'none'})",
    ]
    for label, summary in (stats.get("compare") or {}).items():
        lines.append(f"  {label}: {summary.get('captions')} captions, mean {summary.get('mean')}")
    plots = ", ".join(str(out / name) for name in stats["files"].values())
    lines.append(f"plots: {plots}")
    lines.append(f"numbers: {out / 'stats.json'}")
    return "\n".join(lines)
