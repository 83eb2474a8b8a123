"""Contact sheets of the built-in assets' shape variants: a row per asset, a column per variant.

Drawn without Blender (orthographic, flat-shaded triangles sorted back to front, a colour per
material slot), so every variant of every kind can be looked at in a minute:

    python benchmarks/review/shape_sheet.py benchmarks/contact_sheets/shapes --variants 8
"""

from __future__ import annotations

import argparse
import math
import zlib
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import PolyCollection

from diffforge.scenes.assets import AssetLibrary
from diffforge.scenes.assets.shapes import variant

ROWS_PER_SHEET = 10


def slot_colour(name: str) -> np.ndarray:
    """A stable, distinct colour per slot name (body grey-blue, the rest hashed)."""
    if name == "body":
        return np.array([0.62, 0.66, 0.75])
    h = zlib.crc32(name.encode())
    return np.array([0.35 + 0.6 * ((h >> s) & 255) / 255 for s in (0, 8, 16)])


def draw(ax, scene, azimuth: float = -35.0, elevation: float = 20.0) -> None:
    """Flat-shaded orthographic view of a Z-up scene, the front (-Y) towards the viewer."""
    a, e = math.radians(azimuth), math.radians(elevation)
    rz = np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, math.cos(e), -math.sin(e)], [0, math.sin(e), math.cos(e)]])
    view = rx @ rz
    polys, depth, colours = [], [], []
    light = np.array([0.4, -0.7, 0.6])
    light /= np.linalg.norm(light)
    for name, mesh in scene.geometry.items():
        v = mesh.vertices @ view.T
        n = mesh.face_normals @ view.T
        front = n[:, 1] < 0.0  # faces turned towards the viewer (at -Y): no back faces
        tri = v[mesh.faces[front]]
        n = n[front]
        shade = 0.35 + 0.65 * np.clip(n @ (rx @ rz @ light), 0, 1)
        base = slot_colour(name)
        polys.extend(tri[:, :, [0, 2]])
        depth.extend(tri[:, :, 1].mean(axis=1))
        colours.extend(np.clip(base[None, :] * shade[:, None], 0, 1))
    order = np.argsort(depth)[::-1]  # far first (+Y after the view turn is away)
    polys = [polys[i] for i in order]
    colours = [colours[i] for i in order]
    ax.add_collection(PolyCollection(polys, facecolors=colours, edgecolors="none"))
    pts = np.vstack(polys) if polys else np.zeros((1, 2))
    lo, hi = pts.min(0), pts.max(0)
    c, r = (lo + hi) / 2, max(hi - lo) / 2 * 1.08 + 1e-6
    ax.set_xlim(c[0] - r, c[0] + r)
    ax.set_ylim(c[1] - r, c[1] + r)
    ax.set_aspect("equal")
    ax.axis("off")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="folder for the sheets (shapes_<k>.jpg)")
    ap.add_argument("--variants", type=int, default=8, help="variants per asset (columns)")
    ap.add_argument(
        "--assets", nargs="*", default=None, help="asset ids (default: every one with variants)"
    )
    args = ap.parse_args()
    lib = AssetLibrary.load()
    specs = [
        s for s in lib if variant(s, 0) is not None and (not args.assets or s.id in args.assets)
    ]
    args.out.mkdir(parents=True, exist_ok=True)
    for k in range(0, len(specs), ROWS_PER_SHEET):
        rows = specs[k : k + ROWS_PER_SHEET]
        fig, axes = plt.subplots(len(rows), args.variants + 1, figsize=(1.6 * (args.variants + 1), 1.6 * len(rows)),
                                 squeeze=False)  # fmt: skip
        for r, spec in enumerate(rows):
            axes[r][0].axis("off")
            axes[r][0].text(0.0, 0.5, f"{spec.id}\n({spec.category})", fontsize=9, va="center")
            for i in range(args.variants):
                shape_id, _ = variant(spec, i)
                draw(axes[r][i + 1], lib.build(shape_id))
                axes[r][i + 1].set_title(shape_id.split("~")[1], fontsize=6)
        fig.tight_layout()
        path = args.out / f"shapes_{k // ROWS_PER_SHEET:02d}.jpg"
        fig.savefig(path, dpi=70, pil_kwargs={"quality": 80})
        plt.close(fig)
        print(path)


if __name__ == "__main__":
    main()
