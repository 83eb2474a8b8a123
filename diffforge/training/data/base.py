"""What every loader returns: image pairs with captions, plus the counts ``data info`` prints.

The annotation files are parsed by ``diffforge.formats`` (shared with evaluation); here its
entries become ``Pair``s with absolute image paths.

Loaders never open images; they only check that the files exist, so a missing image is skipped
and counted at load time. A corrupt image is found when it is decoded (``PairDataset``) and is
skipped and counted there.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from diffforge.formats import SPLITS, FormatError, normalize_split

# Training's name for the one error every format reader raises (a file missing or malformed,
# an unknown format, no usable data): one line naming the file and the entry.
DataError = FormatError


def split_names(split: str) -> list[str]:
    """A source's split, ``"train"`` or several joined by ``+`` (``"train+val"``), normalized."""
    return [normalize_split(s) for s in str(split).split("+") if s.strip()]


@dataclass(frozen=True)
class Pair:
    """One before/after image pair and its reference captions."""

    id: str
    split: str
    before: Path
    after: Path
    captions: tuple[str, ...]
    source: str
    changes: tuple[str, ...] = ()
    prompt: str | None = None  # the dataset's own instruction (LLaVA JSON), if any
    change_mask: Path | None = None  # where the images differ (diffforge datasets), if known
    subset: str | None = None  # OmniDiff's Real / Render, or a mixture's source, where known
    turns: tuple[tuple[str, str], ...] = ()  # a multi-turn conversation (LLaVA JSON), in order


@dataclass
class Loaded:
    """A loader's result: usable pairs and what was counted on the way."""

    format: str
    path: Path
    images: Path
    pairs: list[Pair] = field(default_factory=list)
    entries: Counter = field(default_factory=Counter)  # annotation records read, per split
    annotated: Counter = field(default_factory=Counter)  # distinct pairs annotated, per split
    captions: Counter = field(default_factory=Counter)  # captions of annotated pairs, per split
    missing: Counter = field(default_factory=Counter)  # pairs skipped for a missing image
    notes: list[str] = field(default_factory=list)

    def add(self, pair: Pair, check_images: bool = True) -> None:
        """Count an annotated pair; keep it only when both images exist."""
        self.annotated[pair.split] += 1
        self.captions[pair.split] += len(pair.captions)
        if check_images and not (pair.before.is_file() and pair.after.is_file()):
            self.missing[pair.split] += 1
            return
        self.pairs.append(pair)

    def split(self, name: str) -> list[Pair]:
        """The usable pairs of a split, or of several (``"train+val"``)."""
        names = set(split_names(name))
        return [p for p in self.pairs if p.split in names]

    def summary(self) -> dict[str, Any]:
        """Per-split counts as plain data (what ``data info --json`` prints)."""
        names = [s for s in SPLITS if s in self.annotated or s in self.entries]
        names += sorted(set(self.annotated) | set(self.entries) - set(names) - set(SPLITS))
        usable = Counter(p.split for p in self.pairs)
        splits = {
            s: {
                "entries": self.entries[s],
                "pairs": self.annotated[s],
                "captions": self.captions[s],
                "usable": usable[s],
                "missing_images": self.missing[s],
            }
            for s in names
        }
        return {
            "format": self.format,
            "path": str(self.path),
            "images": str(self.images),
            "splits": splits,
            "total": {
                k: sum(v[k] for v in splits.values()) for k in next(iter(splits.values()), {})
            },
            "notes": list(self.notes),
        }
