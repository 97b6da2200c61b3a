"""Mirror the `segscribe` import package as a tree of symlinks, for tools that cannot follow package-dir.

pyproject.toml maps the project's top-level folders (agent/, schemas/, evals/, prompts/) into one import
package, `segscribe`. Installed, that is what Python sees; but static tools (mypy, import-linter) look for
packages as folders on a search path. This script builds `<out>/segscribe/...` with real folders and one
symlink per source file, from the same package-dir table, so the tools check the files you edit.

Usage: python tools/package_tree.py [OUT]   (default build/package-tree)
"""

from __future__ import annotations

import shutil
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def package_dirs() -> dict[str, Path]:
    """Import package name -> source folder, for every package listed in pyproject.toml."""
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    mapping: dict[str, str] = cfg["package-dir"]
    out: dict[str, Path] = {}
    for name in cfg["packages"]:
        parent = max((p for p in mapping if name == p or name.startswith(p + ".")), key=len)
        rest = name[len(parent):].lstrip(".").replace(".", "/")
        out[name] = ROOT / mapping[parent] / rest
    return out


def build(out: Path) -> Path:
    if out.exists():
        shutil.rmtree(out)
    for name, src in package_dirs().items():
        dest = out / name.replace(".", "/")
        dest.mkdir(parents=True, exist_ok=True)
        for f in sorted(src.glob("*.py")):
            (dest / f.name).symlink_to(f)
    return out


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "package-tree"))
