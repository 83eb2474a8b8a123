"""The .blend scan's geometry, without Blender: support surfaces, free space, scale, views.

``render/blender_scan.py`` (inside Blender) turns a file into world-space triangles, object
boxes and ray casts; everything measured on them is plain numpy here, so it is tested on small
arrays without Blender:

- **support surfaces**: upward faces grouped into planar patches at their own heights (a curved
  backdrop's floor is where its flat part is, never its bounding-box top), walls and ceilings
  left out by their normals, and on each patch the free rectangles no other geometry stands on;
- **the scene's scale**: metres per Blender unit, from the unit setting, then from the size of
  what stands on the floor (a scene modelled in centimetres; 2 m primitives on a slab);
- **which objects may change**, what each stands on, and **views** synthesised to frame the
  supports when the file's own cameras do not see the floor.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

UP_NORMAL = 0.94  # cos 20°: faces this close to horizontal can hold things
GRID = 192  # cells along the scene's larger horizontal side
CLEARANCE_M = 0.25  # free height a surface needs above it
MIN_PATCH_M2 = 0.04  # a patch smaller than 20 × 20 cm holds nothing worth a caption
MAX_RECTS = 4  # free rectangles kept per patch
EYE_M = 1.6
MAX_VIEW_M = 7.0  # farther (at a 30 mm lens), a tabletop object is a few pixels at 256 px
ASPECT = 4 / 3  # the presets' frame
PRIMITIVE_UNITS = 2.0  # Blender's default cube, sphere and cylinder


BIG_SUPPORT_M = 1.0  # a support this wide is furniture: it holds things, it does not change
MAX_OBJECT_M = 2.5  # larger than this is architecture or landscape, not an object
MIN_OBJECT_M = 0.02  # smaller than this nobody sees it change


def in_units(camera: dict[str, Any], scale: float) -> dict[str, Any]:
    return {**camera, "location": [c / scale for c in camera["location"]],
            "look_at": [c / scale for c in camera["look_at"]]}  # fmt: skip


class Grid:
    """A horizontal raster over the scene (cell centres), for patches and free space."""

    def __init__(self, lo: np.ndarray, hi: np.ndarray):
        side = float(max(hi[0] - lo[0], hi[1] - lo[1], 1e-6))
        self.cell = side / GRID
        self.lo = lo[:2] - self.cell
        self.shape = (
            math.ceil((hi[1] - lo[1]) / self.cell) + 3,
            math.ceil((hi[0] - lo[0]) / self.cell) + 3,
        )

    def index(self, xy: np.ndarray) -> np.ndarray:
        return np.floor((xy - self.lo) / self.cell).astype(int)

    def centre(self, row: float, col: float) -> tuple[float, float]:
        return (self.lo[0] + (col + 0.5) * self.cell, self.lo[1] + (row + 0.5) * self.cell)

    def fill_triangle(self, mask: np.ndarray, tri: np.ndarray) -> None:
        """Mark the cells whose centres lie inside the triangle's xy projection."""
        (c0, r0), (c1, r1) = self.index(tri[:, :2].min(0)), self.index(tri[:, :2].max(0))
        r0, c0 = max(r0, 0), max(c0, 0)
        r1, c1 = min(r1, self.shape[0] - 1), min(c1, self.shape[1] - 1)
        if r1 < r0 or c1 < c0:
            return
        ys, xs = np.mgrid[r0 : r1 + 1, c0 : c1 + 1]
        px = self.lo[0] + (xs + 0.5) * self.cell
        py = self.lo[1] + (ys + 0.5) * self.cell
        (ax, ay), (bx, by), (cx, cy) = tri[0, :2], tri[1, :2], tri[2, :2]
        det = (by - cy) * (ax - cx) + (cx - bx) * (ay - cy)
        if abs(det) < 1e-12:
            return
        w1 = ((by - cy) * (px - cx) + (cx - bx) * (py - cy)) / det
        w2 = ((cy - ay) * (px - cx) + (ax - cx) * (py - cy)) / det
        inside = (w1 >= -1e-6) & (w2 >= -1e-6) & (w1 + w2 <= 1 + 1e-6)
        mask[r0 : r1 + 1, c0 : c1 + 1] |= inside

    def fill_box(self, mask: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
        (c0, r0), (c1, r1) = self.index(lo), self.index(hi)
        mask[max(r0, 0) : max(r1 + 1, 0), max(c0, 0) : max(c1 + 1, 0)] = True


def largest_rectangle(mask: np.ndarray) -> tuple[int, int, int, int, int]:
    """(area, row0, col0, row1, col1) of the largest all-True axis-aligned rectangle."""
    best = (0, 0, 0, -1, -1)
    heights = np.zeros(mask.shape[1], int)
    for r in range(mask.shape[0]):
        heights = np.where(mask[r], heights + 1, 0)
        stack: list[int] = []
        for c in range(len(heights) + 1):
            h = heights[c] if c < len(heights) else 0
            while stack and heights[stack[-1]] >= h:
                top = stack.pop()
                left = stack[-1] + 1 if stack else 0
                area = heights[top] * (c - left)
                if area > best[0]:
                    best = (int(area), r - heights[top] + 1, left, r, c - 1)
            stack.append(c)
    return best


def patches(
    tris: np.ndarray, owner: np.ndarray, grid: Grid, allowed: set[int] | None, tol: float
) -> list[dict[str, Any]]:
    """Upward faces grouped by height, then into connected regions on the grid."""
    from scipy import ndimage

    normals = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
    area2 = np.linalg.norm(normals, axis=1)
    ok = area2 > 1e-12
    nz = np.zeros(len(tris))
    nz[ok] = normals[ok, 2] / area2[ok]
    up = np.nonzero(ok & (nz > UP_NORMAL))[0]
    if allowed is not None:
        up = up[np.isin(owner[up], list(allowed))]
    if not len(up):
        return []
    z = tris[up, :, 2].mean(1)
    order = np.argsort(z)
    groups: list[list[int]] = [[order[0]]]
    for a, b in itertools.pairwise(order):
        if z[b] - z[a] > tol:
            groups.append([])
        groups[-1].append(b)
    out = []
    for g in groups:
        sel = up[g]
        mask = np.zeros(grid.shape, bool)
        for t in sel:
            grid.fill_triangle(mask, tris[t])
        labels, n = ndimage.label(mask)
        cells = grid.index(tris[sel, :, :2].mean(1))
        rows = np.clip(cells[:, 1], 0, grid.shape[0] - 1)
        cols = np.clip(cells[:, 0], 0, grid.shape[1] - 1)
        tri_label = labels[rows, cols]
        for k in range(1, n + 1):
            mine = tri_label == k
            if not mine.any():
                continue
            height = float(np.average(tris[sel[mine], :, 2].mean(1), weights=area2[sel[mine]]))
            area_of: Counter = Counter()  # by area: a fine mesh (a text's letters) is not a top
            for o, a in zip(owner[sel[mine]].tolist(), area2[sel[mine]].tolist(), strict=True):
                area_of[int(o)] += a
            owners = [o for o, _ in area_of.most_common()]
            xy = tris[sel[mine], :, :2].reshape(-1, 2)
            out.append({"mask": labels == k, "height": height, "owners": owners,
                        "bounds": (xy.min(0), xy.max(0))})  # fmt: skip
    return out


def free_space(
    tris: np.ndarray, grid: Grid, patch: dict[str, Any], clear: float, tol: float
) -> np.ndarray:
    """The patch's cells with nothing standing on them within ``clear`` above its height."""
    h = patch["height"]
    zmin, zmax = tris[:, :, 2].min(1), tris[:, :, 2].max(1)
    above = np.nonzero((zmax > h + tol) & (zmin < h + clear))[0]
    blocked = np.zeros(grid.shape, bool)
    for t in above:
        grid.fill_box(blocked, tris[t, :, :2].min(0), tris[t, :, :2].max(0))
    return patch["mask"] & ~blocked


def rectangles(
    free: np.ndarray, grid: Grid, min_cells: int, bounds: tuple[np.ndarray, np.ndarray]
) -> list[tuple[float, ...]]:
    """Up to MAX_RECTS largest free rectangles: (cx, cy, half_x, half_y) in scene units. An edge
    within a cell of the patch's own bounds snaps to them, so a table keeps its exact size."""
    free = free.copy()
    lo, hi = bounds
    out = []
    for _ in range(MAX_RECTS):
        area, r0, c0, r1, c1 = largest_rectangle(free)
        if area < min_cells:
            break
        free[r0 : r1 + 1, c0 : c1 + 1] = False
        x0, y0 = grid.lo + np.array([c0, r0]) * grid.cell
        x1, y1 = grid.lo + np.array([c1 + 1, r1 + 1]) * grid.cell
        x0, y0 = (
            (lo[0] if x0 - lo[0] < grid.cell else x0),
            (lo[1] if y0 - lo[1] < grid.cell else y0),
        )
        x1, y1 = (
            (hi[0] if hi[0] - x1 < grid.cell else x1),
            (hi[1] if hi[1] - y1 < grid.cell else y1),
        )
        out.append(((x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2))
    return out


def frames(cameras: list[dict[str, Any]], aspect: float) -> list[tuple[np.ndarray, ...]]:
    """Per camera: location, right, up, forward and the tangents of the half field of view."""
    out = []
    for c in cameras:
        loc, at = np.asarray(c["location"], float), np.asarray(c["look_at"], float)
        fwd = at - loc
        fwd /= max(np.linalg.norm(fwd), 1e-9)
        right = np.cross(fwd, (0.0, 0.0, 1.0))
        if np.linalg.norm(right) < 1e-6:
            right = np.array([1.0, 0.0, 0.0])
        right /= np.linalg.norm(right)
        up = np.cross(right, fwd)
        tx = c.get("sensor", 36.0) / 2 / c["lens"]
        out.append((loc, right, up, fwd, np.array([tx, tx / aspect])))
    return out


def _seen(rect, height, frames, occluded, max_dist: float, n: int) -> tuple[np.ndarray, ...]:
    """An n×n grid of points on a rectangle and which of them a camera sees: inside its frame
    (with a margin), unoccluded and near enough."""
    cx, cy, hx, hy = rect
    u = np.linspace(-0.9, 0.9, n)
    xs, ys = np.meshgrid(cx + u * hx, cy + u * hy)
    pts = np.stack([xs.ravel(), ys.ravel(), np.full(xs.size, height)], 1)
    seen = np.zeros(len(pts), bool)
    for loc, right, up, fwd, tan in frames:
        d = pts - loc
        depth = d @ fwd
        with np.errstate(divide="ignore", invalid="ignore"):
            sx, sy = (d @ right) / depth / tan[0], (d @ up) / depth / tan[1]
        near = np.linalg.norm(d, axis=1) <= max_dist * 0.6 / tan[0]  # a longer lens sees farther
        inside = (depth > 0) & (np.abs(sx) < 0.9) & (np.abs(sy) < 0.9) & near
        for k in np.nonzero(inside & ~seen)[0]:
            seen[k] = not occluded(loc, pts[k])
    return pts, seen


FINE_GRID = 25  # a second look at a large rectangle of which the camera sees a corner
FINE_SEEN = 12  # ... kept where this many of its points are seen (a region, not a sliver)


def visible_part(
    rect: tuple[float, ...],
    height: float,
    frames: list[tuple[np.ndarray, ...]],
    occluded,
    max_dist: float,
) -> tuple[float, ...] | None:
    """The part of a rectangle (scene units) a camera sees; None when too little of it is
    seen. A large floor the camera sees a part of (a studio backdrop seen up close) is looked
    at again on a finer grid, and the part seen kept."""
    cx, cy, hx, hy = rect
    pts, seen = _seen(rect, height, frames, occluded, max_dist, 9)
    pad_x, pad_y = 0.1 * hx, 0.1 * hy
    if seen.mean() < 0.15:
        pts, seen = _seen(rect, height, frames, occluded, max_dist, FINE_GRID)
        if seen.sum() < FINE_SEEN:
            return None
        pad_x, pad_y = 1.8 * hx / (FINE_GRID - 1), 1.8 * hy / (FINE_GRID - 1)
    vis = pts[seen]
    x0, y0 = vis[:, :2].min(0)
    x1, y1 = vis[:, :2].max(0)
    x0, x1 = max(x0 - pad_x, cx - hx), min(x1 + pad_x, cx + hx)
    y0, y1 = max(y0 - pad_y, cy - hy), min(y1 + pad_y, cy + hy)
    return ((x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2)


STAGE_VIEW_M = 3.0  # an empty stage's camera looks from this far once scaled


def scene_scale(
    unit: float, floor_side: float, heights: list[float], view: float = 0.0
) -> tuple[float, str]:
    """Metres per Blender unit: the unit setting, corrected by what stands in the scene; an
    empty stage (nothing stands on it: a studio backdrop made to be filled) whose own camera
    looks from farther than MAX_VIEW_M (``view``: its distance to what it looks at, in file
    units) is scaled so it looks from STAGE_VIEW_M, or what is placed would be specks."""
    if not heights and view * unit > MAX_VIEW_M:
        return STAGE_VIEW_M / view, (
            f"nothing stands on it and its camera looks from {view:.1f} units: scaled so it "
            f"looks from {STAGE_VIEW_M:g} m"
        )
    h = float(np.median(heights)) * unit if heights else 0.0
    side = floor_side * unit
    if h >= 2000 or side >= 20000:
        return unit * 0.001, "millimetres (objects thousands of units tall)"
    if h >= 20 or side >= 400:
        return unit * 0.01, "centimetres (objects tens of units tall)"
    # most of what stands is Blender's default primitives (2 units across): a toy scene at
    # any slab size; in metres they would dwarf every library object 10-20 times
    primitive = sum(abs(x * unit - PRIMITIVE_UNITS) < 0.05 * PRIMITIVE_UNITS for x in heights)
    if (side <= 30 and h > 1.6) or (primitive >= 0.75 * len(heights) > 0 and side <= 200):
        return (
            unit * 0.4 / h,
            f"objects {h:.2f} units tall on a {side:.1f}-unit support: tabletop scale",
        )
    return unit, "metres (unit setting)"


def judge_units(units, found, floor, names, scale: float, tol: float, side_m: float) -> None:
    """Which objects may change: not the floor, architecture or huge things, not furniture
    that holds things (a support at least BIG_SUPPORT_M wide) nor the parts under it (legs),
    nor what stands on nothing the scan found (a picture on a wall); tags decide first."""
    floor_meshes = {names[i] for i in floor["owners"]}
    holders = {names[p["owners"][0]] for p in found if p is not floor and p["owners"]}
    fixed_tops = []
    for u in units:
        dims = (u["hi"] - u["lo"]) * scale
        meshes = {m.name for m in u["members"]}
        if meshes & floor_meshes:
            u["changeable"], u["reason"] = False, "floor"
        elif dims.max() > min(MAX_OBJECT_M, 0.6 * side_m):
            u["changeable"], u["reason"] = False, "too large (architecture)"
        elif dims.max() < MIN_OBJECT_M:
            u["changeable"], u["reason"] = False, "too small"
        elif meshes & holders and dims[:2].max() >= BIG_SUPPORT_M:
            u["changeable"], u["reason"] = False, "furniture that holds things"
        else:
            u["changeable"], u["reason"] = True, ""
        if u["reason"] == "furniture that holds things":
            fixed_tops.append(u)
    for u in units:  # the legs under a table belong to it
        if not u["changeable"]:
            continue
        for f in fixed_tops:
            inside = (u["lo"][:2] >= f["lo"][:2] - tol).all() and (
                u["hi"][:2] <= f["hi"][:2] + tol
            ).all()
            if inside and u["hi"][2] <= f["hi"][2] + tol:
                u["changeable"], u["reason"] = False, f"part of {f['name']}"
                break


def stands_on(u, found, surfaces, grid: Grid, tol: float, scale: float) -> str | None:
    """The name of the scanned surface an object stands on (the patch under its centre, at
    its bottom's height), the rectangle holding its centre where there is one."""
    c = (u["lo"][:2] + u["hi"][:2]) / 2
    col, row = grid.index(c)
    reach = max(3 * tol, 0.01 / scale)
    under = [p for p in found if abs(p["height"] - u["lo"][2]) <= reach
             and 0 <= row < grid.shape[0] and 0 <= col < grid.shape[1] and p["mask"][row, col]]  # fmt: skip
    for p in sorted(under, key=lambda p: abs(p["height"] - u["lo"][2])):
        rects = [s for s in surfaces if s["patch"] == id(p) and s["object"] != u["name"]]
        if not rects:
            continue
        cm = c * scale
        return min(rects, key=lambda s, cm=cm: max(abs(cm[0] - s["center"][0]) - s["half"][0],
                                                    abs(cm[1] - s["center"][1]) - s["half"][1]))["name"]  # fmt: skip
    return None


def synthesised_cameras(scale: float, floor_rect, floor_h: float, supports) -> list[dict[str, Any]]:
    """Views that frame the supports: inside a room or street at eye height, above a slab."""
    tops = [r for p, _, _, r in supports if p["height"] > floor_h] or [floor_rect]
    cx = float(np.mean([r[0] for r in tops])) * scale
    cy = float(np.mean([r[1] for r in tops])) * scale
    tz = float(np.mean([p["height"] for p, *_ in supports if p["height"] > floor_h] or [floor_h]))
    tz *= scale
    fx, fy, hx, hy = (v * scale for v in floor_rect)
    out = []
    for k, (sx, sy) in enumerate(((0.0, -1.0), (-0.8, -0.8), (0.8, -0.8))):
        if max(hx, hy) > 2.0:  # a room or a street: stand inside, at eye height
            loc = [fx + sx * 0.8 * hx, fy + sy * 0.8 * hy, floor_h * scale + EYE_M]
        else:  # a slab or a table top: step back and look down
            reach = 2.0 * max(hx, hy, 0.3)
            loc = [cx + sx * reach, cy + sy * reach, tz + 1.0 * reach]
        out.append({"name": f"synthesised_{k}", "location": loc, "look_at": [cx, cy, tz],
                    "lens": 30.0})  # fmt: skip
    return out


def winding_number(tris: np.ndarray, points: np.ndarray) -> np.ndarray:
    """How many times the (closed) triangle surface winds around each point: about 1 inside a
    mesh whose normals point out, -1 inside one whose normals point in, 0 outside
    (the solid angles of the triangles seen from the point, over 4π)."""
    out = np.zeros(len(points))
    for k, p in enumerate(points):
        a, b, c = (tris[:, i] - p for i in range(3))
        la, lb, lc = (np.linalg.norm(v, axis=1) for v in (a, b, c))
        det = np.einsum("ij,ij->i", a, np.cross(b, c))
        den = (la * lb * lc + np.einsum("ij,ij->i", a, b) * lc
               + np.einsum("ij,ij->i", b, c) * la + np.einsum("ij,ij->i", c, a) * lb)  # fmt: skip
        out[k] = 2 * np.arctan2(det, den).sum() / (4 * math.pi)
    return out


def parts_of(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Connected parts of a triangle mesh (by shared edges): each triangle's part label, and
    per part whether it is closed (every edge shared by exactly two triangles)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    t = len(idx)
    edges = np.sort(np.concatenate([idx[:, [0, 1]], idx[:, [1, 2]], idx[:, [2, 0]]]), axis=1)
    keys, edge_id, counts = np.unique(edges, axis=0, return_inverse=True, return_counts=True)
    edge_id = edge_id.ravel()
    tri_of_edge = np.tile(np.arange(t), 3)
    graph = coo_matrix(
        (np.ones(3 * t), (tri_of_edge, t + edge_id)), shape=(t + len(keys), t + len(keys))
    )
    _, labels = connected_components(graph, directed=False)
    labels = labels[:t]
    _, labels = np.unique(labels, return_inverse=True)
    open_edge = counts[edge_id] != 2
    closed = np.ones(labels.max() + 1 if t else 0, bool)
    closed[labels[tri_of_edge[open_edge]]] = False
    return labels, closed


def orient(co: np.ndarray, idx: np.ndarray, viewers: np.ndarray) -> tuple[np.ndarray, int]:
    """Triangles (vertex indices into ``co``, world space) wound so their normals face where
    the scene is seen from, whatever the file's winding: a closed part's normals point out
    unless the viewers (cameras and lamps; a point above the scene where the file has none)
    are inside it (a room modelled as one box); an open part (a backdrop, a ground plane)
    faces the side most of its area is seen from. Expects a part's windings consistent with
    each other (Blender's recalculated normals do that). Returns the triangles and how many
    were turned over."""
    if not len(idx):
        return idx, 0
    labels, closed = parts_of(idx)
    tris = co[idx]
    normals = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])  # length: 2 × area
    centres = tris.mean(1)
    flip = np.zeros(len(closed), bool)
    for part in range(len(closed)):
        mine = labels == part
        if closed[part]:  # normals out (positive volume) unless seen from inside
            inside = np.abs(winding_number(tris[mine], viewers)) > 0.5
            volume = float(
                np.einsum("ij,ij->i", tris[mine, 0], np.cross(tris[mine, 1], tris[mine, 2])).sum()
            )
            flip[part] = (volume > 0) == (inside.mean() > 0.5)
        else:
            to_viewer = viewers[None, :, :] - centres[mine][:, None, :]
            facing = np.sign(np.einsum("tvk,tk->tv", to_viewer, normals[mine]))
            area = np.linalg.norm(normals[mine], axis=1)
            flip[part] = float((facing.mean(1) * area).sum()) < 0
    turned = flip[labels]
    out = idx.copy()
    out[turned] = out[turned][:, [0, 2, 1]]
    return out, int(turned.sum())


def up_axis(hints: np.ndarray, tris: np.ndarray | None = None) -> str:
    """ "y" for a file whose up is +Y (a Y-up export brought in without the axis conversion),
    else "z". By its flat faces (``tris``) first: the floor is the largest flat thing, so faces
    across one axis outweighing those across the other three times over decide; where they do
    not, by its cameras' up and its lamps' backs (``hints``: unit vectors; a lamp shines down
    its -Z). A camera alone cannot tell: one looking straight down a Z-up scene has +Y up."""
    if tris is not None and len(tris):
        n = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
        area = np.linalg.norm(n, axis=1)
        ok = area > 1e-12
        unit = n[ok] / area[ok, None]
        across_y = area[ok][np.abs(unit[:, 1]) > UP_NORMAL].sum()
        across_z = area[ok][np.abs(unit[:, 2]) > UP_NORMAL].sum()
        if across_y > 3 * across_z:
            return "y"
        if across_z > 3 * across_y:
            return "z"
    if len(hints):
        m = np.asarray(hints, float).reshape(-1, 3).mean(0)
        return "y" if m[1] > abs(m[2]) and m[1] > abs(m[0]) else "z"
    return "z"


def viewpoints(
    cameras: np.ndarray, lamps: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """Where the scene is seen and lit from (scene units): the file's cameras and lamps, or,
    where it has none, a point high above the middle of its bounds (free space is above)."""
    pts = [p for p in (cameras, lamps) if len(p)]
    if pts:
        return np.concatenate(pts).reshape(-1, 3)
    mid = (lo + hi) / 2
    return np.array([[mid[0], mid[1], hi[2] + 2.0 * float(max(hi - lo))]])


class NoSurface(Exception):
    """The file has nowhere an object could stand (the scan reports why)."""


Patch = dict[str, Any]  # mask, height, owners, bounds (+ area, kind once found)
Support = tuple[Patch, str, int, tuple[float, ...]]  # patch, owner name, rank, free rectangle


def tolerance(tris: np.ndarray) -> float:
    """Heights closer than this are one surface (0.2 % of the scene's size)."""
    pts = tris.reshape(-1, 3)
    return max(0.002 * float((pts.max(0) - pts.min(0)).max()), 1e-4)


def support_patches(
    tris: np.ndarray, owner: np.ndarray, tagged: dict[int, str]
) -> tuple[Grid, list[Patch], Patch]:
    """The grid, every upward patch with its area and tag, and the floor: the largest patch
    (a mesh tagged "floor" wins; with one, only tagged meshes hold things)."""
    pts = tris.reshape(-1, 3)
    grid = Grid(pts.min(0), pts.max(0))
    curated = "floor" in tagged.values()
    found = patches(tris, owner, grid, set(tagged) if curated else None, tolerance(tris))
    cell_area = grid.cell**2
    found = [p for p in found if p["mask"].sum() * cell_area > 0]
    if not found:
        raise NoSurface("no upward-facing surface (nothing can stand anywhere)")
    for p in found:
        p["area"] = float(p["mask"].sum() * cell_area)
        p["kind"] = tagged.get(p["owners"][0], "")
    floor = max(found, key=lambda p: (p["kind"] == "floor", p["area"]))
    return grid, found, floor


def standing_heights(tris: np.ndarray, owner: np.ndarray, floor: Patch) -> list[float]:
    """Heights of the meshes that stand on or above the floor (not the floor's own, nor what
    spans nearly the whole scene's height): what the scale is judged by."""
    tol = tolerance(tris)
    zs = tris[:, :, 2]
    full = float(zs.max() - zs.min())
    out = []
    for i in range(int(owner.max()) + 1 if len(owner) else 0):
        if i in set(floor["owners"]) or not (owner == i).any():
            continue
        oz = zs[owner == i]
        if oz.min() >= floor["height"] - tol and oz.max() - oz.min() < 0.9 * full + 1e-9:
            out.append(float(oz.max() - oz.min()))
    return out


def in_reach(found: list[Patch], floor: Patch, scale: float) -> list[Patch]:
    """The floor, tagged surfaces, and patches 0.2-2.2 m above the floor: below it, a step, or
    out of reach (the top of a wardrobe) hold nothing."""
    return [p for p in found if p is floor or p["kind"] == "surface"
            or 0.2 <= (p["height"] - floor["height"]) * scale <= 2.2]  # fmt: skip


def free_rectangles(
    tris: np.ndarray,
    owner: np.ndarray,
    moving: set[int],
    found: list[Patch],
    floor: Patch,
    grid: Grid,
    names: list[str],
    scale: float,
) -> list[Support]:
    """Free rectangles on each patch, the floor's first. Free space is measured around every
    mesh but the ``moving`` ones (what may change is in the scene graph, where the placer keeps
    clear of it)."""
    tol = tolerance(tris)
    clear, min_area = CLEARANCE_M / scale, MIN_PATCH_M2 / scale**2
    fixed = tris[~np.isin(owner, list(moving))] if moving else tris
    out: list[Support] = []
    for p in sorted(found, key=lambda p: (p is not floor, p["height"], -p["area"])):
        free = free_space(fixed, grid, p, clear, tol)
        owner_name = names[p["owners"][0]] if p["owners"] else "surface"
        rects = rectangles(free, grid, int(min_area / grid.cell**2), p["bounds"])
        out += [(p, owner_name, k, r) for k, r in enumerate(rects)]
    if not any(p is floor for p, *_ in out):
        raise NoSurface("no support surface large and free enough to hold objects")
    return out


Occluded = Callable[[np.ndarray, np.ndarray], bool]  # (camera location, point) -> hidden


def seen_supports(
    supports: list[Support],
    floor: Patch,
    cameras: list[dict[str, Any]],
    scale: float,
    occluded: Occluded,
    unit_of: dict[str, str],
) -> list[dict[str, Any]]:
    """The part of each free rectangle the cameras (metres) see, as sidecar surfaces (metres);
    ``patch`` keeps which patch each came from until the objects are placed on them."""
    views = frames([in_units(c, scale) for c in cameras], ASPECT)
    out = []
    for p, owner_name, _, rect in supports:
        lift = 0.1 / scale  # where an object's middle is, not the surface itself
        seen = visible_part(rect, p["height"] + lift, views, occluded, MAX_VIEW_M / scale)
        if seen is None:
            continue
        cx, cy, hx, hy = seen
        out.append({
            "name": owner_name,
            "kind": "floor" if p is floor else "surface",
            "center": [cx * scale, cy * scale],
            "half": [hx * scale, hy * scale],
            "height": p["height"] * scale,
            "object": unit_of.get(owner_name),
            "patch": id(p),
        })  # fmt: skip
    return out


def name_surfaces(surfaces: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One floor (the largest seen floor rectangle; the floor's others hold things like any
    surface), first; the floor keeps its mesh's name, further rectangles get .1, .2, ..."""
    floors = [s for s in surfaces if s["kind"] == "floor"]
    if not floors:
        raise NoSurface("no camera sees the floor (no free floor area in view)")
    main_floor = max(floors, key=lambda s: s["half"][0] * s["half"][1])
    for s in floors:
        s["kind"] = "floor" if s is main_floor else "surface"
    surfaces = sorted(surfaces, key=lambda s: s["kind"] != "floor")
    seen_names: dict[str, int] = {}
    for s in surfaces:
        k = seen_names.get(s["name"], 0)
        seen_names[s["name"]] = k + 1
        s["name"] = s["name"] if k == 0 else f"{s['name']}.{k}"
    return surfaces
