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
from diffforge.scenes.lighting import LAMP_LIGHT_PREFIXES
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
    locked_objects: dict[str, set[str]] = field(default_factory=dict)  # id -> change types
    locked_categories: set[str] = field(default_factory=set)  # counted / added / removed
    used_types: set[str] = field(default_factory=set)
    next_id: int = 1000
    # Objects the sampler predicts a viewer will see large enough (None: all may be changed).
    large: set[str] | None = None
    # The only objects this change may pick (the sampler's share of changes on a user file's
    # own objects); None: any.
    only: set[str] | None = None

    def lock(self, change_type: str, *object_ids: str) -> None:
        """Record that ``change_type`` changed these objects (see ``ChangeOperator.is_free``)."""
        for obj_id in object_ids:
            self.locked_objects.setdefault(obj_id, set()).add(change_type)

    def is_free(self, obj_id: str, change_type: str) -> bool:
        """Untouched, or touched only by other appearance changes when this is one too."""
        used = self.locked_objects.get(obj_id)
        if not used:
            return True
        return change_type in SHAREABLE and change_type not in used and used <= SHAREABLE

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
    once_per_pair: ClassVar[bool] = False  # scene-wide changes (viewpoint, illumination)
    # Adds or deletes its targets rather than editing their fields.
    changes_existence: ClassVar[bool] = False

    def apply(self, ctx: ChangeContext, before: Scene, after: Scene) -> Change:
        raise NotImplementedError

    def declared(self, change: Change) -> set[tuple[str, str]]:
        """The (target, field) pairs this record allows to differ (see diffforge.scenes.diff)."""
        if self.changes_existence:  # a lamp's light comes and goes with it
            lights = {f"{p}{t}" for t in change.targets for p in LAMP_LIGHT_PREFIXES}
            return {(t, "exists") for t in (*change.targets, *lights)}
        return {(t, f) for t in change.targets for f in self.fields}

    # Helpers shared by operators ---------------------------------------------------------

    @staticmethod
    def free_objects(ctx: ChangeContext, scene: Scene, kind: str) -> list[ObjectInstance]:
        """Objects no earlier change of this pair touched (unless both types allow sharing)."""
        out = []
        for obj in scene.objects:
            if not ctx.is_free(obj.id, kind):
                continue
            if obj.category in ctx.locked_categories:
                continue
            if "facade" in obj.tags:
                continue
            if ctx.large is not None and obj.id not in ctx.large:
                continue
            if ctx.only is not None and obj.id not in ctx.only:
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
