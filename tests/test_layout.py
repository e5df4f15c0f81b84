"""The code's layout: imports point one way (no module, and no folder of pipeline/, imports one that imports
it back, even through others), the stages are plain calls from process_report, and pipeline/ keeps few
top-level modules. Read from the source with ast, every import counted (inside functions and under
TYPE_CHECKING too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pipeline"
STAGE_ENTRIES = ("extract_pages", "extract_sections", "extract_tables", "extract_indicators", "extract_cases",
                 "extract_claims", "reconcile", "apply_review", "validate", "write_audit", "write_tables", "write_report")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The pipeline modules ``path`` imports."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in modules}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(parent + ([node.module] if node.module else []))
            for alias in node.names:
                target = f"{base}.{alias.name}"
                if target in modules:
                    found.add(target)
                elif base in modules:
                    found.add(base)
    return found - {name}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def _room(module: str) -> str:
    return ".".join(module.split(".")[:2])


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) for name, path in modules.items()}


def test_no_module_imports_one_that_imports_it_back(graph):
    assert _cycle(graph) is None


def test_no_folder_of_pipeline_imports_one_that_imports_it_back(graph):
    rooms: dict[str, set[str]] = {}
    for module, targets in graph.items():
        rooms.setdefault(_room(module), set()).update(_room(t) for t in targets if _room(t) != _room(module))
    assert _cycle(rooms) is None


def test_the_writers_and_the_stages_never_import_the_runtime_the_app_or_the_diff(graph):
    low = [m for m in graph if _room(m) not in ("pipeline.cli", "pipeline.runtime", "pipeline.serve", "pipeline.diff")]
    high = ("pipeline.cli", "pipeline.runtime", "pipeline.serve")
    assert [(m, t) for m in low for t in graph[m] if t.startswith(high)] == []
    assert [(m, t) for m in graph if _room(m) == "pipeline.diff" for t in graph[m] if t.startswith("pipeline.serve")] == []


def test_pipeline_keeps_at_most_fifteen_top_level_modules():
    assert len(list(PACKAGE.glob("*.py"))) <= 15


def test_process_report_calls_every_stage_by_a_name_it_imports():
    """Following process_report with go-to-definition reaches every stage: each is a plain import, no
    attribute looked up at run time."""
    tree = ast.parse((PACKAGE / "process.py").read_text(encoding="utf-8"))
    function = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "process_report")
    imported = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    called = {n.args[1].id for n in ast.walk(function) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
              and n.func.attr == "beside" and len(n.args) > 1 and isinstance(n.args[1], ast.Name)}
    called |= {n.args[1].id for n in ast.walk(function) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
               and n.func.id == "run" and len(n.args) > 1 and isinstance(n.args[1], ast.Name)}
    called |= {n.func.id for n in ast.walk(function) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert set(STAGE_ENTRIES) <= called & imported
