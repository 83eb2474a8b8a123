"""The tiny training config as the tests use it: output and toy data under a test's tmp dir."""

from __future__ import annotations

from pathlib import Path

from diffforge.training.config import M3DiffConfig, load_train_config

REPO = Path(__file__).resolve().parents[1]


def tiny_sets(tmp_path: Path, *extra: str) -> list[str]:
    """configs/train/tiny.yaml overrides: run and toy data under ``tmp_path``, a log every step."""
    return [
        f"train.output_dir={tmp_path / 'run'}", f"data.sources.0.path={tmp_path / 'toy'}",
        "train.progress_bar=false", "train.logging_steps=1", "train.report_to=[none]", *extra,
    ]  # fmt: skip


def tiny(tmp_path: Path, *extra: str) -> M3DiffConfig:
    return load_train_config(REPO / "configs/train/tiny.yaml", tiny_sets(tmp_path, *extra))
