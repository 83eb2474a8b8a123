"""The procedural material library: one Principled BSDF per class, patterned by a few nodes.

Every class is a node tree around one Principled BSDF whose base colour is the named colour
modulated by a pattern with mean ≈ 1 (grain, weave, speckle, mortar), so the colour a caption
names stays the colour one sees; classes differ in pattern, bump, roughness, metalness, coat,
sheen and transmission. A recipe is the class's fixed BSDF inputs (``surface``: the base values
of vocabulary.MATERIAL_CLASSES and a few extras, data) plus a
short pattern function written with ``NodeGraph``'s calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import bpy

from diffforge.render.color import light_color, linear_rgba
from diffforge.scenes.model import Light
from diffforge.srgb import linear_to_srgb
from diffforge.vocabulary import MATERIAL_CLASSES

# Emission strength of a lit lamp's shade (a ceiling fixture's diffuser glows at 6)
SHADE_GLOW = 4.0
SHADE_GLOW_WATTS = 40.0  # ... at the layouts' lamp power; in proportion to it otherwise
SHADE_WHITE = 0.5  # share of the bulb's own colour in a lit shade's glow
EXTRA_CLASSES = ("paint", "facade")  # architecture only: walls, ceilings, building fronts


class NodeGraph:
    """A material's node tree with the handful of calls a recipe needs."""

    def __init__(self, mat, base: tuple, bevel: bool):
        self.nt = mat.node_tree
        self.base = base
        self.bsdf = self.nt.nodes["Principled BSDF"]
        self.inp = self.bsdf.inputs
        self.coord = self.node("ShaderNodeTexCoord").outputs["Object"]
        self.normal_in = None
        if bevel:
            bev = self.node("ShaderNodeBevel", {"Radius": 0.012}, samples=4)
            self.normal_in = bev.outputs["Normal"]

    def node(self, kind: str, inputs: dict | None = None, **props):
        """A new node of type ``kind`` with input defaults ``inputs`` and properties ``props``."""
        n = self.nt.nodes.new(kind)
        for k, v in props.items():
            setattr(n, k, v)
        for k, v in (inputs or {}).items():
            n.inputs[k].default_value = v
        return n

    def link(self, out, into) -> None:
        self.nt.links.new(out, into)

    def scaled(self, sx: float, sy: float, sz: float):
        """Object coordinates stretched per axis (wood grain, brushed-metal streaks)."""
        m = self.node("ShaderNodeMapping")
        m.inputs["Scale"].default_value = (sx, sy, sz)
        self.link(self.coord, m.inputs["Vector"])
        return m.outputs["Vector"]

    def noise(self, vec, scale: float, detail: float = 2.0, rough: float = 0.5):
        n = self.node("ShaderNodeTexNoise", {"Scale": scale, "Detail": detail, "Roughness": rough})
        self.link(vec, n.inputs["Vector"])
        return n.outputs["Factor"]

    def math(self, operation: str, *inputs):
        """A Math node; each input is a socket (linked) or a number (its default)."""
        m = self.node("ShaderNodeMath", operation=operation)
        for i, v in enumerate(inputs):
            if isinstance(v, (int, float)):
                m.inputs[i].default_value = v
            else:
                self.link(v, m.inputs[i])
        return m.outputs[0]

    def times_range(self, colour, fac, lo: float, hi: float):
        """``colour`` (a default or a socket) × ``fac`` mapped to [lo, hi]."""
        rng = self.node("ShaderNodeMapRange", {"To Min": lo, "To Max": hi})
        self.link(fac, rng.inputs["Value"])
        mix = self.node("ShaderNodeMix", {"Factor": 1.0}, data_type="RGBA", blend_type="MULTIPLY")
        if isinstance(colour, tuple):
            mix.inputs[6].default_value = colour  # A (RGBA)
        else:
            self.link(colour, mix.inputs[6])
        self.link(rng.outputs["Result"], mix.inputs[7])  # B
        return mix.outputs[2]

    def colour_by(self, fac, lo: float, hi: float) -> None:
        """Base colour × a factor mapped to [lo, hi] (mean close to 1)."""
        self.link(self.times_range(self.base, fac, lo, hi), self.inp["Base Color"])

    def rough_by(self, fac, lo: float, hi: float) -> None:
        rng = self.node("ShaderNodeMapRange", {"To Min": lo, "To Max": hi})
        self.link(fac, rng.inputs["Value"])
        self.link(rng.outputs["Result"], self.inp["Roughness"])

    def bump(self, height, strength: float, distance: float = 0.02) -> bool:
        b = self.node("ShaderNodeBump", {"Strength": strength, "Distance": distance})
        self.link(height, b.inputs["Height"])
        if self.normal_in is not None:
            self.link(self.normal_in, b.inputs["Normal"])
        self.link(b.outputs["Normal"], self.inp["Normal"])
        return True


