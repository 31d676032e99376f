"""Find import cycles among the product's modules, and imports against the
layers (docs/architecture.md); exit 1 if there is either.

    python scripts/import_cycles.py            the check `make lint` runs
    python scripts/import_cycles.py --deferred evaluation
                                               also list the imports made
                                               inside functions, in the
                                               modules under evaluation
    python scripts/import_cycles.py --all-imports
                                               count those as edges too

The graph is built from each module's source with ``ast``: an edge for
every import the module makes when it is first imported (its top level,
including under ``if`` and ``try``, but not under ``if TYPE_CHECKING``,
which never runs). Importing ``a.b.c`` runs ``a`` and ``a.b`` first, so
those are edges too. Only the product's modules are nodes: the apps and
the project package, without their tests and migrations. A cycle is a
strongly connected component of more than one module; each is printed
with one path around it.

An import inside a function is left out of the graph, because it runs
later and so cannot fail on a half-imported module; but it can hide a cycle
of dependencies all the same. ``--deferred`` lists them so that each can be
justified, and ``--all-imports`` finds the cycles they close.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Packages beside the apps that are not the product.
NOT_PRODUCT = {"e2e", "bench", "scripts", "node_modules", "static", "templates"}
SKIPPED_DIRS = {"tests", "migrations", "__pycache__"}
# The apps in the one direction their dependencies point: an app imports only
# from apps before it. Nothing imports trust or demo; abcd (wiring) may
# import any app, and no app imports abcd.
LAYERS = ("core", "communities", "assets", "grants", "evaluation", "trust", "demo")
IMPORTED_BY_NONE = {"trust", "demo"}


def against_layers(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """The imports that point the wrong way between apps."""
    wrong = []
    for module, targets in sorted(graph.items()):
        app = module.split(".")[0]
        for target in sorted(targets):
            other = target.split(".")[0]
            if other == app or app == "abcd":
                continue
            if (
                other == "abcd"
                or other in IMPORTED_BY_NONE
                or (
                    app in LAYERS
                    and other in LAYERS
                    and LAYERS.index(other) > LAYERS.index(app)
                )
            ):
                wrong.append((module, target))
    return wrong


def product_modules(root: Path) -> dict[str, Path]:
    """Every product module's dotted name and file."""
    modules = {}
    for package in sorted(root.iterdir()):
        if (
            not package.is_dir()
            or package.name.startswith(".")
            or package.name in NOT_PRODUCT
            or not (package / "__init__.py").exists()
        ):
            continue
        for path in sorted(package.rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if SKIPPED_DIRS & set(parts):
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_time(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """The imports a module makes when it is imported."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from _import_time(node.body)
            yield from _import_time(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _import_time(block)
            for handler in node.handlers:
                yield from _import_time(handler.body)
        elif isinstance(node, ast.With):
            yield from _import_time(node.body)


def _deferred(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """The imports made inside functions (they run when the function does)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    yield inner


def _targets(
    node: ast.Import | ast.ImportFrom, module: str, path: Path, known: set[str]
) -> set[str]:
    """The product modules an import statement runs."""
    names: list[str] = []
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            package = module.split(".")
            if path.name != "__init__.py":
                package = package[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join(package + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        names = [base]
        # ``from package import module`` runs that module too.
        names += [f"{base}.{alias.name}" for alias in node.names]
    found = set()
    for name in names:
        parts = name.split(".")
        for end in range(1, len(parts) + 1):
            prefix = ".".join(parts[:end])
            if prefix in known:
                found.add(prefix)
    return found


def import_graph(
    modules: dict[str, Path], *, deferred: bool = False
) -> dict[str, set[str]]:
    known = set(modules)
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        edges = set()
        for node in _import_time(tree.body):
            edges |= _targets(node, name, path, known)
        if deferred:
            for node in _deferred(tree):
                edges |= _targets(node, name, path, known)
        # A package's name starts everything it imports from itself, and a
        # module that imports itself finds itself already there: no edge.
        edges.discard(name)
        graph[name] = edges
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, without recursion."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            advanced = False
            for target in edges:
                if target not in index:
                    index[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    advanced = True
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def a_cycle(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One path around a component: from its first module back to it."""
    members = set(component)
    start = component[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(graph[node] & members):
            if target == start:
                return paths[node] + [start]
            if target not in paths:
                paths[target] = paths[node] + [target]
                queue.append(target)
    return component  # pragma: no cover - a component always has a cycle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--deferred",
        metavar="PACKAGE",
        action="append",
        default=[],
        help="list the imports made inside functions in this package's modules",
    )
    parser.add_argument(
        "--all-imports",
        action="store_true",
        help="count imports made inside functions as edges too",
    )
    args = parser.parse_args(argv)
    modules = product_modules(ROOT)
    graph = import_graph(modules, deferred=args.all_imports)
    cycles = [c for c in strongly_connected(graph) if len(c) > 1]
    edges = sum(len(targets) for targets in graph.values())
    kind = "imports" if args.all_imports else "import-time imports"
    print(f"{len(modules)} product modules, {edges} {kind} between them.")
    for component in cycles:
        print(f"Import cycle: {' -> '.join(a_cycle(graph, component))}")
    if not cycles:
        print("No import cycles.")
    wrong = against_layers(graph)
    for module, target in wrong:
        print(f"Against the layers: {module} imports {target}")
    if not wrong:
        print("Every import points the way of the layers.")
    for package in args.deferred:
        for name, path in modules.items():
            if name != package and not name.startswith(package + "."):
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in _deferred(tree):
                shown = ast.unparse(node)
                print(f"{path.relative_to(ROOT)}:{node.lineno}: {shown}")
    return 1 if cycles or wrong else 0


if __name__ == "__main__":
    sys.exit(main())
