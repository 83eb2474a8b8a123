"""A plugin change type end to end, through the installed console script.

A temporary package (``levitate_plugin``: an operator that raises an object, its own caption
template, and a ``.dist-info`` registering it under the entry-point group ``diffforge.changes``)
is put on PYTHONPATH and named in a config's ``changes.weights``. ``diffforge sample`` draws it;
``diffforge generate`` renders it in Blender workers, runs its gate (which rejects lifts too
small to see: they show in the pairs' resampled reasons) and captions it with its template.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
from cli_entry import diffforge, ok

from diffforge.dataset import read_pairs

OPERATOR = '''
"""A plugin change type: an object standing on the floor rises into the air."""

from pathlib import Path

from diffforge.scenes.changes import ChangeOperator, GateCheck
from diffforge.scenes.model import Change

# A lift whose object's bottom edge moves up by fewer pixels than this is not seen.
MIN_LIFT_PX = 3


class Levitate(ChangeOperator):
    type = "levitate"
    fields = ("transform.location",)
    weight = 0.5
    params = {"lift_cm": {"uniform": [20.0, 50.0]}}
    apart = frozenset({"viewpoint"})  # a camera move would hide the lift
    templates = ("levitate",)
    template_dir = Path(__file__).parent / "templates"

    def needs(self, scene):
        return any(o.support in ("floor", "ground") for o in scene.objects)

    def apply(self, ctx, before, after):
        grounded = [
            o for o in self.free_objects(ctx, after, self.type) if o.support in ("floor", "ground")
        ]
        obj = ctx.pick(grounded)
        lift = ctx.params["lift_cm"]
        x, y, z = obj.transform.location
        obj.transform.location = (x, y, round(z + lift / 100.0, 6))
        ctx.lock(self.type, obj.id)
        return Change(
            type=self.type,
            targets=[obj.id],
            before={"z": z},
            after={"z": obj.transform.location[2]},
            params={"lift_cm": round(lift, 1)},
        )

    def gate(self, check: GateCheck) -> list[str]:
        reasons = check.target_reasons()
        boxes = [check.facts[side].get(check.change.targets[0], {}).get("box")
                 for side in ("before", "after")]
        if None not in boxes and boxes[0][3] - boxes[1][3] < MIN_LIFT_PX:
            reasons.append("levitate: lift too small to see")
        return reasons

    def caption_values(self, change):
        return {"lift": round(change.params["lift_cm"])}
'''

TEMPLATE = """\
{# one phrasing per line: the target's referring forms and the operator's caption_values #}
{{ ref }} now floats {{ lift }} centimetres above the floor.
{{ ref }} has risen {{ lift }} centimetres into the air.
"""


def write_plugin(root: Path) -> Path:
    """``levitate_plugin`` and its ``.dist-info`` (the entry point) under ``root``."""
    pkg = root / "levitate_plugin"
    (pkg / "templates").mkdir(parents=True)
    (pkg / "__init__.py").write_text(textwrap.dedent(OPERATOR).lstrip())
    (pkg / "templates" / "levitate.j2").write_text(TEMPLATE)
    info = root / "levitate_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: levitate-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[diffforge.changes]\nlevitate = levitate_plugin:Levitate\n"
    )
    return root


def write_config(path: Path) -> Path:
    """Levitate dominant on tabletop scenes; half the lifts are a centimetre (never seen)."""
    path.write_text(
        textwrap.dedent(
            """\
            seed: 4
            scene: {layouts: {tabletop: 1.0}}
            changes:
              per_pair: {1: 1.0}
              weights: {levitate: 4.0, color: 1.0}
              params: {levitate: {lift_cm: {choice: [1, 40]}}}
            render: {preset: draft, resolution: [96, 72], samples: 4, denoise: false}
            """
        )
    )
    return path


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory) -> dict[str, str]:
    root = write_plugin(tmp_path_factory.mktemp("plugin"))
    path = os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH", "")) if p)
    return {"PYTHONPATH": path}


def test_plugin_type_is_sampled(plugin_env, tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "levitate.yaml")
    out = tmp_path / "specs.jsonl"
    proc = ok(diffforge("sample", cfg, "--n", 6, "--out", out, env=plugin_env))
    assert "levitate" in proc.stdout
    specs = [json.loads(line) for line in out.read_text().splitlines()]
    lifted = [c for s in specs for c in s["changes"] if c["type"] == "levitate"]
    assert lifted and all(c["params"]["lift_cm"] in (1.0, 40.0) for c in lifted)
    for spec in specs:  # the object rose by what the record says, and nothing else moved
        for c in spec["changes"]:
            if c["type"] == "levitate":
                assert c["after"]["z"] == pytest.approx(
                    c["before"]["z"] + c["params"]["lift_cm"] / 100
                )


def test_plugin_type_without_its_package_is_an_unknown_type(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "levitate.yaml")
    proc = diffforge("sample", cfg, "--n", 1, "--out", tmp_path / "specs.jsonl")
    assert proc.returncode == 2, proc.stderr
    assert "changes.weights.levitate: unknown change type 'levitate'" in proc.stderr


def test_plugin_type_is_gated_rendered_and_captioned(plugin_env, tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "levitate.yaml")
    out = tmp_path / "ds"
    ok(diffforge("generate", cfg, "--out", out, "--n", 2, "--workers", 1, env=plugin_env))
    pairs = list(read_pairs(out))
    assert len(pairs) == 2
    levitated = [p for p in pairs if [c.type for c in p.changes] == ["levitate"]]
    assert levitated, [p.changes for p in pairs]
    for pair in levitated:  # rendered with the plugin's own template
        lift = round(pair.changes[0].params["lift_cm"])
        assert lift == 40  # the one-centimetre lifts were all rejected by its gate
        for caption in pair.captions:
            text = caption.text
            assert f"{lift} centimetres" in text, text
            assert "floats" in text or "into the air" in text, text
    # its gate ran: a one-centimetre lift was rendered, measured and resampled
    reasons = [r for p in pairs for r in p.resampled]
    assert "levitate: lift too small to see" in reasons, reasons
