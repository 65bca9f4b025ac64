"""The package's shape in figures: modules, lines, the longest functions, import cycles.

    python tools/layout_report.py [PACKAGE_DIR]        # default: overlap/ beside this file
    python tools/layout_report.py --rev ee244b4         # the same figures for a commit (read with git show)

Lines of code are non-blank lines that are not only a comment. A function's length is its line span
(decorators and docstring included), as ``ast`` reports it. Import edges are the package's own
modules importing each other (relative or ``overlap.`` imports, at any depth, inside functions too);
a cycle is a strongly connected group of two or more modules.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sources(rev: str | None, package: Path) -> dict[str, str]:
    """Module name -> source text, from the work tree or from commit ``rev``."""
    if rev is None:
        return {".".join(p.relative_to(package.parent).with_suffix("").parts): p.read_text(encoding="utf-8")
                for p in sorted(package.rglob("*.py"))}
    names = subprocess.run(["git", "-C", str(ROOT), "ls-tree", "-r", "--name-only", rev, package.name + "/"],
                           check=True, capture_output=True, text=True).stdout.split()
    return {n[:-3].replace("/", "."): subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{n}"], check=True,
                                                     capture_output=True, text=True).stdout
            for n in names if n.endswith(".py")}


def _target(name: str, node: ast.ImportFrom) -> str:
    """The absolute module an ``from ... import`` in module ``name`` reads from."""
    if node.level == 0:
        return node.module or ""
    package = name.split(".")[:-1]  # a module's package; a package's __init__ is in its own package
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(mods: dict[str, str], top: str) -> dict[str, set[str]]:
    """Each module's imports of the package's own modules."""
    known = set(mods)
    out: dict[str, set[str]] = {}
    for name, text in mods.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(text)):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                base = _target(name, node)
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            for t in targets:
                for cand in (t, t + ".__init__"):
                    if cand in known and cand != name and t.split(".")[0] == top:
                        found.add(cand)
        out[name] = found
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of two or more modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def report(mods: dict[str, str]) -> dict:
    loc = 0
    functions: list[tuple[int, str]] = []
    for name, text in mods.items():
        loc += sum(1 for line in text.splitlines() if line.strip() and not line.strip().startswith("#"))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions.append((node.end_lineno - node.lineno + 1, f"{name}.{node.name}"))
    functions.sort(reverse=True)
    top = next(iter(mods)).split(".")[0]
    return {
        "modules": len(mods),
        "packages": sum(1 for n in mods if n.endswith("__init__")),
        "lines_of_code": loc,
        "longest": functions[:8],
        "over_80_lines": sum(1 for n, _ in functions if n > 80),
        "import_cycles": cycles(imports(mods, top)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("package", nargs="?", type=Path, default=ROOT / "overlap")
    ap.add_argument("--rev", default=None, help="read the package as it was at this commit")
    args = ap.parse_args()
    r = report(sources(args.rev, args.package.resolve()))
    print(f"modules {r['modules']} (packages {r['packages']}), lines of code {r['lines_of_code']}, "
          f"functions over 80 lines {r['over_80_lines']}, import cycles {len(r['import_cycles'])}")
    for n, f in r["longest"]:
        print(f"  {n:>4}  {f}")
    for c in r["import_cycles"]:
        print("  cycle:", " <-> ".join(c))


if __name__ == "__main__":
    main()
