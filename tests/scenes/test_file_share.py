"""The calibration of a user file's own-object chance (``environments.file_share``): its steps
toward the configured share, and what its cache is keyed by. The calibration on real files is
tested in tests/render/test_environment_scan.py and tests/render/test_messy_files.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from diffforge.config import load_config
from diffforge.scenes.environments.file_share import (
    PILOT_CLOSE,
    PILOT_NEAR,
    PILOT_PASSES,
    _secant,
    calibration_key,
    calibration_path,
    widened,
)


def _realized(slope: float, offset: float, n: int = 100):
    """A pilot whose share of own object changes is ``offset + slope * chance`` of ``n``
    (counted in whole changes, as a pilot counts them), and the chances it was run at."""
    runs: list[float] = []

    def measure(chance: float) -> tuple[int, int]:
        runs.append(chance)
        return round(n * min(1.0, max(0.0, offset + slope * chance))), n

    return measure, runs


@pytest.mark.parametrize(
    ("start", "slope", "offset"),
    [(0.72, 1.0, -0.24),  # linked_library: 0.48 at 0.72 (the share lags the chance)
     (0.77, 0.8, 0.2),  # a slab: 0.82 at 0.77 (library draws fall on the file's objects)
     (0.5, 0.5, 0.3)],
)  # fmt: skip
def test_the_chance_is_stepped_to_the_configured_share(start, slope, offset) -> None:
    measure, runs = _realized(slope, offset)
    passes: list = []
    chance = _secant(start, 0.6, measure, passes)
    assert abs(offset + slope * chance - 0.6) <= PILOT_CLOSE + 0.01, (chance, passes)
    assert len(runs) <= PILOT_PASSES and runs[0] == start
    assert [p[0] for p in passes] == runs


def test_a_flat_pilot_keeps_its_nearest_measured_chance_not_a_leap() -> None:
    """instances' pilot (messy_files.md, files3): the share barely moved with the chance, the
    secant's last, unmeasured step leapt to 0.391 and realized 0.480 for 0.6. A pass within
    ``PILOT_NEAR`` of the share is kept instead."""
    counts = iter([(87, 137), (87, 137), (86, 139), (85, 138)])
    passes: list = []
    chance = _secant(0.8, 0.6, lambda _chance: next(counts), passes)
    nearest = min(passes, key=lambda p: abs(p[1] / p[2] - 0.6))
    assert len(passes) == PILOT_PASSES and abs(nearest[1] / nearest[2] - 0.6) <= PILOT_NEAR
    assert chance == nearest[0] and chance > 0.6, (chance, passes)


def test_a_share_the_file_cannot_reach_takes_every_draw() -> None:
    measure, _ = _realized(0.4, 0.0)  # at most 0.4 of the object changes can be the file's
    assert _secant(0.7, 0.6, measure, []) == 1.0


def test_a_chance_already_close_is_kept_after_one_pass() -> None:
    measure, runs = _realized(1.0, -0.1)
    assert _secant(0.705, 0.6, measure, []) == 0.705 and len(runs) == 1


def test_the_cache_key_follows_the_config_and_the_scan_not_the_files_place(tmp_path) -> None:
    def key(blend: Path, *extra: str) -> str:
        cfg = load_config(None, [f"assets.environment={blend}",
                                 "scene.layouts={environment: 1.0}", *extra])  # fmt: skip
        return calibration_key(cfg)

    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "f.blend.json").write_text('{"objects": []}')
    a, b = tmp_path / "a" / "f.blend", tmp_path / "b" / "f.blend"
    assert key(a) == key(b)  # the same scan elsewhere: the same calibration
    assert key(a) != key(a, "changes.weights={color: 1, move: 1}")  # another mix
    assert key(a) != key(a, "changes.file_objects=0.7")
    assert key(a) != key(a, "seed=2")
    (tmp_path / "b" / "f.blend.json").write_text('{"objects": [{"name": "Cube"}]}')
    assert key(a) != key(b)  # a rescan that found other objects
    assert calibration_path(Path(f"{a}.json")) == tmp_path / "a" / "f.blend.own_share.json"


def _pilot_by_types(shares: dict[frozenset, tuple[float, float]]):
    """A pilot whose share is ``offset + slope * chance`` for the set of types drawn for the
    file's objects (``widened``'s ``measure_for``), and the sets it was run with."""
    runs: list[tuple[str, ...]] = []

    def measure_for(types: list[str]):
        runs.append(tuple(types))
        measure, _ = _realized(*reversed(shares[frozenset(types)]))
        return measure

    return measure_for, runs


def test_a_share_colour_and_material_cannot_reach_takes_the_reserve_types_too() -> None:
    """centimetres (messy_files.md): every draw of colour and material for the file's objects
    realized 0.494 of 0.6; disappear and replace, which found its box and crate in fewer probe
    scenes, join them and the chance is stepped down to the share."""
    measure_for, runs = _pilot_by_types({
        frozenset({"color", "material"}): (0.0, 0.49),  # (offset, slope): 0.49 at chance 1
        frozenset({"color", "material", "disappear", "replace"}): (0.0, 0.8),
    })  # fmt: skip
    found = widened(0.97, 0.6, ["color", "material"], ["disappear", "replace"], measure_for)
    assert found["types"] == ["color", "disappear", "material", "replace"]
    assert abs(0.8 * found["chance"] - 0.6) <= PILOT_CLOSE + 0.01, found
    assert runs == [("color", "material"), ("color", "disappear", "material", "replace")]


def test_a_share_within_reach_keeps_its_types() -> None:
    """y_up's turns found its objects in 2 of 6 probe scenes (0 of 3 such draws realized):
    kept in reserve, never drawn for them where colour and material reach the share."""
    measure_for, runs = _pilot_by_types({frozenset({"color", "material"}): (0.1, 0.7)})
    found = widened(0.9, 0.6, ["color", "material"], ["orientation"], measure_for)
    assert found["types"] == ["color", "material"] and found["chance"] < 1.0
    assert runs == [("color", "material")]
