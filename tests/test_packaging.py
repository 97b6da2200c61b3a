"""The wheel installs one import package, `segscribe`, built from the project's top-level folders."""

from __future__ import annotations

import importlib
import tomllib

from factories import ROOT

SOURCE_FOLDERS = {"segscribe": "agent", "segscribe.schemas": "schemas", "segscribe.evals": "evals",
                  "segscribe.prompts": "prompts"}


def _setuptools() -> dict:  # type: ignore[type-arg]
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_package_dir_maps_the_required_folders_into_one_package() -> None:
    assert _setuptools()["package-dir"] == SOURCE_FOLDERS


def test_package_list_matches_the_folders_on_disk() -> None:
    """Every package folder, and every folder of data files the package reads, is listed (so setuptools ships
    it without a warning), and every listed package exists."""
    on_disk: set[str] = set()
    for name, folder in SOURCE_FOLDERS.items():
        base = ROOT / folder
        for d in [base, *(p for p in base.rglob("*") if p.is_dir())]:
            if "__pycache__" in d.parts:
                continue
            package = any(d.glob("*.py")) and (d == base or (d / "__init__.py").exists())
            data = (d.parent / "__init__.py").exists() and not (d / "__init__.py").exists() and any(
                f.is_file() and f.suffix != ".py" for f in d.iterdir())
            if package or data:
                on_disk.add(".".join((name, *d.relative_to(base).parts)))
    assert sorted(_setuptools()["packages"]) == sorted(on_disk)


def test_every_listed_package_ships_its_data() -> None:
    data = _setuptools()["package-data"]
    for name in _setuptools()["packages"]:
        root = max((r for r in SOURCE_FOLDERS if name == r or name.startswith(r + ".")), key=len)
        folder = ROOT / SOURCE_FOLDERS[root] / "/".join(name[len(root) + 1:].split("."))
        if not (folder / "__init__.py").exists():
            assert name in data, f"{name} holds data files but has no package-data patterns"
            assert all(any(f.match(p) for p in data[name]) for f in folder.iterdir() if f.suffix != ".py"), name


def test_packages_import_and_no_generic_top_level_names() -> None:
    for name in _setuptools()["packages"]:
        assert importlib.import_module(name).__name__ == name
    for generic in ("agent", "evals", "prompts"):
        try:
            importlib.import_module(generic)
        except ImportError:
            continue
        raise AssertionError(f"a top-level package named {generic!r} is importable")


def test_prompts_ship_as_package_data() -> None:
    from segscribe.prompting import available_versions

    assert available_versions("extract_evidence")