# The BSDF inputs behind vocabulary.MATERIAL_CLASSES' base values (the one table of them).
BASE_INPUTS = {"roughness": "Roughness", "metallic": "Metallic",
               "transmission": "Transmission Weight", "specular": "Specular IOR Level",
               "coat": "Coat Weight"}  # fmt: skip
# What a class sets beyond its base values; "paint" and "facade" are architecture's own.
EXTRA_INPUTS: dict[str, dict[str, float]] = {
    "paint": {"Roughness": 0.8, "Specular IOR Level": 0.3},
    "fabric": {"Sheen Weight": 0.6, "Sheen Roughness": 0.4},
    "leather": {"Coat Roughness": 0.35},
    "metal": {"Anisotropic": 0.8},
    "ceramic": {"Coat Roughness": 0.02, "Subsurface Weight": 0.15},
    "glass": {"IOR": 1.45},
    "paper": {"Diffuse Roughness": 1.0, "Subsurface Weight": 0.3, "Subsurface Scale": 0.01},
}  # fmt: skip


def surface(cls: str) -> dict[str, float]:
    """The BSDF inputs class ``cls`` sets directly (patterns may then drive some of them)."""
    base = {BASE_INPUTS[k]: v for k, v in MATERIAL_CLASSES.get(cls, {}).items()}
    return {**base, **EXTRA_INPUTS.get(cls, {})}


def _plastic(g: NodeGraph) -> bool:
    g.rough_by(g.noise(g.coord, 6.0), 0.26, 0.36)
    return False


def _facade(g: NodeGraph) -> bool:
    """A plain building front: wall colour between dark window panes."""
    grid = g.node(
        "ShaderNodeTexBrick",
        {"Scale": 1.0, "Mortar Size": 0.45, "Mortar Smooth": 0.0, "Brick Width": 2.2,
         "Row Height": 3.2, "Color1": (0.03, 0.04, 0.06, 1.0),
         "Color2": (0.05, 0.06, 0.08, 1.0), "Mortar": g.base},
        offset=0.0,
    )  # fmt: skip
    flat = g.node("ShaderNodeCombineXYZ")
    sep = g.node("ShaderNodeSeparateXYZ")
    g.link(g.node("ShaderNodeNewGeometry").outputs["Position"], sep.inputs[0])
    g.link(sep.outputs["X"], flat.inputs["X"])
    g.link(sep.outputs["Z"], flat.inputs["Y"])
    g.link(flat.outputs[0], grid.inputs["Vector"])
    g.link(grid.outputs["Color"], g.inp["Base Color"])
    g.rough_by(grid.outputs["Factor"], 0.08, 0.85)
    return False


def _paint(g: NodeGraph) -> bool:
    """Painted walls and ceilings: matte, barely mottled."""
    g.colour_by(g.noise(g.coord, 2.0, 3.0), 0.95, 1.03)
    return False


def _rubber(g: NodeGraph) -> bool:
    fine = g.noise(g.coord, 120.0, 2.0)
    g.colour_by(g.noise(g.coord, 14.0), 0.8, 0.92)
    return g.bump(fine, 0.15, 0.005)


def _wood(g: NodeGraph) -> bool:
    wave = g.node(
        "ShaderNodeTexWave",
        {"Scale": 2.2, "Distortion": 7.0, "Detail": 3.0, "Detail Scale": 1.4},
        wave_type="BANDS", bands_direction="X", wave_profile="SIN",
    )  # fmt: skip
    g.link(g.scaled(0.25, 6.0, 6.0), wave.inputs["Vector"])
    grain = wave.outputs["Factor"]
    g.colour_by(grain, 0.68, 1.18)
    g.rough_by(grain, 0.62, 0.42)
    return g.bump(grain, 0.08)


