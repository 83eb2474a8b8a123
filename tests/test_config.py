"""Config validation: every bad config gets one line naming the key, what was expected and found."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from diffforge.config import GenerateConfig, load_config
from diffforge.distributions import Choice, Constant, Normal, Uniform, rng_for
from diffforge.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent

BAD_CONFIGS = [
    ("seed: [1, 2\n", "invalid YAML (line"),
    ("- just\n- a list\n", "expected a mapping at the top level"),
    ("sed: 3\n", "sed: unknown key"),
    ("changes:\n  weights: {color: -1}\n", "weight of 'color' must be >= 0"),
    (
        "changes:\n  weights: {color: 0, add: 0}\n",
        "at least one change type needs a positive weight",
    ),
    ("changes:\n  per_pair: {0: 1.0}\n", "changes per pair must be between 1 and 6, found 0"),
    ("changes:\n  params: {move: {distance: {uniform: [2, 1]}}}\n", "uniform needs low <= high"),
    (
        "changes:\n  params: {move: {distance: {gaussian: [0, 1]}}}\n",
        "expected a number or one of {uniform",
    ),
    (
        "changes:\n  params: {size: {direction: {choice: [larger, smaller], weights: [1]}}}\n",
        "choice has 2 options but 1 weights",
    ),
    (
        "changes:\n  params: {move: {distance: {uniform: 3}}}\n",
        "uniform expects a list of two numbers",
    ),
    (
        "changes:\n  params: {illumination: {kind: {bool: 2}}}\n",
        "bool needs a probability in [0, 1]",
    ),
    (
        "scene:\n  layouts: {kitchen: 1.0}\n",
        "unknown layout 'kitchen'; valid: environment, room, street, tabletop",
    ),
    ("scene:\n  objects: {min: 5, max: 2}\n", "max (2) must be >= min (5)"),
    ("scene:\n  objects: {min: 3, max: 60}\n", "object counts must lie in [3, 40]"),
    (
        "scene:\n  people: {probability: 1.5}\n",
        "scene.people.probability: Input should be less than or equal to 1",
    ),
    (
        "scene:\n  layouts: {environment: 1.0}\n",
        "scene.layouts.environment: needs assets.environment",
    ),
    ("render:\n  preset: ultra\n", "render.preset: Input should be 'draft', 'standard' or 'high'"),
    ("render:\n  device: tpu\n", "render.device"),
    ("splits: {train: 0.5, val: 0.1, test: 0.1}\n", "split ratios must sum to 1, found 0.7"),
    ("text:\n  vocabulary: [ONE]\n", "text.vocabulary: List should have at least 2 items"),
    ("seed: abc\n", "seed: Input should be a valid integer"),
    (
        "text:\n  fonts: [comic-sans]\n",
        "text.fonts: unknown font 'comic-sans'; valid: default, mono",
    ),
    ("text:\n  vocabulary: [OPEN, '']\n", "text must be non-empty and free of double quotes"),
]


@pytest.mark.parametrize(("text", "message"), BAD_CONFIGS)
def test_bad_config_message(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    text_out = str(info.value)
    assert "\n" not in text_out
    assert text_out.startswith(str(path))
    assert message in text_out, text_out


# Change-type names are checked against the registry (the operators' declarations) when the
# operators are built: plugins are imported then, not when the file is read.
BAD_CHANGE_NAMES = [
    (
        "changes:\n  weights: {colr: 1.0}\n",
        "changes.weights.colr: unknown change type 'colr'; valid: add, color",
    ),
    (
        "changes:\n  params: {colr: {x: 1}}\n",
        "changes.params.colr: unknown change type 'colr'; valid: add, color",
    ),
    (
        "changes:\n  params: {move: {distanse: 0.5}}\n",
        "changes.params.move.distanse: unknown parameter; valid: distance",
    ),
    (
        "changes:\n  params: {add: {where: floor}}\n",
        "changes.params.add.where: unknown parameter; this type takes none",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD_CHANGE_NAMES)
def test_bad_change_names_when_the_operators_are_built(
    tmp_path: Path, text: str, message: str
) -> None:
    from diffforge.scenes.sampler import PairSampler

    path = tmp_path / "bad.yaml"
    path.write_text(text)
    cfg = load_config(path)
    with pytest.raises(ConfigError) as info:
        PairSampler(cfg)
    assert "\n" not in str(info.value)
    assert str(info.value).startswith(message), str(info.value)


def test_default_weights_and_params_are_the_operators_declarations() -> None:
    """The config repeats no per-type default: the default mix is each operator's ``weight``
    and the sampler draws each operator's declared ``params``."""
    from diffforge.scenes.changes import BUILTIN_OPERATORS
    from diffforge.scenes.sampler import PairSampler

    cfg = GenerateConfig()
    assert cfg.changes.weights is None and cfg.changes.params == {}
    sampler = PairSampler(cfg)
    declared = {t: op.weight for t, op in BUILTIN_OPERATORS.items()}
    assert dict(zip(sampler.types, sampler.type_p, strict=True)) == pytest.approx(
        {t: w / sum(declared.values()) for t, w in declared.items()}
    )
    assert declared["color"] == 1.2 and declared["none"] == 0.3
    for t, cls in BUILTIN_OPERATORS.items():
        assert list(sampler.params[t]) == list(cls.params)


