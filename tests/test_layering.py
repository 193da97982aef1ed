"""The layering of tinytf, checked on the source: every import of every module (also the imports
inside functions and ``import_module("tinytf....")`` strings) goes to its own layer or a layer above
it in ``LAYERS``, and no modules import each other in a cycle. docs/ARCHITECTURE.md describes the
layers; this table is the one that counts."""
import ast
from pathlib import Path

import pytest

import tinytf

ROOT = Path(tinytf.__file__).parent

# module or package prefix -> layer; a module takes the entry of its longest matching prefix.
LAYERS = {
    "tinytf.backend": 1, "tinytf.dtypes": 1, "tinytf.errors": 1, "tinytf.files": 1, "tinytf.loading": 1,
    "tinytf.kernels": 2,
    "tinytf.tensor": 3, "tinytf.tape": 3, "tinytf.nest": 3, "tinytf.ops": 3,
    "tinytf": 4,  # the namespace: tinytf/__init__.py, nn, math, random, config, image, train, data/
    "tinytf.keras": 5,
    "tinytf.distribute": 6,
    "tinytf.tools": 7, "tinytf.zoo": 7, "tinytf.recipes": 7, "tinytf.cli": 7, "tinytf.__main__": 7,
}

# Model.save / load_weights / export call keras/saving/, which builds Model and Sequential objects (as in
# Keras 3): the one cycle allowed, and only among these modules.
ALLOWED_CYCLE = ("tinytf.keras.models", "tinytf.keras.saving")


def layer(module):
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in LAYERS:
            return LAYERS[".".join(parts[:n])]
    raise KeyError(f"{module} is in no row of LAYERS (tests/test_layering.py): add it")


def modules():
    """{module name: (path, is a package)} for every module of tinytf."""
    out = {}
    for p in sorted(ROOT.rglob("*.py")):
        parts = ("tinytf",) + p.relative_to(ROOT).with_suffix("").parts
        package = parts[-1] == "__init__"
        out[".".join(parts[:-1] if package else parts)] = (p, package)
    return out


def imported_modules(source, module, package=False):
    """Absolute names that ``source`` (the code of ``module``) imports, relative imports resolved
    (``from X import a`` gives ``X.a``: the module ``a`` or a name in ``X``), plus string constants
    naming tinytf modules."""
    names = []
    here = module.split(".") if package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(here[:len(here) - node.level + 1])
                mod = f"{base}.{node.module}" if node.module else base
            else:
                mod = node.module
            names += [f"{mod}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("tinytf."):
            names.append(node.value)
    return names


def import_graph():
    """{module: the tinytf modules it imports} (``from pkg import name`` counts as pkg.name if that is
    a module, else as pkg). A package's ``__init__`` re-exporting its own modules (``tinytf``'s lazy
    ``tf.keras``, ``tf.distribute``) is not an edge: Python runs it before any module inside anyway."""
    mods = modules()
    graph = {}
    for name, (path, package) in mods.items():
        targets = set()
        for imp in imported_modules(path.read_text(encoding="utf-8"), name, package):
            if imp == "tinytf" or imp.startswith("tinytf."):
                while imp not in mods:
                    imp = imp.rsplit(".", 1)[0]
                if not (package and imp.startswith(name + ".")):
                    targets.add(imp)
        graph[name] = targets - {name}
    return graph


def cycles(graph):
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_every_import_goes_to_the_same_layer_or_one_above():
    graph = import_graph()
    assert len(graph) > 100
    bad = [f"{m} (layer {layer(m)}) imports {t} (layer {layer(t)})"
           for m, targets in sorted(graph.items()) for t in sorted(targets) if layer(t) > layer(m)]
    assert not bad, "imports against the layering:\n" + "\n".join(bad)


def test_no_import_cycles():
    def allowed(comp):
        return all(any(m == p or m.startswith(p + ".") for p in ALLOWED_CYCLE) for m in comp)
    bad = [c for c in cycles(import_graph()) if not allowed(c)]
    assert not bad, f"import cycles: {bad}"


# ---- the checks can fail ----------------------------------------------------------------------------
@pytest.mark.parametrize("source", [
    "from ...tools import receptive_field", "from ...tools.explain import explain",
    "from ... import tools", "import tinytf.tools.report",
    "def f():\n    from ...tools.receptive_field import from_layers",
    "importlib.import_module('tinytf.tools.checkpoint')"])
def test_the_parser_sees_every_import_form(source):
    found = imported_modules(source, "tinytf.keras.layers.base")
    assert any(layer(m) == 7 for m in found if m.startswith("tinytf")), found


def test_relative_imports_resolve_from_modules_and_packages():
    assert "tinytf.kernels.table" in imported_modules("from ..kernels import table", "tinytf.ops.nn_ops")
    assert imported_modules("from .base import Layer", "tinytf.keras.layers", package=True) == \
        ["tinytf.keras.layers.base.Layer"]
    assert imported_modules("from . import dtypes", "tinytf.tensor") == ["tinytf.dtypes"]


def test_the_cycle_check_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
