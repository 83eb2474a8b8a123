"""Referring expressions are unique on crafted ambiguous scenes, and fail loudly when they can't."""

from __future__ import annotations

import pytest

from diffforge.captioner.compose import caption_or_reason, caption_pair
from diffforge.captioner.referring import AmbiguousReference, Resolver, make_view
from diffforge.captioner.synthetic import obj, person, room, synthetic_spec
from diffforge.scenes.model import Change, PairSpec, TextContent

RES = (240, 180)
CHAIR = (0.5, 0.5, 0.9)


def describe(objects, target: str, facts=None, **kw) -> str:
    scene = room(objects)
    view = make_view(scene, RES, facts)
    return Resolver(view).describe(scene.object(target), **kw).text


def test_single_object_gets_noun_and_region_only() -> None:
    text = describe([obj("c", "chair", (-2.5, -3.0, 0), CHAIR, "red", "wood")], "c")
    assert text == "the chair in the lower-left corner of the scene"


def test_same_noun_different_colour_same_region_adds_colour() -> None:
    objs = [
        obj("a", "chair", (-2.5, -3.0, 0), CHAIR, "red", "wood"),
        obj("b", "chair", (-1.6, -3.0, 0), CHAIR, "blue", "wood"),
    ]
    assert describe(objs, "a") == "the red chair in the lower-left corner of the scene"
    assert describe(objs, "b").startswith("the blue chair")


def test_identical_objects_in_different_regions_use_location() -> None:
    objs = [
        obj("a", "chair", (-2.5, -3.0, 0), CHAIR, "red", "wood"),
        obj("b", "chair", (2.5, -3.0, 0), CHAIR, "red", "wood"),
    ]
    assert describe(objs, "a") == "the chair in the lower-left corner of the scene"
    assert describe(objs, "b") == "the chair in the lower-right corner of the scene"


def test_material_then_size_when_colour_is_shared() -> None:
    objs = [
        obj("a", "chair", (-2.5, -3.0, 0), CHAIR, "red", "glass"),
        obj("b", "chair", (-1.6, -3.0, 0), CHAIR, "red", "wood"),
    ]
    assert describe(objs, "a").startswith("the glass chair")
    objs[1] = obj("b", "chair", (-1.6, -3.0, 0), CHAIR, "red", "glass", size="large")
    assert describe(objs, "a", exclude=("color",)).startswith("the medium chair")


def test_a_material_the_render_does_not_show_is_never_said() -> None:
    """Metal against wood does not show in these renders (a "metallic" chair looked like beige
    wood, issue 32): size tells the chairs apart, and no material word is said."""
    objs = [
        obj("a", "chair", (-2.5, -3.0, 0), CHAIR, "red", "metal"),
        obj("b", "chair", (-1.6, -3.0, 0), CHAIR, "red", "wood", size="large"),
    ]
    text = describe(objs, "a", style="rich")
    assert text.startswith("the medium red chair"), text
    assert "metal" not in text and "wood" not in text, text


def test_support_relation_names_the_landmark() -> None:
    objs = [
        obj("t", "table", (-1.5, 1.0, 0), (1.2, 0.75, 0.75), "brown", "wood"),
        obj("d", "desk", (1.5, 1.0, 0), (1.2, 0.75, 0.75), "white", "metal"),
        obj("m", "mug", (-1.5, 1.0, 0.75), (0.1, 0.1, 0.12), "red", "ceramic", support="t"),
    ]
    text = describe(objs, "m")
    assert text.startswith("the mug on the brown table ")  # a desk looks like a table


def test_identical_neighbours_fall_back_to_leftmost() -> None:
    objs = [
        obj("t", "table", (0.0, 1.0, 0), (1.6, 0.75, 0.75), "brown", "wood"),
        obj("m1", "mug", (-0.3, 1.0, 0.75), (0.1, 0.1, 0.12), "red", "ceramic", support="t"),
        obj("m2", "mug", (0.3, 1.0, 0.75), (0.1, 0.1, 0.12), "red", "ceramic", support="t"),
    ]
    assert describe(objs, "m1") == "the leftmost mug on the table"
    assert describe(objs, "m2") == "the rightmost mug on the table"


def test_truly_indistinguishable_objects_raise() -> None:
    objs = [
        obj("a", "ball", (0.0, 0.0, 0), (0.3, 0.3, 0.3), "red", "rubber"),
        obj("b", "ball", (0.0, 0.0, 0), (0.3, 0.3, 0.3), "red", "rubber"),
    ]
    with pytest.raises(AmbiguousReference) as info:
        describe(objs, "a")
    assert info.value.reason == "ambiguous referring expression"
    assert info.value.object_id == "a"


