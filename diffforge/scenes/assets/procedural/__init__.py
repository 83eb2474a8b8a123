"""The built-in procedural assets: ``fn(**params) -> trimesh.Scene``, deterministic in params.

Each scene has one geometry per material slot ("body", "legs", "shade", "glass", "board", ...)
so the renderer can recolour a slot by name. Units are metres, Z up, the origin at the bottom
centre and the front facing -Y (Blender's front view; the layouts' camera looks from -Y).
Text-bearing assets store their writable face in ``scene.metadata["text_anchor"]`` and holders
their top in ``scene.metadata["surface_height"]``; the library rescales the scene to the
manifest's exact size, and the manifest carries the same values at that size.

One module per family (furniture, lighting, decor, ...), the shared builders in ``parts``. A
manifest names a generator ``procedural:<function>`` and resolves it as an attribute of this
package, so every generator is re-exported here.
"""

from __future__ import annotations

from diffforge.scenes.assets.procedural.buildings import building_facade
from diffforge.scenes.assets.procedural.clevr import clevr_cube, clevr_cylinder, clevr_sphere
from diffforge.scenes.assets.procedural.decor import (
    candle,
    picture_frame,
    rug,
    television,
    wall_clock,
)
from diffforge.scenes.assets.procedural.furniture import (
    armchair,
    cabinet,
    chair,
    desk,
    round_table,
    shelf,
    sofa,
    stool,
    table,
)
from diffforge.scenes.assets.procedural.lighting import (
    floor_lamp,
    pendant_lamp,
    street_lamp,
    table_lamp,
)
from diffforge.scenes.assets.procedural.nature import bush, plant_pot, potted_plant, tree
from diffforge.scenes.assets.procedural.parts import Parts
from diffforge.scenes.assets.procedural.signs import (
    floor_text,
    poster,
    shop_sign,
    sign_board,
    sign_post,
    wall_text,
)
from diffforge.scenes.assets.procedural.small_objects import (
    ball,
    block_tower,
    book,
    cardboard_box,
    laptop,
    toy_car,
)
from diffforge.scenes.assets.procedural.street import (
    bench,
    bicycle,
    bollard,
    car,
    fire_hydrant,
    traffic_cone,
    trash_bin,
)
from diffforge.scenes.assets.procedural.tableware import (
    apple,
    bottle,
    bowl,
    cup,
    mug,
    orange,
    soda_can,
    teapot,
    vase,
)

GENERATOR_VERSION = 1  # bump when any generator's output changes (part of the GLB cache key)

# every generator, family by family: what ``procedural:<name>`` in a manifest can name
__all__ = [
    "GENERATOR_VERSION",
    "Parts",
    "apple",
    "armchair",
    "ball",
    "bench",
    "bicycle",
    "block_tower",
    "bollard",
    "book",
    "bottle",
    "bowl",
    "building_facade",
    "bush",
    "cabinet",
    "candle",
    "car",
    "cardboard_box",
    "chair",
    "clevr_cube",
    "clevr_cylinder",
    "clevr_sphere",
    "cup",
    "desk",
    "fire_hydrant",
    "floor_lamp",
    "floor_text",
    "laptop",
    "mug",
    "orange",
    "pendant_lamp",
    "picture_frame",
    "plant_pot",
    "poster",
    "potted_plant",
    "round_table",
    "rug",
    "shelf",
    "shop_sign",
    "sign_board",
    "sign_post",
    "soda_can",
    "sofa",
    "stool",
    "street_lamp",
    "table",
    "table_lamp",
    "teapot",
    "television",
    "toy_car",
    "traffic_cone",
    "trash_bin",
    "tree",
    "vase",
    "wall_clock",
    "wall_text",
]