def _fabric(g: NodeGraph) -> bool:
    threads = []
    for axis in ("X", "Y"):
        wave = g.node("ShaderNodeTexWave", {"Scale": 45.0, "Distortion": 0.4}, bands_direction=axis)
        g.link(g.coord, wave.inputs["Vector"])
        threads.append(wave.outputs["Factor"])
    weave = g.math("MAXIMUM", *threads)
    g.colour_by(g.math("MULTIPLY", weave, g.noise(g.coord, 9.0, 3.0)), 0.78, 1.12)
    return g.bump(weave, 0.45, 0.01)


def _leather(g: NodeGraph) -> bool:
    vor = g.node("ShaderNodeTexVoronoi", {"Scale": 28.0}, feature="DISTANCE_TO_EDGE")
    g.link(g.coord, vor.inputs["Vector"])
    g.colour_by(vor.outputs["Distance"], 0.7, 1.08)
    return g.bump(vor.outputs["Distance"], 0.6, 0.01)


def _metal(g: NodeGraph) -> bool:
    """Brushed: streaks along x vary the roughness and the bump."""
    streaks = g.noise(g.scaled(400.0, 3.0, 3.0), 1.0, 2.0)
    g.rough_by(streaks, 0.22, 0.4)
    return g.bump(streaks, 0.05, 0.005)


def _ceramic(g: NodeGraph) -> bool:
    g.colour_by(g.noise(g.coord, 3.0, 2.0), 0.96, 1.04)
    return False


def _paper(g: NodeGraph) -> bool:
    fibres = g.noise(g.coord, 40.0, 3.0, 0.75)
    pages = g.node("ShaderNodeTexWave", {"Scale": 14.0}, bands_direction="Z")
    g.link(g.coord, pages.inputs["Vector"])
    g.colour_by(g.math("MULTIPLY_ADD", pages.outputs["Factor"], 0.5, fibres), 0.8, 1.12)
    return g.bump(fibres, 0.05, 0.005)


def _masonry(tiles: bool) -> Callable[[NodeGraph], bool]:
    """Bricks (offset rows, dark mortar) or square tiles (light grout)."""

    def recipe(g: NodeGraph) -> bool:
        br = g.node(
            "ShaderNodeTexBrick",
            {"Scale": 1.0, "Mortar Size": 0.006 if tiles else 0.012,
             "Brick Width": 0.3 if tiles else 0.24, "Row Height": 0.3 if tiles else 0.075,
             "Color1": g.base, "Color2": (*(c * (0.9 if tiles else 0.72) for c in g.base[:3]), 1.0),
             "Mortar": (0.55, 0.55, 0.52, 1.0) if tiles else (0.3, 0.3, 0.28, 1.0)},
            offset=0.0 if tiles else 0.5,
        )  # fmt: skip
        g.link(g.coord, br.inputs["Vector"])
        speckle = g.noise(g.coord, 30.0 if not tiles else 2.0)
        g.link(g.times_range(br.outputs["Color"], speckle, 0.88, 1.1), g.inp["Base Color"])
        g.rough_by(br.outputs["Factor"], 0.12 if tiles else 0.8, 0.9)
        return g.bump(g.math("SUBTRACT", 1.0, br.outputs["Factor"]), 0.6 if tiles else 0.9, 0.01)

    return recipe


def _concrete(g: NodeGraph) -> bool:
    pores = g.node("ShaderNodeTexVoronoi", {"Scale": 45.0}, feature="F1")
    g.link(g.coord, pores.inputs["Vector"])
    stain = g.math("MULTIPLY_ADD", g.noise(g.coord, 1.6, 4.0, 0.7), 1.6, pores.outputs["Distance"])
    g.colour_by(stain, 0.55, 1.3)
    return g.bump(pores.outputs["Distance"], 0.25, 0.004)


def _asphalt(g: NodeGraph) -> bool:
    grit = g.node("ShaderNodeTexVoronoi", {"Scale": 70.0}, feature="F1")
    g.link(g.coord, grit.inputs["Vector"])
    g.colour_by(grit.outputs["Color"], 0.55, 1.35)
    return g.bump(grit.outputs["Color"], 0.4, 0.004)


