"""The import graph of the project's own modules: no cycles, and dependencies point one way.

The graph is built with `ast` from the source of enrollment/, benefits/, outreach/, payments/,
dashboards/, api/, core/ (when present) and config/ (migrations left out: they are generated history). Imports
inside functions count as imports: a lazy import is still a dependency that the module needs to
do its work, and writing one is the usual way a cycle gets hidden rather than removed, so the
rules below hold for them as well as for imports at module level.

Rules (the house style in ARCHITECTURE.md):
- no cycle between modules, except a service module and the Celery tasks of the same app
  (`X.services*` ↔ `X.tasks`: the service enqueues the task, the task calls the service);
- `enrollment` imports no `outreach`, `payments` or `dashboards` module, and `benefits` only where the
  enrollment service asks for the determination (`ENROLLMENT_TO_BENEFITS`);
- `benefits`, `outreach` and `payments` never import each other, nor `dashboards`;
- nobody imports `dashboards` (config wires it in by name, which is not an import), except the
  data-sharing API (`api`), which answers other departments with the dashboard's own figures;
- nobody imports `api` (config wires it in by name);
- `core` imports no app.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["enrollment", "benefits", "outreach", "payments", "dashboards", "api", "core",
            "config"]
APPS = ["enrollment", "benefits", "outreach", "payments", "dashboards", "api"]
# Apps at the top of the graph, that read the ones below and that nobody imports.
READ_SIDES = {"dashboards", "api"}
# (importing module, imported module): the one sanctioned call from the registry up to the
# policy layer, the determination asked when an enrollment is written.
ENROLLMENT_TO_BENEFITS = {("enrollment.services.enrollments", "benefits.determination")}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        base = ROOT / package
        if not base.is_dir():
            continue
        for path in base.rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _resolve(module: str, is_package: bool, level: int, name: str | None) -> str:
    if not level:
        return name or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def import_graph() -> dict[str, set[str]]:
    """{module: the project modules it imports, anywhere in its source}."""
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(module, is_package, node.level, node.module)
                for alias in node.names:
                    sub = f"{base}.{alias.name}" if base else alias.name
                    targets.append(sub if sub in modules else base)
            for target in targets:
                # "import a.b.c" names the deepest module the graph knows
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != module:
                    graph[module].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _service_or_tasks_of(module: str) -> str | None:
    """The app a services or tasks module belongs to (`benefits.recalc.services` and
    `benefits.tasks` both belong to benefits), else None."""
    parts = module.split(".")
    if any(part.startswith("services") or part == "tasks" for part in parts[1:]):
        return parts[0]
    return None


def _allowed(component: set[str]) -> bool:
    """A cycle is allowed only among the services and the tasks of one app."""
    owners = {_service_or_tasks_of(m) for m in component}
    return len(owners) == 1 and None not in owners


def _app(module: str) -> str:
    return module.split(".")[0]


def _edges(graph, source_app: str, target_app: str) -> set[tuple[str, str]]:
    return {(m, t) for m, targets in graph.items() if _app(m) == source_app
            for t in targets if _app(t) == target_app}


def test_the_graph_sees_the_project():
    graph = import_graph()
    assert {"enrollment.models", "enrollment.regions", "dashboards.rollups",
            "outreach.models"} <= set(graph)
    assert "enrollment.regions" in graph["enrollment.models"]
    assert "dashboards.sql" in graph["dashboards.rollups"]
    assert "api.selectors" in graph["api.views"]


def test_no_import_cycles_except_services_and_tasks_of_one_app():
    cycles = [sorted(c) for c in _cycles(import_graph()) if not _allowed(c)]
    assert cycles == []


def test_the_cycle_finder_finds_a_lazy_cycle():
    graph = {"a.selectors": {"a.views"}, "a.views": {"a.selectors"}, "a.services": {"a.tasks"},
             "a.tasks": {"a.services"}, "b.services": {"c.tasks"}, "c.tasks": {"b.services"}}
    assert sorted(sorted(c) for c in _cycles(graph) if not _allowed(c)) == [
        ["a.selectors", "a.views"], ["b.services", "c.tasks"]]


def test_enrollment_builds_on_nothing_above_it_but_the_determination():
    graph = import_graph()
    assert _edges(graph, "enrollment", "outreach") == set()
    assert _edges(graph, "enrollment", "dashboards") == set()
    assert _edges(graph, "enrollment", "payments") == set()
    assert _edges(graph, "enrollment", "benefits") <= ENROLLMENT_TO_BENEFITS


def test_benefits_outreach_and_payments_never_import_each_other_or_dashboards():
    graph = import_graph()
    apps = ["benefits", "outreach", "payments"]
    pairs = [(a, b) for a in apps for b in [*apps, "dashboards"] if a != b]
    for source, target in pairs:
        assert _edges(graph, source, target) == set(), (source, target)


def test_nobody_imports_dashboards_but_the_api():
    graph = import_graph()
    outside = {(m, t) for m, targets in graph.items() if _app(m) not in READ_SIDES
               for t in targets if _app(t) == "dashboards"}
    assert outside == set()


def test_nobody_imports_the_api():
    graph = import_graph()
    assert {(m, t) for m, targets in graph.items() if _app(m) != "api"
            for t in targets if _app(t) == "api"} == set()
    assert _edges(graph, "api", "dashboards"), "the API reads the dashboard's figures"


def test_core_imports_no_app():
    graph = import_graph()
    assert {(m, t) for m, targets in graph.items() if _app(m) == "core"
            for t in targets if _app(t) in APPS} == set()
