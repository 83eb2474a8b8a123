"""The falsifier that builds the fact guard's adversarial corpus: each kind changes one fact,
and exchanging two items of a list (which says the same) is not counted as a falsification."""

from __future__ import annotations

from diffforge.captioner.adversarial import falsify
from diffforge.captioner.rewrite import RewriteReport

CAPTION = (
    "There are two differences between the two images. First, the person in a yellow top and "
    "black trousers in the upper-left corner of the scene has been rotated clockwise. Second, "
    'the number of red mugs has changed from three to two, and the sign now reads "OPEN" '
    'instead of "CLOSED". The wooden table and the green sofa remain unchanged.'
)


def test_each_kind_changes_one_fact() -> None:
    kinds = {kind for kind, _ in falsify(CAPTION)}
    assert {
        "swap colours",
        "swap numbers",
        "swap quotes",
        "move position",
        "turn direction",
        "change number",
        "change colour",
        "change quote",
        "drop attribute",
        "drop value",
        "drop sentence",
        "invent attribute",
        "invent change",
        "negate",
    } <= kinds
    texts = [text for _, text in falsify(CAPTION)]
    assert len(texts) == len(set(texts)) and CAPTION not in texts
    assert "upper-right corner" in " ".join(texts)  # left/right inside the compound word
    assert "in a black top and yellow trousers" in " ".join(texts)
    assert 'reads "CLOSED" instead of "OPEN"' in " ".join(texts)
    assert "from two to three" in " ".join(texts)


def test_reordering_a_list_is_not_a_falsification() -> None:
    caption = "The mug has turned red. The white building, the yellow building remain unchanged."
    texts = [text for _, text in falsify(caption)]
    assert "the yellow building, the white building" not in " ".join(texts).lower()
    other = "The red mug next to the blue mug has been removed."
    assert any("blue mug next to the red mug" in t for _, t in falsify(other))


def test_rejections_are_counted_by_reason_across_batches() -> None:
    a = RewriteReport("openai", total=2, rejected=2, reasons={"position": 1, "object": 2})
    b = RewriteReport("openai", total=1, rejected=1, reasons={"position": 1})
    a.add(b)
    assert a.reasons == {"position": 2, "object": 2}
    assert "rejected by reason: object 2, position 2" in a.summary()