def test_render_facts_hide_occluded_rivals() -> None:
    objs = [
        obj("a", "chair", (-2.5, -3.0, 0), CHAIR, "red", "wood"),
        obj("b", "chair", (-1.6, -3.0, 0), CHAIR, "blue", "wood"),
    ]
    facts = {"a": {"pixels": 300, "box": [10, 120, 40, 170]}, "b": {"pixels": 0, "box": None}}
    assert describe(objs, "a", facts) == "the chair in the lower-left corner of the scene"


def test_people_by_clothing_and_pose_text_by_what_it_reads() -> None:
    objs = [
        person("p1", (-1.0, 0.0, 0), "red", "blue", "waving"),
        person("p2", (1.0, 0.0, 0), "green", "black", "arms_raised"),
        obj("s", "sign", (0.0, 2.9, 1.4), (0.8, 0.05, 0.5), "white", "wood", support="wall",
            text=TextContent(string="Cautiuos")),
    ]  # fmt: skip
    p1 = describe(objs, "p1")
    assert p1.startswith("the person in a red top and blue trousers who is waving")
    p2 = describe(objs, "p2", exclude=("pose",))
    assert p2.startswith("the person in a green top and black trousers") and "who" not in p2
    assert describe(objs, "s").startswith('the sign that reads "Cautiuos"')


def _ball_pair() -> PairSpec:
    """Two identical red balls in one spot; one of them disappears."""
    before = room(
        [
            obj("a", "ball", (0.0, 0.0, 0), (0.3, 0.3, 0.3), "red", "rubber"),
            obj("b", "ball", (0.0, 0.0, 0), (0.3, 0.3, 0.3), "red", "rubber"),
        ]
    )
    after = before.model_copy(deep=True)
    after.objects = [o for o in after.objects if o.id != "a"]
    change = Change(type="disappear", targets=["a"], before={"id": "a", "noun": "ball"})
    return PairSpec(id="p", index=0, seed=0, before=before, after=after, changes=[change])


def test_caption_or_reason_gives_the_gate_reason_instead_of_raising() -> None:
    spec = _ball_pair()
    with pytest.raises(AmbiguousReference):
        caption_pair(spec, 2, RES)
    assert caption_or_reason(spec, 2, RES, None) == (None, "ambiguous referring expression")
    assert AmbiguousReference.reason == "ambiguous referring expression"
    # Render facts that show the rival is hidden make the same pair captionable.
    facts = {
        "before": {"a": {"pixels": 300, "box": [100, 80, 130, 110]}, "b": {"pixels": 0}},
        "after": {"b": {"pixels": 0}},
    }
    caps, reason = caption_or_reason(spec, 2, RES, facts)
    assert reason is None and caps == caption_pair(spec, 2, RES, facts)
    assert len(caps) == 2 and all("ball" in c["text"] for c in caps)


def test_caption_or_reason_passes_captions_through() -> None:
    spec = synthetic_spec(4)
    caps, reason = caption_or_reason(spec, 3, RES)
    assert reason is None and caps == caption_pair(spec, 3, RES)


def test_sign_text_is_quoted_only_where_a_viewer_can_read_it() -> None:
    """The review quoted "BANK" from a poster whose letters were a few pixels tall: the
    sampler's legibility rule (letter height, sign inside the frame) decides what is quoted."""
    from diffforge.config import GenerateConfig
    from diffforge.scenes.sampler import sample_pair, text_readability, text_readable

    cfg = GenerateConfig()
    readable = text_readability(cfg)
    res = (256, 192)
    library, vis = readable.args

    def on_wall(o) -> bool:  # a poster or shop sign: its letters fill much of its height
        return o.text is not None and library.get(o.asset).placement == "wall"

    specs = (sample_pair(cfg, i) for i in range(80))
    spec = next(s for s in specs if any(map(on_wall, s.before.objects)))
    sign = next(filter(on_wall, spec.before.objects))
    small = make_view(spec.before, res, readable=readable)
    assert sign.id in small.unreadable  # default scenes: posters a few px tall
    text = Resolver(small).describe(sign).text
    assert sign.text.string not in text and "reads" not in text
    quoted = make_view(spec.before, res, readable=lambda *_: True)
    assert f'"{sign.text.string}"' in Resolver(quoted).describe(sign).text
    # the rule itself: letters tall enough in a sign inside the frame; cut by the frame: never
    tall = (60.0, 4.0, 200.0, 188.0)  # the sign fills the frame's height
    assert text_readable(library, vis, sign, tall, res)
    assert not text_readable(library, vis, sign, (60.0, 0.0, 200.0, tall[3]), res)
    assert not text_readable(library, vis, sign, (60.0, 20.0, 200.0, 30.0), res)
    # reading needs pixels, not a share of the frame: letters readable at 256×192 stay readable
    # at the same pixel height in a frame twice as large
    short = next(
        h
        for h in range(10, 192)
        if text_readable(library, vis, sign, (60.0, 4.0, 200.0, 4.0 + h), res)
    )
    big = (2 * res[0], 2 * res[1])
    assert not text_readable(library, vis, sign, (60.0, 4.0, 200.0, 4.0 + short - 1), res)
    assert text_readable(library, vis, sign, (120.0, 8.0, 400.0, 8.0 + short), big)


