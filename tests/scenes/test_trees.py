"""Trees (issue 25): crowns of many small leaf clumps with gaps the sun passes through (dappled
shadows, not one dark oval), conifers as jagged whorls, foliage only in plausible colours."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from scipy.spatial import ConvexHull

from diffforge.config import load_config
from diffforge.scenes.assets import AssetLibrary
from diffforge.scenes.assets.shapes import variants

REPO = Path(__file__).resolve().parents[2]
LIB = AssetLibrary.load()
TREES = variants(LIB.get("tree"))
# what leaves may look like: green, or brown for autumn (no red, orange or yellow lollipops)
FOLIAGE_COLOURS = {"green", "brown"}


def gap_share(mesh, axis: int, n: int = 96) -> float:
    """Share of the crown's silhouette (its convex outline seen along ``axis``) that no
    triangle covers: where sunlight along that axis passes through the crown."""
    v = mesh.vertices[:, [i for i in range(3) if i != axis]]
    q = (v - v.min(0)) / (v.max(0) - v.min(0)) * (n - 1)
    cover, outline = Image.new("L", (n, n)), Image.new("L", (n, n))
    draw = ImageDraw.Draw(cover)
    for face in mesh.faces:
        draw.polygon([tuple(q[i]) for i in face], fill=255)
    ImageDraw.Draw(outline).polygon([tuple(q[i]) for i in ConvexHull(q).vertices], fill=255)
    inside = np.asarray(outline) > 0
    return float(1.0 - (np.asarray(cover)[inside] > 0).mean())


def test_gap_share_sees_a_solid_ball_as_solid():
    """The measure itself: a closed ball lets no light through, two apart balls do."""
    import trimesh

    ball = trimesh.creation.icosphere(2)
    assert gap_share(ball, 0) < 0.02
    pair = trimesh.util.concatenate([ball, ball.copy().apply_translation((0, 3, 0))])
    assert gap_share(pair, 0) > 0.2


@pytest.mark.parametrize("shape_id", sorted(TREES))
def test_crowns_are_many_clumps_with_gaps(shape_id):
    """Every crown but a palm's is many separate pieces, and from the side and from above a
    sizeable share of its outline is open (the old crowns of ~10 big lumps left 2-8 %)."""
    style = TREES[shape_id]["style"]
    if style == "palm":
        pytest.skip("a palm's crown is its fronds")
    foliage = LIB.build(shape_id).geometry["foliage"]
    pieces = foliage.split(only_watertight=False)
    if style == "conifer":  # whorls: each a star of drooping tips, not a smooth cone
        assert len(pieces) >= 5
        for whorl in pieces:
            centre = whorl.vertices.mean(0)
            radius = np.linalg.norm(whorl.vertices[:, :2] - centre[:2], axis=1)
            assert radius.max() > 1.6 * np.median(radius)  # tips stand out of notches
    else:
        assert len(pieces) >= 30, len(pieces)
    for axis in (0, 1):
        assert gap_share(foliage, axis) > 0.1, (shape_id, axis)
    assert gap_share(foliage, 2) > 0.07


def test_tree_polygon_count_stays_modest():
    """Many small clumps cost faces: every variant stays under 10k triangles."""
    for shape_id in TREES:
        faces = sum(len(g.faces) for g in LIB.build(shape_id).geometry.values())
        assert faces < 10_000, (shape_id, faces)


def test_foliage_palettes_hold_only_plausible_colours():
    for asset in ("tree", "bush"):
        spec = LIB.get(asset)
        assert set(spec.colors) <= FOLIAGE_COLOURS and spec.default_color in FOLIAGE_COLOURS


@pytest.fixture(scope="module")
def default_pairs(spec_cache):
    return spec_cache.specs(load_config(REPO / "configs/default.yaml"), 500)


def test_sampled_foliage_and_its_colour_changes_stay_plausible(default_pairs):
    """Over 500 default specs every tree and bush, before and after (a colour change
    included), wears a foliage colour; and trees do take part in colour changes."""
    seen, changed = defaultdict(int), 0
    for pair in default_pairs:
        before = {o.id: o for o in pair.before.objects}
        for obj in pair.after.objects:
            if obj.category not in ("tree", "bush"):
                continue
            assert obj.attributes.color in FOLIAGE_COLOURS, (pair.id, obj.id, obj.attributes)
            seen[obj.attributes.color] += 1
            old = before.get(obj.id)
            changed += old is not None and old.attributes.color != obj.attributes.color
    # the palette is drawn evenly (a green tree may turn brown and back): both colours occur
    assert seen["green"] > 0 and seen["brown"] > 0, seen
    assert changed >= 1


def test_tree_shapes_vary_over_500_default_specs(default_pairs):
    trees = [o for p in default_pairs for o in p.before.objects if o.category == "tree"]
    assert len(trees) >= 20
    assert len({o.shape for o in trees}) >= 8
