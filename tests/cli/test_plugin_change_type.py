"""A plugin change type end to end, through the installed console script.

A temporary package (``levitate_plugin``: README's operator that raises an object, its caption
template, and a ``.dist-info`` registering it under the entry-point group ``diffforge.changes``)
is put on PYTHONPATH and named in a config's ``changes.weights``. ``diffforge sample`` draws it;
``diffforge generate`` renders it in Blender workers, runs its gate (which rejects lifts too
small to see: they show in the pairs' resampled reasons) and captions it with its template.
"""

from __future__ import annotations

import json
import os
import re
import textwrap
from pathlib import Path

import pytest
from cli_entry import diffforge, ok

from diffforge.dataset import read_pairs

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def readme_block(language: str, first_line: str) -> str:
    """The README code block of ``language`` that starts with ``first_line``, without it."""
    for block in re.findall(rf"```{language}\n(.*?)```", README, re.S):
        head, _, body = block.partition("\n")
        if head.strip() == first_line:
            return body
    raise AssertionError(f"README has no {language} block starting {first_line!r}")


# The example of README's "Your own change type", as the page shows it.
OPERATOR = readme_block("python", "# levitate_plugin/__init__.py")
TEMPLATE = readme_block("jinja", "{# levitate_plugin/templates/levitate.j2 #}")


def write_plugin(root: Path) -> Path:
    """``levitate_plugin`` and its ``.dist-info`` (the entry point) under ``root``."""
    pkg = root / "levitate_plugin"
    (pkg / "templates").mkdir(parents=True)
    (pkg / "__init__.py").write_text(OPERATOR)
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
            seed: 11   # pair 0 draws a 1 cm lift first: its gate is seen to reject it
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
