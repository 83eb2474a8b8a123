"""Birds-to-Words (Forbes et al., 2019) ``birds-to-words-v1.0.tsv``: one row per description;
rows with the same two image URLs are one pair (``b2w_<n>``, split of its first row). Images
live under the image root at the URL's path, the layout ``wget -x -nH`` writes."""

from __future__ import annotations

import csv
from pathlib import Path
from urllib.parse import urlparse

from diffforge.formats.errors import expect
from diffforge.formats.info import FormatInfo
from diffforge.formats.records import Annotations, Entry, normalize_split

NAME = "birds_to_words"
INFO = FormatInfo(NAME, "Birds-to-Words", "birds-to-words", has_splits=True)
FILE = "birds-to-words-v1.0.tsv"
COLUMNS = ("img1ImgURL", "img2ImgURL", "split", "description")


def url_path(url: str) -> str:
    """Where a downloaded image lives relative to the image root, e.g. ``photos/1234/medium.jpg``."""
    return urlparse(url).path.lstrip("/") or url


def looks_like(path: Path) -> bool:
    """A TSV whose header names the image URL columns."""
    try:
        with Path(path).open(encoding="utf-8") as fh:
            header = fh.readline().rstrip("\n").split("\t")
    except (OSError, UnicodeDecodeError):
        return False
    return all(c in header for c in COLUMNS)


def read(path: Path) -> Annotations:
    """The TSV, or the directory holding it."""
    path = Path(path)
    file = path if path.is_file() else path / FILE
    expect(file.is_file(), file, "", "file not found")
    out = Annotations(NAME, path, file.parent)
    pairs: dict[tuple[str, str], tuple[str, list[str]]] = {}
    with file.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        expect(not missing, file, "header", f"missing columns {', '.join(missing)}")
        for n, row in enumerate(reader, 2):
            expect(
                None not in row and all(row[c] is not None for c in COLUMNS),
                file,
                f"line {n}",
                "wrong number of columns",
            )
            split = normalize_split(row["split"])
            out.records[split] += 1
            key = (row["img1ImgURL"], row["img2ImgURL"])
            pairs.setdefault(key, (split, []))[1].append(row["description"].strip())
    for i, ((u1, u2), (split, descs)) in enumerate(pairs.items()):
        out.pairs.append(Entry(f"b2w_{i}", split, url_path(u1), url_path(u2), tuple(descs)))
    return out