def test_look_alike_nouns_are_rivals() -> None:
    """Review pair 28: "the sofa on the left side" was gone while a yellow armchair, which a
    viewer calls a sofa too, stayed on the left: the description must tell them apart."""
    objs = [
        obj("s", "sofa", (-2.5, -3.0, 0), (1.8, 0.8, 0.8), "gray", "fabric"),
        obj("a", "armchair", (-1.6, -3.0, 0), (0.9, 0.8, 0.8), "yellow", "fabric"),
    ]
    assert describe(objs, "s").startswith("the gray sofa")
    objs[1] = obj("a", "vase", (-1.6, -3.0, 0), (0.3, 0.3, 0.5), "yellow", "glass")
    assert describe(objs, "s").startswith("the sofa")  # a vase is no sofa


def test_next_to_means_close_for_the_objects_sizes() -> None:
    """ "Next to" needs a gap small beside the two objects (half the smaller one's largest
    side): a cube 0.9 m from a small cylinder, or a clock a metre above a shelf, is not next
    to it; a cube 10 cm away is."""
    cyl = obj("c", "cylinder", (0.0, 0.0, 0), (0.4, 0.4, 0.4), "cyan", "rubber")
    far = obj("k", "cube", (1.3, 0.0, 0), (0.4, 0.4, 0.4), "red", "rubber")
    near = obj("k", "cube", (0.5, 0.0, 0), (0.4, 0.4, 0.4), "red", "rubber")
    shelf = obj("s", "shelf", (0.0, 2.8, 0), (0.9, 0.3, 1.0), "yellow", "wood")
    clock = obj("w", "wall clock", (0.0, 2.95, 2.0), (0.3, 0.05, 0.3), "gray", "plastic",
                support="wall")  # fmt: skip

    def landmark(objects, target: str) -> str | None:
        scene = room(objects)
        return Resolver(make_view(scene, RES, None)).nearest_landmark(scene.object(target))

    assert landmark([cyl, far], "c") is None
    assert landmark([cyl, near], "c") == "k"
    assert landmark([shelf, clock], "s") is None
    assert landmark([shelf, clock.model_copy(update={"transform": clock.transform.model_copy(
        update={"location": (0.0, 2.95, 1.05)})})], "s") == "w"  # fmt: skip


def test_where_a_moved_object_is_now_is_read_on_the_after_image() -> None:
    """With the camera moved too, "it can now be found …" names the region of the after
    image, where a reader looks for it (a shelf "now in the lower-right corner" stood at
    mid-height on the right of the after image)."""
    from diffforge.captioner.referring import region_phrase

    chair = obj("c", "chair", (-2.2, -2.5, 0), CHAIR, "red", "wood")
    before = room([chair, obj("s", "sofa", (0.0, 2.5, 0), (2.0, 0.9, 0.85), "gray", "fabric")])
    after = before.model_copy(deep=True)
    after.object("c").transform.location = (2.2, -2.5, 0.0)
    moved = Change(type="move", targets=["c"], params={"support": "floor"})
    same = PairSpec(id="p", index=0, seed=0, before=before, after=after, changes=[moved])
    text = caption_pair(same, 1, RES)[0]["text"]
    assert "in the lower-right corner." in text
    orbited = after.model_copy(deep=True)
    orbited.camera = orbited.camera.model_copy(update={"location": (6.5, -5.0, 5.0)})
    view = Change(type="viewpoint", targets=["camera"], params={"direction": "right"})
    both = PairSpec(id="p", index=0, seed=0, before=before, after=orbited,
                    changes=[view, moved])  # fmt: skip
    now = make_view(orbited, RES, None).region("c")
    assert now != ("lower", "right")
    phrase = region_phrase(now).removesuffix(" of the scene")
    text = caption_pair(both, 1, RES)[0]["text"]
    assert f"{phrase}." in text and "lower-right" not in text, text
