"""``bench render``'s figures: resampling counted, and a noise figure that sees the noise."""

from __future__ import annotations

import numpy as np
import pytest
from render_fixtures import fixture_sampler

from diffforge.render.bench import bench_render, noise_figure


def test_noise_figure_is_rms_in_8_bit_levels():
    a = np.zeros((4, 4, 3), np.uint8)
    b = a.copy()
    assert noise_figure(a, b) == 0.0
    b[0, 0] = 255  # one salt pixel in 16: RMS 255 / 4
    assert noise_figure(a, b) == pytest.approx(255 / 4)


@pytest.mark.blender
@pytest.mark.slow
def test_bench_counts_attempts_and_denoising_lowers_the_noise_figure(cfg, assets, cache_dir):
    rows = {}
    for denoise in (False, True):
        c = cfg.model_copy(
            update={
                "render": cfg.render.model_copy(
                    update={
                        "denoise": denoise,
                        "denoise_quality": "fast",
                        "samples": 2,
                        "resolution": (64, 48),
                    }
                )
            }
        )
        result = bench_render(c, presets=("draft",), pairs=1, workers=(1,),
                              sampler=fixture_sampler, resolver=assets, cache_dir=cache_dir,
                              captions=False, noise_pairs=1, reference_samples=64)  # fmt: skip
        rows[denoise] = result["rows"][0]
    for row in rows.values():
        assert row["pairs"] == 1 and row["pairs_per_min"] > 0 and row["pairs_per_min_total"] > 0
        assert 0.0 <= row["resample_rate"] < 1.0 and row["denoise"] in (True, False)
    # 2 spp without a denoiser is salt and pepper; OIDN removes most of it
    assert rows[False]["noise"] > 1.5 * rows[True]["noise"] > 0


def test_bench_table_says_why_renders_were_thrown_away():
    """The resample rate alone does not say what to fix: the reasons follow the table."""
    from diffforge.render.bench import format_bench

    row = {
        "preset": "draft", "resolution": [128, 96], "samples": 8, "denoise": True,
        "denoise_quality": "fast", "workers": 2, "threads": 1, "pairs": 10,
        "pairs_per_min": 60.0, "pairs_per_min_total": 55.0, "cpu_per_pair_s": 1.5,
        "cpu_per_pair_median_s": 1.4, "pairs_per_cpu_min": 40.0, "resample_rate": 0.2,
        "noise": 5.0, "overhead_ratio": 1.1, "speedup_vs_1": 1.0,
        "stages_s": dict.fromkeys(("build", "render_before", "render_after", "masks"), 0.1),
        "resample_reasons": {"color: contrast too low": 2, "illumination: change not visible (cooler)": 1},
    }  # fmt: skip
    text = format_bench({"rows": [row]})
    assert "| 20 % |" in text
    assert "2× color: contrast too low, 1× illumination: change not visible (cooler)" in text
    row["resample_reasons"] = {}
    assert "resampled (" not in format_bench({"rows": [row]})
