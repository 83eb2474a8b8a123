"""The scene graph and pair-spec contract (see ARCHITECTURE.md, "Contracts").

Everything here is plain, JSON-serialisable data: the sampler writes it, the Blender backend
builds it, the captioner reads it. Coordinates are metres, Z up; rotations are XYZ Euler radians.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Vec3 = tuple[float, float, float]
RGB = tuple[float, float, float]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def clone(self):
        """A deep copy that shares immutable leaves (tuples, strings, numbers).

        ~10× faster than ``model_copy(deep=True)``, which matters: the sampler copies scenes
        for every change it tries.
        """
        new = self.__class__.__new__(self.__class__)
        fields = self.__dict__.copy()  # then only the mutable values replaced
        for k, v in fields.items():
            kind = type(v)
            if kind in _SHARED:
                continue
            if kind is list:
                fields[k] = [_clone(x) for x in v]
            elif kind is dict:
                fields[k] = {a: _clone(x) for a, x in v.items()}
            elif isinstance(v, _Model):
                fields[k] = v.clone()
        _SET_DICT(new, fields)
        _SET_FIELDS(new, set(self.__pydantic_fields_set__))
        _SET_EXTRA(new, None)
        _SET_PRIVATE(new, None)
        return new


# Leaves shared by clones: most of a scene's values, so they are recognised first by their
# exact type (an isinstance chain per value was a fifth of the sampler's time).
_SHARED = frozenset({str, int, float, bool, tuple, type(None)})


def _slot_setter(name: str):
    descriptor = BaseModel.__dict__.get(name)
    if descriptor is not None and hasattr(descriptor, "__set__"):
        return descriptor.__set__
    return lambda obj, value: object.__setattr__(obj, name, value)


# pydantic's own slots, set directly: its ``__setattr__`` would validate
_SET_FIELDS = _slot_setter("__pydantic_fields_set__")
_SET_EXTRA = _slot_setter("__pydantic_extra__")
_SET_PRIVATE = _slot_setter("__pydantic_private__")
_SET_DICT = _slot_setter("__dict__")


def _clone(value: Any) -> Any:
    kind = type(value)
    if kind in _SHARED:
        return value
    if kind is list:
        return [_clone(v) for v in value]
    if kind is dict:
        return {k: _clone(v) for k, v in value.items()}
    if isinstance(value, _Model):
        return value.clone()
    return value  # tuples of numbers, strings, numbers, None


class Transform(_Model):
    location: Vec3 = (0.0, 0.0, 0.0)
    rotation: Vec3 = (0.0, 0.0, 0.0)
    scale: float = 1.0  # uniform, relative to the asset's nominal (real-world) size


class Attributes(_Model):
    color: str | None = None  # a name from vocabulary.COLORS
    rgb: RGB | None = None
    material: str | None = None  # a name from vocabulary.MATERIALS
    size: str | None = None  # a word from vocabulary.SIZE_WORDS
    clothing: dict[str, str] | None = None  # people: {"top": colour, "bottom": colour}


class TextContent(_Model):
    string: str
    font: str = "default"
    color: str = "black"
    rgb: RGB = (0.04, 0.04, 0.04)


class Pose(_Model):
    name: str
    bones: dict[str, Vec3] = Field(default_factory=dict)  # canonical bone -> XYZ Euler


class ObjectInstance(_Model):
    id: str
    asset: str
    # which of the asset's variants this is (``<asset>~<family>-<digest>``, see
    # scenes/assets/shapes.py); None: the asset's one fixed mesh
    shape: str | None = None
    category: str
    noun: str
    attributes: Attributes = Field(default_factory=Attributes)
    transform: Transform = Field(default_factory=Transform)
    dimensions: Vec3  # world-space bounding-box size (x, y, z) after scale, before rotation
    support: str = "floor"  # "floor" / "ground" / "wall" / "ceiling" / id of the holder
    text: TextContent | None = None
    pose: Pose | None = None
    tags: list[str] = Field(default_factory=list)


class Light(_Model):
    id: str
    type: Literal["point", "sun", "area", "spot"] = "point"
    location: Vec3 = (0.0, 0.0, 3.0)
    rotation: Vec3 = (0.0, 0.0, 0.0)
    energy: float = 500.0  # W for point/area/spot, W/m² (strength) for sun
    rgb: RGB = (1.0, 1.0, 1.0)
    temperature: float = 6500.0  # kelvin; rgb is derived from it when set by a change
    size: float = 0.5
    on: bool = True
    name: str = "light"  # caption noun: "ceiling lamp", "sun", ...


class Camera(_Model):
    location: Vec3
    look_at: Vec3
    lens: float = 35.0  # focal length in mm
    sensor_width: float = 36.0


class World(_Model):
    hdri: str | None = None  # file name of an HDRI shipped with Blender, or a manifest asset id
    strength: float = 1.0
    rotation: float = 0.0  # radians about Z
    background: RGB = (0.05, 0.05, 0.06)
    # "physical": Blender's sky texture, its sun placed where the scene's sun light shines from
    sky: str | None = None
    exposure: float = 0.0  # EV of the view transform (AgX), set by the layout from its lighting


class Opening(_Model):
    """A window or door in one wall of a closed room."""

    kind: Literal["window", "door"]
    wall: Literal["back", "front", "left", "right"]
    center: float  # along the wall: x for back/front, y for left/right
    bottom: float  # z of the sill (0 for doors)
    width: float
    height: float


class Environment(_Model):
    layout: str  # room / street / tabletop / environment
    extent: Vec3 = (6.0, 6.0, 3.0)  # width (x), depth (y), height (z) of the usable space
    # None where nobody knows: a user .blend's floor is whatever the file made it
    floor_color: str | None = "gray"
    floor_material: str | None = "wood"
    wall_color: str | None = "white"
    blend_file: str | None = None  # user .blend for the "environment" layout
    time_of_day: str | None = None  # street: "morning", "noon", "evening", "night"
    # closed rooms: a ceiling, windows and doors, baseboards; empty/False for open layouts
    room_type: str | None = None  # living room, kitchen, office, bedroom, shop, classroom
    ceiling: bool = False
    openings: list[Opening] = Field(default_factory=list)
    wall_material: str | None = "paint"
    trim_color: str | None = "white"
    # streets: the road along X in front of the facades, sidewalks between road and facades
    road_width: float = 0.0  # 0: no road
    sidewalk_width: float = 0.0


class Element(_Model):
    """A fixed piece of the environment's architecture: a wall, floor, kerb, door, façade...

    Environments emit these (diffforge.scenes.architecture) so the whole scene is in the graph:
    visibility prediction sees walls, and the renderer builds them generically. A box is
    axis-aligned, centred on ``location`` with side lengths ``size``; a plane is a rectangle
    ``size[0]`` × ``size[1]`` in its local XY plane, turned by ``rotation`` (XYZ Euler).
    """

    name: str  # what it is: "wall_back", "kerb", "door", "building", ...
    shape: Literal["box", "plane"] = "box"
    location: Vec3
    size: Vec3
    rotation: Vec3 = (0.0, 0.0, 0.0)
    rgb: RGB = (0.8, 0.8, 0.8)  # sRGB base colour
    material: str | None = None  # a material class (vocabulary.MATERIALS, "paint", "facade")
    # a lamp fixture's glowing part: it glows in this light's colour while the light is on
    glow: str | None = None
    camera_visible: bool = True  # False: still bounces light and casts shadows
    casts_shadow: bool = True


class Scene(_Model):
    environment: Environment
    # a tuple: never edited in place (environments emit them anew), so clones share it; None:
    # not emitted yet (a hand-built scene, a spec file older than elements)
    elements: tuple[Element, ...] | None = None
    objects: list[ObjectInstance] = Field(default_factory=list)
    lights: list[Light] = Field(default_factory=list)
    camera: Camera
    world: World = Field(default_factory=World)

    def object(self, object_id: str) -> ObjectInstance:
        for obj in self.objects:
            if obj.id == object_id:
                return obj
        raise KeyError(object_id)

    def find(self, object_id: str) -> ObjectInstance | None:
        return next((o for o in self.objects if o.id == object_id), None)

    def light(self, light_id: str) -> Light:
        for light in self.lights:
            if light.id == light_id:
                return light
        raise KeyError(light_id)


class Change(_Model):
    """One semantic change: which operator, on what, and the values before and after."""

    type: str
    targets: list[str] = Field(default_factory=list)  # object or light ids
    before: dict[str, Any] = Field(default_factory=dict)
    after: dict[str, Any] = Field(default_factory=dict)
    params: dict[str, Any] = Field(default_factory=dict)


class Distractor(_Model):
    """A nuisance difference that is not worth a caption (camera or light jitter)."""

    type: str
    params: dict[str, Any] = Field(default_factory=dict)


class Fallback(_Model):
    """A drawn change type no scene could carry within the sampler's tries, replaced by
    ``instead``: the last resort, recorded so the mix report can say why a type fell short."""

    type: str
    reason: str
    instead: str


class PairSpec(_Model):
    id: str
    index: int
    seed: int
    attempt: int = 0  # sub-seed: > 0 when the pair was resampled after a failed gate
    before: Scene
    after: Scene
    changes: list[Change]
    distractors: list[Distractor] = Field(default_factory=list)
    fallbacks: list[Fallback] = Field(default_factory=list)

    def to_json(self) -> str:
        """Canonical one-line JSON (key order fixed by the model), byte-stable across runs."""
        return self.model_dump_json()
