"""The one vocabulary table: plurals and number words used by captions and the fact guard."""

from pathlib import Path

from diffforge.vocabulary import number_word, plural, size_word


def test_plural_of_multiword_nouns() -> None:
    assert plural("stack of toy blocks") == "stacks of toy blocks"
    assert plural("traffic cone") == "traffic cones"
    assert plural("shelf") == "shelves"
    assert plural("glass") == "glasses"


def test_number_and_size_words() -> None:
    assert number_word(2) == "two" and number_word(40) == "40"
    assert size_word(0.5) == "small" and size_word(1.0) == "medium" and size_word(1.5) == "large"


def test_singular_undoes_plural() -> None:
    from diffforge.vocabulary import singular

    # irregular (from the table), -es after s/x/ch/sh, consonant + -ies, plain -s
    cases = {
        "people": "person", "shelves": "shelf", "cacti": "cactus", "sheep": "sheep",
        "benches": "bench", "dishes": "dish", "boxes": "box", "dresses": "dress",
        "batteries": "battery", "keys": "key", "vases": "vase", "chairs": "chair",
    }  # fmt: skip
    assert {p: singular(p) for p in cases} == cases
    for noun in cases.values():
        assert singular(plural(noun)) == noun
    for word in ("bus", "cactus", "glass", "chair"):  # not plurals: unchanged
        assert singular(word) == word


def test_one_material_table_for_scenes_glb_and_renderer() -> None:
    from diffforge.scenes.assets.library import _material
    from diffforge.vocabulary import MATERIAL_CLASSES, MATERIALS

    # the renderer (bpy: not importable here) reads the table by name, keeping no copy
    materials = Path(__file__).parents[1] / "diffforge/render/blender/materials.py"
    source = materials.read_text()
    assert "from diffforge.vocabulary import MATERIAL_CLASSES" in source
    assert '"Roughness": 0.3' not in source and '"Coat Weight": 0.15' not in source
    assert all(MATERIALS[m] is MATERIAL_CLASSES[m] for m in MATERIALS)
    assert len({frozenset(row) for row in MATERIAL_CLASSES.values()}) == 1  # same keys
    glb = _material("part", "red", "plastic")  # a generated asset's fixed part
    assert glb.roughnessFactor == MATERIAL_CLASSES["plastic"]["roughness"] == 0.3
