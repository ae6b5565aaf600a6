"""No import circle between the modules of portal/ (docs/architecture.md).

Static: every module's source is parsed with `ast`, nothing is imported. An edge
A → B is any `import B` or `from B import x` in A (also `from pkg import B` when B is
a module of pkg), wherever it is written:

- function-level imports COUNT. Moving an import into a function only hides a circle
  from Python's import machinery; the two modules still depend on each other, and a
  reader who knows one must know the other. The one exception is `portal/__init__.py`
  (create_app), which imports every feature to register it and is imported by nothing.
- imports under `if TYPE_CHECKING:` COUNT too, for the same reason.

It also holds the one-way direction of docs/architecture.md: no module imports a
blueprint's `views` module (create_app registers them), services never import forms,
views or page data, and the pure rooms (vocabularies, rules, state machines, and the
core helpers they use) import only each other, the standard library and python-stdnum.

Run it alone: `.venv/bin/python -m pytest tests/test_import_cycles.py -q`, or
`.venv/bin/python tests/test_import_cycles.py` to print every circle.
"""

import ast
import sys
from pathlib import Path

PORTAL = Path(__file__).resolve().parent.parent / "portal"


def module_name(path: Path) -> str:
    """portal/transfer/views.py → portal.transfer.views; a package's __init__ → the package."""
    parts = path.relative_to(PORTAL.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def portal_modules() -> dict[str, Path]:
    """Every module of portal/, by dotted name."""
    return {module_name(path): path for path in sorted(PORTAL.rglob("*.py"))}


def imported_modules(path: Path, name: str, modules: set[str]) -> set[str]:
    """The modules of `modules` that a module imports, anywhere in its source.

    `from pkg import sub` depends on pkg.sub when sub is a module, else on pkg; relative
    imports are resolved against the module's package.
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in modules else base)
    return (found & modules) - {name}


def import_graph() -> dict[str, set[str]]:
    """Edges between portal's modules."""
    modules = portal_modules()
    graph = {name: imported_modules(path, name, set(modules)) for name, path in modules.items()}
    graph["portal"] = set()  # create_app: imports every feature to register it
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(graph)))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def describe(component: list[str], graph: dict[str, set[str]]) -> str:
    """A circle inside a component, written out: a → b → … → a."""
    members = set(component)
    path, seen = [component[0]], {component[0]}
    while True:
        step = sorted(graph[path[-1]] & members)
        back = [target for target in step if target in seen]
        if back:
            start = path.index(back[0])
            return " → ".join([*path[start:], back[0]])
        path.append(step[0])
        seen.add(step[0])


# The core modules the pure rooms may use: pure themselves (standard library only).
PURE_CORE = {
    "portal.identifiers",
    "portal.labels",
    "portal.limits",
    "portal.messages",
    "portal.money",
    "portal.regions",
    "portal.workflow",
    "portal.valuation.errors",
}
PURE_ROOMS = {"terms", "rules", "workflow"}
PURE_THIRD_PARTY = {"stdnum"}  # identifiers' check digits


def is_pure(name: str) -> bool:
    """A vocabulary, a rules module or package, a state machine, or a pure core module."""
    parts = name.split(".")
    return name in PURE_CORE or bool(PURE_ROOMS & set(parts[2:])) or parts[-1] in PURE_ROOMS


def third_party_imports(path: Path) -> set[str]:
    """The top-level names of what a module imports from outside portal and the stdlib."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found - {"portal"} - set(sys.stdlib_module_names)


def test_the_checker_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert describe(["a", "b", "c"], graph) == "a → b → c → a"


def test_the_checker_reads_function_level_and_relative_imports(tmp_path):
    source = tmp_path / "views.py"
    source.write_text("def f():\n    from .services import g\n    import portal.db\n")
    modules = {"portal.db", "portal.transfer.services", "portal.transfer.views"}
    found = imported_modules(source, "portal.transfer.views", modules)
    assert found == {"portal.transfer.services", "portal.db"}


def test_no_import_circle_between_portal_modules():
    graph = import_graph()
    assert len(graph) > 100  # the parse found the package
    circles = [describe(component, graph) for component in cycles(graph)]
    assert circles == [], "import circles:\n" + "\n".join(circles)


def test_only_create_app_imports_a_views_module():
    graph = import_graph()
    importers = {
        name: sorted(t for t in targets if t.endswith(".views")) for name, targets in graph.items()
    }
    assert {name: views for name, views in importers.items() if views} == {}


def test_services_never_import_forms_views_or_page_data():
    graph = import_graph()
    layers = (".forms", ".views", ".pages")
    wrong = {
        name: sorted(t for t in targets if t.endswith(layers))
        for name, targets in graph.items()
        if name.endswith(".services")
    }
    assert {name: found for name, found in wrong.items() if found} == {}


def test_pure_rooms_import_only_pure_modules():
    modules = portal_modules()
    graph = import_graph()
    pure = sorted(name for name in modules if is_pure(name))
    assert "portal.transfer.rules" in pure and "portal.valuation.rules.engine" in pure
    impure = {
        name: sorted(t for t in graph[name] if not is_pure(t))
        + sorted(third_party_imports(modules[name]) - PURE_THIRD_PARTY)
        for name in pure
    }
    assert {name: found for name, found in impure.items() if found} == {}


if __name__ == "__main__":
    graph = import_graph()
    for component in cycles(graph):
        print(len(component), describe(component, graph), sep="  ")
        print("   ", ", ".join(component))
