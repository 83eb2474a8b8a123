"""A disk cache for the sampler's probe scenes (carry rates, sign legibility) and its mix
pilot (each type's loss factor, ``PairSampler._loss_corrected``), so a config's probes run once
per machine rather than at every sampler build (~9 s of CPU per config; the default config's
pilot, a few hundred specs, minutes). The pilot's entries are keyed by the whole config
(``"mix|"`` + its JSON): they depend on the mix too.

An entry is keyed by what the probes depend on (``sampler._probe_key``: the config less its
mix) and a digest of the code and asset manifests that compose and judge the probe scenes, so
an edit to either probes afresh. Writers write a temporary file and rename it over the entry:
concurrent samplers (workers, CI jobs) never read half a file; the last writer wins, and every
writer writes the same rates (the probes are deterministic).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path

# Bumped where the entries' meaning changes without a change to the digested sources.
FORMAT = 1
# Sources the probes read: the scene code (composition, operators, prediction), the config
# and the distributions; the built-in asset manifests beside them.
_DIGESTED = ("scenes", "config.py", "distributions.py", "vocabulary.py")


def cache_dir(assets_cache: Path | None = None) -> Path:
    """Where entries live: ``probes`` beside the asset cache a config names
    (``assets.cache_dir``), else ``$XDG_CACHE_HOME/diffforge/probes`` (``~/.cache``)."""
    if assets_cache is not None:
        return Path(assets_cache) / "probes"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "diffforge" / "probes"


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of every source file (and manifest) under ``_DIGESTED``, with ``FORMAT``."""
    root = Path(__file__).resolve().parents[1]  # the diffforge package
    h = hashlib.sha256(f"probes-{FORMAT}".encode())
    for name in _DIGESTED:
        path = root / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for f in files:
            if (
                f.is_file()
                and f.suffix in (".py", ".json", ".yaml")
                and "__pycache__" not in f.parts
            ):
                h.update(str(f.relative_to(root)).encode())
                h.update(f.read_bytes())
    return h.hexdigest()


def entry_path(probe_key: str, assets_cache: Path | None = None) -> Path:
    """The file holding one probe key's entries (under this code's digest)."""
    name = hashlib.sha256(f"{code_digest()}\n{probe_key}".encode()).hexdigest()[:32]
    return cache_dir(assets_cache) / f"{name}.json"


def load(probe_key: str, assets_cache: Path | None = None) -> dict[str, float]:
    """The cached rates of a probe key (empty: none yet, or the file unreadable)."""
    try:
        data = json.loads(entry_path(probe_key, assets_cache).read_text())
    except (OSError, ValueError):
        return {}
    if data.get("key") != probe_key:  # a digest collision, or another version's file
        return {}
    return {str(k): float(v) for k, v in data.get("rates", {}).items()}


def store(probe_key: str, rates: dict[str, float], assets_cache: Path | None = None) -> None:
    """Merge ``rates`` into the probe key's entry (temp file + rename); a cache that cannot
    be written is skipped (the probes then run again next time)."""
    path = entry_path(probe_key, assets_cache)
    merged = {**load(probe_key, assets_cache), **rates}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.stem, suffix=".tmp", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "w") as f:
            json.dump({"key": probe_key, "rates": merged}, f, sort_keys=True)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
