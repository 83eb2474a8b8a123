"""Issue 27's Done-when line per file of the messy corpus (tests/render/messy_scenes_script.py).

PYTHONPATH=. python benchmarks/messy_check.py DIR N [--render] [--kinds K ...] [--user U ...]
    [--primitives P] [--keep OUT] [--shapes FOLDER]

Builds the corpus in DIR (where it is missing) and scans it, then per file, with the messy-files
test's draft config (tests/render/test_messy_files.py): the share of object changes on the
file's own objects over specs 0..N-1 (a change is on them where a target's asset is the file's,
a count's linked duplicates included), its binomial standard error, and the worst change type
off its configured share among the types the file's scenes carry. With --render: 6 draft
pairs, the fewest objects >= 12 px in either image of a pair (>= 2 required) and the most
resampled attempts of a pair (<= 1 required). --user adds scenes of
tests/render/user_scenes_script.py (the slab of primitives). On stderr per file: the chance of
a draw for the file's objects its pilot calibrated (``file_share.calibrated``), the pilot's
passes [chance, own, object changes] and the sampler's build CPU seconds (the pilot included
unless a calibration beside the file was read back). With --primitives P: P draft pairs (128x96, 4
samples) rendered from sphere, cube and cylinder saved as 2-unit glTF meshes and imported with
the suggested --scale (the mix of tests/scenes/test_import_symmetry.py): the orientation changes
per shape with their degrees, and the colour changes whose first caption names the new colour;
--keep OUT keeps those pairs (a dataset for benchmarks/review_contact_sheet.py; OUT must not
exist yet); --shapes FOLDER imports that folder's shapes instead (CLEVR's own .blend shapes).
--keep-renders DIR keeps each file's rendered pairs in DIR/<file>: a pair's scene JSON lists
every rejected attempt's reasons ("resampled"). --profile OUT: the first file's sampler build
(its pilots) under cProfile, stats in OUT (python -m pstats OUT).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests" / "render" / "messy_scenes_script.py"
USER_SCRIPT = ROOT / "tests" / "render" / "user_scenes_script.py"  # --user: its untagged scenes
USER_KINDS = ("backdrop", "slab", "interior", "interior_cm")
KINDS = ("flipped_backdrop", "negative_scale", "modifiers", "instances", "missing_texture",
         "centimetres", "linked_library", "y_up")  # fmt: skip
OBJECT_CHANGES = {"color", "material", "size", "move", "orientation", "disappear", "remove",
                  "replace", "count", "text"}  # fmt: skip


def draft_config(blend: Path):
    """The messy-files test's config: draft pairs at 256x192, 2 samples, the file's layout."""
    from diffforge.config import load_config

    return load_config(None, [
        f"assets.environment={blend}", "scene.layouts={environment: 1.0}", "seed=1",
        "render.preset=draft", "render.resolution=[256, 192]", "render.samples=2",
        "render.denoise=false",
    ])  # fmt: skip


def sampled(blend: Path, n: int, profile: Path | None = None) -> dict:
    """Own-object share, its standard error and the change mix over specs 0..n-1.
    ``profile``: the sampler's first build (its pilots) run under cProfile, stats written there."""
    from diffforge.scenes.environments.file_share import (
        _CALIBRATED,
        calibration_key,
        on_file_objects,
    )
    from diffforge.scenes.sampler import PairSampler, configured_mix

    cfg = draft_config(blend)
    t0 = time.process_time()
    if profile is not None:
        import cProfile

        prof = cProfile.Profile()
        sampler = prof.runcall(PairSampler, cfg)
        prof.dump_stats(profile)
    else:
        sampler = PairSampler(cfg)  # the file's chances calibrated on a pilot (or read back)
    build_s = time.process_time() - t0
    calibration = _CALIBRATED.get(calibration_key(cfg), {})
    hits: list[bool] = []
    types: Counter[str] = Counter()
    failed = 0
    for i in range(n):
        try:
            spec = sampler.sample(i)
        except Exception:  # counted: a spec the sampler cannot give
            failed += 1
            continue
        for c in spec.changes:
            types[c.type] += 1
            if c.type in OBJECT_CHANGES:
                hits.append(on_file_objects(spec, c))
    share = sum(hits) / max(len(hits), 1)
    weights, _ = configured_mix(cfg)
    carried = {t for t in types if t != "none"}  # the types the file's scenes gave at all
    w_total = sum(weights[t] for t in carried)
    n_total = sum(types[t] for t in carried)
    worst = max(carried, key=lambda t: abs(types[t] / n_total / (weights[t] / w_total) - 1))
    dev = types[worst] / n_total / (weights[worst] / w_total) - 1
    never = sorted(t for t, w in weights.items() if w > 0 and t not in types and t != "none")
    return {
        "share": share,
        "se": (share * (1 - share) / max(len(hits), 1)) ** 0.5,
        "object_changes": len(hits),
        "failed": failed,
        "worst_type": f"{worst} {dev:+.1%}",
        "never": never,
        "chance": calibration.get("chance"),
        "passes": calibration.get("passes"),
        "build_cpu_s": round(build_s, 1),
    }


