"""The package's layout rules, checked with ``ast`` over every module of every subpackage.

* each third-party library is imported only in its room (click in the CLI,
  networkx in ``graph/``, datasketch in ``minhash/`` and ``index/``, redis in
  ``index/``), so a library can be swapped by reading one folder;
* the library never prints or exits (only the CLI does);
* no import cycles: the modules form a layered graph, so each reads and
  tests alone from the ones below it;
* no module imports another module's private ``_name``: what is shared is
  public, named, and documented where it lives.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "overlap"

# library -> where it may be imported: a module ("cli.py") or a whole folder ("graph/")
ROOMS = {
    "click": {"cli.py"},
    "networkx": {"graph/"},
    "datasketch": {"minhash/", "index/"},
    "redis": {"index/"},
    "scipy": set(),  # nowhere: datasketch brings it, overlap does not need it (alignment joins in numpy)
    "dask": {"engine/cluster.py"},
    "distributed": {"engine/cluster.py"},
}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    """``text/normalize.py`` for ``overlap/text/normalize.py``."""
    return path.relative_to(PACKAGE).as_posix()


def _allowed(name: str, rooms: set[str]) -> bool:
    return any(name == room or (room.endswith("/") and name.startswith(room)) for room in rooms)


def _third_party(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _dotted(path: Path) -> str:
    """``overlap.text.normalize`` for a module, ``overlap.text`` for a package's ``__init__.py``."""
    parts = ["overlap", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(path: Path, node: ast.ImportFrom) -> str:
    """The absolute module an ``import from`` names (relative imports resolved against ``path``)."""
    if node.level == 0:
        return node.module or ""
    package = _dotted(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _internal_imports(path: Path, tree: ast.AST, modules: set[str]) -> list[tuple[str, list[str]]]:
    """(module imported, names taken from it) for every import of an overlap module, anywhere in the file.

    An import inside a function counts: it still makes the module depend on
    the other at run time. ``from pkg import mod`` names the submodule.
    """
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names if alias.name.split(".")[0] == "overlap"]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(path, node)
            if target.split(".")[0] != "overlap":
                continue
            names = [alias.name for alias in node.names]
            found.append((target, [n for n in names if f"{target}.{n}" not in modules]))
            found += [(f"{target}.{n}", []) for n in names if f"{target}.{n}" in modules]
    return found


def _trees() -> dict[Path, ast.AST]:
    return {path: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in _modules()}


def test_every_subpackage_is_walked() -> None:
    """The rules below see the modules in subpackages, not only the top level."""
    names = {_name(p) for p in _modules()}
    assert "cli.py" in names and "report/folder.py" in names and "graph/build.py" in names


def test_third_party_libraries_stay_in_their_rooms() -> None:
    for path, tree in _trees().items():
        used = _third_party(tree)
        for library, rooms in ROOMS.items():
            if library in used:
                assert _allowed(_name(path), rooms), f"{_name(path)} imports {library}; only {sorted(rooms)} may"


def test_the_library_never_prints_or_exits() -> None:
    for path, tree in _trees().items():
        if _name(path) in {"cli.py", "__main__.py"}:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"print", "exit"}, f"{_name(path)} calls {node.func.id}()"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                assert not (node.func.attr == "exit" and getattr(node.func.value, "id", "") == "sys"), _name(path)


