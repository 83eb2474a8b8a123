"""The optional legibility gate: Tesseract must read a text change's new string back."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from render_fixtures import make_pair

from diffforge.audit import audit_dataset
from diffforge.scenes.model import Camera

pytestmark = [pytest.mark.blender, pytest.mark.slow]


def _sign_pair(index: int, close: bool):
    spec = make_pair(index, "text", seed=2)
    if close:
        for scene in (spec.before, spec.after):
            scene.camera = Camera(location=(0.0, -0.45, 0.62), look_at=(0.0, 1.0, 0.58), lens=30.0)
    return spec


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract-ocr")
def test_ocr_gate_keeps_legible_and_rejects_illegible_text(run, cfg, tmp_path):
    # Without denoising the far sign's new text is visible but unreadable: the OCR gate, not the
    # visibility gate, must be what rejects it.
    render = cfg.render.model_copy(update={"ocr_gate": True, "denoise": False})
    ocr_cfg = cfg.model_copy(update={"render": render})
    specs = [_sign_pair(0, close=True), _sign_pair(1, close=False)]
    summary = run(tmp_path, n=None, specs=specs, cfg=ocr_cfg, workers=1)
    assert summary["pairs"] == 1, summary
    (failure,) = summary["failures"]
    assert failure["index"] == 1 and "not legible" in failure["reason"]


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract-ocr")
def test_audit_reads_both_strings_of_a_text_change_and_checks_the_caption_quotes_them(
    run, cfg, tmp_path
):
    summary = run(tmp_path, n=None, specs=[_sign_pair(0, close=True)], workers=1, captions=True)
    assert summary["pairs"] == 1, summary
    text = audit_dataset(tmp_path)["text"]
    assert (text["changes"], text["strings"]) == (1, 2), text
    assert text["read_and_quoted_share"] == 1.0, text["misses"]

    # a caption that names the new string without quoting the old one
    (rec,) = [json.loads(line) for line in (tmp_path / "pairs.jsonl").read_text().splitlines()]
    scene_path = tmp_path / rec["scene"]
    scene = json.loads(scene_path.read_text())
    _gate_reads_each_side(tmp_path, rec, scene)
    old = next(o for o in scene["spec"]["before"]["objects"] if o.get("text"))["text"]["string"]
    rec["captions"][0]["text"] = rec["captions"][0]["text"].replace(f'"{old}"', "its old text")
    (tmp_path / "pairs.jsonl").write_text(json.dumps(rec) + "\n")
    text = audit_dataset(tmp_path)["text"]
    assert (text["quoted_share"], text["read_share"], text["read_and_quoted_share"]) == (
        0.5,
        1.0,
        0.0,
    )

    # a recorded string the image does not show is not read
    for obj in scene["spec"]["after"]["objects"]:
        if obj.get("text"):
            obj["text"]["string"] = "QUIZZICAL JUKEBOX"
    scene_path.write_text(json.dumps(scene))
    assert audit_dataset(tmp_path)["text"]["read_share"] == 0.5


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract-ocr")
def test_letters_as_bright_as_their_board_read_in_a_colour_channel():
    # blue letters on a green board of the same grey level: a reader tells them apart by hue,
    # Tesseract's grey view cannot; the channel views must
    from PIL import Image, ImageDraw, ImageFont

    from diffforge.render.gates import sign_reads

    image = Image.new("RGB", (90, 24), (40, 100, 40))
    ImageDraw.Draw(image).text(
        (6, 4), "PARKING", fill=(40, 60, 255), font=ImageFont.load_default(size=14)
    )
    grey = np.asarray(image.convert("L"), dtype=float)
    assert grey.max() - grey.min() <= 2  # nothing to read in grey
    assert sign_reads(np.asarray(image), (0, 0, 89, 23), "PARKING")
    assert not sign_reads(np.asarray(image), (0, 0, 89, 23), "GARAGE")


def _gate_reads_each_side(root, rec, scene) -> None:
    """The OCR gate on the rendered pair: both strings read; a blurred side is named."""
    from PIL import Image, ImageFilter

    from diffforge.render.gates import ocr_reasons
    from diffforge.scenes.model import PairSpec

    spec = PairSpec.model_validate(scene["spec"])
    images = {side: Image.open(root / rec[side]).convert("RGB") for side in ("before", "after")}
    arrays = {side: np.asarray(im) for side, im in images.items()}
    assert ocr_reasons(spec, scene["facts"], arrays) == []
    for side, word in (("before", "old"), ("after", "new")):
        blurred = dict(arrays, **{side: np.asarray(images[side].filter(ImageFilter.BoxBlur(6)))})
        assert ocr_reasons(spec, scene["facts"], blurred) == [f"text: {word} text not legible"]
