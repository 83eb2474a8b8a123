"""Dataset statistics: counts, caption lengths, and the two plots of the OmniDiff supplement.

``write_stats`` draws a word-frequency cloud (Fig. 4) and a caption-length histogram (Fig. 5)
as PNGs and writes the numbers to ``stats.json``; the preview page and ``make demo`` show them.
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


def plot_lengths(lengths: list[int], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4), dpi=120)
    if lengths:
        bins = range(min(lengths), max(lengths) + 2)
        ax.hist(lengths, bins=list(bins), color="#3b6ea8", edgecolor="white")
        mean = sum(lengths) / len(lengths)
        ax.axvline(mean, color="#c0392b", linestyle="--", label=f"mean {mean:.1f} words")
        ax.legend()
    ax.set_xlabel("caption length (words)")
    ax.set_ylabel("captions")
    ax.set_title("Caption length distribution")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_stats(root: Path | str, out: Path | str | None = None) -> dict[str, Any]:
    """stats.json, wordcloud.png and caption_lengths.png under ``out`` (default root/stats)."""
    root = Path(root)
    out = Path(out) if out else root / "stats"
    rows = read_pairs(root)  # first: a bad dataset fails before anything is written
    out.mkdir(parents=True, exist_ok=True)
    stats = compute_stats(rows)
    texts = [t for rec in rows for t in rec.texts]
    plot_wordcloud(word_frequencies(texts), out / "wordcloud.png")
    plot_lengths(stats["lengths"], out / "caption_lengths.png")
    public = {k: v for k, v in stats.items() if k != "lengths"}
    public["files"] = {"wordcloud": "wordcloud.png", "caption_lengths": "caption_lengths.png"}
    (out / "stats.json").write_text(json.dumps(public, indent=2) + "\n", encoding="utf-8")
    return public
