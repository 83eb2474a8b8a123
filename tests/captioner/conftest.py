"""Shared fixtures for the captioner tests: a small dataset directory built from pair specs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from diffforge.captioner.compose import caption_pair
from diffforge.captioner.synthetic import synthetic_spec

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/chat_server.py


def write_dataset(root: Path, n: int = 12, seed: int = 0) -> Path:
    """pairs.jsonl + scenes/<id>.json + dataset.json, the layout `generate` writes (no PNGs)."""
    (root / "scenes").mkdir(parents=True, exist_ok=True)
    lines = []
    for i in range(n):
        spec = synthetic_spec(i, seed)
        (root / "scenes" / f"{spec.id}.json").write_text(
            json.dumps({"spec": spec.model_dump(mode="json"), "facts": None})
        )
        split = "test" if i % 6 == 5 else "train"
        lines.append(
            json.dumps(
                {
                    "id": spec.id,
                    "split": split,
                    "before": f"images/{spec.id}_before.png",
                    "after": f"images/{spec.id}_after.png",
                    "changes": [c.model_dump(mode="json") for c in spec.changes],
                    "captions": caption_pair(spec, 1),
                    "scene": f"scenes/{spec.id}.json",
                    "masks": {},
                }
            )
        )
    (root / "pairs.jsonl").write_text("\n".join(lines) + "\n")
    (root / "dataset.json").write_text(json.dumps({"config": {"seed": seed}}))
    return root


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    return write_dataset(tmp_path / "ds")
