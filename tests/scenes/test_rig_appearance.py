"""A rig's look comes from its manifest entry: clothing colours only where it declares clothes,
so captions never dress a rig that wears none."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from diffforge.captioner.compose import caption_pair
from diffforge.captioner.referring import AmbiguousReference
from diffforge.config import load_config
from diffforge.scenes.sampler import PairSampler
from diffforge.vocabulary import CLOTHING_WORDS

# samples and captions specs with people for each rig: `make test-slow`, run in CI
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "configs" / "default.yaml"
CLOTHING = re.compile(rf"\b({'|'.join(CLOTHING_WORDS.values())})\b|\bin an? \w+ top\b", re.I)


def _manifest(tmp: Path, slots: list[str]) -> Path:
    glb = tmp / "rig.glb"  # sampling never opens the file; the manifest pins its sha256
    glb.write_bytes(b"glTF rig stand-in")
    rig = {
        "id": "user_rig", "type": "rig", "file": glb.name,
        "sha256": hashlib.sha256(glb.read_bytes()).hexdigest(),
        "bone_map": {"Pelvis": "hips", "Skull": "head"}, "license": "CC0-1.0", "source": "test",
        "category": "person", "noun": "person", "placement": "floor",
        "size": [0.5, 0.3, 1.75], "material_slots": slots, "tags": ["person", "indoor", "outdoor"],
    }  # fmt: skip
    path = tmp / f"rig_{'_'.join(slots) or 'bare'}.json"
    path.write_text(json.dumps({"name": "rig", "version": "1", "license": "CC0-1.0",
                                "assets": [rig]}))  # fmt: skip
    return path


def _captions(tmp: Path, rig: str | None, slots: list[str], n: int = 40):
    """(people sampled, captions of pairs that change a person) with only one kind of person."""
    overrides = [
        "scene.people.probability=1.0",
        "changes.weights={pose: 2.0, color: 2.0, move: 1.0, add: 0.5, remove: 0.5}",
    ]
    if rig:
        overrides.append(f"assets.manifests=[{_manifest(tmp, slots)}]")
        overrides.append("assets.exclude={ids: [mannequin]}")
    sampler = PairSampler(load_config(DEFAULT, overrides))
    people, captions = [], []
    for i in range(n):
        spec = sampler.sample(i)
        persons = [o for s in (spec.before, spec.after) for o in s.objects if o.pose is not None]
        people += persons
        ids = {o.id for o in persons}
        if any(ids & set(c.targets) for c in spec.changes):
            try:
                captions += [c["text"] for c in caption_pair(spec, per_pair=3)]
            except AmbiguousReference:  # the caption gate resamples such a pair
                continue
    return people, captions


def test_undeclared_rig_has_no_clothing_and_captions_invent_none(tmp_path):
    people, captions = _captions(tmp_path, "user_rig", [])
    assert people and {p.asset for p in people} == {"user_rig"}
    assert all(p.attributes.clothing is None and p.attributes.color is None for p in people)
    assert len(captions) >= 10
    assert any("person" in c for c in captions)
    dressed = [c for c in captions if CLOTHING.search(c)]
    assert not dressed, dressed[:3]


def test_declared_clothing_is_drawn_and_captioned(tmp_path):
    """The control: the mannequin (top and bottom declared), then a rig declaring a top only."""
    _, captions = _captions(tmp_path, None, [])
    assert any(CLOTHING.search(c) for c in captions)
    people, captions = _captions(tmp_path, "user_rig", ["top"])
    assert people and all(set(p.attributes.clothing) == {"top"} for p in people)
    assert any(re.search(r"\btop\b", c) for c in captions)
    assert not any(re.search(r"\btrousers\b", c) for c in captions)


@pytest.mark.parametrize("slots", [[], ["top"], ["top", "bottom"]])
def test_color_change_only_on_declared_clothes(tmp_path, slots):
    people, _ = _captions(tmp_path, "user_rig", slots, n=25)
    for p in people:
        assert set(p.attributes.clothing or {}) == set(slots)