PATTERNS: dict[str, Callable[[NodeGraph], bool]] = {
    "plastic": _plastic, "facade": _facade, "paint": _paint, "rubber": _rubber, "wood": _wood,
    "fabric": _fabric, "leather": _leather, "metal": _metal,
    "metal_polished": lambda g: False, "ceramic": _ceramic, "glass": lambda g: False,
    "paper": _paper, "brick": _masonry(False), "tiles": _masonry(True),
    "concrete": _concrete, "asphalt": _asphalt,
}  # fmt: skip


def shade(mat, base: tuple, cls: str, bevel: bool) -> None:
    """Fill ``mat``'s node tree for class ``cls`` around the linear RGBA base colour ``base``;
    ``bevel`` rounds hard edges in the shading normal."""
    g = NodeGraph(mat, base, bevel)
    g.inp["Base Color"].default_value = base
    g.inp["Specular IOR Level"].default_value = 0.5
    for name, value in surface(cls).items():
        g.inp[name].default_value = value
    bumped = PATTERNS[cls](g) if cls in PATTERNS else False
    if g.normal_in is not None and not bumped:
        g.link(g.normal_in, g.inp["Normal"])


class MaterialLibrary:
    """A pair's materials, each made once and shared by the two scenes and every object."""

    def __init__(self) -> None:
        self._made: dict[tuple, Any] = {}

    def material(self, rgb, material: str | None, bevel: bool = False):
        """A procedural PBR material of class ``material`` (plastic when unnamed), shared."""
        cls = material if material in (*MATERIAL_CLASSES, *EXTRA_CLASSES) else "plastic"
        key = (tuple(round(float(c), 6) for c in rgb), cls, bevel)
        if key not in self._made:
            mat = bpy.data.materials.new(f"df_{cls}")  # 5.0: comes with a node tree
            shade(mat, linear_rgba(rgb), cls, bevel)
            self._made[key] = mat
        return self._made[key]

    def glowing_shade(self, rgb, light: Light):
        """A lamp shade lit from inside: the light's colour tinted by the fabric's own."""
        # in proportion to the lamp's power (a darker room's shades dim with it), at most twice
        # the glow of a lamp at the layouts' power
        strength = SHADE_GLOW * min(light.energy / SHADE_GLOW_WATTS, 2.0)
        key = ("glow", tuple(round(float(c), 4) for c in rgb), light_color(light), strength)
        if key not in self._made:
            mat = self.material(rgb, "fabric").copy()
            mat.name = "df_glow_shade"
            bsdf = next(n for n in mat.node_tree.nodes if n.bl_idname == "ShaderNodeBsdfPrincipled")
            # mostly the bulb's light, tinted by the fabric (the fabric's colour times the
            # bulb's alone can be dark: benchmarks/calibration.md)
            tint = [SHADE_WHITE + (1.0 - SHADE_WHITE) * t for t in linear_rgba(rgb)[:3]]
            glow = [t * c for t, c in zip(tint, light_color(light), strict=True)]
            bsdf.inputs["Emission Color"].default_value = (*glow, 1.0)
            bsdf.inputs["Emission Strength"].default_value = strength
            mat.cycles.emission_sampling = "NONE"  # the lamp's light does the lighting
            self._made[key] = mat
        return self._made[key]

    def emitter(self, rgb, strength: float):
        """A light fixture's diffuser: off-white, glowing in ``rgb`` (linear) at ``strength``."""
        key = ("emit", tuple(round(float(c), 4) for c in rgb), round(strength, 4))
        if key not in self._made:
            mat = bpy.data.materials.new("df_emitter")
            bsdf = mat.node_tree.nodes["Principled BSDF"]
            bsdf.inputs["Base Color"].default_value = (0.9, 0.9, 0.88, 1.0)
            bsdf.inputs["Emission Color"].default_value = (*rgb, 1.0)
            bsdf.inputs["Emission Strength"].default_value = strength
            bsdf.inputs["Roughness"].default_value = 0.5
            mat.cycles.emission_sampling = "NONE"  # the lamp's light does the lighting
            self._made[key] = mat
        return self._made[key]


def base_colour(mat) -> tuple[float, float, float] | None:
    """The sRGB base colour of an imported material (to keep it when only material changes)."""
    if mat is None or mat.node_tree is None:
        return None
    for node in mat.node_tree.nodes:
        if node.bl_idname == "ShaderNodeBsdfPrincipled":
            return tuple(linear_to_srgb(node.inputs["Base Color"].default_value[:3]).tolist())
    return None