def test_unimportable_operator_is_reported_when_the_operators_are_built(tmp_path: Path) -> None:
    """Operators are imported when a sampler is built, not when the file is read: the file
    loads, and building the operators names the key and the import that failed."""
    from diffforge.scenes.sampler import PairSampler

    path = tmp_path / "plugin.yaml"
    path.write_text(
        "changes:\n  operators: {wobble: 'no.such.module:Wobble'}\n  weights: {wobble: 1}\n"
    )
    cfg = load_config(path)
    with pytest.raises(ConfigError) as info:
        PairSampler(cfg)
    text_out = str(info.value)
    assert "\n" not in text_out
    assert text_out.startswith("changes.operators.wobble: cannot import 'no.such.module:Wobble'")


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")


def test_cli_bad_config_exits_2_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("changes:\n  weights: {colr: 1.0}\n")
    out = tmp_path / "specs.jsonl"
    out.write_text("keep me\n")
    proc = subprocess.run(
        [sys.executable, "-m", "diffforge", "sample", str(path), "--n", "2", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "changes.weights.colr" in lines[0]
    assert out.read_text() == "keep me\n"  # nothing already written is touched


def test_defaults_and_shipped_configs_validate() -> None:
    for path in [
        ROOT / "configs" / "default.yaml",
        *sorted((ROOT / "configs" / "examples").glob("*.yaml")),
    ]:
        cfg = load_config(path)
        assert isinstance(cfg, GenerateConfig)
    from diffforge.scenes.changes import BUILTIN_CHANGE_TYPES

    default = load_config(ROOT / "configs" / "default.yaml")
    assert all(w > 0 for w in default.changes.weights.values())
    assert set(default.changes.weights) == set(BUILTIN_CHANGE_TYPES)


def test_overrides_reach_nested_keys() -> None:
    cfg = load_config(
        None, ["scene.objects.max=20", "changes.params.move.distance={uniform: [0.5, 0.6]}"]
    )
    assert cfg.scene.objects.max == 20
    dist = cfg.changes.params["move"]["distance"]
    assert isinstance(dist, Uniform) and (dist.low, dist.high) == (0.5, 0.6)
    with pytest.raises(ConfigError, match="expected key=value"):
        load_config(None, ["scene.objects.max"])


def test_distributions_sample_in_range_and_deterministically() -> None:
    rng_a, rng_b = rng_for(1, 5, "x"), rng_for(1, 5, "x")
    u = Uniform(low=2, high=3)
    assert [u.sample(rng_a) for _ in range(5)] == [u.sample(rng_b) for _ in range(5)]
    assert all(2 <= u.sample(rng_a) <= 3 for _ in range(100))
    n = Normal(mean=0, std=10, clip=(-1, 1))
    assert all(-1 <= n.sample(rng_a) <= 1 for _ in range(100))
    c = Choice(options=["a", "b"], weights=[0, 1])
    assert {c.sample(rng_a) for _ in range(50)} == {"b"}
    assert Constant(value=4).sample(rng_a) == 4
    assert rng_for(1, 5, "x").random() != rng_for(1, 5, "y").random()
    assert rng_for(1, 5, "x").random() != rng_for(1, 6, "x").random()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [
                "generate",
                "configs/default.yaml",
                "--out",
                "{tmp}/d",
                "--n",
                "1",
                "--preset",
                "ultra",
            ],
            "render.preset",
        ),
        (
            ["generate", "configs/default.yaml", "--out", "{tmp}/d", "--n", "1", "--device", "tpu"],
            "render.device",
        ),
        (["preview", "{tmp}/none"], "no pairs.jsonl"),
    ],
)
def test_cli_bad_arguments_are_one_line_errors(
    tmp_path: Path, args: list[str], message: str
) -> None:
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    proc = subprocess.run(
        [sys.executable, "-m", "diffforge", *argv], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], proc.stderr
    assert not (tmp_path / "d").exists()
