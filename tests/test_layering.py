"""The layers, read from the code's own imports (ast): every import, at module level or inside a function.

spiders (navigation) -> parsers (pure) -> pipelines -> storage.  Storage imports neither Scrapy
nor the crawler; parsers import neither Scrapy nor SQLAlchemy; the crawler's own modules (CLI,
jobs, pipelines) never import a spider module; no two project modules import each other,
directly or around a circle.  Imports under ``if TYPE_CHECKING:`` are annotations, never run,
and are left out.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("crawler", "spiders", "storage")


@dataclass(frozen=True)
class Import:
    """One import statement's target, where it is, and whether it runs only when a function does."""

    target: str
    line: int
    in_function: bool


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(name: str, source: str, is_package: bool = False) -> list[Import]:
    """Every import in ``source`` (module ``name``), relative ones resolved, ``from X import Y`` as X.Y."""
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child, in_function)
            return
        if isinstance(node, ast.Import):
            found.extend(Import(alias.name, node.lineno, in_function) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".") if is_package else name.split(".")[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, base] if base else package)
            found.extend(Import(f"{base}.{alias.name}", node.lineno, in_function) for alias in node.names)
        inner = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    visit(ast.parse(source), False)
    return found


def project_module(target: str) -> str | None:
    """The project module an import target loads (``crawler.items.ArticleRecord`` -> ``crawler.items``)."""
    while target:
        if target in MODULES:
            return target
        if "." not in target:
            return None
        target = target.rsplit(".", 1)[0]
    return None


IMPORTS: dict[str, list[Import]] = {
    name: imports_of(name, path.read_text(encoding="utf-8"), path.name == "__init__.py")
    for name, path in MODULES.items()
}


def graph() -> dict[str, dict[str, Import]]:
    """Project module -> the project modules it imports (with the first import of each)."""
    edges: dict[str, dict[str, Import]] = {}
    for name, found in IMPORTS.items():
        edges[name] = {}
        for imp in found:
            target = project_module(imp.target)
            if target and target != name:
                edges[name].setdefault(target, imp)
    return edges


def cycles(edges: dict[str, dict[str, object]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, {}):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return found


def offenders(prefix: str, forbidden: tuple[str, ...]) -> list[str]:
    """``module:line imports target`` for each import under ``prefix`` of a forbidden top-level name."""
    out = []
    for name, found in IMPORTS.items():
        if name == prefix or name.startswith(prefix + "."):
            for imp in found:
                top = imp.target.split(".")[0]
                if top in forbidden:
                    out.append(f"{MODULES[name].relative_to(ROOT)}:{imp.line} imports {imp.target}")
    return out


# --- the analyser sees what is there -------------------------------------------------------------
def test_the_analyser_reads_every_module_and_both_kinds_of_import() -> None:
    assert len(MODULES) > 60 and "storage.records" in MODULES and "crawler.parsers" in MODULES
    edges = graph()
    assert "crawler.exceptions" in edges["crawler.pipelines"]
    assert edges["crawler.jobs"]["crawler.health"].in_function  # `from crawler import health` inside _finish
    assert "crawler.replica.model" not in edges["crawler.replica.pages"]  # TYPE_CHECKING only
    relative = imports_of("pkg.sub.mod", "from . import a\nfrom ..b import c\ndef f():\n    import d.e\n")
    assert [(i.target, i.in_function) for i in relative] == [("pkg.sub.a", False), ("pkg.b.c", False), ("d.e", True)]
    assert cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == [["a", "b", "c"]]


# --- the rules ---------------------------------------------------------------------------------
def test_storage_imports_neither_scrapy_nor_the_crawler() -> None:
    assert offenders("storage", ("scrapy", "twisted", "crawler", "spiders")) == []


def test_parsers_import_neither_scrapy_nor_sqlalchemy() -> None:
    assert offenders("crawler.parsers", ("scrapy", "twisted", "sqlalchemy", "spiders")) == []


def test_parsers_run_in_a_plain_shell() -> None:
    # Transitively too: importing the parsers loads neither Scrapy nor SQLAlchemy.
    code = "import sys, crawler.parsers; print(sorted({'scrapy', 'sqlalchemy', 'twisted'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_crawler_never_imports_a_spider_module() -> None:
    # Helpers the CLI, the scheduler and the spiders share live below all of them (crawler.args).
    assert offenders("crawler", ("spiders",)) == []


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_cycles(package: str) -> None:
    edges = graph()
    found = [c for c in cycles(edges) if any(m == package or m.startswith(package + ".") for m in c)]
    described = [
        " ; ".join(f"{a} -> {b} (line {edges[a][b].line})" for a in cycle for b in edges[a] if b in cycle)
        for cycle in found
    ]
    assert described == []
