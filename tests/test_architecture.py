"""The shape docs/ARCHITECTURE.md promises, checked on the source so it cannot drift.

- no import cycle between diffforge modules, counting every import (inside functions too: a
  lazy import keeps heavy packages out of ``--help``, not a cycle out of the design); only
  imports under ``if TYPE_CHECKING:`` are left out, they never run;
- every import between top-level packages is allowed by the dependency table of
  docs/ARCHITECTURE.md, and that table is acyclic;
- only diffforge/dataset/ knows the dataset file names;
- commands live in diffforge/commands/ and only there is typer imported;
- the orchestrator side never imports bpy at module level (only the Blender backend does).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "diffforge"
ARCHITECTURE = PKG.parent / "docs" / "ARCHITECTURE.md"


def module_name(path: Path, pkg: Path = PKG) -> str:
    rel = path.relative_to(pkg.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules_of(pkg: Path) -> dict[str, Path]:
    return {module_name(p, pkg): p for p in sorted(pkg.rglob("*.py"))}


MODULES = modules_of(PKG)


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and (
        (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
        or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
    )


def _top_level_imports(tree: ast.Module) -> list[ast.stmt]:
    """Import statements that run at import time: the module body, its top-level if/try
    blocks, minus ``if TYPE_CHECKING:``."""
    out: list[ast.stmt] = []
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            out.append(node)
        elif isinstance(node, ast.If):
            if not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
                todo += node.body + node.orelse
        elif isinstance(node, ast.Try):
            todo += node.body + node.orelse + node.finalbody
            for h in node.handlers:
                todo += h.body
    return out


def all_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement anywhere in a module (functions, methods, branches), except the
    body of ``if TYPE_CHECKING:`` (its ``else`` runs, so it counts)."""
    out: list[ast.Import | ast.ImportFrom] = []
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            out.append(node)
        elif _is_type_checking(node):
            todo += node.orelse  # type: ignore[attr-defined]
            continue
        todo += ast.iter_child_nodes(node)
    return out


def import_graph(pkg: Path = PKG, *, everywhere: bool = True) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (every import, or only module-level ones)."""
    modules = modules_of(pkg)
    root = pkg.name
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        deps: set[str] = set()
        for node in all_imports(tree) if everywhere else _top_level_imports(tree):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = node.module or ""
                if node.level:  # relative import
                    pkg_parts = (
                        name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                    )
                    keep = len(pkg_parts) - node.level + 1
                    base = ".".join(pkg_parts[:keep] + ([base] if base else []))
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                    for a in node.names
                ]
            deps |= {t for t in targets if t in modules and t != root and t != name}
        graph[name] = deps
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for d in sorted(graph.get(n, ())):
            if state.get(d) == 1:
                return [*stack[stack.index(d) :], d]
            if d not in state and (found := visit(d)):
                return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state and (found := visit(n)):
            return found
    return None


def top_level(module: str) -> str:
    """The top-level package or module a module belongs to: "diffforge.scenes.model" -> "scenes"."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def package_edges(graph: dict[str, set[str]]) -> dict[tuple[str, str], list[str]]:
    """(from package, to package) -> the module imports that make the edge."""
    edges: dict[tuple[str, str], list[str]] = {}
    for mod, deps in graph.items():
        for dep in deps:
            a, b = top_level(mod), top_level(dep)
            if a != b:
                edges.setdefault((a, b), []).append(f"{mod} -> {dep}")
    return edges


_ROW = re.compile(r"^\|\s*`([\w.]+)`\s*\|(.*)\|\s*$")


def dependency_table(markdown: str) -> dict[str, set[str]]:
    """The package dependency table of an architecture page: the markdown table whose header is
    ``| package | may import |``; one row per package, its allowed imports in backticks."""
    lines = markdown.splitlines()
    head = next(
        (
            i
            for i, line in enumerate(lines)
            if re.match(r"^\|\s*package\s*\|\s*may import\s*\|", line)
        ),
        None,
    )
    assert head is not None, "no '| package | may import |' table"
    table: dict[str, set[str]] = {}
    for line in lines[head + 2 :]:
        if not line.startswith("|"):
            break
        m = _ROW.match(line)
        assert m, f"cannot read table row {line!r}"
        table[m.group(1)] = set(re.findall(r"`([\w.]+)`", m.group(2)))
    return table


def dependency_violations(pkg: Path, table: dict[str, set[str]]) -> list[str]:
    """Every import between top-level packages of ``pkg`` (inside functions too) the table does
    not allow, and every package the table does not list; empty when the code keeps to it."""
    out = []
    for (a, b), where in sorted(package_edges(import_graph(pkg)).items()):
        if a not in table:
            out.append(f"{a} is not in the dependency table ({where[0]})")
        elif b not in table[a]:
            out.append(f"{a} may not import {b}: " + ", ".join(sorted(where)))
    for mod in modules_of(pkg):
        if mod != pkg.name and top_level(mod) not in table:
            out.append(f"{top_level(mod)} is not in the dependency table")
    return sorted(set(out))


def test_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_imports_inside_functions_count_and_type_checking_ones_do_not():
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import hidden\nelse:\n    import shown\n"
        "def f():\n    import inner\n"
        "class C:\n    def m(self):\n        from deep import x\n"
    )
    names = {a.name for n in all_imports(tree) if isinstance(n, ast.Import) for a in n.names}
    froms = {n.module for n in all_imports(tree) if isinstance(n, ast.ImportFrom)}
    assert names == {"shown", "inner"} and froms == {"typing", "deep"}