def rendered(blend: Path, out: Path) -> dict:
    """6 draft pairs: fewest objects >= 12 px in an image of a pair, most resampled attempts."""
    import numpy as np

    from diffforge.dataset import read_pairs
    from diffforge.dataset.files import load_image
    from diffforge.render import generate

    summary = generate(draft_config(blend), out, 6, workers=1, cache_dir=out / "cache",
                       progress=False)  # fmt: skip
    recs = read_pairs(out)
    shown = []
    for rec in recs:
        least = None
        for side in (rec.masks.before, rec.masks.after):
            mask = load_image(out / side)
            _, counts = np.unique(mask[mask > 0], return_counts=True)
            k = int((counts >= 12).sum())
            least = k if least is None else min(least, k)
        shown.append(least)
    reasons = {}  # every rejected attempt's reasons, per pair that had one
    for rec in recs:
        scene = json.loads((out / rec.scene).read_text())
        if scene.get("resampled"):
            reasons[scene["spec"]["index"]] = scene["resampled"]
    return {
        "resampled": reasons,
        "pairs": len(recs),
        "render_failed": summary["failed"],
        "min_objects_12px": min(shown) if shown else 0,
        "max_resampled": max((r.rejected_attempts for r in recs), default=0),
    }


def primitives(folder: Path, n: int, given: Path | None = None) -> dict:
    """``n`` rendered pairs from imported primitives: turns per shape, colours captioned.
    ``given``: a folder of shapes to import instead of the ones made here (CLEVR's own 2-unit
    .blend shapes, kept aside: tests/data/public/README.md)."""
    import numpy as np
    import trimesh

    from diffforge.config import load_config
    from diffforge.dataset import read_pairs
    from diffforge.render import generate
    from diffforge.scenes.assets.importer import PRIMITIVE_SUGGESTED, import_assets

    shapes = given or folder / "shapes"
    shapes.mkdir(parents=True, exist_ok=True)
    y_up = trimesh.transformations.rotation_matrix(-np.pi / 2, [1, 0, 0])  # glTF is Y-up
    for name, mesh in {
        "sphere": trimesh.creation.icosphere(subdivisions=3, radius=1.0),
        "cube": trimesh.creation.box((2, 2, 2)),
        "cylinder": trimesh.creation.cylinder(radius=1.0, height=2.0, sections=32),
    }.items():
        if given is not None:
            break
        mesh.apply_transform(y_up)
        mesh.export(shapes / f"{name}.glb")
    import_assets(shapes, folder / "shapes.json", scale=PRIMITIVE_SUGGESTED)
    cfg = load_config(None, [
        f"assets.manifests=[{folder / 'shapes.json'}]", "assets.include={tags: [imported]}",
        "scene.layouts={tabletop: 1.0}", "seed=2",
        "changes.weights={color: 1.5, orientation: 1.5, size: 1, move: 1, add: 1, disappear: 1}",
        "render.preset=draft", "render.resolution=[128, 96]", "render.samples=4",
        "render.denoise=false",
    ])  # fmt: skip
    out = folder / "out"
    summary = generate(cfg, out, n, workers=1, cache_dir=folder / "cache", progress=False)
    turns: dict[str, list[float]] = {}
    colours = captioned = 0
    for rec in read_pairs(out):
        spec = json.loads((out / rec.scene).read_text())["spec"]
        assets = {o["id"]: o["asset"] for o in spec["before"]["objects"]}
        first = rec.captions[0].text if rec.captions else ""
        for c in spec["changes"]:
            if c["type"] == "orientation":
                turns.setdefault(assets[c["targets"][0]], []).append(c["params"]["degrees"])
            if c["type"] == "color":
                colours += 1
                captioned += c["after"]["color"] in first
    return {
        "pairs": summary["pairs"],
        "failed": summary["failed"],
        "turns": turns,
        "colour_changes": colours,
        "colour_captioned": captioned,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path, help="where the corpus is (built there if missing)")
    ap.add_argument("n", type=int, help="specs 0..n-1 to sample per file")
    ap.add_argument("--render", action="store_true", help="also render 6 draft pairs per file")
    ap.add_argument("--kinds", nargs="*", default=list(KINDS), choices=KINDS)
    ap.add_argument(
        "--user",
        nargs="*",
        default=[],
        choices=USER_KINDS,
        help="also these scenes of tests/render/user_scenes_script.py",
    )
    ap.add_argument("--primitives", type=int, default=0, help="pairs from imported primitives")
    ap.add_argument("--keep", type=Path, help="a new folder to keep the primitive pairs in")
    ap.add_argument("--shapes", type=Path, help="import these shapes instead (read only)")
    ap.add_argument("--profile", type=Path, help="cProfile the first file's sampler build here")
    ap.add_argument(
        "--keep-renders",
        type=Path,
        help="keep each file's 6 pairs in this folder/<file> (their scene JSON holds every "
        "attempt's rejection reasons, 'resampled'); a temporary folder otherwise",
    )
    args = ap.parse_args()

    if args.primitives:
        if args.keep is not None:
            if args.keep.exists():
                ap.error(f"--keep {args.keep}: already there (it writes only a new folder)")
            print(json.dumps(primitives(args.keep, args.primitives, args.shapes)))
        else:
            with tempfile.TemporaryDirectory() as tmp:
                print(json.dumps(primitives(Path(tmp), args.primitives, args.shapes)))
        if not args.kinds:
            return

    from diffforge.render.environment_scan import scan_environment

    args.dir.mkdir(parents=True, exist_ok=True)
    if not all((args.dir / f"{k}.blend").is_file() for k in args.kinds):
        subprocess.run([sys.executable, str(SCRIPT), "all", str(args.dir)], check=True)
    head = "| file | own share | ±SE | object changes | failed specs | worst type | never |"
    if args.render:
        head += " pairs | min objects ≥ 12 px | max resampled |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for kind in args.user:
        if not (args.dir / f"{kind}.blend").is_file():
            subprocess.run([sys.executable, str(USER_SCRIPT), kind, str(args.dir / f"{kind}.blend")],
                           check=True, capture_output=True)  # fmt: skip
    for kind in [*args.kinds, *args.user]:
        blend = args.dir / f"{kind}.blend"
        if not (args.dir / f"{kind}.blend.json").is_file():
            scan_environment(blend)
        t0 = time.monotonic()
        first = kind == [*args.kinds, *args.user][0]
        s = sampled(blend, args.n, args.profile if first else None)
        row = (f"| {kind} | {s['share']:.3f} | {s['se']:.3f} | {s['object_changes']} | "
               f"{s['failed']} | {s['worst_type']} | {', '.join(s['never']) or '-'} |")  # fmt: skip
        if args.render and args.keep_renders is not None:
            r = rendered(blend, args.keep_renders / kind)
        elif args.render:
            with tempfile.TemporaryDirectory() as tmp:
                r = rendered(blend, Path(tmp) / kind)
        if args.render:
            row += f" {r['pairs']} | {r['min_objects_12px']} | {r['max_resampled']} |"
        print(row, flush=True)
        if args.render:
            print(json.dumps({"file": kind, "resampled": r["resampled"]}), file=sys.stderr)
        print(json.dumps({"file": kind, "wall_s": round(time.monotonic() - t0, 1),
                          "chance": s["chance"], "pilot_passes": s["passes"],
                          "sampler_build_cpu_s": s["build_cpu_s"]}), file=sys.stderr)  # fmt: skip


if __name__ == "__main__":
    main()
