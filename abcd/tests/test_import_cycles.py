"""The check `make lint` runs on the product's imports."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "import_cycles.py"
spec = importlib.util.spec_from_file_location("import_cycles", SCRIPT)
import_cycles = importlib.util.module_from_spec(spec)
spec.loader.exec_module(import_cycles)


def cycles(graph):
    return [c for c in import_cycles.strongly_connected(graph) if len(c) > 1]


def test_a_cycle_through_three_modules_is_found_and_walked():
    graph = {"a.x": {"b.y"}, "b.y": {"c.z"}, "c.z": {"a.x"}, "d": set()}
    [component] = cycles(graph)
    assert component == ["a.x", "b.y", "c.z"]
    assert import_cycles.a_cycle(graph, component) == ["a.x", "b.y", "c.z", "a.x"]


def test_imports_that_point_left_are_fine_and_those_that_point_right_are_not():
    graph = {
        "grants.services": {"communities.models", "core.roles", "grants.models"},
        "core.dates": {"communities.models"},
        "communities.views": {"trust.services", "abcd.celery"},
        "abcd.urls": {"trust.urls", "demo.admin"},
        "demo.assets": {"assets.models"},
    }
    assert import_cycles.against_layers(graph) == [
        ("communities.views", "abcd.celery"),
        ("communities.views", "trust.services"),
        ("core.dates", "communities.models"),
    ]


def test_the_product_has_no_cycle_and_no_import_against_the_layers():
    modules = import_cycles.product_modules(import_cycles.ROOT)
    graph = import_cycles.import_graph(modules, deferred=True)
    assert "core.roles" in modules and "communities.models" in modules
    assert cycles(graph) == []
    assert import_cycles.against_layers(graph) == []
