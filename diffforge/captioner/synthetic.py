"""Small hand-built pair specs covering every change type, for tests and the caption benchmark.

They follow the change records the real operators write (diffforge/scenes/changes) but need no
asset library, so the captioner can be exercised before or without one. ``bench_caption`` uses
the real sampler when the library loads and these otherwise (it says which).
"""

from __future__ import annotations

import numpy as np

from diffforge.distributions import rng_for
from diffforge.scenes.changes import BUILTIN_CHANGE_TYPES
from diffforge.scenes.changes.scene_wide import Illumination
from diffforge.scenes.model import (
    Attributes,
    Camera,
    Change,
    Environment,
    Light,
    ObjectInstance,
    PairSpec,
    Pose,
    Scene,
    TextContent,
    Transform,
)
from diffforge.vocabulary import COLORS, size_word

CHANGE_TYPES = BUILTIN_CHANGE_TYPES
ILLUMINATION_KINDS = tuple(Illumination.params["kind"]["choice"])
POSE_NAMES = ("standing", "waving", "arms_raised", "pointing", "walking", "arms_crossed")
SIGN_WORDS = ("OPEN", "CLOSED", "EXIT", "SALE", "CAFE", "Cautiuos", "WET FLOOR")


def obj(
    obj_id: str,
    noun: str,
    at: tuple[float, float, float],
    dims: tuple[float, float, float],
    color: str | None = None,
    material: str | None = None,
    size: str = "medium",
    support: str = "floor",
    category: str | None = None,
    **extra,
) -> ObjectInstance:
    """An ObjectInstance in one line (tests build ambiguous scenes from these)."""
    return ObjectInstance(
        id=obj_id,
        asset=f"builtin:{(category or noun).replace(' ', '_')}",
        category=category or noun,
        noun=noun,
        attributes=Attributes(
            color=color,
            rgb=COLORS.get(color) if color else None,
            material=material,
            size=size,
            clothing=extra.pop("clothing", None),
        ),
        transform=Transform(location=at, rotation=(0.0, 0.0, extra.pop("yaw", 0.0))),
        dimensions=dims,
        support=support,
        **extra,
    )


def person(obj_id: str, at, top: str, bottom: str, pose: str = "standing", noun="person"):
    return obj(
        obj_id, noun, at, (0.5, 0.3, 1.75), category="person", clothing={"top": top, "bottom": bottom},
        pose=Pose(name=pose), tags=["person"],
    )  # fmt: skip


def room(objects: list[ObjectInstance], lights: list[Light] | None = None) -> Scene:
    """A 6 m room seen from the front, the camera framing x in about [-3, 3]."""
    return Scene(
        environment=Environment(layout="room"),
        objects=objects,
        lights=lights
        or [
            Light(id="lamp_0", type="area", location=(0.0, 0.0, 2.9), name="ceiling lamp"),
            Light(id="lamp_1", type="point", location=(2.0, 2.0, 1.5), name="floor lamp"),
            Light(id="sun_0", type="sun", name="sun"),
        ],
        camera=Camera(location=(0.0, -7.5, 3.0), look_at=(0.0, 0.5, 0.6), lens=30.0),
    )


def _pick(rng: np.random.Generator, options):
    return options[int(rng.integers(len(options)))]