def _import_graph() -> dict[str, set[str]]:
    trees = _trees()
    modules = {_dotted(p) for p in trees}
    graph: dict[str, set[str]] = {}
    for path, tree in trees.items():
        here = _dotted(path)
        graph[here] = {target for target, _ in _internal_imports(path, tree, modules)
                       if target in modules and target != here}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path that returns to its start, or ``None``.

    >>> find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}})
    ['a', 'b', 'c', 'a']
    >>> find_cycle({"a": {"b"}, "b": set()}) is None
    True
    """
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def test_no_import_cycles() -> None:
    cycle = find_cycle(_import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_uses(path: Path, tree: ast.AST, modules: set[str]) -> list[str]:
    """Every private name of another overlap module that ``path`` takes: ``from m import _x`` or ``m._x``."""
    found = [f"{target}.{n}" for target, names in _internal_imports(path, tree, modules) for n in names if _private(n)]
    imported = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names if f"{_resolve(path, node)}.{alias.name}" in modules}
    found += [f"{node.value.id}.{node.attr}" for node in ast.walk(tree) if isinstance(node, ast.Attribute)
              and isinstance(node.value, ast.Name) and node.value.id in imported and _private(node.attr)]
    return found


def test_no_module_imports_another_modules_private_names() -> None:
    trees = _trees()
    modules = {_dotted(p) for p in trees}
    for path, tree in trees.items():
        taken = private_uses(path, tree, modules)
        assert not taken, f"{_name(path)} uses private names of other modules: {', '.join(taken)}"


@pytest.mark.parametrize("source, private", [
    ("from .b import _hidden\n", True),
    ("from . import b\nb._hidden()\n", True),
    ("from .b import shown, __version__\n", False),
    ("from .b import shown\nshown._x = 1\n", False),
])
def test_the_private_name_rule_catches_what_it_should(source: str, private: bool) -> None:
    """The rule is real: a planted private import is found, a public one is not."""
    assert bool(private_uses(PACKAGE / "a.py", ast.parse(source), {"overlap.a", "overlap.b"})) == private


def test_the_cycle_rule_sees_imports_inside_functions() -> None:
    """A lazy import inside a function still makes a cycle: the rule must see it."""
    tree = ast.parse("def f():\n    from .b import g\n")
    found = [t for t, _ in _internal_imports(PACKAGE / "a.py", tree, {"overlap.a", "overlap.b"})]
    assert find_cycle({"overlap.a": set(found), "overlap.b": {"overlap.a"}}) == ["overlap.a", "overlap.b", "overlap.a"]


#: The longest a function of the library may be: a longer one holds several steps that want names.
MAX_FUNCTION_LINES = 80


def test_no_function_is_longer_than_the_limit() -> None:
    long = [f"{_name(path)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for path, tree in _trees().items() for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == []



def _loaded_after(code: str, modules: tuple[str, ...]) -> str:
    """Which of ``modules`` a fresh interpreter has imported after running ``code`` (space-separated)."""
    import subprocess
    import sys

    probe = f"{code}\nimport sys; print(' '.join(m for m in {modules!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    return out.stdout.strip()


def test_the_command_line_starts_without_the_heavy_libraries() -> None:
    """``import overlap`` and the CLI module load no numeric, index, model or cluster library:
    ``overlap --help`` cost 1.26 CPU s and 113 MB when ``import overlap`` pulled in datasketch
    (and scipy); a command imports what it needs when it runs. networkx (0.08 CPU s and 16 MB of
    ``overlap --help``'s 0.22 s and 36 MB, 2026-12-03) comes only with a command that draws a graph."""
    heavy = ("numpy", "scipy", "datasketch", "rapidfuzz", "onnxruntime", "redis", "dask", "distributed", "Stemmer",
             "networkx")
    assert _loaded_after("import overlap, overlap.cli", heavy) == ""


def test_the_duplicate_tier_runs_without_datasketch_or_scipy() -> None:
    """Signing and banding draw datasketch's parameters without importing it: the import (scipy with
    it) cost a scan of Reuters-21578's duplicate tier ~0.5 of its ~6.8 CPU s. Nor does it load the passage
    search (and rapidfuzz with it), ~0.04 CPU s, when passages are not asked for."""
    code = ("import overlap; from overlap.model import Document; "
            "docs = [Document(str(i), 'the same wire story about grain exports rising again this year') for i in range(3)]; "
            "r = overlap.scan(docs, passages=False, paraphrase=False); assert len(r.clusters) == 1; r.close()")
    assert _loaded_after(code, ("scipy", "datasketch", "overlap.passages.corpus", "rapidfuzz")) == ""


def test_the_lazy_public_names_are_the_modules_own() -> None:
    import overlap
    from overlap import index, pipeline, report

    assert overlap.scan is pipeline.scan and overlap.open_index is index.open_index
    assert overlap.write_scan is report.folder.write_scan
    assert all(getattr(overlap, name) is not None for name in overlap.__all__)
    with pytest.raises(AttributeError):
        overlap.no_such_name  # noqa: B018
