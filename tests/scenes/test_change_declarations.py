"""What the operators declare is what the sampler, the render gates and the captioner do."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from diffforge.captioner.compose import TEMPLATE_DIR, caption_pair
from diffforge.config import load_config
from diffforge.render.gates import check_pair
from diffforge.scenes.changes import BUILTIN_OPERATORS, apart, operator_for, registry
from diffforge.scenes.sampler import PairSampler

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "configs" / "default.yaml"
# Templates every caption may use, whatever its change types.
SHARED_TEMPLATES = {"generic", "multi_intro", "multi_order", "context"}


def test_built_in_declarations() -> None:
    ops = registry()
    assert {t for t, op in ops.items() if op.shares_objects} == {"color", "material", "size"}
    assert apart(ops) == {
        "viewpoint": {"illumination", "size", "orientation", "move", "pose"},
        "illumination": {"viewpoint"},
        "size": {"viewpoint"},
        "orientation": {"viewpoint"},
        "move": {"viewpoint"},
        "pose": {"viewpoint"},
    }
    assert {t for t, op in ops.items() if op.scene_wide} == {"viewpoint", "illumination"}
    assert [t for t, op in ops.items() if op.gate is None] == ["none"]


def test_every_template_is_declared_by_an_operator() -> None:
    declared = {name for cls in BUILTIN_OPERATORS.values() for name in cls.templates}
    files = {p.stem for p in TEMPLATE_DIR.glob("*.j2")}
    assert declared <= files, declared - files
    assert files - declared == SHARED_TEMPLATES


def test_types_kept_apart_are_never_drawn_together() -> None:
    cfg = load_config(
        DEFAULT,
        ["changes.weights={viewpoint: 1, size: 1, illumination: 1}", "changes.per_pair={2: 1}"],
    )
    sampler = PairSampler(cfg)
    pairs = [{c.type for c in sampler.sample(i).changes} for i in range(12)]
    assert all(len(p) <= 1 or "viewpoint" not in p for p in pairs), pairs
    assert any(p == {"size", "illumination"} for p in pairs), pairs


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch) -> str:
    """A config-named plugin (``changes.operators``) with needs, a gate and a template."""
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "tint.j2").write_text("{{ ref }} took on a {{ shade }} tint.\n")
    (tmp_path / "tinting.py").write_text(
        textwrap.dedent(
            f"""
            from pathlib import Path
            from diffforge.scenes.changes import ChangeOperator
            from diffforge.scenes.model import Change

            class Tint(ChangeOperator):
                type = "tint"
                fields = ("attributes.color", "attributes.rgb")
                params = {{"shade": {{"choice": ["warm", "cool"]}}}}
                templates = ("tint",)
                template_dir = Path({str(tmp_path / "tpl")!r})
                needs_calls = 0

                def needs(self, scene):
                    Tint.needs_calls += 1
                    return any(o.asset.startswith("clevr_") for o in scene.objects)

                def apply(self, ctx, before, after):
                    obj = ctx.pick(self.free_objects(ctx, after, self.type))
                    obj.attributes.rgb = (1.0, 0.5, 0.2)
                    ctx.lock(self.type, obj.id)
                    return Change(type=self.type, targets=[obj.id],
                                  params={{"shade": ctx.params["shade"]}})

                def gate(self, check):
                    return ["tint: always refused"]

                def caption_values(self, change):
                    return {{"shade": change.params["shade"]}}
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "tint"
    sys.modules.pop("tinting", None)


def test_plugin_declarations_reach_sampler_gates_and_captioner(plugin: str) -> None:
    cfg = load_config(
        DEFAULT,
        [
            "changes.operators={tint: 'tinting:Tint'}",
            "changes.weights={tint: 1}",
            "changes.per_pair={1: 1}",
            "scene.layouts={tabletop: 1}",
        ],
    )
    spec = PairSampler(cfg).sample(0)
    tint = operator_for("tint")
    assert tint is not None and type(tint).needs_calls > 0
    assert [c.type for c in spec.changes] == ["tint"]
    shade = spec.changes[0].params["shade"]
    caps = caption_pair(spec, per_pair=1)
    assert caps[0]["text"].endswith(f"took on a {shade} tint."), caps
    # its gate is the one the render gates call
    img = np.zeros((8, 8, 3), np.uint8)
    mask = np.zeros((8, 8), np.uint16)
    facts = {"before": {}, "after": {}}
    assert check_pair(spec, {}, facts, (img, img), (mask, mask), 1) == ["tint: always refused"]


def test_a_type_whose_needs_fail_is_never_applied(plugin: str) -> None:
    cfg = load_config(
        DEFAULT,
        [
            "changes.operators={tint: 'tinting:Tint'}",
            "changes.weights={tint: 1, move: 1}",
            "changes.per_pair={1: 1}",
            "scene.layouts={room: 1}",  # no CLEVR shapes in a room: tint needs one
        ],
    )
    sampler = PairSampler(cfg)
    assert {c.type for i in range(3) for c in sampler.sample(i).changes} == {"move"}
