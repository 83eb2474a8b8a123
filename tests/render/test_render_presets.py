"""The presets' Cycles settings are the ones benchmarks/render.md measured (issue 31): a change
to a preset must come with a new measurement of its CPU and noise figure, not silently."""

from __future__ import annotations

from diffforge.config import GenerateConfig
from diffforge.render.settings import resolve_settings

# preset -> (resolution, samples, OIDN quality), each row of benchmarks/render.md's tables
MEASURED = {
    # 8 spp + OIDN balanced, light tree off: noise 6.95 against b61075c's 7.03 on 6 scenes
    "draft": ((128, 96), 8, "balanced"),
    # 14 spp + OIDN high, light tree off: ~16 spp's noise with the light tree at ~0.78 the CPU
    "standard": ((256, 192), 14, "high"),
}


def test_each_preset_resolves_to_its_measured_settings():
    cfg = GenerateConfig()
    for preset, (resolution, samples, quality) in MEASURED.items():
        s = resolve_settings(cfg, 1, preset=preset)
        assert (s.resolution, s.samples, s.denoise, s.denoise_quality) == (
            resolution,
            samples,
            True,
            quality,
        ), preset
