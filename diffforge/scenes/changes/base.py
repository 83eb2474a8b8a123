"""What a change operator is, and the context it works in.

An operator edits the after-scene (and, for changes that need a particular starting state such
as a light that was off, the before-scene) and returns a ``Change`` record whose ``targets`` and
``fields`` say exactly what differs; the invariant tests hold every operator to that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from diffforge.config import GenerateConfig
from diffforge.scenes.model import Change, ObjectInstance, Scene


class NotApplicable(Exception):
    """The operator has nothing to act on in this scene; the sampler draws another type."""


@dataclass
class ChangeContext:
    """Everything an operator may read: seeded RNG, its parameters, the library, what's locked."""

    rng: np.random.Generator
    params: dict[str, Any]  # this operator's parameters, already drawn from their distributions
    cfg: GenerateConfig
    library: Any  # diffforge.scenes.assets.AssetLibrary
    locked_objects: set[str] = field(default_factory=set)  # already changed in this pair
    locked_categories: set[str] = field(default_factory=set)  # counted / added / removed
    used_types: set[str] = field(default_factory=set)
    next_id: int = 1000

    def new_id(self, category: str) -> str:
        self.next_id += 1
        return f"{category.replace(' ', '_')}_{self.next_id}"

    def pick(self, options: list):
        if not options:
            raise NotApplicable("no candidates")
        return options[int(self.rng.integers(len(options)))]


class ChangeOperator:
    """Base class of every change type. Subclasses set ``type`` and implement ``apply``."""

    type: ClassVar[str] = ""
    # Field paths (object-relative, dotted) this operator may change on its targets.
    fields: ClassVar[tuple[str, ...]] = ()
    # Types that may share a target object with this one in the same pair.
    shares_with: ClassVar[frozenset[str]] = frozenset()
    once_per_pair: ClassVar[bool] = False  # scene-wide changes (viewpoint, illumination)

    def apply(self, ctx: ChangeContext, before: Scene, after: Scene) -> Change:
        raise NotImplementedError

    # Helpers shared by operators ---------------------------------------------------------

    @staticmethod
    def free_objects(ctx: ChangeContext, scene: Scene, kind: str) -> list[ObjectInstance]:
        """Objects no earlier change of this pair touched (unless both types allow sharing)."""
        out = []
        for obj in scene.objects:
            if obj.id in ctx.locked_objects and kind not in SHAREABLE:
                continue
            if obj.category in ctx.locked_categories:
                continue
            if "facade" in obj.tags:
                continue
            out.append(obj)
        return out


# Appearance changes can stack on one object (a chair can turn red and metallic at once).
SHAREABLE = frozenset({"color", "material", "size", "orientation"})


def describe_object(obj: ObjectInstance) -> dict[str, Any]:
    """The slice of an object a change record carries (enough for captions, small to store)."""
    out: dict[str, Any] = {
        "id": obj.id,
        "asset": obj.asset,
        "category": obj.category,
        "noun": obj.noun,
        "color": obj.attributes.color,
        "material": obj.attributes.material,
        "size": obj.attributes.size,
        "location": list(obj.transform.location),
        "support": obj.support,
    }
    if obj.attributes.clothing:
        out["clothing"] = dict(obj.attributes.clothing)
    if obj.pose:
        out["pose"] = obj.pose.name
    if obj.text:
        out["text"] = obj.text.string
    return out
