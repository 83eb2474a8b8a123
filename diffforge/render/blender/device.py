"""The compute device and a scene's Cycles settings, one named function per settings group.

Every setting that affects pixels is set here from ``RenderSettings`` and the pair's seed, so a
render depends on its spec and settings alone (never on a file's defaults).
"""

from __future__ import annotations

import bpy

from diffforge.errors import DiffforgeError
from diffforge.render.preflight import GPU_TYPES
from diffforge.render.settings import RenderSettings


def choose_device(wanted: str) -> str:
    """'CPU' or a GPU compute type; 'auto' probes every type before choosing."""
    if wanted == "cpu":
        return "CPU"
    prefs = bpy.context.preferences.addons["cycles"].preferences
    types = GPU_TYPES if wanted == "auto" else (wanted.upper(),)
    for kind in types:
        try:
            devices = prefs.get_devices_for_type(kind)
        except (TypeError, ValueError):
            continue
        gpus = [d for d in devices if d.type == kind]
        if gpus:
            prefs.compute_device_type = kind
            for d in devices:
                d.use = d.type == kind
            return kind
    if wanted == "auto":
        return "CPU"
    raise DiffforgeError(f"--device {wanted}: no such device visible to Cycles")


def set_output(sc, s: RenderSettings) -> None:
    """Resolution, threads, an opaque film, and no timestamps or hostnames in the PNG."""
    r = sc.render
    r.engine = "CYCLES"
    r.resolution_x, r.resolution_y = s.resolution
    r.resolution_percentage = 100
    r.threads_mode = "FIXED"
    r.threads = s.threads
    r.film_transparent = False
    for name in dir(r):
        if name.startswith("use_stamp"):
            setattr(r, name, False)


def set_sampling(sc, s: RenderSettings, device: str, seed: int) -> None:
    """Samples, the device and one fixed seed (the same for a pair's two images).

    No light tree: our scenes have a few lamps and glowing shades, and on the CPU the tree cost
    15-20 % of an image without lowering the noise figure (rooms came out less noisy without
    it; benchmarks/render.md, issue 31). Blue-noise sampling, automatic scrambling distance
    and an adaptive threshold of 0.05 left the pixels of 8-spp renders unchanged: not set.
    """
    c = sc.cycles
    c.device = "CPU" if device == "CPU" else "GPU"
    c.samples = s.samples
    c.use_adaptive_sampling = True
    c.use_light_tree = False
    c.seed = seed % (2**31)
    c.use_animated_seed = False


def set_denoising(sc, s: RenderSettings) -> None:
    c = sc.cycles
    c.use_denoising = s.denoise
    if s.denoise:
        c.denoiser = "OPENIMAGEDENOISE"
        c.denoising_quality = s.denoise_quality.upper()  # HIGH: ~1 s per image on a CPU


def set_light_paths(sc) -> None:
    """Fewer, cheaper bounces and no caustics: fireflies would show up as "changes"."""
    c = sc.cycles
    c.max_bounces, c.diffuse_bounces, c.glossy_bounces = 8, 3, 3
    c.transmission_bounces, c.transparent_max_bounces = 6, 8
    c.caustics_reflective = c.caustics_refractive = False
    c.blur_glossy = 1.0
    c.sample_clamp_indirect = 5.0


def set_color_management(sc) -> None:
    sc.view_settings.view_transform = "AgX"  # sampled lights overexpose under "Standard"


def set_passes(sc, s: RenderSettings) -> None:
    """The object-index pass (the instance mask) and, when asked for, depth."""
    vl = sc.view_layers[0]
    vl.use_pass_object_index = True
    vl.use_pass_z = s.depth


def set_region(sc, region: tuple[int, int, int, int] | None) -> None:
    """Path trace only ``region`` (x0, y0, x1, y1 px, top left origin) of the full frame."""
    r = sc.render
    r.use_border = region is not None
    r.use_crop_to_border = False  # the image keeps its size: boxes and masks line up
    if region is not None:
        w, h = r.resolution_x, r.resolution_y
        x0, y0, x1, y1 = region
        r.border_min_x, r.border_max_x = x0 / w, (x1 + 1) / w
        r.border_min_y, r.border_max_y = 1 - (y1 + 1) / h, 1 - y0 / h  # Blender's y is up


def configure(
    sc, s: RenderSettings, device: str, seed: int, region: tuple[int, int, int, int] | None = None
) -> None:
    """Every render setting of the bpy scene ``sc``."""
    set_output(sc, s)
    set_region(sc, region)
    set_sampling(sc, s, device, seed)
    set_denoising(sc, s)
    set_light_paths(sc)
    set_color_management(sc)
    set_passes(sc, s)
