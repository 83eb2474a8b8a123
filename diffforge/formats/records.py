"""What every format reader returns (``Annotations`` of ``Entry`` pairs, image paths relative to
an image root): the shape training and evaluation read any released dataset in. Our own
dataset's on-disk records are ``diffforge/dataset/records.py``.

Readers never touch images; training joins the paths to its image root and checks they exist,
evaluation only needs ids, captions and change types.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

SPLITS: tuple[str, ...] = ("train", "val", "test")
_SPLIT_ALIASES = {"valid": "val", "validation": "val", "dev": "val", "eval": "val"}


def normalize_split(name: str) -> str:
    """'valid'/'dev'/'validation' -> 'val'; other names pass through lower-cased."""
    name = str(name).strip().lower()
    return _SPLIT_ALIASES.get(name, name)


@dataclass(frozen=True)
class Entry:
    """One annotated before/after pair as a file states it."""

    id: str
    split: str | None  # normalized; None where nothing assigns one
    before: str  # relative to the image root
    after: str
    captions: tuple[str, ...]
    changes: tuple[str, ...] = ()  # distinct change types, ("none",) for a no-change pair
    prompt: str | None = None  # the dataset's own instruction (LLaVA JSON), if any
    change_mask: str | None = None  # relative path of the change mask (diffforge datasets)
    # the part of a benchmark the pair belongs to, where the file says (OmniDiff's Real / Render)
    subset: str | None = None
    # a multi-turn conversation (LLaVA JSON): every (user, assistant) exchange in order; the
    # first is (prompt, captions[0]). Empty for a single caption exchange.
    turns: tuple[tuple[str, str], ...] = ()


@dataclass
class Annotations:
    """One parse of a dataset's annotation files, with a view for each consumer.

    ``pairs`` are the distinct pairs under the ids training uses (repeated annotations merged);
    ``references`` are the entries under the ids the authors' evaluation uses, when those differ
    (IEdit uids, CLEVR-Change ``"000123.png"``); otherwise evaluation reads ``pairs``.
    """

    format: str
    path: Path  # what was given
    root: Path  # default image root
    pairs: list[Entry] = field(default_factory=list)
    references: list[Entry] | None = None
    records: Counter = field(default_factory=Counter)  # annotation records read, per split
    notes: list[str] = field(default_factory=list)
    split_file: Path | None = None  # where the split names come from, if a separate file
    split_names: tuple[str, ...] = ()  # as that file spells them

    @property
    def reference_entries(self) -> list[Entry]:
        return self.pairs if self.references is None else self.references


def merge_repeated(entries: list[Entry], key: str = "id") -> list[Entry]:
    """Entries that share ``key`` (``"id"`` or ``"images"``) become one: the first entry with
    the captions of all of them, in file order."""
    merged: dict[object, tuple[Entry, list[str]]] = {}
    for e in entries:
        k = e.id if key == "id" else (e.before, e.after)
        merged.setdefault(k, (e, []))[1].extend(e.captions)
    return [replace(e, captions=tuple(caps)) for e, caps in merged.values()]
