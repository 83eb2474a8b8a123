"""Caption phrasings: ``<key>.j2`` files, one phrasing per line, compiled once.

diffforge's own live in ``templates/``; a plugin change type ships its own in its package and
names the folder (``ChangeOperator.template_dir``).
"""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


class Templates:
    """Every phrasing, compiled once. A file ``<key>.j2`` holds one phrasing per line; ``where``
    (a plugin's folder) looks there instead of in ``root``."""

    def __init__(self, root: Path = TEMPLATE_DIR) -> None:
        self.root = Path(root)
        self.env = jinja2.Environment(
            autoescape=False, undefined=jinja2.StrictUndefined, keep_trailing_newline=False
        )
        self._cache: dict[tuple[Path | None, str], list[jinja2.Template]] = {}

    def _path(self, key: str, where: Path | None) -> Path:
        return Path(where or self.root) / f"{key}.j2"

    def get(self, key: str, where: Path | None = None) -> list[jinja2.Template]:
        if (where, key) not in self._cache:
            path = self._path(key, where)
            if not path.is_file():
                raise KeyError(key)
            lines = [
                line.strip()
                for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.lstrip().startswith("{#")
            ]
            self._cache[where, key] = [self.env.from_string(line) for line in lines]
        return self._cache[where, key]

    def has(self, key: str, where: Path | None = None) -> bool:
        return (where, key) in self._cache or self._path(key, where).is_file()

    def keys(self) -> list[str]:
        return sorted(p.stem for p in self.root.glob("*.j2"))

    def compile_all(self) -> int:
        """Compile every file now (workers and benchmarks do it once, up front)."""
        return sum(len(self.get(key)) for key in self.keys())


@functools.lru_cache(maxsize=1)
def templates() -> Templates:
    """The built-in templates (shared, compiled lazily)."""
    return Templates()
