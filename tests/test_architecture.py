"""The shape docs/ARCHITECTURE.md promises, checked on the source so it cannot drift.

- no import cycle between diffforge modules (module-level imports; lazy imports inside
  functions are how heavy packages stay out of ``--help``, and do not count);
- only diffforge/dataset/ knows the dataset file names;
- commands live in diffforge/commands/ and only there is typer imported;
- the orchestrator side never imports bpy at module level (only the Blender backend does).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "diffforge"


def module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in PKG.rglob("*.py")}


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


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        deps: set[str] = set()
        for node in _top_level_imports(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = node.module or ""
                if node.level:  # relative import
                    pkg = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                    base = ".".join(pkg[: len(pkg) - node.level + 1] + ([base] if base else []))
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                    for a in node.names
                ]
            deps |= {t for t in targets if t in MODULES and t != "diffforge" and t != name}
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


def test_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


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
