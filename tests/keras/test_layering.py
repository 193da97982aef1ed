"""The library knows no CLI: nothing in tinytf/keras imports tinytf.tools (checked on the source)."""
import ast
from pathlib import Path

import pytest

import tinytf

ROOT = Path(tinytf.__file__).parent


def imported_modules(source, package):
    """Absolute names of the modules ``source`` (code in ``package``) imports, relative imports
    resolved, plus string constants naming tinytf modules (``import_module("tinytf.tools")``)."""
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1])
                mod = f"{base}.{node.module}" if node.module else base
            else:
                mod = node.module
            names += [mod] + [f"{mod}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and node.value.startswith("tinytf."):
            names.append(node.value)
    return names


def tools_imports(source, package):
    return [m for m in imported_modules(source, package)
            if m == "tinytf.tools" or m.startswith("tinytf.tools.")]


def test_keras_does_not_import_tools():
    files = sorted((ROOT / "keras").rglob("*.py"))
    assert len(files) > 10
    bad = {}
    for p in files:
        package = ".".join(("tinytf",) + p.relative_to(ROOT).parent.parts)
        found = tools_imports(p.read_text(encoding="utf-8"), package)
        if found:
            bad[str(p.relative_to(ROOT))] = found
    assert not bad, f"tinytf/keras must not import tinytf.tools: {bad}"


@pytest.mark.parametrize("source", [
    "from ...tools import receptive_field", "from ...tools.explain import explain",
    "from ... import tools", "import tinytf.tools.report",
    "def f():\n    from ...tools.receptive_field import from_layers",
    "importlib.import_module('tinytf.tools.checkpoint')"])
def test_the_check_sees_every_import_form(source):
    assert tools_imports(source, "tinytf.keras.layers")


def test_the_check_allows_the_library():
    src = "from ...kernels.receptive_field import receptive_fields\nfrom .. import activations"
    assert not tools_imports(src, "tinytf.keras.layers")
