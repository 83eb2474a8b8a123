"""Commands that make datasets: sample, generate, merge, scan-env, preview, bench sample|render."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from diffforge.commands.common import (
    DEFAULT_CONFIG,
    ConfigArg,
    SetOpt,
    check_new_file,
    console,
    err_console,
)


def sample(
    config: ConfigArg,
    n: Annotated[int, typer.Option("--n", min=1, help="Number of pair specs.")] = 10,
    out: Annotated[Path, typer.Option("--out", help="Output JSONL file.")] = Path("specs.jsonl"),
    start: Annotated[int, typer.Option(help="Index of the first pair.")] = 0,
    force: Annotated[bool, typer.Option(help="Replace an existing --out file.")] = False,
    set_: SetOpt = None,
) -> None:
    """Write pair specs (scenes + change records) as JSONL, without rendering.

    Use it to inspect and test a change distribution in seconds: pair k is the same whatever
    --n and --start are, so specs can be sampled in slices.
    """
    from rich.progress import track

    from diffforge.config import load_config
    from diffforge.dataset.mix import MixTally
    from diffforge.scenes.sampler import PairSampler, configured_mix
    from diffforge.scenes.specfile import write_specs

    cfg = load_config(config, set_)
    sampler = PairSampler(cfg)  # a bad config is named before a bad --out
    check_new_file(out, "--out", force)
    tally = MixTally()

    def specs():
        for spec in sampler.iter_specs(n, start):
            tally.add_spec(spec)
            yield spec

    write_specs(track(specs(), total=n, description="sampling", console=err_console), out)
    console.print(f"{n} pair specs → {out}", markup=False, highlight=False, soft_wrap=True)
    print_mix(tally.report(*configured_mix(cfg), cfg.scene.layouts))


def print_mix(report) -> None:
    """The configured vs realized change mix and layouts (``dataset.mix``), its warnings."""
    for line in report.lines():
        console.print(line, markup=False, highlight=False, soft_wrap=True)


def generate(
    config: ConfigArg,
    out: Annotated[Path, typer.Option("--out", help="Dataset directory (created or resumed).")],
    n: Annotated[int | None, typer.Option("--n", min=1, help="Pairs 0..n-1.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Blender worker processes.")] = 1,
    preset: Annotated[
        str | None, typer.Option(help="draft | standard | high (default: the config's).")
    ] = None,
    device: Annotated[
        str | None, typer.Option(help="auto | cpu | cuda | optix | hip (default: the config's).")
    ] = None,
    executor: Annotated[str, typer.Option(help="local | shard | ray")] = "local",
    shard: Annotated[
        str | None,
        typer.Option(
            help="i/N: render pairs i, i+N, ... into OUT/shards/; auto: i and N from the "
            "array task's environment (Slurm, SGE, LSF, PBS; see `diffforge slurm`)."
        ),
    ] = None,
    address: Annotated[str, typer.Option(help="Ray cluster: local | auto | host:port.")] = "local",
    gpus_per_worker: Annotated[
        float | None,
        typer.Option(
            min=0, help="Ray: GPUs per render actor (default: 1 on a GPU device, 0 on the CPU)."
        ),
    ] = None,
    specs: Annotated[
        Path | None, typer.Option(help="Render these pair specs (JSONL from `sample`) instead.")
    ] = None,
    set_: SetOpt = None,
) -> None:
    """Render before/after pairs with Blender Cycles into a dataset directory, with captions.

    Rerunning the same command resumes: finished pairs are skipped and a killed run leaves no
    partial pair. Pair k is the same whatever --n is, so a larger --n extends a dataset. A run
    in which every pair failed exits with code 1 and names the first reason.
    """
    from diffforge.config import load_config
    from diffforge.errors import DiffforgeError
    from diffforge.render.executors import parse_shard
    from diffforge.render.generate import check_all_failed, format_summary
    from diffforge.render.generate import generate as run_generate
    from diffforge.scenes.specfile import read_specs

    # Through the config, so a bad value gets the config's one-line message naming the key.
    overrides = list(set_ or [])
    overrides += [f"render.preset={preset}"] if preset else []
    overrides += [f"render.device={device}"] if device else []
    flags = {"render.preset": f"--preset {preset}", "render.device": f"--device {device}"}
    cfg = load_config(config, overrides, flags)
    parse_shard(shard)  # a bad --shard is named before a missing --n
    if n is None and specs is None:  # before anything is written: a refusal leaves nothing
        raise DiffforgeError("--n is required (or --specs FILE from `diffforge sample`)")
    # Every line is read before a worker starts: a corrupt one fails here, naming its line.
    spec_list = list(read_specs(specs)) if specs is not None else None
    summary = run_generate(
        cfg,
        out,
        n,
        specs=spec_list,
        workers=workers,
        executor=executor,
        shard=shard,
        ray_address=address,
        gpus_per_worker=gpus_per_worker,
    )
    console.print(format_summary(summary))
    if summary["pairs"]:
        from diffforge.dataset.mix import dataset_report
        from diffforge.scenes.sampler import configured_mix

        print_mix(dataset_report(Path(summary["out"]), *configured_mix(cfg), cfg.scene.layouts))
    check_all_failed(summary)


def merge(
    out: Annotated[Path, typer.Argument(help="The dataset directory to merge into.")],
    shards: Annotated[
        list[Path] | None, typer.Argument(help="Shard directories (default: OUT/shards/*).")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Replace what OUT holds even if it is not a merge of these shards.")
    ] = False,
    partial: Annotated[
        bool, typer.Option(help="Merge the shards that are there, finished or not.")
    ] = False,
) -> None:
    """Join shard outputs (generate --shard i/N) into one dataset.

    Refuses an OUT holding other data (--force replaces it) and missing or unfinished shards
    (--partial merges what is done and names what is not).
    """
    from diffforge.dataset import merge as run_merge

    s = run_merge(shards or [], out, force=force, partial=partial)
    for line in s["skipped"]:
        err_console.print(f"[yellow]warning:[/] {escape(line)}", highlight=False, soft_wrap=True)
    console.print(
        f"{s['out']}: {s['pairs']} pairs merged from {s['inputs']} datasets, {s['failed']} failed"
    )


def scan_env(
    blend: Annotated[Path, typer.Argument(help="A .blend with tagged surfaces and cameras.")],
) -> None:
    """Read a user .blend's support surfaces and cameras into <file>.blend.json.

    Tag objects in Blender with the custom property diffforge_surface = "floor" | "surface"
    (meshes things can stand on) and diffforge_camera = <distance to its target> (cameras).
    The environment layout (assets.environment in the config) then samples scenes in it;
    generate scans by itself when the sidecar is missing or older than the .blend.
    """
    import json

    from diffforge.render.environment_scan import scan_environment

    out = scan_environment(blend)
    info = json.loads(out.read_text())
    objects = info.get("objects", [])
    console.print(
        f"{out}: {len(info['surfaces'])} surfaces, {len(info['cameras'])} cameras, "
        f"{len(objects)} objects ({sum(bool(o.get('changeable')) for o in objects)} may change), "
        f"extent {[round(v, 2) for v in info['extent']]}"
    )
    for line in info.get("warnings", []):
        err_console.print(f"[yellow]warning:[/] {escape(line)}", highlight=False, soft_wrap=True)


def preview(
    directory: Annotated[Path, typer.Argument(help="A dataset directory.")],
    out: Annotated[Path | None, typer.Option(help="HTML file (default DIR/preview.html).")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Pairs on the page.")] = 100,
) -> None:
    """A self-contained HTML contact sheet: before, after, change mask, changes, captions."""
    from diffforge.render.preview import write_preview

    def warn(line: str) -> None:
        err_console.print(f"[yellow]warning:[/] {escape(line)}", highlight=False, soft_wrap=True)

    console.print(f"preview → {write_preview(directory, out, limit, warn=warn)}")


def bench_sample(
    config: Annotated[Path, typer.Argument(help="Generation config.")] = DEFAULT_CONFIG,
    n: Annotated[int, typer.Option("--n", min=1, help="Pairs per repeat.")] = 200,
    repeats: Annotated[int, typer.Option(min=1, help="Timed repeats; the median is reported.")] = 5,
    set_: SetOpt = None,
) -> None:
    """Pair specs per second on one core (sampling + JSON serialisation)."""
    from diffforge.config import load_config
    from diffforge.scenes.bench import bench_sample as run_bench

    r = run_bench(load_config(config, set_), n, repeats)
    console.print(
        f"sample: median {r['median']:.1f} pair specs/s "
        f"(min {r['min']:.1f}, max {r['max']:.1f}; {repeats}×{n} pairs, config {config}); "
        f"CPU {r['cpu_ms']:.1f} ms per spec ({1000 / r['cpu_ms']:.1f} specs per CPU second); "
        f"{r['scenes']:.2f} base scenes composed per spec, {r['retry_share']:.0%} of the CPU "
        "time on those thrown away (composing for the drawn types); sampler build "
        f"{r['build_cpu_s']:.1f} s CPU ({r['pilot_specs']} mix-pilot specs sampled"
        f"{', the rest from the probe cache' if r['pilot_specs'] == 0 else ''})"
    )
    print_mix(r["mix"])


def bench_render(
    config: Annotated[Path, typer.Argument(help="Generation config.")] = DEFAULT_CONFIG,
    presets: Annotated[str, typer.Option(help="Comma-separated presets.")] = "draft,standard",
    pairs: Annotated[int, typer.Option(min=1, help="Pairs per measurement.")] = 100,
    workers: Annotated[str, typer.Option(help="Comma-separated worker counts.")] = "2",
    threads: Annotated[
        int | None, typer.Option(min=1, help="Cycles threads per worker (default: cores/workers).")
    ] = None,
    gates: Annotated[
        bool, typer.Option(help="Quality gates on (resampling counted, as in generate).")
    ] = True,
    noise_pairs: Annotated[
        int, typer.Option(min=0, help="Pairs whose before image gets a noise reference.")
    ] = 3,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the rows here.")
    ] = None,
    set_: SetOpt = None,
) -> None:
    """Pairs/min, resample rate, noise figure, seconds per pair by stage, overhead, scaling.

    Noise: RMS difference (8-bit units) of a pair's before image against the same scene at
    256 samples without denoising (independent seed). For worker scaling, fix --threads 1.
    """
    import json

    from diffforge.config import RENDER_PRESETS, load_config
    from diffforge.errors import DiffforgeError, valid_names
    from diffforge.render.bench import bench_render as run_bench
    from diffforge.render.bench import format_bench

    try:
        counts = tuple(int(w) for w in workers.split(","))
    except ValueError:
        raise DiffforgeError(f"--workers {workers!r}: expected numbers like 1,2") from None
    if any(c < 1 for c in counts):
        raise DiffforgeError(f"--workers {workers!r}: counts must be at least 1")
    names = tuple(p.strip() for p in presets.split(","))
    for name in names:
        if name not in RENDER_PRESETS:
            raise DiffforgeError(
                f"--presets: unknown preset {name!r}; {valid_names(RENDER_PRESETS)}"
            )
    result = run_bench(
        load_config(config, set_),
        presets=names,
        pairs=pairs,
        workers=counts,
        threads=threads,
        gates=gates,
        noise_pairs=noise_pairs,
    )
    if json_out is not None:
        json_out.write_text(json.dumps(result, indent=1))
    console.print(f"{result['machine']} · {result['date']}")
    console.print(format_bench(result), soft_wrap=True)


def register(app: typer.Typer, bench: typer.Typer) -> None:
    app.command()(sample)
    app.command()(generate)
    app.command()(preview)
    app.command()(merge)
    app.command("scan-env")(scan_env)
    bench.command("sample")(bench_sample)
    bench.command("render")(bench_render)
