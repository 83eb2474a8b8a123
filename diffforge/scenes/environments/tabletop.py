"""The CLEVR-like tabletop: primitives on a plain square under a three-point light."""

from __future__ import annotations

import weakref

from diffforge.config import GenerateConfig
from diffforge.errors import SamplingError
from diffforge.scenes.architecture import colour, plane
from diffforge.scenes.environments.composition import (
    Composition,
    count_budget,
    fill,
    start_composition,
)
from diffforge.scenes.instances import choose
from diffforge.scenes.model import Element, Environment, Light, Scene


def compose_tabletop(
    rng, cfg: GenerateConfig, library, wants: frozenset[str] = frozenset()
) -> Composition:
    """CLEVR primitives scattered on the square, lit by key, fill and back lights."""
    # CLEVR's proportions: objects of 7-14 cm on a 90 cm square (CLEVR: 0.7-1.4 in ~6 units).
    env = Environment(
        layout="tabletop",
        extent=(0.9, 0.9, 1.0),
        floor_color=choose(rng, ["gray", "white", "beige"]),
        floor_material="rubber",
    )
    comp = start_composition(rng, cfg, library, env)
    budget = count_budget(rng, cfg)
    prims = tabletop_assets(library)
    if not prims:
        raise SamplingError(
            "layout tabletop: no CLEVR primitive and no asset of yours with placement 'surface' "
            f"at most {TABLETOP_OBJECT_M:g} m across after asset filters (import small models "
            "with --scale so they measure that: 2-unit primitives take --scale 0.05)"
        )
    fill(rng, comp, prims, comp.placer.candidates({"floor"}), budget, budget * 6)
    comp.scene.lights = [
        Light(id="key", type="area", location=(0.75, -0.75, 1.25), energy=56.0, size=0.5, name="key light"),
        Light(id="fill", type="area", location=(-1.0, -0.5, 1.0), energy=19.0, size=0.5, name="fill light"),
        Light(id="back", type="area", location=(0.0, 1.0, 1.25), energy=31.0, size=0.5, name="back light"),
    ]  # fmt: skip
    return comp


TABLETOP_OBJECT_M = 0.3  # the largest side of a user's asset the tabletop takes


_TABLETOP_ASSETS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def tabletop_assets(library) -> list:
    """What stands on the tabletop: the CLEVR primitives, and the user's own assets (any
    manifest but the built-in one) by placement and size, no tag needed: a thing that stands
    on surfaces and is at most TABLETOP_OBJECT_M across, not a person or a sign. Kept per
    library (it does not change once loaded): resolving every manifest path on each call was
    a twelfth of the sampler's time."""
    if library not in _TABLETOP_ASSETS:
        _TABLETOP_ASSETS[library] = _tabletop_assets(library)
    return list(_TABLETOP_ASSETS[library])


def _tabletop_assets(library) -> list:
    from diffforge.scenes.assets.library import BUILTIN_MANIFEST
    from diffforge.scenes.instances import is_person

    builtin = BUILTIN_MANIFEST.resolve()
    return library.select(tags_any=("clevr",)) + [
        s
        for s in library.select(placement="surface")
        if "clevr" not in s.tags
        and s.manifest_path is not None
        and s.manifest_path.resolve() != builtin
        and max(s.size) <= TABLETOP_OBJECT_M
        and not is_person(s)
        and s.text_anchor is None
    ]


def tabletop_elements(scene: Scene) -> list[Element]:
    """A ground plane to the horizon."""
    env = scene.environment
    w, d, _ = env.extent
    big = 4.0 * max(w, d, 10.0)
    ground = colour(env.floor_color, 0.5)
    return [plane("ground", (big, big), (0, 0, 0), (0, 0, 0), ground, env.floor_material)]
