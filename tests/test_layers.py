"""The import graph keeps to the layers in the README's Architecture section.

Every module under ``src/jobsai`` is parsed with ``ast`` (imports inside functions and
``TYPE_CHECKING`` blocks count too: a deferred import is still a dependency), and each import
of another part of ``jobsai`` is checked against the layer list between the
``<!-- layers:begin -->`` and ``<!-- layers:end -->`` markers of ``README.md``: (a) no import
cycle between packages, (b) no import from a higher layer. A part is a sub-package
(``store``) or a top-level module (``runtime``); every part must appear in the list, so a new
one has to be placed in it. The last tests run the same checker on a small tree written for
the purpose, so the check is known to fail when it should.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
README = ROOT / "README.md"
PACKAGE = "jobsai"


@dataclass(frozen=True, slots=True)
class Import:
    module: str
    """The importing module (``jobsai.sync.reindex``)."""
    target: str
    """The imported module or name (``jobsai.index.catalog``)."""
    where: str
    """``path:line``, for the message."""


def module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, src: Path) -> list[Import]:
    """Every import of ``jobsai`` code in the file at ``path``, wherever it stands in the file."""
    module = module_name(path, src)
    is_package = path.name == "__init__.py"
    found: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            # ``from jobsai import worker`` imports the module jobsai.worker; ``from jobsai.x import y`` needs x.
            named = prefix == PACKAGE or node.module is None  # ``from . import views`` names modules too
            targets = [f"{prefix}.{alias.name}" for alias in node.names] if named else [prefix]
        where = f"{path.relative_to(src.parent) if src.parent in path.parents else path}:{getattr(node, 'lineno', 0)}"
        found += [Import(module, t, where) for t in targets if t == PACKAGE or t.startswith(PACKAGE + ".")]
    return found


def part_of(name: str, src: Path) -> str:
    """The layer unit of a module or imported name: its sub-package or top-level module."""
    parts = name.split(".")
    if len(parts) == 1:
        return PACKAGE
    first = parts[1]
    if (src / PACKAGE / first).is_dir() or (src / PACKAGE / f"{first}.py").is_file():
        return first
    return PACKAGE  # a name defined in jobsai/__init__.py (``__version__``)


def all_imports(src: Path) -> list[Import]:
    return [imp for path in sorted((src / PACKAGE).rglob("*.py")) for imp in imports_of(path, src)]


def read_layers(readme: Path) -> dict[str, int]:
    """Part -> layer number, from the README's marked list (``1. `errors`, `config` — …``)."""
    text = readme.read_text(encoding="utf-8")
    match = re.search(r"<!-- layers:begin -->(.*?)<!-- layers:end -->", text, re.S)
    if match is None:
        raise AssertionError(f"{readme.name} has no <!-- layers:begin --> … <!-- layers:end --> list")
    layers: dict[str, int] = {}
    for line in match.group(1).splitlines():
        m = re.match(r"\s*(\d+)\.\s+(.*)", line)
        if not m:
            continue
        names = re.findall(r"`([a-z_0-9]+)`", m.group(2).split(" — ")[0])
        for name in names:
            if name in layers:
                raise AssertionError(f"{name} is listed twice in the layers")
            layers[name] = int(m.group(1))
    return layers


def upward_imports(imports: list[Import], layers: dict[str, int], src: Path) -> list[str]:
    """Imports from a higher layer, and parts missing from the layer list."""
    problems: list[str] = []
    for imp in imports:
        mine, theirs = part_of(imp.module, src), part_of(imp.target, src)
        missing = [p for p in (mine, theirs) if p not in layers]
        if missing:
            problems.append(f"{imp.where}: {', '.join(sorted(set(missing)))} is in no layer of the README")
        elif layers[theirs] > layers[mine]:
            problems.append(f"{imp.where}: {mine} (layer {layers[mine]}) imports {imp.target} "
                            f"from the higher layer {layers[theirs]}")
    return problems


def package_cycles(imports: list[Import], src: Path) -> list[list[str]]:
    """Cycles in the graph of parts (one per strongly connected component of two or more)."""
    graph: dict[str, set[str]] = {}
    for imp in imports:
        a, b = part_of(imp.module, src), part_of(imp.target, src)
        if a != b:
            graph.setdefault(a, set()).add(b)
            graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component: list[str] = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return components


# -- the real tree ------------------------------------------------------------------------------


def test_every_part_has_a_layer_and_imports_only_from_its_own_or_lower_layers() -> None:
    layers = read_layers(README)
    imports = all_imports(SRC)
    assert len(imports) > 300  # the parser sees the code (a broken walk would pass vacuously)
    assert upward_imports(imports, layers, SRC) == []
    parts = {part_of(module_name(p, SRC), SRC) for p in (SRC / PACKAGE).rglob("*.py")}
    assert parts <= layers.keys(), f"parts missing from the README's layers: {sorted(parts - layers.keys())}"
    assert layers.keys() <= parts, f"the README lists parts that do not exist: {sorted(layers.keys() - parts)}"


def test_no_import_cycle_between_packages() -> None:
    assert package_cycles(all_imports(SRC), SRC) == []


# -- the checker itself -----------------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A miniature jobsai with two layers, ``store`` below ``web``, and a README that says so."""
    src = tmp_path / "src"
    for folder in ("store", "web"):
        (src / PACKAGE / folder).mkdir(parents=True)
        (src / PACKAGE / folder / "__init__.py").write_text("")
    (src / PACKAGE / "__init__.py").write_text('__version__ = "0"\n')
    (src / PACKAGE / "store" / "db.py").write_text("from jobsai import __version__\n")
    (src / PACKAGE / "web" / "app.py").write_text("from jobsai.store import db\nfrom . import views\n")
    (src / PACKAGE / "web" / "views.py").write_text("from ..store.db import __version__\n")
    (tmp_path / "README.md").write_text(
        "## Architecture\n<!-- layers:begin -->\n1. `jobsai`\n2. `store` — the store\n3. `web`\n<!-- layers:end -->\n"
    )
    return tmp_path


def test_the_checker_passes_a_tree_that_keeps_to_its_layers(tree: Path) -> None:
    imports = all_imports(tree / "src")
    assert {(i.module, i.target) for i in imports} == {
        ("jobsai.store.db", "jobsai.__version__"),
        ("jobsai.web.app", "jobsai.store"),
        ("jobsai.web.app", "jobsai.web.views"),
        ("jobsai.web.views", "jobsai.store.db"),
    }
    assert upward_imports(imports, read_layers(tree / "README.md"), tree / "src") == []
    assert package_cycles(imports, tree / "src") == []


def test_the_checker_fails_on_an_upward_import_even_inside_a_function(tree: Path) -> None:
    (tree / "src" / PACKAGE / "store" / "db.py").write_text(
        "def later():\n    from jobsai.web.app import views\n    return views\n"
    )
    imports = all_imports(tree / "src")
    problems = upward_imports(imports, read_layers(tree / "README.md"), tree / "src")
    assert problems == ["src/jobsai/store/db.py:2: store (layer 2) imports jobsai.web.app from the higher layer 3"]
    assert package_cycles(imports, tree / "src") == [["store", "web"]]


def test_the_checker_fails_on_a_part_the_readme_does_not_place(tree: Path) -> None:
    (tree / "src" / PACKAGE / "alerts.py").write_text("import jobsai.store.db\n")
    problems = upward_imports(all_imports(tree / "src"), read_layers(tree / "README.md"), tree / "src")
    assert problems == ["src/jobsai/alerts.py:1: alerts is in no layer of the README"]
