"""Cycles settings by measurement (issue 31): CPU seconds and noise figure per candidate.

Each scene (a default spec's before side) is built once and rendered with every candidate
setting in turn, ``time.process_time()`` around the render (the machine is shared: never wall
time). The noise figure is ``bench.noise_figure`` against one reference per scene rendered with
the *baseline* settings at ``--ref-samples`` spp, no denoiser, an independent seed, so a
candidate that changes the image (bias) is charged for it too.

    PYTHONPATH=$PWD python benchmarks/cycles_settings.py --preset standard --scenes 6
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import replace
from pathlib import Path

# Every render starts from the settings before issue 31 (b61075c: light tree on, OIDN's accurate
# prefilter, the preset's samples and quality); a candidate changes attributes of
# ``scene.cycles`` over them ("samples": the sample count). The reference is that baseline.
BASELINE = {"use_light_tree": True, "denoising_prefilter": "ACCURATE"}
BASE_SAMPLES = {"draft": 8, "standard": 16}
BOUNCES_2 = {"diffuse_bounces": 2, "glossy_bounces": 2}
BOUNCES_1 = {"diffuse_bounces": 1, "glossy_bounces": 1}
BOUNCES_MAX4 = {"max_bounces": 4, "diffuse_bounces": 2, "glossy_bounces": 2,
                "transmission_bounces": 4, "transparent_max_bounces": 4}  # fmt: skip
FAST_GI = {"use_fast_gi": True, "ao_bounces_render": 1}
CANDIDATES: dict[str, dict[str, dict]] = {
    # round 1 (benchmarks/render.md): blue noise, auto scrambling and an adaptive threshold of
    # 0.05 gave the baseline's pixels at 8 spp (no effect); prefilter fast and fewer samples
    # cost noise; light tree off was faster
    "standard": {
        "base 16": {},
        # round 2 (2026-12-05 late): the preset as committed (14, light tree off) and its neighbours
        "14 lt off": {"samples": 14, "use_light_tree": False},
        "13 lt off": {"samples": 13, "use_light_tree": False},
        "light tree off": {"use_light_tree": False},
        "prefilter fast": {"denoising_prefilter": "FAST"},
        "oidn balanced": {"denoising_quality": "BALANCED"},
        "12 spp lt off": {"samples": 12, "use_light_tree": False},
        "10 spp lt off": {"samples": 10, "use_light_tree": False},
        "8 spp lt off": {"samples": 8, "use_light_tree": False},
        "10 spp lt off pf": {
            "samples": 10,
            "use_light_tree": False,
            "denoising_prefilter": "FAST",
        },
        # round 3 (written 2026-12-08, not run yet): bounces (the preset's 8 / 3 diffuse / 3 glossy were never
        # measured) and Cycles' fast GI approximation, with and without fewer samples
        "14 lt off d2 g2": {"samples": 14, "use_light_tree": False, **BOUNCES_2},
        "14 lt off max4 d2 g2": {"samples": 14, "use_light_tree": False, **BOUNCES_MAX4},
        "14 lt off d1 g1": {"samples": 14, "use_light_tree": False, **BOUNCES_1},
        "14 lt off fast gi": {"samples": 14, "use_light_tree": False, **FAST_GI},
        "12 lt off d2 g2": {"samples": 12, "use_light_tree": False, **BOUNCES_2},
        "10 lt off d2 g2": {"samples": 10, "use_light_tree": False, **BOUNCES_2},
        "10 lt off max4 d2 g2": {"samples": 10, "use_light_tree": False, **BOUNCES_MAX4},
    },
    "draft": {
        "base 8": {},
        # round 2: the preset as committed (8, light tree off, OIDN fast) against balanced
        "8 lt off": {"use_light_tree": False},
        "7 lt off balanced": {
            "samples": 7,
            "use_light_tree": False,
            "denoising_quality": "BALANCED",
        },
        "light tree off": {"use_light_tree": False},
        "8 lt off balanced": {"use_light_tree": False, "denoising_quality": "BALANCED"},
        "6 lt off balanced": {
            "samples": 6,
            "use_light_tree": False,
            "denoising_quality": "BALANCED",
        },
        "6 lt off high": {"samples": 6, "use_light_tree": False, "denoising_quality": "HIGH"},
        "5 lt off high": {"samples": 5, "use_light_tree": False, "denoising_quality": "HIGH"},
        "4 lt off high": {"samples": 4, "use_light_tree": False, "denoising_quality": "HIGH"},
        # round 3 (written 2026-12-08, not run yet): the preset with fewer bounces
        "8 lt off balanced d2 g2": {
            "use_light_tree": False,
            "denoising_quality": "BALANCED",
            **BOUNCES_2,
        },
        "8 lt off balanced max4": {
            "use_light_tree": False,
            "denoising_quality": "BALANCED",
            **BOUNCES_MAX4,
        },
        "6 lt off balanced d2 g2": {
            "samples": 6,
            "use_light_tree": False,
            "denoising_quality": "BALANCED",
            **BOUNCES_2,
        },
    },
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", required=True, choices=sorted(CANDIDATES))
    ap.add_argument("--scenes", type=int, default=6)
    ap.add_argument("--ref-samples", type=int, default=256)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--config", default="configs/default.yaml")
    ap.add_argument("--only", nargs="*", help="candidate names (default: all)")
    ap.add_argument("--json", type=Path, help="write the raw figures here")
    args = ap.parse_args()

    import bpy

    from diffforge.config import load_config
    from diffforge.dataset.files import load_image
    from diffforge.distributions import rng_for
    from diffforge.render.assets import LibraryResolver
    from diffforge.render.bench import noise_figure
    from diffforge.render.blender import device
    from diffforge.render.blender.backend import BlenderBackend, SceneBuilder
    from diffforge.render.blender.passes import save
    from diffforge.render.facts import instance_ids
    from diffforge.render.settings import resolve_settings
    from diffforge.scenes.sampler import sample_pair

    cfg = load_config(
        Path(args.config), [f"render.preset={args.preset}", f"render.threads={args.threads}"]
    )
    settings = resolve_settings(cfg, 1)
    backend = BlenderBackend(settings, LibraryResolver(cfg.assets), Path("/dev/shm/cs31"))
    cands = {k: v for k, v in CANDIDATES[args.preset].items() if not args.only or k in args.only}
    specs = []
    index = 1
    while len(specs) < args.scenes:  # rooms and streets in turn
        spec = sample_pair(cfg, index, 0)
        index += 1
        want = ("room", "street")[len(specs) % 2]
        if spec.before.environment.layout == want:
            specs.append(spec)
    out = Path(f"/dev/shm/cs31-{args.preset}")
    out.mkdir(exist_ok=True)
    rows: dict[str, list[tuple[float, float]]] = {k: [] for k in cands}
    for n, spec in enumerate(specs):
        ids = instance_ids(spec)
        seed = int(rng_for(spec.seed, spec.index, "cycles", spec.attempt).integers(2**31))
        backend.prepare([spec.before])
        bpy.ops.wm.read_homefile(use_empty=True)
        sc = bpy.data.scenes.new("before")
        device.configure(sc, settings, backend.device, seed)
        SceneBuilder(backend).build(sc, spec.before, ids)
        base = {a: getattr(sc.cycles, a) for c in cands.values() for a in c if a != "samples"}
        base |= BASELINE

        def render(update: dict, samples: int, denoise: bool, png: Path, sd: int) -> float:
            one = replace(settings, samples=samples, denoise=denoise)
            device.configure(sc, one, "CPU", sd)  # noqa: B023 (called in this iteration only)
            for a, v in (base | update).items():  # noqa: B023
                if a != "samples":
                    setattr(sc.cycles, a, v)  # noqa: B023
            t = time.process_time()
            bpy.ops.render.render(scene=sc.name)  # noqa: B023
            dt = time.process_time() - t
            save(sc, png, out, False)  # noqa: B023
            return dt

        ref_png = out / f"ref{n}-{spec.index}-{args.ref_samples}.png"
        t_ref = 0.0
        if not ref_png.is_file():  # a reference from an earlier run of the same scene is kept
            t_ref = render({}, args.ref_samples, False, ref_png, seed + 7919)
        ref = load_image(ref_png)
        order = list(cands)
        order = order[n % len(order) :] + order[: n % len(order)]  # drift spread over all
        for name in order:
            upd = cands[name]
            png = out / f"c{n}.png"
            samples = upd.get("samples", BASE_SAMPLES[args.preset])
            dt = render(upd, samples, settings.denoise, png, seed)
            rows[name].append((dt, noise_figure(load_image(png), ref)))
        print(
            f"scene {n} #{spec.index} {spec.before.environment.layout}: ref {t_ref:.1f} s; "
            + "; ".join(f"{k} {v[-1][0]:.2f}s {v[-1][1]:.2f}" for k, v in rows.items()),
            flush=True,
        )
    base_name = next(iter(cands))
    base_cpu = statistics.median(d for d, _ in rows[base_name])
    print(f"\n{args.preset}, {len(specs)} scenes, {time.strftime('%Y-%m-%d %H:%M')}")
    print("| candidate | CPU s/image (median) | mean | noise (mean) | speed vs base |")
    print("|---|---|---|---|---|")
    for name, v in rows.items():
        cpu = [d for d, _ in v]
        noise = [f for _, f in v]
        print(
            f"| {name} | {statistics.median(cpu):.2f} | {statistics.mean(cpu):.2f} "
            f"| {statistics.mean(noise):.2f} | {base_cpu / statistics.median(cpu):.2f}× |"
        )
    if args.json:
        args.json.write_text(json.dumps({"preset": args.preset, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
