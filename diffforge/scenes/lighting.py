"""Light colour from temperature, shared by the illumination change and the renderer."""

from __future__ import annotations

import math


def kelvin_to_rgb(kelvin: float) -> tuple[float, float, float]:
    """Black-body colour (Tanner Helland's fit), normalised so 6500 K is white.

    Computed here, not with Blender's ``use_temperature``, so the sampler and captioner can
    reason about the same numbers without bpy.
    """

    def raw(k: float) -> tuple[float, float, float]:
        t = max(1000.0, min(40000.0, k)) / 100.0
        r = 255.0 if t <= 66 else 329.698727446 * (t - 60) ** -0.1332047592
        if t <= 66:
            g = 99.4708025861 * math.log(t) - 161.1195681661
        else:
            g = 288.1221695283 * (t - 60) ** -0.0755148492
        if t >= 66:
            b = 255.0
        elif t <= 19:
            b = 0.0
        else:
            b = 138.5177312231 * math.log(t - 10) - 305.0447927307
        return tuple(min(255.0, max(0.0, v)) / 255.0 for v in (r, g, b))  # type: ignore[return-value]

    ref = raw(6500.0)
    rgb = [c / max(r, 1e-6) for c, r in zip(raw(kelvin), ref, strict=True)]
    peak = max(rgb)
    return tuple(c / peak for c in rgb)  # type: ignore[return-value]


# Lights with a fixture body (the room environment emits them as elements by these names),
# and the id prefixes of lights inside lamp objects.
FIXTURE_NAMES = frozenset({"ceiling lamp", "wall lamp"})
LAMP_LIGHT_PREFIXES = ("lamp_", "streetlamp_")


def has_body(light) -> bool:
    """Whether the light sits in a visible fixture or lamp. Moving it would push it into its
    own fixture or the ceiling (a ceiling lamp is 1.5 cm below its fixture), which leaves the
    room dark: the light-jitter distractor only changes such a light's power."""
    return light.name in FIXTURE_NAMES or light.id.startswith(LAMP_LIGHT_PREFIXES)


def lamp_light_id(obj_id: str) -> str:
    """The id of the light inside a room lamp object (floor, table, pendant lamp)."""
    return f"{LAMP_LIGHT_PREFIXES[0]}{obj_id}"


def drop_lamp_light(scene, obj_id: str) -> None:
    """The light of a lamp object leaves with it (removed, disappeared, replaced): a removed
    table lamp's light left a bright spot on an empty table."""
    own = {f"{prefix}{obj_id}" for prefix in LAMP_LIGHT_PREFIXES}
    scene.lights = [x for x in scene.lights if x.id not in own]
