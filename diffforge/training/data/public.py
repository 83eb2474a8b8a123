"""Training loaders of the released IDC formats: ``diffforge.formats`` parses the files, here
each parsed pair becomes a ``Pair`` under the image root (default: beside the annotations)."""

from __future__ import annotations

from pathlib import Path

from diffforge.formats import Annotations, clevr_change, clevr_dc, iedit, spot_the_diff
from diffforge.training.data.base import Loaded, Pair


def to_loaded(ann: Annotations, images: Path | None = None) -> Loaded:
    """The parse as training sees it: pairs with image paths, counted (missing images skipped)."""
    root = Path(images) if images else ann.root
    out = Loaded(ann.format, ann.path, root)
    out.entries.update(ann.records)
    out.notes.extend(ann.notes)
    for e in ann.pairs:
        mask = root / e.change_mask if e.change_mask is not None else None
        out.add(
            Pair(
                e.id,
                e.split or "train",
                root / e.before,
                root / e.after,
                e.captions,
                ann.format,
                e.changes,
                prompt=e.prompt,
                change_mask=mask,
                subset=e.subset,
                turns=e.turns,
            )
        )
    return out


def load_spot_the_diff(path: Path, images: Path | None = None) -> Loaded:
    """Spot-the-Diff ``{split}.json``; repeated img_ids merged (``diffforge.formats``)."""
    return to_loaded(spot_the_diff.read(path), images)


def load_iedit(path: Path, images: Path | None = None) -> Loaded:
    """IEdit ``train/valid/test.json``; entries of one image pair merged (id: the first uid)."""
    return to_loaded(iedit.read(path), images)


def load_clevr_change(
    path: Path, images: Path | None = None, captions: Path | None = None
) -> Loaded:
    """CLEVR-Change: a change pair and a distractor pair (``<id>_nc``) per scene index."""
    return to_loaded(clevr_change.read(path, captions), images)


def load_clevr_dc(path: Path, images: Path | None = None, captions: Path | None = None) -> Loaded:
    """CLEVR-DC ``split.json`` with its captions file."""
    return to_loaded(clevr_dc.read(path, captions), images)
