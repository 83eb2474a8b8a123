"""The typed records of a diffforge dataset directory, the one place for their fields: one
``pairs.jsonl`` line is a ``PairRecord``, ``dataset.json`` a ``DatasetMeta``.

The models accept what older or hand-written datasets hold (captions as plain strings, records
without masks or an index) and keep unknown keys, so a rewrite never drops a field it does not
know. ``to_line`` writes back only the fields a record was given: reading and writing a line
changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Record(BaseModel):
    model_config = ConfigDict(extra="allow")

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True)


class Caption(_Record):
    """One caption: the text, and its referring and change parts where the captioner made it."""

    text: str
    referring: Any = None  # list[str] per change group (ours), or free text
    change: Any = None
    types: list[str] | None = None
    source: str | None = None  # "template" | "rewrite" | "template_fallback"
    template: str | None = None  # the template text a rewrite replaced


class ChangeRecord(_Record):
    """A change as recorded for training and evaluation (the scene-graph change, as JSON)."""

    type: str = "unknown"
    targets: list[str] = Field(default_factory=list)
    before: dict[str, Any] = Field(default_factory=dict)
    after: dict[str, Any] = Field(default_factory=dict)
    params: dict[str, Any] = Field(default_factory=dict)
    # how visible the change is (dataset.tiers): visible share of the frame, contrast 0-255
    tiers: dict[str, float] | None = None


class Masks(_Record):
    before: str | None = None  # 16-bit instance ids
    after: str | None = None
    change: str | None = None  # 8-bit, non-zero where the scene changed


class PairRecord(_Record):
    """One finished pair; paths are relative to the dataset directory."""

    id: str
    before: str
    after: str
    captions: list[Caption] = Field(default_factory=list)
    split: str = "train"
    index: int | None = None
    changes: list[ChangeRecord] = Field(default_factory=list)
    scene: str | None = None
    masks: Masks | None = None
    attempt: int = 0
    resampled: list[str] = Field(default_factory=list)  # the gates' reasons (often > 1 per try)
    rejected: int | None = None  # rendered attempts the gates threw away before this one
    distractors: list[str] | None = None  # nuisance differences (camera/light jitter)

    @property
    def rejected_attempts(self) -> int:
        """Rendered attempts thrown away for this pair; records written before ``rejected``
        existed only say whether there was at least one."""
        return self.rejected if self.rejected is not None else int(bool(self.resampled))

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) else v

    @field_validator("captions", mode="before")
    @classmethod
    def _plain_captions(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [{"text": c} if isinstance(c, str) else c for c in v]
        return v

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.captions]

    @property
    def change_types(self) -> list[str]:
        """Distinct change types in order; ``["none"]`` for a pair without changes."""
        return list(dict.fromkeys(c.type for c in self.changes)) or ["none"]

    @property
    def change_mask(self) -> str | None:
        return self.masks.change if self.masks is not None else None

    def to_line(self) -> str:
        """The ``pairs.jsonl`` line (without newline): sorted keys, UTF-8 text kept as is."""
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)


class Failure(_Record):
    index: int
    status: str = "failed"
    reason: str = ""


class DatasetMeta(_Record):
    """``dataset.json``: how the dataset was made and what it holds (counts from the records)."""

    format: str | None = None
    diffforge: str | None = None
    engine: dict[str, Any] = Field(default_factory=dict)
    seed: int | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    render: dict[str, Any] = Field(default_factory=dict)
    counts: dict[str, Any] = Field(default_factory=dict)
    failures: list[Failure] = Field(default_factory=list)
    fingerprint: str | None = None
    runs: list[dict[str, Any]] = Field(default_factory=list)
