"""What a change operator is, and the context it works in.

An operator edits the after-scene (and, for changes that need a particular starting state such
as a light that was off, the before-scene) and returns a ``Change`` record whose ``targets`` and
``fields`` say exactly what differs; the invariant tests hold every operator to that.

The operator class is the one place for everything about its type: the config's default weight
and parameters, what it needs of a scene, which types it never shares a pair (or an object)
with, its render gate and its caption templates. The config, the sampler, the render gates and
the captioner read these declarations from the registry (``diffforge.scenes.changes``), so a
plugin type declares the same and gets the same treatment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from diffforge.scenes.changes.gating import GateCheck
from diffforge.scenes.lighting import LAMP_LIGHT_PREFIXES
from diffforge.scenes.model import Change, ObjectInstance, Scene

if TYPE_CHECKING:
    from diffforge.config import GenerateConfig


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
    # The types that may stack on one object (the registry's ``shares_objects``).
    shareable: frozenset[str] = frozenset()

    def lock(self, change_type: str, *object_ids: str) -> None:
        """Record that ``change_type`` changed these objects (see ``ChangeOperator.is_free``)."""
        for obj_id in object_ids:
            self.locked_objects.setdefault(obj_id, set()).add(change_type)

    def is_free(self, obj_id: str, change_type: str) -> bool:
        """Untouched, or touched only by other types that share objects (``shareable``: colour,
        material, size, orientation) when this is one too."""
        used = self.locked_objects.get(obj_id)
        if not used:
            return True
        if change_type not in self.shareable or change_type in used:
            return False
        return used <= self.shareable

    def new_id(self, category: str) -> str:
        self.next_id += 1
        return f"{category.replace(' ', '_')}_{self.next_id}"

    def pick(self, options: list):
        if not options:
            raise NotApplicable("no candidates")
        return options[int(self.rng.integers(len(options)))]


class ChangeOperator:
    """Base class of every change type. Subclasses set ``type`` and implement ``apply``; every
    other declaration has a default that suits a change to one object already in the scene."""

    type: ClassVar[str] = ""
    # Field paths (object-relative, dotted) this operator may change on its targets.
    fields: ClassVar[tuple[str, ...]] = ()
    # Adds or deletes its targets rather than editing their fields.
    changes_existence: ClassVar[bool] = False

    # --- the config ------------------------------------------------------------------------
    # Default weight in ``changes.weights`` (the default mix: built-ins and the types a config
    # names in ``changes.operators``).
    weight: ClassVar[float] = 1.0
    # Default parameters, in the YAML shorthand users write (``{"uniform": [a, b]}``); drawn
    # in this order into ``ctx.params``. A type that declares some rejects unknown keys.
    params: ClassVar[dict[str, Any]] = {}

    # --- the sampler -----------------------------------------------------------------------
    # Changes the whole picture (camera, lighting): once per pair, no object target to see.
    scene_wide: ClassVar[bool] = False
    # Moves the camera (no camera jitter with it; object changes beside it must be larger) ...
    moves_camera: ClassVar[bool] = False
    # ... or changes the lighting (no light jitter with it; no unrecorded-lighting gate).
    relights: ClassVar[bool] = False
    # Types never drawn into the same pair as this one (the relation is made symmetric).
    apart: ClassVar[frozenset[str]] = frozenset()
    # May stack on one object with the other types that declare it (a chair turns red and
    # metallic at once); otherwise a changed object is not picked again.
    shares_objects: ClassVar[bool] = False
    # Only ever the single change of its pair ("none": a distractor-only pair).
    alone: ClassVar[bool] = False
    # Acts on an object already in the scene (a user file's own objects can be its target).
    edits_objects: ClassVar[bool] = True
    # Targets carrying one of these tags are never picked (orientation: a round object looks
    # the same turned; the other symmetries are folded by the operator itself).
    skip_tags: ClassVar[frozenset[str]] = frozenset()
    # Share of the visibility threshold each target needs (count: each copy need not be large).
    target_share: ClassVar[float] = 1.0
    # Shows within the target's outline (a colour, a material, a turn): most of the target
    # must be predicted in sight (``visibility.min_seen_share``), not only enough pixels.
    whole_seen: ClassVar[bool] = False
    # ... and the visibility setting naming that share (a turn asks more of it)
    seen_share_setting: ClassVar[str] = "min_seen_share"
    # Writes new text on its target: the sign must be legible (sampler) and read (OCR gate).
    writes_text: ClassVar[bool] = False
    # What a scene must include for this type to find a target (``environments.FEATURES``:
    # "text" a readable sign, "person" a posed person, "holder" something standing on
    # something): the sampler draws the type first, then composes a layout that carries these.
    scene_needs: ClassVar[frozenset[str]] = frozenset()
    # Parameter values that need more of a scene than the type does (an illumination "kind"
    # of light_off: a lamp in view): the sampler draws such a parameter once per pair with
    # its type, composes the scene for the drawn value's features and holds the change to it
    # (a lamp switch drawn on a scene without a lamp in view became another kind: 1 in 24).
    param_needs: ClassVar[dict[str, dict[Any, frozenset[str]]]] = {}

    # --- the captioner ---------------------------------------------------------------------
    # Caption template names (``<name>.j2``) this type's captions use, the first the default.
    templates: ClassVar[tuple[str, ...]] = ()
    # Where they live: None for diffforge's own; a plugin names a folder of its package.
    template_dir: ClassVar[Path | None] = None

    def apply(self, ctx: ChangeContext, before: Scene, after: Scene) -> Change:
        raise NotImplementedError

    def unavailable(self, cfg: GenerateConfig, layouts: list[str]) -> str | None:
        """Why this config's weighted ``layouts`` can never carry the type (None: they may);
        the sampler refuses such a weight up front rather than realizing 0 %. ``scene_needs``
        covers what a layout composes; this, what a config's settings rule out."""
        return None

    def needs(self, scene: Scene) -> bool:
        """Whether ``scene`` (the after-scene so far) offers anything to change; False skips the
        type for this pair before ``apply`` is tried (``apply`` may still find nothing)."""
        return True

    def gate(self, check: GateCheck) -> list[str]:
        """Reasons the rendered change is not seen (empty: it is). The default asks the whole
        frame to change for a scene-wide type, else each target to be visible on each side it
        exists and its pixels to change. A subclass adds its own measures; ``gate = None``
        skips the gates (a pair with no change)."""
        return check.global_reasons() if self.scene_wide else check.target_reasons()

    def caption_key(self, change: Change) -> str:
        """The template (of ``templates``) that phrases ``change``."""
        return self.templates[0] if self.templates else "generic"

    def caption_values(self, change: Change) -> dict[str, Any]:
        """Values a plugin's template needs from the record, beside the target's referring
        forms (``ref``, ``thing``, ``it``, ``its``...) the captioner always gives."""
        return {}

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
