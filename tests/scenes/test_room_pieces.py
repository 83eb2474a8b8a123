"""A room has one toilet, bathtub, bed, refrigerator, stove and washing machine at most
(``room.ROOM_ONE_OF``): bathrooms with three and four toilets along their walls read as shops
or public washrooms to a reviewer (review_std96s 4200/24, 44, 47)."""

from __future__ import annotations

from collections import Counter

from diffforge.config import load_config
from diffforge.distributions import rng_for
from diffforge.scenes.assets.library import AssetLibrary
from diffforge.scenes.environments import compose
from diffforge.scenes.environments.room import ROOM_ONE_OF


def test_a_room_has_one_of_each_piece_it_needs_one_of() -> None:
    cfg = load_config(None, ["scene.layouts={room: 1.0}"])
    library = AssetLibrary.load()
    kinds: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for i in range(60):
        scene = compose(rng_for(11, i, "scene", 0), "room", cfg, library)
        kinds[scene.environment.room_type] += 1
        pieces = Counter(o.asset for o in scene.objects if o.asset in ROOM_ONE_OF)
        seen.update(pieces.keys())
        assert all(n == 1 for n in pieces.values()), (scene.environment.room_type, pieces)
    # the rule had rooms to act on: bathrooms, kitchens and bedrooms with their pieces
    assert min(kinds["bathroom"], kinds["kitchen"], kinds["bedroom"]) >= 3, kinds
    assert {"toilet", "bathtub", "bed", "refrigerator"} <= set(seen), seen