def base_scene(rng: np.random.Generator) -> Scene:
    colors = list(COLORS)
    c = [str(x) for x in rng.choice(colors, size=6, replace=False)]
    mug_color = _pick(rng, colors)
    objs = [
        obj("table_1", "table", (-1.6, 1.2, 0.0), (1.2, 0.75, 0.75), "brown", "wood"),
        obj("mug_1", "mug", (-1.9, 1.1, 0.75), (0.1, 0.1, 0.12), mug_color, "ceramic",
            support="table_1", size="small", tags=["countable"]),
        obj("mug_2", "mug", (-1.4, 1.3, 0.75), (0.1, 0.1, 0.12), mug_color, "ceramic",
            support="table_1", size="small", tags=["countable"]),
        obj("chair_1", "chair", (1.6, 0.4, 0.0), (0.5, 0.5, 0.9), c[0], "plastic"),
        obj("chair_2", "chair", (2.2, 2.4, 0.0), (0.5, 0.5, 0.9), c[1], "wood"),
        obj("vase_1", "vase", (0.9, -1.6, 0.0), (0.3, 0.3, 0.5), c[2], "glass", size="large"),
        obj("sign_1", "sign", (-0.6, 2.9, 1.4), (0.8, 0.05, 0.5), c[3], "wood", support="wall",
            text=TextContent(string=_pick(rng, SIGN_WORDS), color="black")),
        person("person_1", (0.2, 0.3, 0.0), c[4], c[5], _pick(rng, POSE_NAMES)),
    ]  # fmt: skip
    return room(objs)


