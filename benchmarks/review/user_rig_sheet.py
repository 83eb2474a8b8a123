"""A contact sheet of the test's user rig (tests/render/user_rig_script.py: other bone names,
axes and rolls, an A-pose, a Y-up glTF in centimetres) beside the mannequin in every pose of
the library: the front view, then the view from the figures' left.

    python benchmarks/review/user_rig_sheet.py OUT_DIR [odd_rig|handless_rig] [--poses N]

Writes OUT_DIR/out (the rendered dataset) and OUT_DIR/sheet.png.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "render"))


def sheet(root: Path, out: Path) -> None:
    from PIL import Image, ImageDraw

    recs = [json.loads(x) for x in (root / "pairs.jsonl").read_text().splitlines() if x.strip()]
    tiles = []
    for rec in sorted(recs, key=lambda r: r["index"]):
        spec = json.loads((root / rec["scene"]).read_text())["spec"]
        for side, view in (("before", "front"), ("after", "left side")):
            im = Image.open(root / rec[side]).convert("RGB")
            rig = next(o for o in spec[side]["objects"] if o["id"] == "rig_1")
            draw = ImageDraw.Draw(im)
            draw.rectangle([0, 0, im.width, 13], fill=(0, 0, 0))
            draw.text((3, 1), f"{rig['asset']} | mannequin: {rig['pose']['name']}, {view}",
                      fill=(255, 255, 0))  # fmt: skip
            tiles.append(im)
    if not tiles:
        failures = json.loads((root / "dataset.json").read_text()).get("failures", [])
        sys.exit(f"user_rig_sheet: no pair rendered in {root}: {failures}")
    cols = 4
    w, h = tiles[0].size
    page = Image.new("RGB", (w * cols, h * -(-len(tiles) // cols)))
    for i, tile in enumerate(tiles):
        page.paste(tile, ((i % cols) * w, (i // cols) * h))
    page.save(out)


def main(out: Path, rig: str, poses: int | None = None) -> None:
    import test_render_user_rig as t

    from diffforge.config import GenerateConfig
    from diffforge.render import generate
    from diffforge.render.assets import LibraryResolver
    from diffforge.scenes.assets.characters import POSES
    from diffforge.scenes.assets.library import AssetLibrary

    out.mkdir(parents=True, exist_ok=True)
    manifest = t._manifest(out)
    render = {"preset": "draft", "resolution": [256, 192], "samples": 8, "denoise": False}
    # each pair holds one pose seen from two sides, not a pose change: no limb-shift gate
    vis = {"min_limb_shift_px": 0.0}
    cfg = GenerateConfig.model_validate(
        {"seed": 0, "render": render, "visibility": vis, "assets": {"manifests": [str(manifest)]}}
    )
    library = AssetLibrary.load(cfg.assets)
    specs = []
    for i, pose in enumerate(sorted(POSES)[:poses]):
        spec = t._pair(i, library, rig, (pose, pose))
        side = spec.after  # seen from the figures' left, the rig nearer the camera's left
        side.camera = side.camera.model_copy(update={"location": (5.5, 0.0, 1.4)})
        side.object("rig_1").transform.location = (0.0, 0.6, 0.0)
        side.object("person_1").transform.location = (0.0, -0.6, 0.0)
        specs.append(spec)
    generate(cfg, out / "out", None, specs=specs, resolver=LibraryResolver(cfg.assets),
             progress=False, captions=False, workers=1)  # fmt: skip
    sheet(out / "out", out / "sheet.png")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out_dir", type=Path, help="where the dataset and sheet.png go")
    parser.add_argument("rig", nargs="?", default="odd_rig", choices=["odd_rig", "handless_rig"])
    parser.add_argument("--poses", type=int, default=None, help="only the first N poses")
    args = parser.parse_args()
    main(args.out_dir, args.rig, args.poses)