def test_every_import_between_packages_is_in_the_dependency_table():
    table = dependency_table(ARCHITECTURE.read_text())
    assert dependency_violations(PKG, table) == []


def test_the_dependency_table_is_acyclic_and_names_real_packages():
    table = dependency_table(ARCHITECTURE.read_text())
    cycle = find_cycle(table)
    assert cycle is None, " -> ".join(cycle or [])
    packages = {top_level(m) for m in MODULES if m != "diffforge"}
    assert set(table) == packages
    assert set().union(*table.values()) <= packages


# A small package written to tmp_path: the checker must catch what it is there to catch.
_SYNTHETIC = {
    "__init__.py": "",
    "base.py": "X = 1\n",
    "core/__init__.py": "",
    "core/model.py": "from pkg.base import X\n",
    "app/__init__.py": "",
    "app/main.py": "from pkg.core.model import X\n",
}
_SYNTHETIC_TABLE = "| package | may import |\n|---|---|\n| `base` | — |\n| `core` | `base` |\n| `app` | `core`, `base` |\n"


def _write_package(root: Path, files: dict[str, str]) -> Path:
    pkg = root / "pkg"
    for rel, text in files.items():
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_text(text)
    return pkg


def test_the_checker_passes_a_package_that_keeps_to_its_table(tmp_path: Path):
    pkg = _write_package(tmp_path, _SYNTHETIC)
    assert dependency_violations(pkg, dependency_table(_SYNTHETIC_TABLE)) == []
    assert find_cycle(import_graph(pkg)) is None


def test_the_checker_fails_on_a_new_upward_import(tmp_path: Path):
    upward = "def helper():\n    from pkg.app.main import X  # lazy, still upward\n    return X\n"
    pkg = _write_package(tmp_path, {**_SYNTHETIC, "core/helpers.py": upward})
    assert dependency_violations(pkg, dependency_table(_SYNTHETIC_TABLE)) == [
        "core may not import app: pkg.core.helpers -> pkg.app.main"
    ]


def test_the_checker_fails_on_a_circular_import(tmp_path: Path):
    files = {
        **_SYNTHETIC,
        "core/model.py": "from pkg.base import X\nfrom pkg.core import view\n",
        "core/view.py": "def show():\n    from pkg.core.model import X\n    return X\n",
    }
    pkg = _write_package(tmp_path, files)
    assert find_cycle(import_graph(pkg)) == ["pkg.core.model", "pkg.core.view", "pkg.core.model"]
    assert find_cycle(import_graph(pkg, everywhere=False)) is None  # only a lazy import closes it
    table = dependency_table(_SYNTHETIC_TABLE.replace("| `base` | — |", "| `base` | `app` |"))
    assert find_cycle(table) == ["app", "base", "app"]  # a circular table is caught too


def _string_constants(tree: ast.Module) -> list[str]:
    docstrings = {
        id(n.body[0].value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
        and n.body
        and isinstance(n.body[0], ast.Expr)
        and isinstance(n.body[0].value, ast.Constant)
    }
    return [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
    ]


@pytest.mark.parametrize("name", ["pairs.jsonl", "dataset.json"])
def test_only_the_dataset_package_names_the_dataset_files(name):
    offenders = [
        str(path.relative_to(PKG.parent))
        for mod, path in MODULES.items()
        if not mod.startswith("diffforge.dataset")
        and any(name in s for s in _string_constants(ast.parse(path.read_text())))
    ]
    assert offenders == []


def test_typer_is_imported_only_by_command_modules():
    offenders = []
    for mod, path in MODULES.items():
        if mod.startswith("diffforge.commands"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n.split(".")[0] == "typer" for n in names):
                offenders.append(mod)
    assert offenders == []


# The modules allowed to import Blender's own modules (bpy, bmesh, mathutils): the Blender
# renderer's translators, imported only inside worker processes, and the .blend scan, run as a
# Blender subprocess (it imports bpy inside ``main``). Everything else, the orchestrator and the
# bpy-free surface analysis of the scan included, must import without Blender.
BLENDER_MODULES = {
    "diffforge.render.blender.architecture",
    "diffforge.render.blender.assets",
    "diffforge.render.blender.backend",
    "diffforge.render.blender.device",
    "diffforge.render.blender.materials",
    "diffforge.render.blender.objects",
    "diffforge.render.blender.passes",
    "diffforge.render.blender.people",
    "diffforge.render.blender.text",
    "diffforge.render.blender.user_file",
    "diffforge.render.blender.world",
    "diffforge.render.blender_scan",
}


def test_only_the_blender_renderer_and_the_scan_import_bpy():
    def imported(node: ast.AST) -> list[str]:
        if isinstance(node, ast.Import):
            return [a.name.split(".")[0] for a in node.names]
        if isinstance(node, ast.ImportFrom) and not node.level:
            return [(node.module or "").split(".")[0]]
        return []

    blender = {"bpy", "bmesh", "mathutils"}
    found = {
        mod
        for mod, path in MODULES.items()
        if any(set(imported(n)) & blender for n in ast.walk(ast.parse(path.read_text())))
    }
    assert found == BLENDER_MODULES
    at_module_level = {
        mod
        for mod, path in MODULES.items()
        if any(set(imported(n)) & blender for n in _top_level_imports(ast.parse(path.read_text())))
    }
    assert at_module_level == BLENDER_MODULES - {"diffforge.render.blender_scan"}