def _apply(kind: str, rng: np.random.Generator, before: Scene, after: Scene, n: int) -> Change:
    """A Change like the real operator's, applied to ``after`` (and ``before`` where needed)."""
    a = {o.id: o for o in after.objects}
    if kind == "viewpoint":
        direction = _pick(rng, ["left", "right"])
        x = 2.5 if direction == "right" else -2.5
        after.camera = after.camera.model_copy(update={"location": (x, -7.2, 3.4)})
        return Change(type=kind, targets=["camera"], params={
            "direction": direction, "azimuth_deg": 20.0, "elevation_deg": 6.0, "zoom": 1.0})  # fmt: skip
    if kind == "illumination":
        k = _pick(rng, ILLUMINATION_KINDS)
        params: dict = {"kind": k}
        if k in ("light_off", "light_on"):
            params["light"] = "floor lamp"
        return Change(type=kind, targets=["lamp_1"], params=params)
    if kind == "add":
        new = obj(f"plant_{n}", "potted plant", (-2.4, -0.8, 0.0), (0.4, 0.4, 0.8),
                  _pick(rng, list(COLORS)), "ceramic", category="plant")  # fmt: skip
        after.objects.append(new)
        return Change(type=kind, targets=[new.id], after={"id": new.id, "noun": new.noun})
    if kind == "disappear":
        gone = a["vase_1"]
        after.objects.remove(gone)
        return Change(type=kind, targets=[gone.id], before={"id": gone.id, "noun": gone.noun})
    if kind == "remove":
        gone = a["mug_2"]
        after.objects.remove(gone)
        return Change(type=kind, targets=[gone.id], before={"id": gone.id},
                      params={"from": "table_1", "from_noun": "table"})  # fmt: skip
    if kind == "move":
        moved = a["chair_1"]
        old = list(moved.transform.location)
        moved.transform.location = (-2.6, -1.2, 0.0)
        return Change(type=kind, targets=[moved.id], before={"location": old},
                      after={"location": list(moved.transform.location)})  # fmt: skip
    if kind == "replace":
        old_obj = a["vase_1"]
        new = obj(f"lamp_obj_{n}", "lamp", old_obj.transform.location, (0.3, 0.3, 1.2),
                  _pick(rng, list(COLORS)), "metal")  # fmt: skip
        after.objects[after.objects.index(old_obj)] = new
        return Change(type=kind, targets=[old_obj.id, new.id], before={"id": old_obj.id,
                      "noun": old_obj.noun}, after={"id": new.id, "noun": new.noun})  # fmt: skip
    if kind == "size":
        target = a["chair_2"]
        direction = _pick(rng, ["larger", "smaller"])
        factor = 1.5 if direction == "larger" else 0.6
        old = target.attributes.size
        target.transform.scale *= factor
        target.dimensions = tuple(d * factor for d in target.dimensions)
        target.attributes.size = size_word(target.transform.scale)
        return Change(type=kind, targets=[target.id], before={"size": old},
                      after={"size": target.attributes.size}, params={"direction": direction})  # fmt: skip
    if kind == "color":
        target = a[_pick(rng, ["chair_2", "person_1"])]
        if target.attributes.clothing:
            part = _pick(rng, ["top", "bottom"])
            old = target.attributes.clothing[part]
            new_c = _pick(rng, [c for c in COLORS if c not in target.attributes.clothing.values()])
            target.attributes.clothing = {**target.attributes.clothing, part: new_c}
            return Change(type=kind, targets=[target.id], before={"color": old},
                          after={"color": new_c}, params={"part": part})  # fmt: skip
        old = target.attributes.color
        new_c = _pick(rng, [c for c in COLORS if c != old])
        target.attributes.color = new_c
        return Change(type=kind, targets=[target.id], before={"color": old}, after={"color": new_c})
    if kind == "material":
        target = a["table_1"]
        old = target.attributes.material
        target.attributes.material = "metal" if old != "metal" else "wood"
        return Change(type=kind, targets=[target.id], before={"material": old},
                      after={"material": target.attributes.material})  # fmt: skip
    if kind == "orientation":
        target = a["chair_2"]
        target.transform.rotation = (0.0, 0.0, 1.57)
        return Change(type=kind, targets=[target.id], params={
            "degrees": 90.0, "direction": _pick(rng, ["clockwise", "counterclockwise"])})  # fmt: skip
    if kind == "pose":
        target = a["person_1"]
        old = target.pose.name
        target.pose = Pose(name=_pick(rng, [p for p in POSE_NAMES if p != old]))
        return Change(type=kind, targets=[target.id], before={"pose": old},
                      after={"pose": target.pose.name})  # fmt: skip
    if kind == "text":
        target = a["sign_1"]
        k = _pick(rng, ["change", "appear", "disappear"])
        old = target.text.string
        if k == "change":
            new_t = _pick(rng, [w for w in SIGN_WORDS if w != old])
            target.text = target.text.model_copy(update={"string": new_t})
            return Change(type=kind, targets=[target.id], before={"text": old},
                          after={"text": new_t}, params={"kind": k})  # fmt: skip
        if k == "appear":
            before.object(target.id).text = None
            return Change(type=kind, targets=[target.id], before={"text": None},
                          after={"text": old}, params={"kind": k})  # fmt: skip
        target.text = None
        return Change(type=kind, targets=[target.id], before={"text": old}, after={"text": None},
                      params={"kind": k})  # fmt: skip
    if kind == "count":
        template = a["mug_1"]
        extra = template.model_copy(deep=True, update={"id": f"mug_{n + 10}"})
        extra.transform.location = (-1.2, 1.0, 0.75)
        after.objects.append(extra)
        return Change(type=kind, targets=[extra.id], before={"count": 2}, after={"count": 3},
                      params={"category": "mug", "noun": "mug"})  # fmt: skip
    return Change(type="none")


# Types that touch the same objects and so cannot share a pair here.
_CLASHES = [{"disappear", "replace"}, {"remove", "count"}, {"size", "orientation", "color"}]


def synthetic_spec(index: int, seed: int = 0, types: list[str] | None = None) -> PairSpec:
    """Pair ``index``: a furnished room and 1–3 changes (or exactly ``types``)."""
    rng = rng_for(seed, index, "synthetic")
    before = base_scene(rng)
    if types is None:
        n = int(rng.choice([1, 2, 3], p=[0.45, 0.35, 0.2]))
        types = []
        for t in rng.permutation(CHANGE_TYPES):
            t = str(t)
            if t == "none" and n > 1:
                continue
            if any(t in c and types and set(types) & c for c in _CLASHES):
                continue
            types.append(t)
            if len(types) == n or t == "none":
                break
    after = before.model_copy(deep=True)
    changes = [_apply(t, rng, before, after, i) for i, t in enumerate(types)]
    return PairSpec(
        id=f"{index:08d}", index=index, seed=seed, before=before, after=after, changes=changes
    )
