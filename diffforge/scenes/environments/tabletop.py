"""The CLEVR-like tabletop: primitives on a plain square under a three-point light."""

from __future__ import annotations

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
    prims = library.select(tags_any=("clevr",))
    if not prims:
        raise SamplingError("layout tabletop: no assets tagged 'clevr' after asset filters")
    fill(rng, comp, prims, comp.placer.candidates({"floor"}), budget, budget * 6)
    comp.scene.lights = [
        Light(id="key", type="area", location=(0.75, -0.75, 1.25), energy=56.0, size=0.5, name="key light"),
        Light(id="fill", type="area", location=(-1.0, -0.5, 1.0), energy=19.0, size=0.5, name="fill light"),
        Light(id="back", type="area", location=(0.0, 1.0, 1.25), energy=31.0, size=0.5, name="back light"),
    ]  # fmt: skip
    return comp


def tabletop_elements(scene: Scene) -> list[Element]:
    """A ground plane to the horizon."""
    env = scene.environment
    w, d, _ = env.extent
    big = 4.0 * max(w, d, 10.0)
    ground = colour(env.floor_color, 0.5)
    return [plane("ground", (big, big), (0, 0, 0), (0, 0, 0), ground, env.floor_material)]
