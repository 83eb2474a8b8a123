"""Render settings resolved once in the orchestrator and pickled into every worker."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

from diffforge.config import GenerateConfig
from diffforge.scenes.model import Scene


@dataclass(frozen=True)
class RenderSettings:
    resolution: tuple[int, int]
    samples: int
    denoise: bool
    denoise_quality: str = "high"
    engine: str = "cycles"
    device: str = "cpu"
    threads: int = 1
    depth: bool = False
    min_visible_pixels: int = 12
    ocr_gate: bool = False
    cache_dir: str = ""  # converted GLB -> .blend cache shared by workers (atomic writes)
    # HDRI importance map size; 0 = Blender's "automatic", which costs seconds per image on a CPU
    world_map_resolution: int = 256
    seed_offset: int = 0  # added to every Cycles seed (bench's independent noise reference)
    # a pair's after image rendered from its before's build, only the changed parts rebuilt
    # (blender.backend.BlenderBackend.render_pair); False: two fresh builds
    reuse: bool = True

    def to_dict(self) -> dict:
        return asdict(self)


def reusable(before: Scene, after: Scene) -> bool:
    """Whether ``reuse`` applies to a pair: not a user's .blend (its objects are changed in
    place), and the same lights and world, so lighting changes are built twice (with Cycles'
    persistent data, a relit pair's reused after image differed from a fresh build by 2
    levels on average; tests/render/test_build_reuse.py)."""
    return (
        before.environment.layout != "environment"
        and after.environment.layout != "environment"
        and before.lights == after.lights
        and before.world == after.world
    )


def default_cache_dir(cfg: GenerateConfig) -> Path:
    base = cfg.assets.cache_dir or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return Path(base) / "diffforge" / "render"


def available_cpus() -> int:
    """CPUs this process may run on: a Slurm/cgroup allocation, not the whole node."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def resolve_settings(
    cfg: GenerateConfig,
    workers: int = 1,
    preset: str | None = None,
    device: str | None = None,
    cache_dir: Path | None = None,
) -> RenderSettings:
    """Preset + overrides -> concrete settings. threads=0 shares the CPUs among workers."""
    rc = cfg.render.model_copy(update={"preset": preset} if preset else {})
    res = rc.resolved()
    threads = rc.threads or max(1, available_cpus() // max(1, workers))
    return RenderSettings(
        resolution=tuple(res.resolution),
        samples=res.samples,
        denoise=res.denoise,
        denoise_quality=res.denoise_quality,
        engine=rc.engine,
        device=device or rc.device,
        threads=threads,
        depth=rc.depth,
        min_visible_pixels=rc.min_visible_pixels,
        ocr_gate=rc.ocr_gate,
        world_map_resolution=rc.world_map_resolution,
        cache_dir=str(cache_dir or default_cache_dir(cfg)),
    )
