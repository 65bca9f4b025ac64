"""Dependencies stay in their rooms: each third-party library is used by the modules named here only."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "overlap"

# library -> modules allowed to import it
ROOMS = {
    "click": {"cli.py"},
    "networkx": {"graph.py"},
    "datasketch": {"signatures.py", "candidates.py", "index.py", "dedup.py"},
    "redis": {"index.py"},
    "scipy": {"align.py"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_third_party_libraries_stay_in_their_modules() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        used = _imports(path)
        for library, allowed in ROOMS.items():
            if library in used:
                assert path.name in allowed, f"{path.name} imports {library}; only {sorted(allowed)} may"


def test_the_library_never_prints_or_exits() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name in {"cli.py", "__main__.py"}:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"print", "exit"}, f"{path.name} calls {node.func.id}()"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                assert not (node.func.attr == "exit" and getattr(node.func.value, "id", "") == "sys"), path.name
