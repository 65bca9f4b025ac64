"""The package's shape in figures: modules, lines, the longest functions (import cycles and the
longest-function limit are guarded by tests/test_layout.py).

    python tools/layout_report.py [PACKAGE_DIR]        # default: overlap/ beside this file
    python tools/layout_report.py --rev ee244b4         # the same figures for a commit (read with git show)

Lines of code are non-blank lines that are not only a comment. A function's length is its line span
(docstring included), as ``ast`` reports it.
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


def report(mods: dict[str, str]) -> dict:
    loc = 0
    functions: list[tuple[int, str]] = []
    for name, text in mods.items():
        loc += sum(1 for line in text.splitlines() if line.strip() and not line.strip().startswith("#"))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions.append((node.end_lineno - node.lineno + 1, f"{name}.{node.name}"))
    functions.sort(reverse=True)
    return {
        "modules": len(mods),
        "packages": sum(1 for n in mods if n.endswith("__init__")),
        "lines_of_code": loc,
        "longest": functions[:8],
        "over_80_lines": sum(1 for n, _ in functions if n > 80),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("package", nargs="?", type=Path, default=ROOT / "overlap")
    ap.add_argument("--rev", default=None, help="read the package as it was at this commit")
    args = ap.parse_args()
    r = report(sources(args.rev, args.package.resolve()))
    print(f"modules {r['modules']} (packages {r['packages']}), lines of code {r['lines_of_code']}, "
          f"functions over 80 lines {r['over_80_lines']}")
    for n, f in r["longest"]:
        print(f"  {n:>4}  {f}")


if __name__ == "__main__":
    main()
