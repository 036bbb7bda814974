"""The house rules of ARCHITECTURE.md, checked on the source: imports go one way between layers, no module
imports another's private names, and no module outgrows one job."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dedupe"

# ARCHITECTURE.md's layers, first to last: a module may import from its own layer and the ones before it
LAYERS = [
    {"version", "document", "compiled", "scripts"},
    {"cleaning", "near", "io", "table_cache"},
    {"options", "prepare"},
    {"decide"},
    {"engines"},
    {"report"},
    {"run"},
    {"cli", "api", "config", "__init__", "__main__"},
]
MAX_LINES = 600


def _layer(module: str) -> int:
    top = module.split(".")[1] if module.count(".") else "__init__"
    for n, names in enumerate(LAYERS):
        if top in names:
            return n
    raise AssertionError(f"{module} is in no layer of ARCHITECTURE.md")


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        out.append((".".join(parts) if len(parts) > 1 else "dedupe.__init__", path))
    return out


def _imports(path: Path, module: str) -> list[tuple[str, list[str]]]:
    """(imported module, names) of every import of a dedupe module, relative ones resolved."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dedupe"):
            out.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            out.extend((a.name, []) for a in node.names if a.name.startswith("dedupe"))
    return out


MODULES = _modules()


def test_every_module_is_in_a_layer():
    assert {_layer(m) for m, _ in MODULES}


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_imports_go_one_way(module, path):
    own = _layer(module)
    for imported, names in _imports(path, module):
        targets = [f"{imported}.{n}" for n in names] if imported == "dedupe" else [imported]
        for target in targets:
            if target == "dedupe.__version__":
                continue
            assert _layer(target) <= own, f"{module} (layer {own}) imports {target} (layer {_layer(target)})"


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_no_module_imports_private_names(module, path):
    for imported, names in _imports(path, module):
        private = [n for n in names if n.startswith("_") and not n.startswith("__")]
        assert not private, f"{module} imports private {private} from {imported}"
        assert not any(part.startswith("_") and part != "__init__" for part in imported.split(".")), imported


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_no_module_outgrows_one_job(module, path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines"


def test_tests_import_public_names_only():
    for path in sorted(Path(__file__).resolve().parent.rglob("*.py")):
        for imported, names in _imports(path, path.stem):
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            assert not private, f"{path.name} imports private {private} from {imported}"
